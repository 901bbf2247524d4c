/**
 * Growable byte writer and bounds-checked reader for the on-disk formats (WAL records, index, chunk files):
 * unsigned and zigzag varints of safe integers, raw float64 bits, UTF-8 strings with a length prefix.
 * Reading past the end throws a RangeError, which the callers turn into TT_TSDB_CORRUPT naming the file.
 */
const TWO32 = 0x1_0000_0000;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

export class ByteWriter {
  buf: Uint8Array;
  view: DataView;
  len = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.len, v);
    this.len += 4;
  }

  /** Unsigned varint of a non-negative safe integer. */
  uvarint(v: number): void {
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }

  /** Signed varint (zigzag) of a safe integer. */
  varint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** Raw float64 bits (big-endian), NaN payloads kept. */
  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.len, v);
    this.len += 8;
  }

  /** A 64-bit two's complement integer (timestamps). */
  i64(v: number): void {
    const hi = Math.floor(v / TWO32);
    this.u32(hi >>> 0);
    this.u32((v - hi * TWO32) >>> 0);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  str(s: string): void {
    const b = encoder.encode(s);
    this.uvarint(b.length);
    this.bytes(b);
  }

  /** A view of what was written (valid until the next write). */
  view_(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** A trimmed copy of what was written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export class ByteReader {
  readonly buf: Uint8Array;
  readonly view: DataView;
  pos: number;
  readonly end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.end = end;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new RangeError(`needs ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left`);
  }

  remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  uvarint(): number {
    let out = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      out += (b & 0x7f) * mul;
      if (b < 0x80) return out;
      mul *= 0x80;
    }
    throw new RangeError(`varint longer than 8 bytes at offset ${this.pos}`);
  }

  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  /** Copies one float64's raw bits into `out[i]` (no trip through a number that V8 could canonicalize). */
  f64Into(out: Float64Array, i: number): void {
    this.need(8);
    const b = new Uint8Array(out.buffer, out.byteOffset + i * 8, 8);
    // DataView is big-endian; the Float64Array uses the platform's (little-endian) order.
    for (let k = 0; k < 8; k++) b[k] = this.buf[this.pos + (LITTLE_ENDIAN ? 7 - k : k)];
    this.pos += 8;
  }

  i64(): number {
    const hi = this.u32() | 0;
    return hi * TWO32 + this.u32();
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  str(): string {
    const n = this.uvarint();
    return decoder.decode(this.bytes(n));
  }
}
