/**
 * Redirects as k6 inherits them from Go's http.Client: which statuses redirect, and what the next hop looks like.
 */
import type { EncodedBody } from './body.ts';
import { withoutHeaders } from './headers.ts';
import type { Target } from './url.ts';

/** One request of a redirect chain. */
export interface Hop {
  target: Target;
  method: string;
  headers: string[];
  body: EncodedBody | null;
}

export function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** First value of a response header, by lowercase name, from a raw [name, value, ...] list. */
export function findHeader(raw: ReadonlyArray<Buffer | string> | null, lowerName: string): string | null {
  if (raw === null) return null;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i];
    if (k.length === lowerName.length && k.toString('latin1').toLowerCase() === lowerName) return raw[i + 1].toString();
  }
  return null;
}

const SENSITIVE = new Set(['Authorization', 'Www-Authenticate', 'Cookie', 'Cookie2']);
const BODY_HEADERS = new Set(['Content-Type']);
/** Rebuilt for every hop: the Referer from the previous URL, the Cookie header from the jar (k6 drops a Cookie header the script set). */
const PER_HOP = new Set(['Referer', 'Cookie']);

/**
 * The next hop as Go's http.Client builds it: 301/302/303 turn anything but GET/HEAD into a body-less GET,
 * 307/308 replay method and body; credentials only go to the same host or its subdomains; Referer is the
 * previous URL unless that would leak an https URL to http. Cookies are not carried over: each hop gets those of
 * the jar and params.cookies for its own URL.
 */
export function redirectHop(prev: Hop, target: Target, status: number): Hop {
  let method = prev.method;
  let body = prev.body;
  let headers = prev.headers;
  if (status !== 307 && status !== 308) {
    if (method !== 'GET' && method !== 'HEAD') method = 'GET';
    if (body !== null) {
      body = null;
      headers = withoutHeaders(headers, BODY_HEADERS);
    }
  }
  const from = prev.target.parsed.hostname;
  const to = target.parsed.hostname;
  if (to !== from && !to.endsWith(`.${from}`)) headers = withoutHeaders(headers, SENSITIVE);
  headers = withoutHeaders(headers, PER_HOP);
  if (!(prev.target.protocol === 'https:' && target.protocol === 'http:')) {
    const ref = new URL(prev.target.parsed.href);
    ref.username = '';
    ref.password = '';
    ref.hash = '';
    headers.push('Referer', ref.href);
  }
  return { target, method, headers, body };
}
