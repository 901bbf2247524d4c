/**
 * Content codings as k6 handles them (lib/netext/httpext/compression.go): `params.compression` compresses a
 * request body with one or more of gzip, deflate (the zlib format), br and zstd, applied in the order given
 * and named in that order in Content-Encoding; a response body is decoded by undoing the codings of its
 * Content-Encoding from the last to the first, skipping tokens k6 does not know (identity, compress, ...).
 * Only the first Content-Encoding header counts, as with Go's Header.Get.
 */
import { constants as bufferConstants } from 'node:buffer';
import zlib from 'node:zlib';
import { DecompressionError } from './error-codes.ts';

export type Coding = 'gzip' | 'deflate' | 'br' | 'zstd';

/** k6's CompressionType values, in its order (the error message lists them so). */
const CODINGS: readonly Coding[] = ['gzip', 'deflate', 'zstd', 'br'];

/**
 * Decoding stops past this size: a few bytes of gzip can claim gigabytes. A text body could not become a
 * string past it anyway.
 */
export const MAX_DECODED_BYTES = bufferConstants.MAX_STRING_LENGTH;

/** Go's brotli writer defaults to quality 6; Node's to 11, which is many times slower. */
const BROTLI_OPTIONS: zlib.BrotliOptions = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 6 } };

/** The codings of `params.compression` (k6 takes the value's string form), or null when it names none. */
export function parseCompression(value: unknown): Coding[] | null {
  const text = String(value).trim();
  if (text === '') return null;
  return text.split(',').map((part) => {
    const name = part.trim();
    const coding = codingOf(name);
    if (coding === null) throw new Error(`unknown compression algorithm ${name}, supported algorithms are [${CODINGS.join(' ')}]`);
    return coding;
  });
}

function codingOf(token: string): Coding | null {
  const lower = token.toLowerCase();
  return (CODINGS as readonly string[]).includes(lower) ? (lower as Coding) : null;
}

/** Compresses with each coding in turn; returns the bytes and the Content-Encoding that names them. */
export function compress(payload: string | Buffer, codings: readonly Coding[]): { payload: Buffer; contentEncoding: string } {
  let data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  for (const coding of codings) {
    switch (coding) {
      case 'gzip':
        data = zlib.gzipSync(data);
        break;
      case 'deflate':
        data = zlib.deflateSync(data);
        break;
      case 'br':
        data = zlib.brotliCompressSync(data, BROTLI_OPTIONS);
        break;
      case 'zstd':
        data = zlib.zstdCompressSync(data);
        break;
    }
  }
  return { payload: data, contentEncoding: codings.join(', ') };
}

/**
 * The body with the codings of `contentEncoding` undone, or null when it names none k6 decodes. Throws a
 * DecompressionError (k6's error code 1701) when the bytes do not decode.
 */
export function decodeContent(body: Buffer, contentEncoding: string, maxBytes = MAX_DECODED_BYTES): Buffer | null {
  const tokens = contentEncoding.split(',');
  let data: Buffer | null = null;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const coding = codingOf(tokens[i].trim());
    if (coding === null) continue;
    data = decodeOne(data ?? body, coding, maxBytes);
  }
  return data;
}

function decodeOne(data: Buffer, coding: Coding, maxOutputLength: number): Buffer {
  try {
    switch (coding) {
      case 'gzip':
        return zlib.gunzipSync(data, { maxOutputLength });
      case 'deflate':
        return zlib.inflateSync(data, { maxOutputLength });
      case 'br':
        return zlib.brotliDecompressSync(data, { maxOutputLength });
      case 'zstd':
        return zlib.zstdDecompressSync(data, { maxOutputLength });
    }
  } catch (err) {
    throw new DecompressionError(reason(err, coding, maxOutputLength));
  }
}

/** Go's wording for what went wrong where it has one (gzip and zlib), Node's otherwise. */
function reason(err: unknown, coding: Coding, max: number): string {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (e.code === 'ERR_BUFFER_TOO_LARGE') return `decoded body larger than ${max} bytes`;
  if (coding === 'br') return `brotli: ${message}`;
  if (coding === 'zstd') return `zstd: ${message}`;
  const format = coding === 'gzip' ? 'gzip' : 'zlib';
  switch (message) {
    case 'unexpected end of file':
      return 'unexpected EOF';
    case 'incorrect header check':
      return `${format}: invalid header`;
    case 'incorrect data check':
    case 'incorrect length check':
      return `${format}: invalid checksum`;
  }
  return `flate: corrupt input (${message})`;
}
