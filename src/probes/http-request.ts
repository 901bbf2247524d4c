/**
 * One HTTP probe request on node:http/https, with blackbox_exporter's phases measured from socket events:
 * resolve (the socket's 'lookup'), connect ('connect'), tls ('secureConnect'), processing (until the first
 * response byte) and transfer (until the body's end). Every request opens its own connection (no agent), so
 * each run pays and measures the whole setup, as a monitoring probe should.
 *
 * The load engine's client (src/load/http) is built for many requests on kept-alive connections inside a
 * VU, with k6's timing model; a probe needs fresh connections, a CA option, an address family and the
 * resolve phase on its own, so it has this small client instead.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type tls from 'node:tls';
import zlib from 'node:zlib';
import { VERSION } from '../version.ts';
import { certificateInfo, loadCa } from './certificate.ts';
import type { HttpRequestOptions } from './check-types.ts';
import type { CertificateInfo, HttpPhases } from './result-types.ts';
import type { ProbeContext } from './verdict.ts';

export interface HttpExchange {
  status: number;
  statusText: string;
  httpVersion: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body after Content-Encoding was undone. */
  body: Buffer;
  contentLength: number;
  redirects: number;
  finalUrl: string;
  ssl: boolean;
  phases: HttpPhases;
  certificate?: CertificateInfo;
}

/**
 * A request that got no usable response, with what was measured up to the failure (the phases reached, the
 * redirects followed), so the series and the dashboard can tell where it hung.
 */
export class HttpProbeError extends Error {
  readonly phases: HttpPhases;
  readonly redirects: number;
  readonly finalUrl: string;
  readonly ssl: boolean;
  readonly certificate?: CertificateInfo;
  constructor(message: string, details: { phases: HttpPhases; redirects: number; finalUrl: string; ssl: boolean; certificate?: CertificateInfo }, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'HttpProbeError';
    this.phases = details.phases;
    this.redirects = details.redirects;
    this.finalUrl = details.finalUrl;
    this.ssl = details.ssl;
    if (details.certificate !== undefined) this.certificate = details.certificate;
  }
}

/** What one hop measured before it failed. */
class HopError extends Error {
  readonly phases: HttpPhases;
  readonly certificate?: CertificateInfo;
  constructor(err: Error, phases: HttpPhases, certificate: CertificateInfo | undefined) {
    super(err.message, { cause: err.cause ?? err });
    this.phases = phases;
    if (certificate !== undefined) this.certificate = certificate;
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that must not follow a redirect to another origin (Go's client drops them too). */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

export async function performHttpRequest(options: HttpRequestOptions, ctx: ProbeContext): Promise<HttpExchange> {
  const ca = await loadCa(options.tls);
  let url = new URL(options.url);
  let method = options.method;
  let body = options.body;
  let headers: Record<string, string> = {
    'user-agent': `Telltale-Probe/${VERSION}`,
    accept: '*/*',
    'accept-encoding': 'gzip, deflate, br',
    ...lowerCaseKeys(options.headers),
  };
  const phases: HttpPhases = { resolve: 0, connect: 0, tls: 0, processing: 0, transfer: 0 };
  let redirects = 0;
  const add = (p: HttpPhases) => {
    for (const k of Object.keys(phases) as (keyof HttpPhases)[]) phases[k] += p[k];
  };
  const failure = (err: unknown, certificate?: CertificateInfo) => new HttpProbeError(
    (err as Error).message,
    { phases, redirects, finalUrl: redactedHref(url), ssl: url.protocol === 'https:', ...(certificate === undefined ? {} : { certificate }) },
    err,
  );
  for (;;) {
    let hop: Hop;
    try {
      hop = await requestOnce(url, method, headers, body, options, ca, ctx);
    } catch (err) {
      if (err instanceof HopError) add(err.phases);
      throw failure(err, err instanceof HopError ? err.certificate : undefined);
    }
    add(hop.phases);
    const location = hop.headers.location;
    if (!options.followRedirects || !REDIRECT_STATUSES.has(hop.status) || location === undefined) {
      let decoded: Buffer;
      try {
        decoded = decode(hop.body, hop.headers['content-encoding'], options.maxBodyBytes);
      } catch (err) {
        throw failure(err, hop.certificate);
      }
      return { ...hop, body: decoded, redirects, finalUrl: redactedHref(url), phases };
    }
    if (redirects >= options.maxRedirects) {
      throw failure(new Error(`stopped after ${options.maxRedirects} redirect${options.maxRedirects === 1 ? '' : 's'} (the last one to ${shorten(location)})`));
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw failure(new Error(`redirect (${hop.status}) to an invalid Location ${JSON.stringify(shorten(location))}`));
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw failure(new Error(`redirect (${hop.status}) to an unsupported URL scheme ${next.protocol}`));
    // What browsers and Go do: 303 always, 301/302 after a POST, turn the request into a GET without a body.
    if ((hop.status === 303 && method !== 'HEAD') || ((hop.status === 301 || hop.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      const { 'content-type': _type, 'content-length': _length, ...rest } = headers;
      headers = rest;
    }
    if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.includes(k)));
    url = next;
    redirects++;
  }
}

interface Hop {
  status: number;
  statusText: string;
  httpVersion: string;
  headers: Record<string, string>;
  body: Buffer;
  contentLength: number;
  ssl: boolean;
  phases: HttpPhases;
  certificate?: CertificateInfo;
}

function requestOnce(
  url: URL, method: string, headers: Record<string, string>, body: string | undefined,
  options: HttpRequestOptions, ca: string | undefined, ctx: ProbeContext,
): Promise<Hop> {
  return new Promise<Hop>((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const checkedName = options.tls.servername ?? host;
    const start = ctx.elapsed();
    let dnsAt = 0;
    let connectAt = 0;
    let tlsAt = 0;
    let firstByteAt = 0;
    let certificate: CertificateInfo | undefined;
    let settled = false;
    const phasesAt = (end: number): HttpPhases => {
      const connectFrom = dnsAt || start;
      const ready = secure ? tlsAt : connectAt;
      return {
        resolve: dnsAt ? dnsAt - start : 0,
        connect: connectAt ? connectAt - connectFrom : 0,
        tls: secure && tlsAt ? tlsAt - (connectAt || connectFrom) : 0,
        processing: ready ? Math.max(0, (firstByteAt || end) - ready) : 0,
        transfer: firstByteAt ? Math.max(0, end - firstByteAt) : 0,
      };
    };
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(new HopError(err, phasesAt(ctx.elapsed()), certificate));
    };
    const requestOptions: https.RequestOptions = {
      method,
      hostname: host,
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers: { ...headers, connection: 'close', ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) },
      agent: false,
      signal: ctx.signal,
      // Credentials in the URL become Basic authorization, as in curl and Go (unless a header sets it).
      ...(url.username !== '' && headers.authorization === undefined ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
      ...(options.ipFamily === 0 ? {} : { family: options.ipFamily }),
      ...(secure
        ? {
          rejectUnauthorized: !options.tls.insecureSkipVerify,
          ...(ca === undefined ? {} : { ca }),
          // SNI carries host names only.
          ...(net.isIP(checkedName) === 0 ? { servername: checkedName } : {}),
        }
        : {}),
    };
    const req = (secure ? https : http).request(requestOptions);
    req.on('socket', (socket) => {
      socket.once('lookup', () => { dnsAt = ctx.elapsed(); });
      socket.once('connect', () => { connectAt = ctx.elapsed(); });
      if (secure) {
        socket.once('secureConnect', () => {
          tlsAt = ctx.elapsed();
          certificate = certificateInfo(socket as tls.TLSSocket, checkedName);
        });
      }
      socket.once('data', () => { if (firstByteAt === 0) firstByteAt = ctx.elapsed(); });
    });
    let responded = false;
    req.on('response', (res) => {
      responded = true;
      if (firstByteAt === 0) firstByteAt = ctx.elapsed();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBodyBytes) {
          fail(new Error(`the response body is larger than maxBodyBytes (${options.maxBodyBytes} bytes)`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        const end = ctx.elapsed();
        const headerLength = res.headers['content-length'];
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          httpVersion: res.httpVersion,
          headers: joinHeaders(res.headers),
          body: Buffer.concat(chunks),
          contentLength: headerLength !== undefined && /^\d+$/.test(headerLength) ? Number(headerLength) : -1,
          ssl: secure,
          phases: phasesAt(end),
          ...(certificate === undefined ? {} : { certificate }),
        });
      });
      res.on('error', (err) => fail(err));
      res.on('close', () => {
        if (!res.complete) fail(new Error('the connection closed before the response body was complete'));
      });
    });
    req.on('error', (err) => fail(new Error(describeRequestError(err, ctx.signal), { cause: err })));
    req.on('close', () => fail(new Error(responded ? 'the connection closed before the response body was complete' : 'the connection closed before a response arrived')));
    req.end(body);
  });
}

function describeRequestError(err: Error, signal: AbortSignal): string {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof Error ? reason.message : 'aborted';
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined && code.startsWith('HPE_')) return `the server sent a malformed HTTP response (${code}: ${err.message})`;
  if (code === 'ECONNRESET' && err.message === 'socket hang up') return 'the server closed the connection without a response';
  return code !== undefined && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
}

/** Undoes Content-Encoding; the decoded body is held to the same limit as the raw one. */
function decode(body: Buffer, encoding: string | undefined, maxBytes: number): Buffer {
  const enc = encoding?.trim().toLowerCase();
  const limit = { maxOutputLength: Math.max(1, maxBytes) };
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return zlib.gunzipSync(body, limit);
    if (enc === 'br') return zlib.brotliDecompressSync(body, limit);
    if (enc === 'deflate') {
      // Servers send either zlib-wrapped or raw deflate under this name.
      try {
        return zlib.inflateSync(body, limit);
      } catch (err) {
        if (err instanceof RangeError) throw err;
        return zlib.inflateRawSync(body, limit);
      }
    }
  } catch (err) {
    if (err instanceof RangeError || (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Error(`the decompressed response body is larger than maxBodyBytes (${maxBytes} bytes)`, { cause: err });
    }
    throw new Error(`the response body is not valid ${enc} data: ${(err as Error).message}`, { cause: err });
  }
  return body;
}

function joinHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function lowerCaseKeys(h: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

/** The URL without its password, for results that reach the dashboard and notifications. */
function redactedHref(url: URL): string {
  if (url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.password = 'xxxxx';
  return copy.href;
}

function shorten(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
