/**
 * Request bodies as k6 sends them: strings and bytes as-is, plain objects as an
 * application/x-www-form-urlencoded form (keys sorted, like Go's url.Values.Encode), or as a
 * multipart/form-data form when a value is a file from `http.file()`.
 */
import { encodeMultipart, FileData, type FormEntry } from './multipart.ts';
import type { RequestBody } from './types.ts';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export interface EncodedBody {
  /** What goes on the wire; the transport adds the matching Content-Length. */
  payload: string | Buffer;
  /** Set for form bodies; a Content-Type header from params still wins. */
  contentType: string | null;
  /** Set when params.compression compressed the payload: the Content-Encoding it needs. */
  contentEncoding?: string;
  /** The payload before compression, which `res.request.body` shows. */
  uncompressed?: string | Buffer;
}

export type FormEnctype = 'application/x-www-form-urlencoded' | 'multipart/form-data' | 'text/plain';

/**
 * A form as a browser submits it (Response.submitForm()): entries in document order, encoded per the
 * form's enctype. Files always make it multipart, as they do for an object body.
 */
export class FormBody {
  readonly entries: readonly FormEntry[];
  readonly enctype: FormEnctype;

  constructor(entries: readonly FormEntry[], enctype: FormEnctype) {
    this.entries = entries;
    this.enctype = enctype;
  }
}

export function encodeBody(body: RequestBody | null | undefined): EncodedBody | null {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') return { payload: body, contentType: null };
  if (body instanceof ArrayBuffer) return { payload: Buffer.from(body), contentType: null };
  if (ArrayBuffer.isView(body)) {
    return { payload: Buffer.from(body.buffer, body.byteOffset, body.byteLength), contentType: null };
  }
  if (body instanceof FormBody) return encodeFormBody(body);
  if (typeof body === 'object' && isPlainObject(body)) {
    const data = body as Record<string, unknown>;
    if (hasFile(data)) return encodeMultipart(objectEntries(data));
    return { payload: encodeForm(data), contentType: FORM_CONTENT_TYPE };
  }
  // k6 names Go's type here: a file is a value of an object body, not a body itself.
  if (body instanceof FileData) throw new TypeError('unknown request body type http.FileData');
  throw new TypeError(`unknown request body type ${describe(body)}`);
}

/** k6 sends an object body as multipart/form-data when one of its values is a file; Telltale also looks into arrays. */
function hasFile(data: Record<string, unknown>): boolean {
  for (const key in data) {
    if (!Object.hasOwn(data, key)) continue;
    const v = data[key];
    if (v instanceof FileData) return true;
    if (Array.isArray(v) && v.some((x) => x instanceof FileData)) return true;
  }
  return false;
}

/**
 * The parts of an object body: the object's keys in order (k6 iterates a Go map, so its order is random), an
 * array value as one part per element, other values as text the way urlencoded forms write them.
 */
function objectEntries(data: Record<string, unknown>): FormEntry[] {
  const out: FormEntry[] = [];
  for (const key of Object.keys(data)) {
    const value = data[key];
    for (const item of Array.isArray(value) ? value : [value]) {
      out.push([key, item instanceof FileData ? item : formValue(item)]);
    }
  }
  return out;
}

function encodeFormBody(form: FormBody): EncodedBody {
  const entries = form.entries;
  if (form.enctype === 'multipart/form-data' || entries.some(([, v]) => v instanceof FileData)) return encodeMultipart(entries);
  if (form.enctype === 'text/plain') {
    // The HTML text/plain encoding: name=value lines, nothing escaped.
    let text = '';
    for (const [name, value] of entries) text += `${name}=${entryText(value)}\r\n`;
    return { payload: text, contentType: 'text/plain' };
  }
  return { payload: urlencodeEntries(entries), contentType: FORM_CONTENT_TYPE };
}

/** Entries as application/x-www-form-urlencoded text, in their order (a GET form's query, too). */
export function urlencodeEntries(entries: readonly FormEntry[]): string {
  let out = '';
  for (const [name, value] of entries) {
    if (out !== '') out += '&';
    out += `${queryEscape(name)}=${queryEscape(entryText(value))}`;
  }
  return out;
}

/** Outside multipart a file entry is its name, as browsers send a file input in a urlencoded form. */
function entryText(value: string | FileData): string {
  return value instanceof FileData ? value.filename : value;
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

/** The body as `res.request.body` shows it (k6 keeps it as a string, from before any compression). */
export function bodyText(body: EncodedBody | null): string {
  if (body === null) return '';
  const payload = body.uncompressed ?? body.payload;
  return typeof payload === 'string' ? payload : payload.toString();
}
