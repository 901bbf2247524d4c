/**
 * The records the write-ahead log and its checkpoints hold, and their framing.
 *
 * Frame: type (uint8), payload length (uint32 BE), CRC32 (uint32 BE) of the type, length and payload, then the
 * payload. Payloads:
 * - SERIES: count, then per series its ref and its labels (count, then name and value strings).
 * - SAMPLES: count, base ref, base timestamp, then per sample the ref and timestamp as signed deltas from
 *   the bases and the value's 64 raw bits.
 * - CHUNK (checkpoints only): ref, then a head chunk's bytes (length-prefixed).
 */
import { crc32 } from 'node:zlib';
import { ByteReader, ByteWriter } from './byte-buffer.ts';
import type { Labels } from '../series/types.ts';

export const RECORD_SERIES = 1;
export const RECORD_SAMPLES = 2;
export const RECORD_CHUNK = 3;
export const HEADER_BYTES = 9;

export function isRecordType(t: number): boolean {
  return t === RECORD_SERIES || t === RECORD_SAMPLES || t === RECORD_CHUNK;
}

/** Frames a payload: the header followed by the payload, one buffer. */
export function frame(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  out[0] = type;
  view.setUint32(1, payload.length);
  out.set(payload, HEADER_BYTES);
  view.setUint32(5, crc32(payload, crc32(out.subarray(0, 5))));
  return out;
}

export interface FrameAt {
  type: number;
  start: number;
  end: number;
}

/** The record at `pos`, or undefined when the bytes there are not a whole, intact record. */
export function readFrame(buf: Uint8Array, pos: number): FrameAt | undefined {
  if (buf.length - pos < HEADER_BYTES) return undefined;
  const type = buf[pos];
  if (!isRecordType(type)) return undefined;
  const view = new DataView(buf.buffer, buf.byteOffset + pos, HEADER_BYTES);
  const len = view.getUint32(1);
  const start = pos + HEADER_BYTES;
  if (len > buf.length - start) return undefined;
  const end = start + len;
  const want = view.getUint32(5);
  if (crc32(buf.subarray(start, end), crc32(buf.subarray(pos, pos + 5))) !== want) return undefined;
  return { type, start, end };
}

export interface SeriesEntry {
  ref: number;
  labels: Labels;
}

export function encodeSeries(entries: readonly SeriesEntry[]): Uint8Array {
  const w = new ByteWriter(64 * entries.length + 16);
  w.uvarint(entries.length);
  for (const e of entries) {
    w.uvarint(e.ref);
    const names = Object.keys(e.labels);
    w.uvarint(names.length);
    for (const n of names) {
      w.str(n);
      w.str(e.labels[n]);
    }
  }
  return frame(RECORD_SERIES, w.view_());
}

export function decodeSeries(r: ByteReader): SeriesEntry[] {
  const n = r.uvarint();
  const out: SeriesEntry[] = [];
  for (let i = 0; i < n; i++) {
    const ref = r.uvarint();
    const count = r.uvarint();
    const labels: Record<string, string> = {};
    for (let k = 0; k < count; k++) {
      const name = r.str();
      labels[name] = r.str();
    }
    out.push({ ref, labels });
  }
  return out;
}

/** A batch of samples as parallel arrays (values in a Float64Array so NaN payloads survive). */
export interface SampleBatch {
  refs: number[];
  ts: number[];
  vs: Float64Array;
  length: number;
}

export function encodeSamples(batch: SampleBatch, from: number, to: number): Uint8Array {
  const w = new ByteWriter(12 * (to - from) + 32);
  w.uvarint(to - from);
  const baseRef = batch.refs[from];
  const baseT = batch.ts[from];
  w.uvarint(baseRef);
  w.i64(baseT);
  for (let i = from; i < to; i++) {
    w.varint(batch.refs[i] - baseRef);
    w.varint(batch.ts[i] - baseT);
    w.f64(batch.vs[i]);
  }
  return frame(RECORD_SAMPLES, w.view_());
}

export function decodeSamples(r: ByteReader): SampleBatch {
  const n = r.uvarint();
  if (n > r.remaining()) throw new RangeError(`sample count ${n} exceeds the record`);
  const baseRef = r.uvarint();
  const baseT = r.i64();
  const refs: number[] = new Array(n);
  const ts: number[] = new Array(n);
  const vs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    refs[i] = baseRef + r.varint();
    ts[i] = baseT + r.varint();
    r.f64Into(vs, i);
  }
  return { refs, ts, vs, length: n };
}

export function encodeChunk(ref: number, chunk: Uint8Array): Uint8Array {
  const w = new ByteWriter(chunk.length + 16);
  w.uvarint(ref);
  w.uvarint(chunk.length);
  w.bytes(chunk);
  return frame(RECORD_CHUNK, w.view_());
}

export function decodeChunk(r: ByteReader): { ref: number; chunk: Uint8Array } {
  const ref = r.uvarint();
  const n = r.uvarint();
  return { ref, chunk: r.bytes(n).slice() };
}
