/**
 * Delta-of-delta timestamps, shared by both chunk encodings: the first timestamp as 64 raw bits, then each
 * delta-of-delta in one of six buckets (1, 9, 16, 24, 37 bits; or 5 + 64 raw bits when the delta or the
 * delta-of-delta is too large for exact arithmetic, which keeps any safe integer exact).
 */
import type { BitReader, BitWriter } from './bits.ts';

const TWO32 = 0x1_0000_0000;
const EXACT_DELTA = 2 ** 40;

/** Buckets for delta-of-delta: control prefix, prefix length, payload bits. */
const BUCKETS: ReadonlyArray<readonly [prefix: number, prefixBits: number, bits: number]> = [
  [0b10, 2, 7],
  [0b110, 3, 13],
  [0b1110, 4, 20],
  [0b11110, 5, 32],
];

export function writeRaw64(w: BitWriter, v: number): void {
  const hi = Math.floor(v / TWO32);
  w.write(hi >>> 0, 32);
  w.write((v - hi * TWO32) >>> 0, 32);
}

export function readRaw64(r: BitReader): number {
  const hi = r.read(32) | 0;
  return hi * TWO32 + r.read(32);
}

/** Encoder state: the previous timestamp and delta. */
export class TimestampEncoder {
  prevT = 0;
  prevDelta = 0;
  count = 0;

  write(w: BitWriter, t: number): void {
    if (this.count++ === 0) {
      writeRaw64(w, t);
      this.prevT = t;
      return;
    }
    const delta = t - this.prevT;
    const dod = delta - this.prevDelta;
    const exact = Math.abs(delta) < EXACT_DELTA && Math.abs(this.prevDelta) < EXACT_DELTA;
    this.prevDelta = delta;
    this.prevT = t;
    if (!exact || dod < -TWO32 / 2 || dod >= TWO32 / 2) {
      w.write(0b11111, 5);
      writeRaw64(w, t);
      return;
    }
    if (dod === 0) {
      w.write(0, 1);
      return;
    }
    for (const [prefix, prefixBits, bits] of BUCKETS) {
      const half = 2 ** (bits - 1);
      if (dod >= -half && dod < half) {
        w.write(prefix, prefixBits);
        w.write(bits === 32 ? dod >>> 0 : (dod + 2 * half) % (2 * half), bits);
        return;
      }
    }
  }
}

export class TimestampDecoder {
  t = 0;
  delta = 0;
  count = 0;

  read(r: BitReader): number {
    if (this.count++ === 0) return (this.t = readRaw64(r));
    let ones = 0;
    while (ones < 5 && r.readBit() === 1) ones++;
    if (ones === 0) return (this.t += this.delta);
    if (ones === 5) {
      const t = readRaw64(r);
      this.delta = t - this.t;
      return (this.t = t);
    }
    const bits = BUCKETS[ones - 1][2];
    let dod = r.read(bits);
    if (dod >= 2 ** (bits - 1)) dod -= 2 ** bits;
    this.delta += dod;
    return (this.t += this.delta);
  }
}
