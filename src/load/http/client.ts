/**
 * VuHttp: one VU's HTTP client with k6 `k6/http` semantics. Owns the VU's connections (keep-alive, HTTP/1.1),
 * follows redirects with every hop measured and emitted as its own request, as k6 does, maps failures to k6
 * error codes instead of throwing, and emits k6's built-in HTTP metrics for each hop.
 */
import type { Sample, Tags } from '../../metrics/types.ts';
import { parseBatchItem, runBatch } from './batch.ts';
import { createConnector, HostPool, type Connector } from './connection.ts';
import { classifyError, RequestTimeoutError } from './error-codes.ts';
import { DEFAULT_EXPECTED_STATUSES, type ExpectedStatuses } from './expected-statuses.ts';
import { Exchange } from './exchange.ts';
import { hasHeader } from './headers.ts';
import { RequestPreparer, type Prepared } from './prepare.ts';
import { findHeader, isRedirect, redirectHop, type Hop } from './redirect.ts';
import { K6Response, type RequestRecord } from './response.ts';
import { TagMemo } from './tags.ts';
import type { BatchRequest, HttpDefaults, Params, RequestBody, RequestContext, ResponseTimings } from './types.ts';
import { InvalidUrlError, resolveLocation, type HttpUrl } from './url.ts';

const REPLAYABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

export class VuHttp {
  readonly defaults: HttpDefaults;
  /** The VU's default for http_req_failed / expected_response (http.setResponseCallback); null disables them. */
  responseCallback: ExpectedStatuses | null = DEFAULT_EXPECTED_STATUSES;

  readonly #connector: Connector;
  readonly #pools = new Map<string, HostPool>();
  readonly #tags: TagMemo;
  readonly #prepare: RequestPreparer;
  #signal: AbortSignal | null = null;
  #closed = false;

  constructor(defaults: HttpDefaults) {
    this.defaults = defaults;
    this.#connector = createConnector(defaults.insecureSkipTLSVerify);
    this.#tags = new TagMemo(defaults.systemTags);
    this.#prepare = new RequestPreparer(defaults);
  }

  setResponseCallback(callback: ExpectedStatuses | null): void {
    this.responseCallback = callback;
  }

  /**
   * Makes a request. Network and protocol failures resolve to a response with status 0 and k6's error and
   * error_code; an invalid URL resolves to one with code 1020 and emits nothing (k6 fails it before sending).
   * Rejects only on misuse (bad params or body type) and with an AbortError when ctx.signal aborts.
   */
  request(
    method: string,
    url: string | HttpUrl,
    body: RequestBody | null | undefined,
    params: Params | null | undefined,
    ctx: RequestContext,
  ): Promise<K6Response> {
    // Not an async function, so the common path costs one promise fewer; misuse still surfaces as a rejection.
    try {
      return this.#request(method, url, body, params, ctx);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #request(
    method: string,
    url: string | HttpUrl,
    body: RequestBody | null | undefined,
    params: Params | null | undefined,
    ctx: RequestContext,
  ): Promise<K6Response> {
    if (this.#closed) throw new Error('http: the VU\'s HTTP client is closed');
    const signal = ctx.signal;
    if (signal !== undefined) {
      if (signal.aborted) throw abortError(signal);
      this.#watch(signal);
    }
    const prepared = this.#prepare.prepare(method, url, body, params, this.responseCallback);
    if (prepared instanceof K6Response) return Promise.resolve(prepared);
    return this.#run(prepared, ctx);
  }

  /** `http.batch()` in its array and object forms. */
  async batch(requests: BatchRequest[], ctx: RequestContext): Promise<K6Response[]>;
  async batch(requests: Record<string, BatchRequest>, ctx: RequestContext): Promise<Record<string, K6Response>>;
  async batch(
    requests: BatchRequest[] | Record<string, BatchRequest>,
    ctx: RequestContext,
  ): Promise<K6Response[] | Record<string, K6Response>>;
  async batch(
    requests: BatchRequest[] | Record<string, BatchRequest>,
    ctx: RequestContext,
  ): Promise<K6Response[] | Record<string, K6Response>> {
    const run = (it: ReturnType<typeof parseBatchItem>): Promise<K6Response> =>
      this.request(it.method, it.url, it.body, it.params, ctx);
    const { batch, batchPerHost } = this.defaults;
    if (Array.isArray(requests)) {
      const items = requests.map((r, i) => parseBatchItem(r, i));
      return runBatch(items, batch, batchPerHost, run);
    }
    if (typeof requests !== 'object' || requests === null) {
      throw new TypeError(`invalid http.batch() argument type ${typeof requests}`);
    }
    const keys = Object.keys(requests);
    const items = keys.map((k) => parseBatchItem(requests[k], k));
    const results = await runBatch(items, batch, batchPerHost, run);
    const out: Record<string, K6Response> = {};
    keys.forEach((k, i) => {
      out[k] = results[i];
    });
    return out;
  }

  /** Destroys every connection of the VU. */
  async close(): Promise<void> {
    this.#closed = true;
    const pending: Promise<void>[] = [];
    for (const pool of this.#pools.values()) pending.push(...pool.destroy());
    this.#pools.clear();
    await Promise.all(pending);
  }

  async #run(req: Prepared, ctx: RequestContext): Promise<K6Response> {
    const deadline = ctx.now() + req.timeoutMs;
    const collect = req.responseType !== 'none';
    let hop: Hop = { target: req.target, method: req.method, headers: req.headers, body: req.body };
    let followed = 0;
    while (true) {
      const headers = !req.hasUserAuth && hop.target.authorization !== null
        ? [...hop.headers, 'Authorization', hop.target.authorization]
        : hop.headers;
      let ex = this.#start(hop, headers, deadline, req.timeoutMs, ctx, collect);
      await ex.done;
      if (this.#finish(ex, hop, headers, ctx)) {
        const retry = this.#start(hop, headers, deadline, req.timeoutMs, ctx, collect);
        await retry.done;
        this.#finish(retry, hop, headers, ctx);
        retry.sent += ex.sent;
        retry.received += ex.received;
        ex = retry;
      }
      if (ctx.signal?.aborted) throw abortError(ctx.signal);

      let next: Hop | null = null;
      if (ex.error === null && isRedirect(ex.status) && followed < req.maxRedirects) {
        const location = findHeader(ex.rawHeaders, 'location');
        if (location !== null) {
          try {
            next = redirectHop(hop, resolveLocation(location, hop.target), ex.status);
          } catch (err) {
            ex.error = err instanceof InvalidUrlError ? new Error(err.message.replace(/^invalid URL: /, '')) : err;
          }
        }
      }
      const classified = ex.error === null ? null : classifyError(ex.error, ex.firstByte !== 0);
      const errorCode = classified !== null ? classified.code : ex.status >= 400 ? 1000 + ex.status : 0;
      const errorMessage = classified !== null ? classified.message : '';
      const timings = ex.timings();
      this.#emit(ex, timings, req, hop.method, hop.target.clean, errorCode, errorMessage, ctx);
      if (next === null) return this.#response(ex, timings, req, hop, headers, errorCode, errorMessage);
      hop = next;
      followed++;
    }
  }

  /**
   * Starts one attempt at a hop on a connection of this VU; it settles through `ex.done`. `timeoutMs` is the
   * whole request's timeout; hops after the first still end at `deadline`.
   */
  #start(hop: Hop, headers: string[], deadline: number, timeoutMs: number, ctx: RequestContext, collect: boolean): Exchange {
    const protocol = hop.target.protocol;
    if (protocol !== 'http:' && protocol !== 'https:') {
      return failedExchange(ctx, new Error(`unsupported protocol scheme "${protocol.slice(0, -1)}"`));
    }
    const now = ctx.now();
    const remaining = deadline - now;
    if (remaining <= 0) return failedExchange(ctx, new RequestTimeoutError(false));
    const conn = this.#pool(hop.target.origin).acquire();
    const ex = new Exchange(conn, ctx, collect, now);
    ex.deadline = deadline;
    // The first hop's remaining time is the configured timeout less a few microseconds: using the timeout itself
    // keeps the timer duration constant, so the connection's timer is just refreshed.
    conn.watch(ex, remaining > timeoutMs - 1 ? timeoutMs : remaining);
    ex.dispatch(conn, {
      method: hop.method,
      path: hop.target.path,
      headers,
      body: hop.body === null ? null : hop.body.payload,
      // Explicit false also keeps undici from closing the connection after every HEAD request.
      reset: this.defaults.noConnectionReuse,
    });
    return ex;
  }

  /**
   * Hands a settled attempt's connection back. True when the attempt should be made again: it died on a reused
   * connection before any response byte (the server had closed it while idle) and is replayable, which is
   * when Go's transport retries too.
   */
  #finish(ex: Exchange, hop: Hop, headers: string[], ctx: RequestContext): boolean {
    const conn = ex.conn;
    if (conn === null) return false;
    conn.pool.release(conn);
    return ex.error !== null && ex.reused && ex.firstByte === 0 && isStale(ex.error) && ctx.signal?.aborted !== true
      && (REPLAYABLE.has(hop.method) || hasHeader(headers, 'Idempotency-Key') || hasHeader(headers, 'X-Idempotency-Key'));
  }

  #pool(origin: string): HostPool {
    let pool = this.#pools.get(origin);
    if (pool === undefined) {
      const { batch, batchPerHost } = this.defaults;
      pool = new HostPool(origin, this.#connector, batchPerHost > 0 ? batchPerHost : batch);
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  #emit(
    ex: Exchange, t: ResponseTimings, req: Prepared, method: string, url: string, errorCode: number, error: string,
    ctx: RequestContext,
  ): void {
    const failed = error !== '';
    const status = failed ? 0 : ex.status;
    const callback = req.callback;
    const expected = callback === null ? null : callback.match(status);
    const tags: Tags = this.#tags.get(ctx.baseTags, req.tags, {
      method,
      url,
      templateName: req.templateName,
      status,
      expected,
      errorCode,
      error,
      tlsVersion: failed ? '' : ex.tlsVersion,
      ip: ex.remoteIp,
    });
    const time = ex.end;
    push(ctx, 'http_reqs', time, 1, tags);
    push(ctx, 'http_req_duration', time, t.duration, tags);
    push(ctx, 'http_req_blocked', time, t.blocked, tags);
    push(ctx, 'http_req_connecting', time, t.connecting, tags);
    push(ctx, 'http_req_tls_handshaking', time, t.tls_handshaking, tags);
    push(ctx, 'http_req_sending', time, t.sending, tags);
    push(ctx, 'http_req_waiting', time, t.waiting, tags);
    push(ctx, 'http_req_receiving', time, t.receiving, tags);
    if (expected !== null) push(ctx, 'http_req_failed', time, expected ? 0 : 1, tags);
    push(ctx, 'data_sent', time, ex.sent, tags);
    push(ctx, 'data_received', time, ex.received, tags);
    if (ctx.startDelayMs !== undefined) push(ctx, 'http_req_corrected_duration', time, t.duration + ctx.startDelayMs, tags);
  }

  #response(
    ex: Exchange, timings: ResponseTimings, req: Prepared, hop: Hop, hopHeaders: string[], errorCode: number, error: string,
  ): K6Response {
    const failed = error !== '';
    const request: RequestRecord = {
      method: req.method,
      url: req.target.href,
      headers: firstHopHeaders(req, hopHeaders, hop),
      body: req.body,
    };
    return new K6Response({
      status: failed ? 0 : ex.status,
      statusText: failed ? '' : `${ex.status} ${ex.statusMessage}`,
      url: hop.target.href,
      timings,
      remoteIp: ex.remoteIp,
      remotePort: ex.remotePort,
      tlsVersion: failed ? '' : ex.tlsVersion,
      tlsCipherSuite: failed ? '' : ex.tlsCipherSuite,
      error,
      errorCode,
      rawHeaders: failed ? null : ex.rawHeaders,
      chunks: failed || !ex.collect ? null : ex.chunks,
      size: ex.size,
      responseType: req.responseType,
      request,
    });
  }

  /** One listener per signal rather than per request: an abort fails every request of this VU in flight. */
  #watch(signal: AbortSignal): void {
    if (this.#signal === signal) return;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = signal;
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  readonly #onAbort = (): void => {
    const signal = this.#signal;
    if (signal === null) return;
    const err = abortError(signal);
    // Every exchange in flight is the current one of some connection of this VU.
    for (const pool of this.#pools.values()) {
      for (const conn of pool.conns) conn.current?.fail(err);
    }
  };
}

/** An exchange that ends before it gets a connection: all timings 0, as in k6 for such failures. */
function failedExchange(ctx: RequestContext, err: Error): Exchange {
  const ex = new Exchange(null, ctx, false, ctx.now());
  ex.onResponseError(null, err);
  return ex;
}

function push(ctx: RequestContext, metric: string, time: number, value: number, tags: Tags): void {
  const sample: Sample = { metric, time, value, tags };
  ctx.emit(sample);
}

/** The headers `res.request.headers` shows: those of the first hop, userinfo Authorization included. */
function firstHopHeaders(req: Prepared, lastHopHeaders: string[], lastHop: Hop): string[] {
  if (lastHop.target === req.target) return lastHopHeaders;
  return !req.hasUserAuth && req.target.authorization !== null
    ? [...req.headers, 'Authorization', req.target.authorization]
    : req.headers;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted', 'AbortError');
}

/** A connection the server had already closed: nothing came back, so sending again is safe. */
function isStale(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}
