/**
 * Prometheus remote_write 1.0: a snappy-compressed (block format) protobuf `prometheus.WriteRequest`.
 *
 *   WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3;
 *                  repeated Histogram histograms = 4; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }
 *
 * Decoding checks the whole request before anything is appended, so a malformed body appends nothing.
 * Exemplars, native histograms and metadata are counted and skipped (Telltale stores float samples only).
 */
import snappy from 'snappyjs';
import { TelltaleError } from '../errors.ts';
import type { Labels } from '../series/types.ts';
import { WIRE_I64, WIRE_LEN, WIRE_VARINT, WireError, WireReader, WireWriter } from './protobuf-wire.ts';

export interface DecodedSeries {
  labels: Labels;
  /** ms; the two arrays have the same length */
  timestamps: Float64Array;
  /** bit-exact values (the staleness NaN survives) */
  values: Float64Array;
  /** native histogram samples in the series, which are not stored */
  histograms: number;
  exemplars: number;
}

export interface DecodedWriteRequest {
  series: DecodedSeries[];
  samples: number;
  histograms: number;
  exemplars: number;
  metadata: number;
}

/** Refuse requests that would decompress to more than this (a guard against compression bombs). */
export const MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024;

export function snappyDecode(body: Uint8Array, maxLength = MAX_UNCOMPRESSED_BYTES): Uint8Array {
  try {
    return snappy.uncompress(body, maxLength);
  } catch (err) {
    throw new TelltaleError('TT_INGEST_INVALID', `body is not snappy block-compressed data: ${(err as Error).message}`, { cause: err });
  }
}

export function snappyEncode(raw: Uint8Array): Uint8Array {
  return snappy.compress(raw);
}

const utf8 = new TextDecoder('utf-8');

function readString(r: WireReader): string {
  const [from, to] = r.lengthDelimited();
  return utf8.decode(r.buf.subarray(from, to));
}

function decodeLabel(r: WireReader, into: Record<string, string>, path: string): void {
  let name = '';
  let value = '';
  while (r.more()) {
    const [field, wt] = r.key();
    if (field === 1 && wt === WIRE_LEN) name = readString(r);
    else if (field === 2 && wt === WIRE_LEN) value = readString(r);
    else if (field <= 2) throw new WireError(`${path}: field ${field} has wire type ${wt}, expected 2 (string)`, r.pos);
    else r.skip(wt);
  }
  if (Object.prototype.hasOwnProperty.call(into, name)) throw new WireError(`${path}: duplicate label name ${JSON.stringify(name)}`, r.pos);
  into[name] = value;
}

/** Decodes an uncompressed WriteRequest. Throws TT_INGEST_INVALID naming the field path and byte offset. */
export function decodeWriteRequest(buf: Uint8Array): DecodedWriteRequest {
  try {
    return decodeUnchecked(buf);
  } catch (err) {
    if (err instanceof WireError) {
      throw new TelltaleError('TT_INGEST_INVALID', `malformed WriteRequest: ${err.message}`, { field: 'timeseries', cause: err });
    }
    throw err;
  }
}

function decodeUnchecked(buf: Uint8Array): DecodedWriteRequest {
  const out: DecodedWriteRequest = { series: [], samples: 0, histograms: 0, exemplars: 0, metadata: 0 };
  const r = new WireReader(buf);
  const bytes = new Uint8Array(8);
  while (r.more()) {
    const [field, wt] = r.key();
    if (field === 3 && wt === WIRE_LEN) {
      r.lengthDelimited();
      out.metadata++;
      continue;
    }
    if (field !== 1) {
      r.skip(wt);
      continue;
    }
    const path = `timeseries[${out.series.length}]`;
    if (wt !== WIRE_LEN) throw new WireError(`${path}: wire type ${wt}, expected 2 (message)`, r.pos);
    const [from, to] = r.lengthDelimited();
    const ts = new WireReader(buf, from, to);
    const labels: Record<string, string> = {};
    // count samples first so the two arrays are allocated once
    let sampleCount = 0;
    let histograms = 0;
    let exemplars = 0;
    while (ts.more()) {
      const [f, w] = ts.key();
      if (f === 1 && w === WIRE_LEN) {
        const [lf, lt] = ts.lengthDelimited();
        decodeLabel(new WireReader(buf, lf, lt), labels, `${path}.labels[${Object.keys(labels).length}]`);
      } else if (f === 2 && w === WIRE_LEN) {
        ts.lengthDelimited();
        sampleCount++;
      } else if (f === 3 && w === WIRE_LEN) {
        ts.lengthDelimited();
        exemplars++;
      } else if (f === 4 && w === WIRE_LEN) {
        ts.lengthDelimited();
        histograms++;
      } else if (f <= 4) throw new WireError(`${path}: field ${f} has wire type ${w}, expected 2 (message)`, ts.pos);
      else ts.skip(w);
    }
    const timestamps = new Float64Array(sampleCount);
    const values = new Float64Array(sampleCount);
    const valueBytes = new Uint8Array(values.buffer);
    let i = 0;
    const again = new WireReader(buf, from, to);
    while (again.more()) {
      const [f, w] = again.key();
      if (f !== 2) {
        again.skip(w);
        continue;
      }
      const [sf, st] = again.lengthDelimited();
      const s = new WireReader(buf, sf, st);
      let t = 0;
      bytes.fill(0);
      while (s.more()) {
        const [sfield, swt] = s.key();
        if (sfield === 1 && swt === WIRE_I64) {
          s.need(8);
          for (let k = 0; k < 8; k++) bytes[k] = buf[s.pos + k];
          s.pos += 8;
        } else if (sfield === 2 && swt === WIRE_VARINT) t = s.int64();
        else if (sfield <= 2) throw new WireError(`${path}.samples[${i}]: field ${sfield} has wire type ${swt}`, s.pos);
        else s.skip(swt);
      }
      // copy the value's bytes (little-endian on every platform Node runs on) so NaN payloads survive
      valueBytes.set(bytes, i * 8);
      timestamps[i++] = t;
    }
    out.series.push({ labels, timestamps, values, histograms, exemplars });
    out.samples += sampleCount;
    out.histograms += histograms;
    out.exemplars += exemplars;
  }
  return out;
}

export interface EncodableSeries {
  labels: Labels;
  timestamps: ArrayLike<number>;
  values: ArrayLike<number>;
}

/** Encodes a WriteRequest (uncompressed). Labels are written sorted by name, as the protocol requires. */
export function encodeWriteRequest(series: readonly EncodableSeries[]): Uint8Array {
  const w = new WireWriter(64 * 1024);
  for (const s of series) {
    w.key(1, WIRE_LEN);
    const at = w.beginLength();
    for (const name of Object.keys(s.labels).sort()) {
      const value = s.labels[name];
      if (value === '') continue;
      w.key(1, WIRE_LEN);
      const lat = w.beginLength();
      w.string(1, name);
      w.string(2, value);
      w.endLength(lat);
    }
    for (let i = 0; i < s.timestamps.length; i++) {
      const t = s.timestamps[i];
      w.key(2, WIRE_LEN);
      w.uint(10 + varintSize(t));
      w.key(1, WIRE_I64);
      w.double(s.values[i]);
      w.key(2, WIRE_VARINT);
      w.int64(t);
    }
    w.endLength(at);
  }
  return w.finish();
}

function varintSize(v: number): number {
  if (v < 0) return 10;
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
