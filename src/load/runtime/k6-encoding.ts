/**
 * The `k6/encoding` module: base64 in k6's four variants. Decoding follows Go's encoding/base64 (which
 * k6 uses) rather than Node's lenient Buffer decoder: padding is required by 'std' and 'url' and refused
 * by the raw variants, characters of the other alphabet are errors, CR and LF are skipped, and an error
 * names the byte offset like Go's "illegal base64 data at input byte N".
 */
import { Buffer } from 'node:buffer';

export type Base64Variant = 'std' | 'rawstd' | 'url' | 'rawurl';

/**
 * The bytes of a string (UTF-8), ArrayBuffer or typed array / DataView. Shared with k6/crypto, which
 * accepts the same inputs. k6 itself takes strings and ArrayBuffers; views are accepted as a convenience.
 */
export function bytesOf(input: unknown, what: string): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (isArrayBuffer(input)) return Buffer.from(input);
  if (ArrayBuffer.isView(input)) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError(`${what}: invalid type ${typeName(input)}, expected a string or an ArrayBuffer`);
}

/** A fresh ArrayBuffer holding exactly `bytes` (a Buffer may be a view into a larger pooled one). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

function isArrayBuffer(v: unknown): v is ArrayBuffer | SharedArrayBuffer {
  const tag = Object.prototype.toString.call(v);
  return tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]';
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return (v as { constructor?: { name?: string } }).constructor?.name ?? 'object';
}

interface Variant {
  url: boolean;
  padded: boolean;
}

// k6 falls back to 'std' for any other encoding name.
function variantOf(encoding: unknown): Variant {
  switch (encoding) {
    case 'rawstd':
      return { url: false, padded: false };
    case 'url':
      return { url: true, padded: true };
    case 'rawurl':
      return { url: true, padded: false };
    default:
      return { url: false, padded: true };
  }
}

/** Base64 of a string (its UTF-8 bytes) or ArrayBuffer, in k6's 'std' (default), 'rawstd', 'url' or 'rawurl'. */
export function b64encode(input: string | ArrayBuffer | ArrayBufferView, encoding: Base64Variant = 'std'): string {
  const v = variantOf(encoding);
  const bytes = bytesOf(input, 'b64encode');
  let out = bytes.toString(v.url ? 'base64url' : 'base64');
  if (v.url && v.padded) out += '='.repeat((4 - (out.length % 4)) % 4);
  if (!v.url && !v.padded) out = out.replace(/=+$/, '');
  return out;
}

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function decodeMap(alphabet: string): Int16Array {
  const map = new Int16Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) map[alphabet.charCodeAt(i)] = i;
  return map;
}

const STD_MAP = decodeMap(STD);
const URL_MAP = decodeMap(URL_SAFE);
const PAD = 0x3d;
const isNewline = (b: number) => b === 0x0a || b === 0x0d;

function corrupt(offset: number): Error {
  return new Error(`illegal base64 data at input byte ${offset}`);
}

/**
 * Go's quantum-by-quantum decoder: offsets are byte offsets into the UTF-8 input, as Go reports them.
 * Trailing bits of a final partial quantum are ignored (Go's non-strict mode).
 */
function decodeGo(src: Uint8Array, v: Variant): Uint8Array {
  const map = v.url ? URL_MAP : STD_MAP;
  const out = new Uint8Array(Math.floor((src.length * 3) / 4) + 3);
  let n = 0;
  let si = 0;
  const q = [0, 0, 0, 0];
  while (si < src.length) {
    let dlen = 4;
    let done = false;
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return out.subarray(0, n);
        if (j === 1 || v.padded) throw corrupt(si - j);
        dlen = j;
        done = true;
        break;
      }
      const c = src[si++];
      const d = map[c];
      if (d >= 0) {
        q[j] = d;
        continue;
      }
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== PAD || !v.padded) throw corrupt(si - 1);
      // Padding: only after two or three characters of a quantum, and "==" must be complete.
      if (j < 2) throw corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) throw corrupt(src.length);
        if (src[si] !== PAD) throw corrupt(si - 1);
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      if (si < src.length) throw corrupt(si);
      dlen = j;
      done = true;
      break;
    }
    const val = (q[0] << 18) | (q[1] << 12) | ((dlen > 2 ? q[2] : 0) << 6) | (dlen > 3 ? q[3] : 0);
    if (dlen >= 2) out[n++] = (val >> 16) & 0xff;
    if (dlen >= 3) out[n++] = (val >> 8) & 0xff;
    if (dlen >= 4) out[n++] = val & 0xff;
    if (done) break;
  }
  return out.subarray(0, n);
}

/**
 * Decodes base64 `input` in the given variant. Returns an ArrayBuffer, or a string (the bytes read as
 * UTF-8, invalid sequences replaced by U+FFFD) when `format` is 's'. Throws on malformed input.
 */
export function b64decode(input: string | ArrayBuffer, encoding?: Base64Variant): ArrayBuffer;
export function b64decode(input: string | ArrayBuffer, encoding: Base64Variant | undefined, format: 's'): string;
export function b64decode(input: unknown, encoding?: unknown, format?: unknown): ArrayBuffer | string {
  // k6 converts any argument to a string first; buffers are taken as the base64 text they hold.
  const src = typeof input === 'string' ? Buffer.from(input, 'utf8') : isArrayBuffer(input) || ArrayBuffer.isView(input) ? bytesOf(input, 'b64decode') : Buffer.from(String(input), 'utf8');
  const bytes = decodeGo(src, variantOf(encoding));
  if (format === 's') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return toArrayBuffer(bytes);
}

export default { b64encode, b64decode };
