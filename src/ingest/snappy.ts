/**
 * Snappy block format decompression (what remote_write bodies use), with every read and copy bounds-checked:
 * a malformed or hostile body fails with an error naming the byte offset, and never reads past its input,
 * writes past the declared length, or loops. (Compression stays with snappyjs.)
 *
 *   block   = uvarint(uncompressed length) element*
 *   element = tag byte; tag & 3: 0 literal, 1 copy (1-byte offset), 2 copy (2-byte offset), 3 copy (4-byte offset)
 */
export class SnappyError extends Error {}

function fail(message: string, at: number): never {
  throw new SnappyError(`${message} at byte ${at}`);
}

/**
 * A buffer to decompress into again and again (what one decompression returns is overwritten by the next).
 * Blocks over `keepBytes` get a buffer of their own.
 */
export class SnappyScratch {
  buf = new Uint8Array(0);
  view = new DataView(this.buf.buffer);
  readonly keepBytes: number;
  constructor(keepBytes = 16 * 1024 * 1024) {
    this.keepBytes = keepBytes;
  }
}

/**
 * The uncompressed bytes; throws SnappyError for a malformed block or one that declares more than `maxLength`.
 * With `scratch`, they are written into its buffer (valid until the next call with it).
 */
export function snappyUncompress(src: Uint8Array, maxLength: number, scratch?: SnappyScratch): Uint8Array {
  let pos = 0;
  let length = 0;
  for (let shift = 0, i = 0; ; i++, shift += 7) {
    if (i >= 5 || pos >= src.length) fail('bad uncompressed length', pos);
    const b = src[pos++];
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (length > maxLength) fail(`uncompressed length ${length} is over the limit of ${maxLength}`, 0);
  let out: Uint8Array;
  let view: DataView;
  if (scratch && length <= scratch.keepBytes) {
    if (scratch.buf.length < length) {
      scratch.buf = new Uint8Array(Math.max(length, Math.min(scratch.keepBytes, scratch.buf.length * 2)));
      scratch.view = new DataView(scratch.buf.buffer);
    }
    // every byte of [0, length) is written below before it is read, or the block is refused
    out = scratch.buf.subarray(0, length);
    view = scratch.view;
  } else {
    out = new Uint8Array(length);
    view = new DataView(out.buffer);
  }
  let o = 0;
  while (pos < src.length) {
    const at = pos;
    const tag = src[pos++];
    let len: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        len = tag >>> 2;
        if (len >= 60) {
          const extra = len - 59;
          if (pos + extra > src.length) fail('truncated literal length', at);
          len = 0;
          for (let k = 0; k < extra; k++) len += src[pos + k] * 2 ** (8 * k);
          pos += extra;
        }
        len += 1;
        if (len > src.length - pos) fail('literal runs past the end of the input', at);
        if (len > length - o) fail('literal runs past the declared length', at);
        if (len <= 16) for (let k = 0; k < len; k++) out[o + k] = src[pos + k];
        else out.set(src.subarray(pos, pos + len), o);
        pos += len;
        o += len;
        continue;
      }
      case 1:
        if (pos >= src.length) fail('truncated copy', at);
        len = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | src[pos++];
        break;
      case 2:
        if (pos + 2 > src.length) fail('truncated copy', at);
        len = (tag >>> 2) + 1;
        offset = src[pos] | (src[pos + 1] << 8);
        pos += 2;
        break;
      default:
        if (pos + 4 > src.length) fail('truncated copy', at);
        len = (tag >>> 2) + 1;
        offset = (src[pos] | (src[pos + 1] << 8) | (src[pos + 2] << 16)) + src[pos + 3] * 2 ** 24;
        pos += 4;
    }
    if (offset === 0 || offset > o) fail(`copy offset ${offset} is outside the ${o} bytes written`, at);
    if (len > length - o) fail('copy runs past the declared length', at);
    // forwards, so a copy that overlaps its own output repeats the pattern as the format means; four bytes at
    // a time reads only bytes already written once the offset is at least four
    if (len >= 24 && offset >= len) out.copyWithin(o, o - offset, o - offset + len);
    else {
      let k = 0;
      if (offset >= 4) for (const from = o - offset; k + 4 <= len; k += 4) view.setInt32(o + k, view.getInt32(from + k));
      for (; k < len; k++) out[o + k] = out[o - offset + k];
    }
    o += len;
  }
  if (o !== length) fail(`${o} bytes decoded where the block declares ${length}`, pos);
  return out;
}
