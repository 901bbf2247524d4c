/**
 * The object `http.get()` and friends return, shaped like k6's Response. Built cheaply on the hot path: body
 * chunks are decoded, and header names canonicalized, only when a script reads them.
 */
import { bodyText, type EncodedBody } from './body.ts';
import { responseCookies, sentCookies, type ResponseCookie } from './cookies.ts';
import { requestHeaderMap, responseHeaders } from './headers.ts';
import { selectJson } from './json-selector.ts';
import { headerPairs } from './parser.ts';
import type { RequestInfo, ResponseTimings, ResponseType } from './types.ts';

/** Everything known about the request a response answers, kept raw until `res.request` is read. */
export interface RequestRecord {
  readonly method: string;
  readonly url: string;
  readonly headers: readonly string[];
  readonly body: EncodedBody | null;
}

export interface ResponseInit {
  status: number;
  statusText: string;
  url: string;
  timings: ResponseTimings;
  remoteIp: string;
  remotePort: number;
  tlsVersion: string;
  tlsCipherSuite: string;
  error: string;
  errorCode: number;
  /** Header pairs [name, value, ...]; when null, they are decoded from `head` on first read. */
  rawHeaders: ReadonlyArray<Buffer | string> | null;
  /** The response's header lines as received, head[headStart, headEnd) (see parser.ts). */
  head?: Buffer | null;
  headStart?: number;
  headEnd?: number;
  /** null: no body (error, or responseType 'none'). */
  chunks: Buffer[] | null;
  size: number;
  responseType: ResponseType;
  request: RequestRecord;
}

/**
 * Response.html(), submitForm() and clickLink() parse HTML and make requests as the calling VU; the runtime's
 * k6/http module provides them, so this layer needs neither an HTML parser nor the VU.
 */
export interface PageActions {
  html(res: K6Response, selector?: string): unknown;
  submitForm(res: K6Response, args?: unknown): Promise<K6Response>;
  clickLink(res: K6Response, args?: unknown): Promise<K6Response>;
}

let pageActions: PageActions | null = null;

export function setPageActions(actions: PageActions): void {
  pageActions = actions;
}

function page(method: string): PageActions {
  if (pageActions === null) throw new Error(`Response.${method}() needs the k6/http module`);
  return pageActions;
}

const EMPTY_TIMINGS: ResponseTimings = Object.freeze({
  blocked: 0, connecting: 0, tls_handshaking: 0, sending: 0, waiting: 0, receiving: 0, duration: 0,
});

/** The raw response plus whatever the lazy getters have computed from it so far. */
interface State extends ResponseInit {
  headers?: Record<string, string>;
  body?: string | ArrayBuffer | null;
  json?: unknown;
  requestInfo?: RequestInfo;
  cookies?: Record<string, ResponseCookie[]>;
}

export class K6Response {
  status: number;
  status_text: string;
  proto: string;
  url: string;
  remote_ip: string;
  remote_port: number;
  error: string;
  error_code: number;
  timings: ResponseTimings;
  tls_version: string;
  tls_cipher_suite: string;

  // One private slot rather than one per lazy value: class field initialization is per field, on every response.
  readonly #s: State;

  constructor(init: ResponseInit) {
    this.status = init.status;
    this.status_text = init.statusText;
    this.proto = init.status === 0 ? '' : 'HTTP/1.1';
    this.url = init.url;
    this.remote_ip = init.remoteIp;
    this.remote_port = init.remotePort;
    this.error = init.error;
    this.error_code = init.errorCode;
    this.timings = init.timings;
    this.tls_version = init.tlsVersion;
    this.tls_cipher_suite = init.tlsCipherSuite;
    this.#s = init;
  }

  /** A response for a request that never went out (e.g. an invalid URL): status 0, no samples. */
  static failed(request: RequestRecord, errorCode: number, error: string): K6Response {
    return new K6Response({
      status: 0, statusText: '', url: request.url, timings: { ...EMPTY_TIMINGS }, remoteIp: '', remotePort: 0,
      tlsVersion: '', tlsCipherSuite: '', error, errorCode, rawHeaders: null, chunks: null, size: 0,
      responseType: 'none', request,
    });
  }

  get headers(): Record<string, string> {
    const s = this.#s;
    if (s.headers === undefined) {
      const raw = s.rawHeaders ?? (s.head != null ? headerPairs(s.head, s.headStart ?? 0, s.headEnd ?? 0) : null);
      s.headers = responseHeaders(raw);
    }
    return s.headers;
  }

  set headers(value: Record<string, string>) {
    this.#s.headers = value;
  }

  get body(): string | ArrayBuffer | null {
    const s = this.#s;
    if (s.body === undefined) s.body = decodeBody(s);
    return s.body;
  }

  set body(value: string | ArrayBuffer | null) {
    this.#s.body = value;
    this.#s.json = undefined;
  }

  /** The cookies this response set (its Set-Cookie headers), by name: `{name: [{name, value, domain, ...}]}`. */
  get cookies(): Record<string, ResponseCookie[]> {
    const s = this.#s;
    if (s.cookies === undefined) {
      s.cookies = responseCookies(s.rawHeaders ?? (s.head != null ? headerPairs(s.head, s.headStart ?? 0, s.headEnd ?? 0) : null));
    }
    return s.cookies;
  }

  set cookies(value: Record<string, ResponseCookie[]>) {
    this.#s.cookies = value;
  }

  get request(): RequestInfo {
    const s = this.#s;
    if (s.requestInfo === undefined) {
      const r = s.request;
      s.requestInfo = { method: r.method, url: r.url, headers: requestHeaderMap(r.headers), body: bodyText(r.body), cookies: sentCookies(r.headers) };
    }
    return s.requestInfo;
  }

  /**
   * Parses the body as JSON. With a selector (gjson-like path, see json-selector.ts) returns the selected value,
   * or undefined when the path finds nothing or the body is not JSON, as k6 does; without one, a body that is
   * not JSON throws.
   */
  json(selector?: string): unknown {
    const body = this.body;
    if (body === null) {
      throw new Error('the body is null so we can\'t transform it to JSON - this likely was because of a request error getting the response');
    }
    const s = this.#s;
    // JSON.parse never yields undefined, so undefined means "not parsed yet".
    if (s.json === undefined) {
      const text = typeof body === 'string' ? body : Buffer.from(body).toString();
      try {
        s.json = JSON.parse(text);
      } catch (err) {
        if (selector !== undefined) return undefined;
        throw jsonError(text, err);
      }
    }
    return selector === undefined ? s.json : selectJson(s.json, selector);
  }

  /** The body as a k6/html Selection of the document, or of `find(selector)` on it. */
  html(selector?: string): unknown {
    return page('html').html(this, selector);
  }

  /** Fills in the body's form and submits it as a browser would; resolves to the response. */
  submitForm(args?: unknown): Promise<K6Response> {
    return page('submitForm').submitForm(this, args);
  }

  /** Follows a link of the body (a GET); resolves to the response. */
  clickLink(args?: unknown): Promise<K6Response> {
    return page('clickLink').clickLink(this, args);
  }

  toJSON(): Record<string, unknown> {
    return {
      status: this.status, status_text: this.status_text, proto: this.proto, url: this.url, headers: this.headers,
      body: this.body, timings: this.timings, remote_ip: this.remote_ip, remote_port: this.remote_port,
      error: this.error, error_code: this.error_code, tls_version: this.tls_version,
      tls_cipher_suite: this.tls_cipher_suite, cookies: this.cookies, request: this.request,
    };
  }
}

function decodeBody(s: State): string | ArrayBuffer | null {
  const chunks = s.chunks;
  if (chunks === null || s.responseType === 'none') return null;
  if (s.responseType === 'binary') {
    // A fresh ArrayBuffer: Buffer.concat may hand out a slice of Node's shared pool.
    const out = new Uint8Array(s.size);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out.buffer;
  }
  if (chunks.length === 0) return '';
  if (chunks.length === 1) return chunks[0].toString();
  return Buffer.concat(chunks, s.size).toString();
}

/** k6's wording: where the JSON broke, counted in lines and characters from 1. */
function jsonError(text: string, err: unknown): Error {
  const msg = err instanceof Error ? err.message : String(err);
  const pos = /at position (\d+)/.exec(msg);
  if (pos === null) return new Error(`cannot parse json due to an error: ${msg}`);
  const offset = Math.min(Number(pos[1]), text.length);
  let line = 1;
  let character = 0;
  for (let i = 0; i <= offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      character = 0;
    }
    character++;
  }
  return new Error(`cannot parse json due to an error at line ${line}, character ${character} , error: ${msg}`);
}
