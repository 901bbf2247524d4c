/**
 * Request bodies as k6 sends them: strings and bytes as-is, plain objects as an
 * application/x-www-form-urlencoded form (keys sorted, like Go's url.Values.Encode).
 */
import type { RequestBody } from './types.ts';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export interface EncodedBody {
  /** What goes on the wire; the transport adds the matching Content-Length. */
  payload: string | Buffer;
  /** Set for form bodies; a Content-Type header from params still wins. */
  contentType: string | null;
}

export function encodeBody(body: RequestBody | null | undefined): EncodedBody | null {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') return { payload: body, contentType: null };
  if (body instanceof ArrayBuffer) return { payload: Buffer.from(body), contentType: null };
  if (ArrayBuffer.isView(body)) {
    return { payload: Buffer.from(body.buffer, body.byteOffset, body.byteLength), contentType: null };
  }
  if (typeof body === 'object' && isPlainObject(body)) {
    return { payload: encodeForm(body as Record<string, unknown>), contentType: FORM_CONTENT_TYPE };
  }
  throw new TypeError(`unknown request body type ${describe(body)}`);
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (typeof v !== 'object' || v === null) return typeof v;
  return (v as object).constructor?.name ?? 'object';
}

/** Go's url.Values.Encode: sorted keys, array values repeated under their key, QueryEscape'd. */
export function encodeForm(data: Record<string, unknown>): string {
  const keys = Object.keys(data).sort();
  let out = '';
  for (const key of keys) {
    const value = data[key];
    const k = queryEscape(key);
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (out !== '') out += '&';
      out += `${k}=${queryEscape(formValue(item))}`;
    }
  }
  return out;
}

function formValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Go's url.QueryEscape: only [A-Za-z0-9-_.~] stay, space becomes '+'. */
export function queryEscape(s: string): string {
  return encodeURIComponent(wellFormed(s))
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Lone surrogates become U+FFFD, as Go's UTF-8 conversion does, instead of making encodeURIComponent throw. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** The body as `res.request.body` shows it (k6 keeps it as a string). */
export function bodyText(body: EncodedBody | null): string {
  if (body === null) return '';
  return typeof body.payload === 'string' ? body.payload : body.payload.toString();
}
