/**
 * The sample chunk codec, after Facebook's Gorilla paper as Prometheus uses it: delta-of-delta timestamps and
 * XOR-compressed float64 values, at most 65535 samples per chunk.
 *
 * Layout: a big-endian uint16 sample count, then a bit stream. Per sample the timestamp (timestamp-codec.ts)
 * then the value: 64 raw bits for the first, then the XOR with the previous value (Gorilla's control bits).
 */
import { BitReader, BitWriter } from './bits.ts';
import { fromBits, hiBits, loBitsOfLast } from './float-bits.ts';
import { TimestampDecoder, TimestampEncoder } from './timestamp-codec.ts';
import type { SampleIterator } from '../series/types.ts';

const NO_WINDOW = 0xff;

function clz64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

function ctz64(hi: number, lo: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

export class XorAppender {
  readonly w: BitWriter;
  count = 0;
  mint = 0;
  maxt = 0;
  private readonly times = new TimestampEncoder();
  private prevHi = 0;
  private prevLo = 0;
  private leading = NO_WINDOW;
  private trailing = 0;

  constructor() {
    this.w = new BitWriter(64);
    this.w.bits = 16;
  }

  /** Appends a sample; `t` must be a safe integer greater than the previous sample's. */
  append(t: number, v: number): void {
    const w = this.w;
    const hi = hiBits(v);
    const lo = loBitsOfLast();
    this.times.write(w, t);
    if (this.count === 0) {
      w.write(hi, 32);
      w.write(lo, 32);
      this.mint = t;
    } else {
      this.writeValue(hi, lo);
    }
    this.maxt = t;
    this.prevHi = hi;
    this.prevLo = lo;
    this.count++;
    w.buf[0] = this.count >>> 8;
    w.buf[1] = this.count & 0xff;
  }

  private writeValue(hi: number, lo: number): void {
    const w = this.w;
    const xh = (hi ^ this.prevHi) >>> 0;
    const xl = (lo ^ this.prevLo) >>> 0;
    if (xh === 0 && xl === 0) {
      w.write(0, 1);
      return;
    }
    let lead = clz64(xh, xl);
    const trail = ctz64(xh, xl);
    if (lead > 31) lead = 31;
    if (this.leading !== NO_WINDOW && lead >= this.leading && trail >= this.trailing) {
      w.write(0b10, 2);
      writeShifted(w, xh, xl, this.trailing, 64 - this.leading - this.trailing);
      return;
    }
    const sig = 64 - lead - trail;
    w.write(0b11, 2);
    w.write(lead, 5);
    w.write(sig & 63, 6);
    writeShifted(w, xh, xl, trail, sig);
    this.leading = lead;
    this.trailing = trail;
  }

  /** The chunk's bytes so far (a trimmed copy: the appender keeps writing into its own buffer). */
  bytes(): Uint8Array {
    return this.w.bytes();
  }
}

function writeShifted(w: BitWriter, hi: number, lo: number, shift: number, n: number): void {
  if (shift >= 32) {
    w.write(hi >>> (shift - 32), n);
    return;
  }
  if (shift > 0) {
    lo = ((lo >>> shift) | (hi << (32 - shift))) >>> 0;
    hi = hi >>> shift;
  }
  w.write64(hi, lo, n);
}

/** Number of samples a chunk holds, from its header. */
export function chunkCount(bytes: Uint8Array): number {
  if (bytes.length < 2) throw new RangeError('chunk shorter than its header');
  return (bytes[0] << 8) | bytes[1];
}

/**
 * Iterates a chunk. `count` limits it to the first samples (a head chunk that is still being appended to is
 * read up to the count seen when the read began).
 */
export class XorIterator implements SampleIterator {
  private readonly r: BitReader;
  private readonly count: number;
  private i = 0;
  private done = false;
  private curT = 0;
  private readonly curV = new Float64Array(1);
  private readonly times = new TimestampDecoder();
  private hi = 0;
  private lo = 0;
  private leading = 0;
  private trailing = 0;

  constructor(bytes: Uint8Array, count = chunkCount(bytes)) {
    this.r = new BitReader(bytes, 16);
    this.count = count;
  }

  next(): boolean {
    if (this.i >= this.count) {
      this.done = true;
      return false;
    }
    const r = this.r;
    this.curT = this.times.read(r);
    if (this.i === 0) {
      this.hi = r.read(32);
      this.lo = r.read(32);
    } else {
      this.readValue();
    }
    this.curV[0] = fromBits(this.hi, this.lo);
    this.i++;
    return true;
  }

  private readValue(): void {
    const r = this.r;
    if (r.readBit() === 0) return;
    if (r.readBit() === 1) {
      this.leading = r.read(5);
      let sig = r.read(6);
      if (sig === 0) sig = 64;
      this.trailing = 64 - this.leading - sig;
      if (this.trailing < 0) throw new RangeError('chunk has an invalid XOR window');
    }
    const n = 64 - this.leading - this.trailing;
    let xh: number;
    let xl: number;
    if (n > 32) {
      xh = r.read(n - 32);
      xl = r.read(32);
    } else {
      xh = 0;
      xl = r.read(n);
    }
    const s = this.trailing;
    if (s >= 32) {
      xh = (xl << (s - 32)) >>> 0;
      xl = 0;
    } else if (s > 0) {
      xh = ((xh << s) | (xl >>> (32 - s))) >>> 0;
      xl = (xl << s) >>> 0;
    }
    this.hi = (this.hi ^ xh) >>> 0;
    this.lo = (this.lo ^ xl) >>> 0;
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
