/**
 * VuHttp: one VU's HTTP client with k6 `k6/http` semantics. Owns the VU's connections (keep-alive, HTTP/1.1),
 * follows redirects with every hop measured and emitted as its own request, as k6 does, maps failures to k6
 * error codes instead of throwing, and emits k6's built-in HTTP metrics for each hop.
 */
import type { Sample, Tags } from '../../metrics/types.ts';
import { parseBatchItem, runBatch } from './batch.ts';
import { endpointOf, HostPool, type Conn } from './connection.ts';
import { decodeContent } from './compression.ts';
import { CookieHeaders, CookieJar, CookieStore, cookieHeader } from './cookie-jar.ts';
import { setCookiesOf } from './cookies.ts';
import { DigestSession } from './digest.ts';
import { classifyError, ConnectionClosedError, DecompressionError, RequestTimeoutError } from './error-codes.ts';
import { DEFAULT_EXPECTED_STATUSES, type ExpectedStatuses } from './expected-statuses.ts';
import { Exchange, type ExchangeOwner } from './exchange.ts';
import { hasHeader, setHeader } from './headers.ts';
import { RequestPreparer, type Prepared } from './prepare.ts';
import { findHeader, isRedirect, redirectHop, type Hop } from './redirect.ts';
import { HeadCache, serializeHead } from './request-head.ts';
import { K6Response, type RequestRecord } from './response.ts';
import { TagMemo } from './tags.ts';
import type { BatchRequest, HttpDefaults, Params, RequestBody, RequestContext, ResponseTimings } from './types.ts';
import { InvalidUrlError, resolveLocation, type HttpUrl, type Target } from './url.ts';

const REPLAYABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** What all requests of a VU share: its connections, serialized heads and tag sets. */
class Transport {
  readonly defaults: HttpDefaults;
  readonly pools = new Map<string, HostPool>();
  readonly heads: HeadCache;
  readonly tags: TagMemo;
  readonly cookieHeaders = new CookieHeaders();
  /** Set by VuHttp.close(): a redirect or retry still under way must not open a connection. */
  closed = false;

  constructor(defaults: HttpDefaults) {
    this.defaults = defaults;
    this.heads = new HeadCache(defaults.noConnectionReuse);
    this.tags = new TagMemo(defaults.systemTags);
  }

  pool(target: Target): HostPool {
    let pool = this.pools.get(target.origin);
    if (pool === undefined) {
      const { batch, batchPerHost, insecureSkipTLSVerify, noConnectionReuse } = this.defaults;
      pool = new HostPool(endpointOf(target, insecureSkipTLSVerify, noConnectionReuse), batchPerHost > 0 ? batchPerHost : batch);
      this.pools.set(target.origin, pool);
    }
    return pool;
  }
}

export class VuHttp {
  readonly defaults: HttpDefaults;
  /** The VU's default for http_req_failed / expected_response (http.setResponseCallback); null disables them. */
  responseCallback: ExpectedStatuses | null = DEFAULT_EXPECTED_STATUSES;
  /** The VU's cookie jar (`http.cookieJar()`): every request reads and fills it unless params.jar names another. */
  readonly cookieJar: CookieJar;

  readonly #t: Transport;
  readonly #prepare: RequestPreparer;
  readonly #cookies: CookieStore;
  #signal: AbortSignal | null = null;
  #closed = false;

  constructor(defaults: HttpDefaults) {
    this.defaults = defaults;
    this.#t = new Transport(defaults);
    this.#prepare = new RequestPreparer(defaults);
    this.#cookies = new CookieStore();
    this.cookieJar = new CookieJar(this.#cookies);
  }

  /** Empties the VU's jar: k6 starts every iteration without cookies (unless noCookiesReset). */
  resetCookies(): void {
    if (this.#cookies.size !== 0) this.#cookies.clear();
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
    // Not an async function: the request settles from socket events through one promise.
    try {
      if (this.#closed) throw new Error('http: the VU\'s HTTP client is closed');
      const signal = ctx.signal;
      if (signal !== undefined) {
        if (signal.aborted) throw abortError(signal);
        this.#watch(signal);
      }
      const prepared = this.#prepare.prepare(method, url, body, params, this.responseCallback);
      if (prepared instanceof K6Response) return Promise.resolve(prepared);
      const now = ctx.now();
      const run = new Run(this.#t, prepared, ctx, now, prepared.jar ?? this.#cookies);
      run.attempt(now);
      return run.promise;
    } catch (err) {
      return Promise.reject(err);
    }
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

  /** Destroys every connection of the VU; requests still in flight end with an error. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#t.closed = true;
    const pools = [...this.#t.pools.values()];
    this.#t.pools.clear();
    for (const pool of pools) pool.destroy();
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
    // Every exchange in flight is the current one of some connection of this VU. Failing one settles it at
    // once, which may drop its connection from the pool, so walk copies.
    for (const pool of [...this.#t.pools.values()]) {
      for (const conn of [...pool.conns]) {
        const ex = conn.current;
        if (ex !== null) conn.fail(ex, err);
      }
    }
  };
}

/**
 * One `http.request()`: its hops (redirects followed as k6 does, each measured and emitted as its own request)
 * and the retry of a hop that met a connection the server had closed. Driven by its exchanges' ends, so a
 * request costs one promise however many steps it takes.
 */
class Run implements ExchangeOwner {
  readonly promise: Promise<K6Response>;
  readonly #t: Transport;
  readonly #req: Prepared;
  readonly #ctx: RequestContext;
  readonly #deadline: number;
  readonly #collect: boolean;
  #resolve!: (res: K6Response) => void;
  #reject!: (err: unknown) => void;
  #hop: Hop;
  #followed = 0;
  /** The failed first attempt while its retry runs. */
  #retried: Exchange | null = null;
  /** The jar the request reads cookies from and stores them in. */
  readonly #jar: CookieStore;
  readonly #digest: DigestSession | null;
  /** An `Authorization: Digest` header for the current hop; null to send none. */
  #authorization: string | null = null;
  /** The current hop was answered 401, and is being sent again with credentials. */
  #challenged = false;
  /** The headers the first attempt sent, for `res.request.headers`. */
  #firstHeaders: string[] | null = null;

  /** `start`: now on the request's clock. */
  constructor(t: Transport, req: Prepared, ctx: RequestContext, start: number, jar: CookieStore) {
    this.promise = new Promise<K6Response>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#t = t;
    this.#req = req;
    this.#ctx = ctx;
    this.#deadline = start + req.timeoutMs;
    this.#collect = req.responseType !== 'none';
    this.#hop = { target: req.target, method: req.method, headers: req.headers, body: req.body };
    this.#jar = jar;
    this.#digest = req.digest === null ? null : new DigestSession(req.digest.username, req.digest.password, req.target.origin);
  }

  /**
   * Starts one attempt at the current hop on a connection of this VU, `now` being the current time on the
   * request's clock. The request's timeout covers all hops: later ones end at the same deadline.
   */
  attempt(now: number): void {
    const hop = this.#hop;
    const req = this.#req;
    const ctx = this.#ctx;
    const target = hop.target;
    const protocol = target.protocol;
    if (protocol !== 'http:' && protocol !== 'https:') {
      this.#failEarly(now, new Error(`unsupported protocol scheme "${protocol.slice(0, -1)}"`));
      return;
    }
    const remaining = this.#deadline - now;
    if (remaining <= 0) {
      this.#failEarly(now, new RequestTimeoutError(false));
      return;
    }
    const payload = hop.body === null ? null : hop.body.payload;
    const hasBody = payload !== null && payload.length > 0;
    const headers = this.#headers(hop);
    if (this.#firstHeaders === null) this.#firstHeaders = headers;
    let head: Buffer;
    try {
      // A digest Authorization differs on every request: its head is not worth caching.
      head = this.#authorization === null
        ? this.#t.heads.get(target, hop.method, headers, req.hasUserAuth || req.digest !== null ? null : target.authorization, hasBody)
        : serializeHead(target, hop.method, withHeader(headers, 'Authorization', this.#authorization), null, hasBody, this.#t.defaults.noConnectionReuse);
    } catch (err) {
      this.#failEarly(now, err as Error);
      return;
    }
    if (this.#t.closed) {
      this.#failEarly(now, new ConnectionClosedError());
      return;
    }
    let conn: Conn;
    try {
      conn = this.#t.pool(target).acquire(ctx);
    } catch (err) {
      // net.connect throws at once for what it will not even try, e.g. port 0.
      this.#failEarly(now, err as Error);
      return;
    }
    const ex = new Exchange(this, conn, ctx, this.#collect, now);
    ex.deadline = this.#deadline;
    ex.reqHead = head;
    ex.reqBody = hasBody ? payload : null;
    ex.noBody = hop.method === 'HEAD';
    // The first hop's remaining time is the configured timeout less a few microseconds: using the timeout itself
    // keeps the timer duration constant, so the connection's timer is just refreshed.
    conn.begin(ex, remaining > req.timeoutMs - 1 ? req.timeoutMs : remaining);
  }

  /** The hop's headers with the cookies it carries: its own list when there are none, at no cost. */
  #headers(hop: Hop): string[] {
    const own = this.#req.cookies;
    if (own === null && this.#jar.size === 0) return hop.headers;
    const value = cookieHeader(this.#jar, hop.target.parsed, own);
    return value === '' ? hop.headers : this.#t.cookieHeaders.with(hop.headers, value);
  }

  /** An attempt that ends before it gets a connection: all timings 0, as in k6 for such failures. */
  #failEarly(now: number, err: Error): void {
    const ex = new Exchange(this, null, this.#ctx, false, now);
    ex.error = err;
    ex.end = now;
    ex.settle();
  }

  exchangeDone(ex: Exchange): void {
    try {
      this.#done(ex);
    } catch (err) {
      this.#reject(err);
    }
  }

  #done(ex: Exchange): void {
    const conn = ex.conn;
    const ctx = this.#ctx;
    const hop = this.#hop;
    if (conn !== null) conn.pool.release(conn);
    // A reused connection that died before any response byte had been closed by the server while idle; a
    // replayable request goes again on a new one, once, as Go's transport does.
    if (this.#retried === null && ex.error !== null && ex.reused && ex.firstByte === 0 && isStale(ex.error)
      && ctx.signal?.aborted !== true && isReplayable(hop)) {
      this.#retried = ex;
      this.attempt(ctx.now());
      return;
    }
    const first = this.#retried;
    if (first !== null) {
      this.#retried = null;
      ex.sent += first.sent;
      ex.received += first.received;
    }
    if (ctx.signal?.aborted) {
      this.#reject(abortError(ctx.signal));
      return;
    }

    const req = this.#req;
    if (ex.error === null) {
      // Every response's cookies go into the jar before the next hop picks its own, redirects included.
      if (ex.setCookie) this.#jar.setCookies(hop.target.parsed, setCookiesOf(ex.rawHeaders()));
      if (ex.status === 401 && this.#digest !== null && !this.#challenged && this.#digest.appliesTo(hop.target.origin) && this.#answer(ex, hop)) return;
    }
    let next: Hop | null = null;
    if (ex.error === null && isRedirect(ex.status) && this.#followed < req.maxRedirects) {
      const location = findHeader(ex.rawHeaders(), 'location');
      if (location !== null) {
        try {
          next = redirectHop(hop, resolveLocation(location, hop.target), ex.status);
        } catch (err) {
          ex.error = err instanceof InvalidUrlError ? new Error(err.message.replace(/^invalid URL: /, '')) : err;
        }
      }
    }
    // The final body is decoded now, not when the script reads it: as in k6, one that does not decode fails
    // the request, samples included.
    const body = next === null ? this.#decode(ex) : null;
    const classified = ex.error === null ? null : classifyError(ex.error, ex.firstByte !== 0);
    const errorCode = classified !== null ? classified.code : ex.status >= 400 ? 1000 + ex.status : 0;
    const errorMessage = classified !== null ? classified.message : '';
    const timings = ex.timings();
    this.#emit(ex, timings, hop.method, hop.target.clean, errorCode, errorMessage);
    if (next === null) {
      this.#resolve(this.#response(ex, timings, hop, errorCode, errorMessage, body));
      return;
    }
    this.#hop = next;
    this.#followed++;
    this.#challenged = false;
    const digest = this.#digest;
    this.#authorization = digest !== null && digest.appliesTo(next.target.origin)
      ? digest.preemptive(next.method, next.target.path, payloadOf(next))
      : null;
    this.attempt(ctx.now());
  }

  /**
   * Answers a Digest challenge: the 401 counts as a request of its own, an expected one (k6 expects the first
   * response of a digest request to be a 401), and the hop goes again with credentials. False when the
   * challenge cannot be answered: the 401 is then the response.
   */
  #answer(ex: Exchange, hop: Hop): boolean {
    const values = headerValues(ex.rawHeaders(), 'www-authenticate');
    const answer = this.#digest!.answer(values, hop.method, hop.target.path, payloadOf(hop));
    if (!answer.ok) {
      this.#ctx.warn?.(`digest authentication for ${hop.target.clean}: ${answer.reason}`, `digest ${answer.kind}`);
      return false;
    }
    this.#emit(ex, ex.timings(), hop.method, hop.target.clean, 1000 + ex.status, '', true);
    this.#challenged = true;
    this.#authorization = answer.authorization;
    this.attempt(this.#ctx.now());
    return true;
  }

  /**
   * The body with its Content-Encoding undone, or null to keep the body as received (no coding, nothing to
   * decode). A body that does not decode sets ex.error and is shown empty.
   */
  #decode(ex: Exchange): Buffer[] | null {
    if (!ex.encoded || ex.error !== null || !this.#collect || ex.size === 0) return null;
    const encoding = findHeader(ex.rawHeaders(), 'content-encoding');
    if (encoding === null) return null;
    const chunks = ex.chunks();
    try {
      const decoded = decodeContent(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, ex.size), encoding);
      return decoded === null ? null : [decoded];
    } catch (err) {
      if (!(err instanceof DecompressionError)) throw err;
      ex.error = err;
      return [];
    }
  }

  /** `challenge`: a digest challenge answered by another request, which counts as expected. */
  #emit(ex: Exchange, t: ResponseTimings, method: string, url: string, errorCode: number, error: string, challenge = false): void {
    const req = this.#req;
    const ctx = this.#ctx;
    const failed = error !== '';
    const status = failed ? 0 : ex.status;
    const callback = req.callback;
    const expected = callback === null ? null : challenge || callback.match(status);
    const tags: Tags = this.#t.tags.get(ctx.baseTags, req.tags, {
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
    const emitRequest = ctx.emitRequest;
    if (emitRequest !== undefined) {
      emitRequest({
        time,
        tags,
        duration: t.duration,
        blocked: t.blocked,
        connecting: t.connecting,
        tlsHandshaking: t.tls_handshaking,
        sending: t.sending,
        waiting: t.waiting,
        receiving: t.receiving,
        failed: expected === null ? null : expected ? 0 : 1,
        sent: ex.sent,
        received: ex.received,
        corrected: ctx.startDelayMs === undefined ? NaN : t.duration + ctx.startDelayMs,
      });
      return;
    }
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

  /** `body`: the decoded body, when it differs from what was received. */
  #response(ex: Exchange, timings: ResponseTimings, hop: Hop, errorCode: number, error: string, body: Buffer[] | null): K6Response {
    const req = this.#req;
    const failed = error !== '';
    const request: RequestRecord = {
      method: req.method,
      url: req.target.href,
      headers: withAuth(req, this.#firstHeaders ?? req.headers, req.target),
      body: req.body,
    };
    return new K6Response({
      status: failed ? 0 : ex.status,
      statusText: failed ? '' : ex.statusText,
      url: hop.target.href,
      timings,
      remoteIp: ex.remoteIp,
      remotePort: ex.remotePort,
      tlsVersion: failed ? '' : ex.tlsVersion,
      tlsCipherSuite: failed ? '' : ex.tlsCipherSuite,
      error,
      errorCode,
      rawHeaders: null,
      head: failed ? null : ex.head,
      headStart: ex.headStart,
      headEnd: ex.headEnd,
      chunks: body ?? (failed || !ex.collect ? null : ex.chunks()),
      size: body === null ? ex.size : body.reduce((n, c) => n + c.length, 0),
      responseType: req.responseType,
      request,
    });
  }
}

function push(ctx: RequestContext, metric: string, time: number, value: number, tags: Tags): void {
  const sample: Sample = { metric, time, value, tags };
  ctx.emit(sample);
}

/** The headers `res.request.headers` shows: the first hop's, with the Authorization taken from URL userinfo. */
function withAuth(req: Prepared, headers: string[], target: Target): string[] {
  return !req.hasUserAuth && req.digest === null && target.authorization !== null ? [...headers, 'Authorization', target.authorization] : headers;
}

function isReplayable(hop: Hop): boolean {
  return REPLAYABLE.has(hop.method) || hasHeader(hop.headers, 'Idempotency-Key') || hasHeader(hop.headers, 'X-Idempotency-Key');
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted', 'AbortError');
}

/** A connection the server had already closed: nothing came back, so sending again is safe. */
function isStale(err: unknown): boolean {
  if (err instanceof ConnectionClosedError) return true;
  const code = (err as { code?: unknown }).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

/** A copy of a header list with one header set. */
function withHeader(headers: readonly string[], name: string, value: string): string[] {
  const out = headers.slice();
  setHeader(out, name, value);
  return out;
}

function payloadOf(hop: Hop): string | Buffer | null {
  return hop.body === null ? null : hop.body.payload;
}

/** Every value of a response header, by lowercase name, from a raw [name, value, ...] list. */
function headerValues(raw: ReadonlyArray<Buffer | string> | null, lowerName: string): string[] {
  const out: string[] = [];
  if (raw === null) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i];
    if (k.length === lowerName.length && k.toString('latin1').toLowerCase() === lowerName) out.push(raw[i + 1].toString());
  }
  return out;
}
