/**
 * File uploads: k6's FileData (what `http.file()` returns) and multipart/form-data bodies (RFC 7578) laid out
 * as Go's mime/multipart writes them, which is what k6 sends: parts separated by `--boundary`, each with a
 * Content-Disposition naming the field (and the file), file parts with their Content-Type, a closing
 * `--boundary--`. The boundary is 30 random bytes in hex, as Go picks it, and is checked against the content.
 */
import { randomBytes } from 'node:crypto';
import { types } from 'node:util';

export const OCTET_STREAM = 'application/octet-stream';

/** What a file's data may be: text (sent as UTF-8), bytes, or an array of byte values. */
export type FileContent = string | ArrayBuffer | ArrayBufferView | readonly number[];

/**
 * A file for a multipart upload. The fields are k6's (`data`, `filename`, `content_type`) and stay writable,
 * as in k6; the bytes are taken from `data` when the request is made.
 */
export class FileData {
  data: FileContent;
  filename: string;
  content_type: string;

  constructor(data: FileContent, filename: string, contentType: string) {
    this.data = data;
    this.filename = filename;
    this.content_type = contentType;
  }
}

/**
 * `http.file(data, filename?, contentType?)`. Without a filename k6 uses the current Unix time in
 * nanoseconds, so every upload gets a distinct name. Data of another type fails now, with k6's message,
 * rather than when the request is sent; the bytes themselves are taken when it is.
 */
export function file(data: unknown, filename?: unknown, contentType?: unknown): FileData {
  if (Array.isArray(data)) byteArray(data);
  else if (typeof data !== 'string' && !types.isAnyArrayBuffer(data) && !ArrayBuffer.isView(data)) throw invalidType(data);
  return new FileData(data as FileContent, filename == null ? unixNanos() : String(filename), contentType == null ? OCTET_STREAM : String(contentType));
}

function unixNanos(): string {
  return (BigInt(Math.floor(performance.timeOrigin * 1000)) * 1000n + BigInt(Math.floor(performance.now() * 1e6))).toString();
}

/** The bytes a FileData sends. */
export function fileBytes(f: FileData): Buffer {
  const data: unknown = f.data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (types.isAnyArrayBuffer(data)) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) return byteArray(data);
  throw invalidType(data);
}

function byteArray(data: readonly unknown[]): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) {
      const shown = typeof b === 'number' ? String(b) : describe(b);
      throw new TypeError(`invalid file data: element ${i} of the array is ${shown}, expected a byte value (an integer from 0 to 255)`);
    }
    out[i] = b;
  }
  return out;
}

/** k6's message (Go's type names aside). */
function invalidType(data: unknown): TypeError {
  return new TypeError(`invalid type ${describe(data)}, expected string, []byte or ArrayBuffer`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'object';
}

/** One entry of a form: a field's text, or a file. */
export type FormEntry = readonly [name: string, value: string | FileData];

export interface EncodedMultipart {
  payload: Buffer;
  /** `multipart/form-data; boundary=...` */
  contentType: string;
}

/** 30 random bytes in hex: Go's multipart.Writer boundary. */
export function randomBoundary(): string {
  return randomBytes(30).toString('hex');
}

/**
 * Encodes the entries, in order, as a multipart/form-data body. `nextBoundary` picks boundaries until one
 * occurs in none of the parts (with random ones, the first).
 */
export function encodeMultipart(entries: readonly FormEntry[], nextBoundary: () => string = randomBoundary): EncodedMultipart {
  const heads: string[] = [];
  const bodies: Buffer[] = [];
  for (const [name, value] of entries) {
    if (value instanceof FileData) {
      heads.push(`Content-Disposition: form-data; name="${escapeParam(name)}"; filename="${escapeParam(value.filename)}"\r\n`
        + `Content-Type: ${escapeLine(value.content_type)}\r\n\r\n`);
      bodies.push(fileBytes(value));
    } else {
      heads.push(`Content-Disposition: form-data; name="${escapeParam(name)}"\r\n\r\n`);
      bodies.push(Buffer.from(value, 'utf8'));
    }
  }
  let boundary = nextBoundary();
  for (let tries = 1; !usable(boundary, heads, bodies); tries++) {
    if (tries >= 100) throw new Error('multipart: no usable boundary found');
    boundary = nextBoundary();
  }
  const out: Buffer[] = [];
  for (let i = 0; i < heads.length; i++) {
    out.push(Buffer.from(`${i === 0 ? '' : '\r\n'}--${boundary}\r\n${heads[i]}`, 'utf8'), bodies[i]);
  }
  out.push(Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'));
  return { payload: Buffer.concat(out), contentType: `multipart/form-data; boundary=${quoteBoundary(boundary)}` };
}

/** A boundary is usable when it is valid (RFC 2046: 1 to 70 characters) and no part contains it. */
function usable(boundary: string, heads: readonly string[], bodies: readonly Buffer[]): boolean {
  if (boundary.length === 0 || boundary.length > 70 || /[^0-9A-Za-z'()+_,\-./:=? ]|[ ]$/.test(boundary)) return false;
  for (const h of heads) if (h.includes(boundary)) return false;
  for (const b of bodies) if (b.includes(boundary, 0, 'latin1')) return false;
  return true;
}

/** Go's FormDataContentType: the boundary quoted when it holds characters a token cannot. */
function quoteBoundary(b: string): string {
  return /[()<>@,;:\\"/[\]?= ]/.test(b) ? `"${b}"` : b;
}

/**
 * A Content-Disposition parameter value between quotes: backslash and quote escaped as Go's mime/multipart
 * does; CR and LF, which Go would let through and so end the header line, percent-encoded as browsers do.
 */
function escapeParam(s: string): string {
  return s.replace(/[\\"\r\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : c === '\r' ? '%0D' : '%0A'));
}

/** A header value on one line. */
function escapeLine(s: string): string {
  return s.replace(/[\r\n]/g, (c) => (c === '\r' ? '%0D' : '%0A'));
}
