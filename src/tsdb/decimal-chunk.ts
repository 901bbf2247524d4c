/**
 * A second chunk encoding, for blocks: values that are decimals with few digits (integer counters and
 * gauges, `12.34`-style readings) are stored as scaled integers n = v·10^k, each as its delta minus a
 * per-chunk typical delta, in a per-chunk bit width chosen to minimise the chunk. Steady counters then
 * cost about a bit per value and noisy ones a few, where XOR pays for every changed mantissa bit.
 * Compaction picks whichever encoding is smaller per chunk; the head always appends XOR chunks.
 *
 * Layout: uint16 sample count (as XOR chunks), then bits: k (4), width w (6), the first n (64 raw), the
 * typical delta (64 raw), then per sample its timestamp (timestamp-codec.ts) and, after the first, either
 * `0` + the residual in w bits (two's complement) or `1` + n in 64 raw bits.
 */
import { BitReader, BitWriter } from './bits.ts';
import { sameBits } from './float-bits.ts';
import { readRaw64, TimestampDecoder, TimestampEncoder, writeRaw64 } from './timestamp-codec.ts';
import type { SampleIterator } from '../series/types.ts';

/** Scaled integers stay below this, so every delta and residual is exact in float64. */
const LIMIT = 2 ** 50;
const MAX_DIGITS = 6;
const TWO32 = 0x1_0000_0000;

/** The smallest k for which every value is exactly n / 10^k with a small integer n; undefined if none. */
function scaleOf(vs: Float64Array, n: number): number | undefined {
  for (let k = 0; k <= MAX_DIGITS; k++) {
    const p = 10 ** k;
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const v = vs[i];
      const m = Math.round(v * p) + 0; // + 0 turns -0 into 0, so -0 fails the check and stays XOR
      ok = Math.abs(m) < LIMIT && sameBits(k === 0 ? m : m / p, v);
    }
    if (ok) return k;
  }
  return undefined;
}

function fits(r: number, w: number): boolean {
  if (w === 0) return r === 0;
  const half = 2 ** (w - 1);
  return r >= -half && r < half;
}

/** The narrowest two's complement width holding r (0 for r = 0; 53 when nothing up to 52 does). */
function widthOf(r: number): number {
  if (r === 0) return 0;
  const a = r >= 0 ? r : -r - 1;
  let w = a === 0 ? 1 : Math.floor(Math.log2(a)) + 2;
  while (w > 1 && fits(r, w - 1)) w--;
  while (w <= 52 && !fits(r, w)) w++;
  return w;
}

/** Encodes the samples, or returns undefined when the values are not short decimals. */
export function encodeDecimal(ts: ArrayLike<number>, vs: Float64Array, n: number): Uint8Array | undefined {
  if (n === 0 || n > 65535) return undefined;
  const k = scaleOf(vs, n);
  if (k === undefined) return undefined;
  const p = 10 ** k;
  const ns = new Array<number>(n);
  for (let i = 0; i < n; i++) ns[i] = Math.round(vs[i] * p);
  const deltas: number[] = [];
  for (let i = 1; i < n; i++) deltas.push(ns[i] - ns[i - 1]);
  const sorted = [...deltas].sort((a, b) => a - b);
  const base = sorted.length > 0 ? sorted[sorted.length >> 1] : 0;
  // needs[w]: residuals whose narrowest width is w; a width then costs 1 + w bits per residual that fits.
  const needs = new Array<number>(54).fill(0);
  for (const d of deltas) needs[widthOf(d - base)]++;
  let bestW = 0;
  let bestCost = Infinity;
  let fitting = 0;
  for (let w = 0; w <= 52; w++) {
    fitting += needs[w];
    const cost = fitting * (1 + w) + (deltas.length - fitting) * 65;
    if (cost < bestCost) {
      bestCost = cost;
      bestW = w;
    }
  }
  const bw = new BitWriter(16 + ((bestCost + 64 * n) >>> 3));
  bw.write(n, 16);
  bw.write(k, 4);
  bw.write(bestW, 6);
  writeRaw64(bw, ns[0]);
  writeRaw64(bw, base);
  const times = new TimestampEncoder();
  for (let i = 0; i < n; i++) {
    times.write(bw, ts[i]);
    if (i === 0) continue;
    const r = ns[i] - ns[i - 1] - base;
    if (fits(r, bestW)) {
      bw.write(0, 1);
      if (bestW > 0) {
        const u = r < 0 ? r + 2 ** bestW : r;
        const hi = Math.floor(u / TWO32);
        bw.write64(hi, u - hi * TWO32, bestW);
      }
    } else {
      bw.write(1, 1);
      writeRaw64(bw, ns[i]);
    }
  }
  return bw.bytes();
}

export class DecimalIterator implements SampleIterator {
  private readonly r: BitReader;
  private readonly count: number;
  private readonly div: number;
  private readonly w: number;
  private readonly base: number;
  private readonly times = new TimestampDecoder();
  private n: number;
  private i = 0;
  private done = false;
  private curT = 0;
  private readonly curV = new Float64Array(1);

  constructor(bytes: Uint8Array, count?: number) {
    this.r = new BitReader(bytes);
    const stored = this.r.read(16);
    this.count = count ?? stored;
    const k = this.r.read(4);
    if (k > MAX_DIGITS) throw new RangeError(`decimal chunk has scale ${k}`);
    this.div = 10 ** k;
    this.w = this.r.read(6);
    if (this.w > 52) throw new RangeError(`decimal chunk has width ${this.w}`);
    this.n = readRaw64(this.r);
    this.base = readRaw64(this.r);
  }

  next(): boolean {
    if (this.i >= this.count) {
      this.done = true;
      return false;
    }
    const r = this.r;
    this.curT = this.times.read(r);
    if (this.i > 0) {
      if (r.readBit() === 0) {
        let res = 0;
        if (this.w > 0) {
          const u = this.w > 32 ? r.read(this.w - 32) * TWO32 + r.read(32) : r.read(this.w);
          res = u >= 2 ** (this.w - 1) ? u - 2 ** this.w : u;
        }
        this.n += this.base + res;
      } else {
        this.n = readRaw64(r);
      }
    }
    this.curV[0] = this.div === 1 ? this.n : this.n / this.div;
    this.i++;
    return true;
  }

  seek(t: number): boolean {
    if (this.done) return false;
    if (this.i > 0 && this.curT >= t) return true;
    while (this.next()) if (this.curT >= t) return true;
    return false;
  }

  t(): number {
    return this.curT;
  }

  v(): number {
    return this.curV[0];
  }
}
