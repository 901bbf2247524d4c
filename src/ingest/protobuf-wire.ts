/**
 * The protobuf wire format, read and written by hand for the few messages ingest needs (remote_write's
 * WriteRequest): generated or reflective codecs allocate an object per sample, and this path has to carry
 * hundreds of thousands of samples per second. Every read is bounds-checked; a malformed message throws a
 * WireError naming the byte offset, which callers turn into TT_INGEST_INVALID.
 */
export class WireError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at byte ${offset}`);
    this.offset = offset;
  }
}

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

const TWO_32 = 4294967296;

export class WireReader {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;
  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }
  more(): boolean {
    return this.pos < this.end;
  }
  /** An unsigned varint up to 2^53 (larger values, which no length or field number reaches, are refused). */
  uint(): number {
    const start = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('truncated varint', start);
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) throw new WireError('varint too large', start);
        return result;
      }
      mul *= 128;
    }
    throw new WireError('varint longer than 10 bytes', start);
  }
  /** A two's-complement int64 varint as a number (exact within ±2^53, which covers every ms timestamp). */
  int64(): number {
    const start = this.pos;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('truncated varint', start);
      const b = this.buf[this.pos++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if (b < 0x80) {
        return hi & 0x80000000 ? -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1) : (hi >>> 0) * TWO_32 + (lo >>> 0);
      }
      shift += 7;
    }
    throw new WireError('varint longer than 10 bytes', start);
  }
  /** A field key: [fieldNumber, wireType]. */
  key(): [number, number] {
    const start = this.pos;
    const k = this.uint();
    const field = Math.floor(k / 8);
    if (field === 0) throw new WireError('field number 0', start);
    return [field, k & 7];
  }
  /** The bounds of a length-delimited field's payload; the cursor moves past it. */
  lengthDelimited(): [number, number] {
    const start = this.pos;
    const len = this.uint();
    if (len > this.end - this.pos) throw new WireError(`length ${len} runs past the end of the message`, start);
    const from = this.pos;
    this.pos += len;
    return [from, this.pos];
  }
  skip(wireType: number): void {
    const start = this.pos;
    switch (wireType) {
      case WIRE_VARINT:
        this.uint64Skip();
        return;
      case WIRE_I64:
        this.need(8, start);
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.lengthDelimited();
        return;
      case WIRE_I32:
        this.need(4, start);
        this.pos += 4;
        return;
      default:
        throw new WireError(`unsupported wire type ${wireType}`, start);
    }
  }
  need(n: number, at = this.pos): void {
    if (this.end - this.pos < n) throw new WireError(`truncated field (needs ${n} bytes)`, at);
  }
  private uint64Skip(): void {
    const start = this.pos;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('truncated varint', start);
      if (this.buf[this.pos++] < 0x80) return;
    }
    throw new WireError('varint longer than 10 bytes', start);
  }
}

/** A growable output buffer for encoding. */
export class WireWriter {
  buf: Uint8Array;
  pos = 0;
  /** over `buf` (replaced when it grows) */
  view: DataView;
  constructor(initial = 1024) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  uint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  int64(v: number): void {
    if (v >= 0) return this.uint(v);
    // two's complement over 64 bits, as ten varint bytes
    let lo = v % TWO_32;
    let hi = Math.floor(v / TWO_32);
    if (lo < 0) lo += TWO_32;
    hi = hi >>> 0;
    this.ensure(10);
    for (let i = 0; i < 9; i++) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = (lo >>> 7) | ((hi & 0x7f) << 25);
      hi >>>= 7;
    }
    this.buf[this.pos++] = lo & 0x01;
  }
  key(field: number, wireType: number): void {
    this.uint(field * 8 + wireType);
  }
  double(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
  /** Reserves room for a length prefix of up to 5 bytes; `endLength` fills it in. */
  beginLength(): number {
    this.ensure(5);
    const at = this.pos;
    this.pos += 5;
    return at;
  }
  endLength(at: number): void {
    let len = this.pos - at - 5;
    // a fixed five-byte varint (padded with continuation bits) keeps the payload where it is
    for (let i = 0; i < 4; i++) {
      this.buf[at + i] = (len & 0x7f) | 0x80;
      len >>>= 7;
    }
    this.buf[at + 4] = len & 0x7f;
  }
  string(field: number, s: string): void {
    this.key(field, WIRE_LEN);
    const max = s.length * 3;
    this.ensure(max + 5);
    const lenAt = this.pos;
    // short strings take a one-byte length; write in place, then move if the length needs more bytes
    const written = encodeInto(s, this.buf, lenAt + 1);
    if (written < 0x80) {
      this.buf[lenAt] = written;
      this.pos = lenAt + 1 + written;
    } else {
      const payload = this.buf.slice(lenAt + 1, lenAt + 1 + written);
      this.pos = lenAt;
      this.uint(written);
      this.ensure(written);
      this.buf.set(payload, this.pos);
      this.pos += written;
    }
  }
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

const encoder = new TextEncoder();
function encodeInto(s: string, buf: Uint8Array, at: number): number {
  return encoder.encodeInto(s, buf.subarray(at)).written;
}
