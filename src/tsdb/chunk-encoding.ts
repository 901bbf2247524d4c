/**
 * Chunk encodings and the choice between them. The head appends XOR chunks (streaming, any value); when a
 * block is written each chunk is re-encoded as a decimal chunk if that is smaller.
 */
import type { SampleIterator } from '../series/types.ts';
import { DecimalIterator, encodeDecimal } from './decimal-chunk.ts';
import { XorIterator } from './xor-chunk.ts';

export const ENCODING_XOR = 1;
export const ENCODING_DECIMAL = 2;

export function isEncoding(e: number): boolean {
  return e === ENCODING_XOR || e === ENCODING_DECIMAL;
}

export function chunkIterator(bytes: Uint8Array, count: number, encoding = ENCODING_XOR): SampleIterator {
  return encoding === ENCODING_DECIMAL ? new DecimalIterator(bytes, count) : new XorIterator(bytes, count);
}

/** The smallest encoding of an XOR chunk's samples: the chunk itself, or its decimal form. */
export function smallestEncoding(bytes: Uint8Array, count: number): { bytes: Uint8Array; encoding: number } {
  const ts = new Array<number>(count);
  const vs = new Float64Array(count);
  const it = new XorIterator(bytes, count);
  for (let i = 0; it.next(); i++) {
    ts[i] = it.t();
    vs[i] = it.v();
  }
  const dec = encodeDecimal(ts, vs, count);
  return dec && dec.length < bytes.length ? { bytes: dec, encoding: ENCODING_DECIMAL } : { bytes, encoding: ENCODING_XOR };
}
