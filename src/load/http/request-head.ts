/**
 * Request heads as bytes, built once per distinct request of a VU and then written as they are: a script that
 * calls `http.get(url)` in a loop serializes (and validates) its request line and headers once.
 *
 * A head is keyed by the parsed URL (URLs are cached, so one string maps to one Target), the method, the
 * identity of the prepared header list (the preparer hands out the same list while the script's headers are
 * unchanged), whether userinfo Authorization is added, and whether a body follows. With a body the head stops
 * before its Content-Length line, which is written per request.
 *
 * The layout follows Go's transport: request line, Host, then the headers in order; Content-Length: 0 for
 * POST, PUT and PATCH without a body; Connection: close when connections are not reused.
 */
import { InvalidRequestError } from './error-codes.ts';
import type { Target } from './url.ts';

interface Entry {
  readonly method: string;
  readonly headers: readonly string[];
  readonly auth: string | null;
  readonly hasBody: boolean;
  readonly head: Buffer;
  next: Entry | null;
}

/** Variants kept per URL: enough for the same URL with a few header sets, short enough to scan. */
const PER_TARGET = 4;
/** URLs kept per VU before the cache starts over. */
const MAX_TARGETS = 512;

const EXPECTS_BODY = new Set(['POST', 'PUT', 'PATCH']);

const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TOKEN[c.charCodeAt(0)] = 1;

export class HeadCache {
  readonly #closeConnections: boolean;
  readonly #entries = new Map<Target, Entry>();

  /** `closeConnections`: every request asks the server to close (k6's noConnectionReuse). */
  constructor(closeConnections: boolean) {
    this.#closeConnections = closeConnections;
  }

  /** The head for a request; throws InvalidRequestError for a method or header Go would refuse to send. */
  get(target: Target, method: string, headers: readonly string[], auth: string | null, hasBody: boolean): Buffer {
    const first = this.#entries.get(target);
    let last: Entry | null = null;
    let n = 0;
    for (let e = first ?? null; e !== null; e = e.next) {
      if (e.method === method && e.headers === headers && e.auth === auth && e.hasBody === hasBody) return e.head;
      if (++n === PER_TARGET - 1) last = e;
    }
    const head = serializeHead(target, method, headers, auth, hasBody, this.#closeConnections);
    if (last !== null) last.next = null;
    if (first === undefined && this.#entries.size >= MAX_TARGETS) this.#entries.clear();
    this.#entries.set(target, { method, headers, auth, hasBody, head, next: first ?? null });
    return head;
  }
}

export function serializeHead(
  target: Target, method: string, headers: readonly string[], auth: string | null, hasBody: boolean, close: boolean,
): Buffer {
  if (!isToken(method)) throw new InvalidRequestError(`net/http: invalid method ${JSON.stringify(method)}`);
  let host = target.host;
  let lines = '';
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i];
    const value = headers[i + 1];
    if (!isToken(name)) throw new InvalidRequestError(`net/http: invalid header field name ${JSON.stringify(name)}`);
    if (!isValidValue(value)) throw new InvalidRequestError(`net/http: invalid header field value for ${JSON.stringify(name)}`);
    // As in Go, a Host header replaces the URL's host instead of being sent twice.
    if (name.length === 4 && name.toLowerCase() === 'host') host = value;
    else lines += `${name}: ${value}\r\n`;
  }
  if (auth !== null) lines += `Authorization: ${auth}\r\n`;
  if (close) lines += 'Connection: close\r\n';
  if (!hasBody) {
    if (EXPECTS_BODY.has(method)) lines += 'Content-Length: 0\r\n';
    lines += '\r\n';
  }
  // UTF-8, as Go writes its strings: header values may hold any text.
  return Buffer.from(`${method} ${target.path} HTTP/1.1\r\nHost: ${host}\r\n${lines}`, 'utf8');
}

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN[c] === 0) return false;
  }
  return true;
}

/** Go's httpguts.ValidHeaderFieldValue: no control characters other than tab. */
function isValidValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return false;
  }
  return true;
}
