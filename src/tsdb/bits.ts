/**
 * Bit-level writer and reader for the chunk codecs. Values are written most significant bit first, at most
 * 32 bits per call; 64-bit quantities (float bit patterns, raw timestamps) go through as two 32-bit halves so
 * no BigInt is needed on the hot path.
 */

export class BitWriter {
  buf: Uint8Array;
  /** Number of bits written. */
  bits = 0;

  constructor(initialBytes = 32) {
    this.buf = new Uint8Array(initialBytes);
  }

  /** Writes the low `n` bits of `v` (0 ≤ n ≤ 32). */
  write(v: number, n: number): void {
    if (n === 0) return;
    const bits = this.bits;
    const needBytes = ((bits + n + 7) >>> 3) + 1;
    if (needBytes > this.buf.length) this.grow(needBytes);
    const buf = this.buf;
    this.bits = bits + n;
    v = n === 32 ? v >>> 0 : (v & ((1 << n) - 1)) >>> 0;
    let i = bits >>> 3;
    const free = 8 - (bits & 7);
    if (n <= free) {
      buf[i] |= v << (free - n);
      return;
    }
    // the rest of the current byte, whole bytes, then the top of the next one (bytes past `bits` are zero)
    n -= free;
    buf[i++] |= v >>> n;
    while (n >= 8) {
      n -= 8;
      buf[i++] = v >>> n;
    }
    if (n > 0) buf[i] = v << (8 - n);
  }

  /** Writes the low `n` bits (0 ≤ n ≤ 64) of the 64-bit value hi:lo. */
  write64(hi: number, lo: number, n: number): void {
    if (n > 32) {
      this.write(hi, n - 32);
      this.write(lo, 32);
    } else {
      this.write(lo, n);
    }
  }

  writeBit(b: boolean | number): void {
    this.write(b ? 1 : 0, 1);
  }

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf);
    this.buf = next;
  }

  /** The written bytes (a copy, trimmed). */
  bytes(): Uint8Array {
    return this.buf.slice(0, (this.bits + 7) >>> 3);
  }
}

export class BitReader {
  private readonly buf: Uint8Array;
  private readonly end: number;
  pos: number;

  /** Reads `buf` from bit `startBit`; reading past `endBit` throws (a damaged chunk, never a crash). */
  constructor(buf: Uint8Array, startBit = 0, endBit = buf.length * 8) {
    this.buf = buf;
    this.pos = startBit;
    this.end = endBit;
  }

  /** Reads `n` bits (0 ≤ n ≤ 32) as an unsigned integer. */
  read(n: number): number {
    if (this.pos + n > this.end) throw new RangeError('chunk ends early');
    let out = 0;
    const buf = this.buf;
    while (n > 0) {
      const used = this.pos & 7;
      const avail = 8 - used;
      const take = n < avail ? n : avail;
      const chunk = (buf[this.pos >>> 3] >>> (avail - take)) & ((1 << take) - 1);
      out = ((out << take) | chunk) >>> 0;
      this.pos += take;
      n -= take;
    }
    return out;
  }

  readBit(): number {
    if (this.pos >= this.end) throw new RangeError('chunk ends early');
    const b = (this.buf[this.pos >>> 3] >>> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return b;
  }
}
