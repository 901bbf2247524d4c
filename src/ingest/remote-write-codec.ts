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
import { snappyUncompress, type SnappyScratch } from './snappy.ts';
import { TelltaleError } from '../errors.ts';
import type { Labels, SeriesSlot } from '../series/types.ts';
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
  /**
   * The same samples without an object per series, when the fast path decoded the request: series k has
   * labels `labels[k]` and the samples `timestamps/values[starts[k] .. starts[k + 1])`.
   */
  flat?: FlatSamples;
}

export interface FlatSamples {
  labels: Labels[];
  /** With a label cache: series k's cache entry, where an appender keeps its handle for the series. */
  slots: SeriesSlot[] | undefined;
  /** labels.length + 1 entries */
  starts: Int32Array;
  timestamps: Float64Array;
  values: Float64Array;
}

/** The fast path's result: `series` is built only when asked for (the receiver reads `flat`). */
class FlatWriteRequest implements DecodedWriteRequest {
  samples = 0;
  histograms = 0;
  exemplars = 0;
  metadata = 0;
  readonly flat: FlatSamples;
  private readonly perSeries: Array<{ histograms: number; exemplars: number }> | undefined;
  private built: DecodedSeries[] | undefined;
  constructor(flat: FlatSamples, perSeries: Array<{ histograms: number; exemplars: number }> | undefined) {
    this.flat = flat;
    this.perSeries = perSeries;
  }
  get series(): DecodedSeries[] {
    if (!this.built) {
      const { labels, starts, timestamps, values } = this.flat;
      this.built = labels.map((l, k) => ({
        labels: l,
        timestamps: timestamps.subarray(starts[k], starts[k + 1]),
        values: values.subarray(starts[k], starts[k + 1]),
        histograms: this.perSeries?.[k].histograms ?? 0,
        exemplars: this.perSeries?.[k].exemplars ?? 0,
      }));
    }
    return this.built;
  }
}

/** Refuse requests that would decompress to more than this (a guard against compression bombs). */
export const MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024;

/** The decompressed body; with `scratch`, in its buffer (valid until the next call with it). */
export function snappyDecode(body: Uint8Array, maxLength = MAX_UNCOMPRESSED_BYTES, scratch?: SnappyScratch): Uint8Array {
  try {
    return snappyUncompress(body, maxLength, scratch);
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

interface CacheEntry {
  /** Where the label set's encoded bytes sit in the cache's arena. */
  off: number;
  len: number;
  labels: Labels;
  /** The entry that followed this one in the last request that had it: senders keep their series order. */
  next: CacheEntry | undefined;
  /** The cache's generation when the entry was made; entries of an emptied cache are not followed. */
  generation: number;
  /** The storage's handle for the series (Appender.appendCached). */
  ref: unknown;
}

/**
 * Label sets already decoded, keyed by their encoded bytes. A sender sends the same series in every request,
 * so a receiver that keeps one cache skips decoding their labels again, and hands the store the same label
 * object each time (which the store resolves to its series without rebuilding the key). The encoded bytes
 * are kept one after another in one arena, in the order they first came (which is the order they come
 * again), so comparing a request against them reads memory in sequence. Bounded: emptied when it holds
 * `maxEntries` label sets or `maxBytes` of them.
 */
export class LabelsCache {
  private readonly map = new Map<number, CacheEntry[]>();
  private entries = 0;
  /** The encoded label sets, one after another (`pos` is the bytes used). */
  private readonly arena = new WireWriter(64 * 1024);
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** Bumped when the cache is emptied, so a caller's predicted entry from before is not trusted. */
  generation = 0;
  constructor(maxEntries = 1_000_000, maxBytes = 256 * 1024 * 1024) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }
  get size(): number {
    return this.entries;
  }
  /** The label set encoded as buf[from, to), if seen before. */
  get(buf: Uint8Array, from: number, to: number, hash: number): Labels | undefined {
    return this.entry(buf, from, to, hash)?.labels;
  }
  entry(buf: Uint8Array, from: number, to: number, hash: number): CacheEntry | undefined {
    const bucket = this.map.get(hash);
    if (!bucket) return undefined;
    for (const e of bucket) if (this.holds(e, buf, from, to)) return e;
    return undefined;
  }
  set(buf: Uint8Array, from: number, to: number, hash: number, labels: Labels): CacheEntry {
    const len = to - from;
    const arena = this.arena;
    if (this.entries >= this.maxEntries || arena.pos + len > this.maxBytes) {
      this.map.clear();
      this.entries = 0;
      arena.pos = 0;
      this.generation++;
    }
    arena.ensure(len);
    arena.buf.set(buf.subarray(from, to), arena.pos);
    const entry: CacheEntry = { off: arena.pos, len, labels, next: undefined, generation: this.generation, ref: undefined };
    arena.pos += len;
    const bucket = this.map.get(hash);
    if (bucket) bucket.push(entry);
    else this.map.set(hash, [entry]);
    this.entries++;
    return entry;
  }
  /** Whether buf[from, to) holds the entry's bytes (compared four at a time); only for current entries. */
  holds(e: CacheEntry, buf: Uint8Array, from: number, to: number): boolean {
    const n = to - from;
    if (e.len !== n) return false;
    const a = this.arena.view;
    const b = viewOf(buf);
    const off = e.off;
    let i = 0;
    for (; i + 4 <= n; i += 4) if (a.getInt32(off + i) !== b.getInt32(from + i)) return false;
    const arena = this.arena.buf;
    for (; i < n; i++) if (arena[off + i] !== buf[from + i]) return false;
    return true;
  }
}

let viewed: Uint8Array | undefined;
let viewOfViewed: DataView | undefined;

/** A DataView over `buf` (the last one made is kept: a request's label sets are all compared against one body). */
function viewOf(buf: Uint8Array): DataView {
  if (viewed !== buf || !viewOfViewed) {
    viewed = buf;
    viewOfViewed = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  return viewOfViewed;
}

/** FNV-1a over buf[from, to). */
export function hashBytes(buf: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h >>> 0;
}

function cachedLabels(cache: LabelsCache, buf: Uint8Array, from: number, labelsEnd: number, to: number, index: number): Labels {
  return cachedEntry(cache, undefined, buf, from, labelsEnd, to, index).labels;
}

/**
 * The cache entry of the label set at buf[from, labelsEnd), trying `prev.next` first (the series that came
 * after the previous one last time), which skips hashing when a sender repeats its order.
 */
function cachedEntry(cache: LabelsCache, prev: CacheEntry | undefined, buf: Uint8Array, from: number, labelsEnd: number, to: number, index: number): CacheEntry {
  const guess = prev?.next;
  if (guess && guess.generation === cache.generation && cache.holds(guess, buf, from, labelsEnd)) return guess;
  const hash = hashBytes(buf, from, labelsEnd);
  const e = cache.entry(buf, from, labelsEnd, hash) ?? cache.set(buf, from, labelsEnd, hash, decodeLabels(buf, from, to, `timeseries[${index}]`));
  if (prev) prev.next = e;
  return e;
}

/**
 * Decodes an uncompressed WriteRequest. Throws TT_INGEST_INVALID naming the field path and byte offset.
 * `checkedOnly` skips the fast path (tests compare the two).
 */
export function decodeWriteRequest(buf: Uint8Array, cache?: LabelsCache, checkedOnly = false): DecodedWriteRequest {
  try {
    return (checkedOnly ? undefined : decodeFast(buf, cache)) ?? decodeUnchecked(buf, cache);
  } catch (err) {
    if (err instanceof WireError) {
      throw new TelltaleError('TT_INGEST_INVALID', `malformed WriteRequest: ${err.message}`, { field: 'timeseries', cause: err });
    }
    throw err;
  }
}

function decodeLabels(buf: Uint8Array, from: number, to: number, path: string): Labels {
  const labels: Record<string, string> = {};
  const ts = new WireReader(buf, from, to);
  while (ts.more()) {
    const [f, w] = ts.key();
    if (f === 1 && w === WIRE_LEN) {
      const [lf, lt] = ts.lengthDelimited();
      decodeLabel(new WireReader(buf, lf, lt), labels, `${path}.labels[${Object.keys(labels).length}]`);
    } else ts.skip(w);
  }
  return labels;
}

// The fast path's cursor: set by the readers below, which return -1 when the bytes are not what they expect.
let at = 0;

/** An unsigned varint below 2^53 at `at` (before `end`), or -1. */
function readUint(buf: Uint8Array, end: number): number {
  if (at < end && buf[at] < 0x80) return buf[at++];
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 8; i++) {
    if (at >= end) return -1;
    const b = buf[at++];
    result += (b & 0x7f) * mul;
    if (b < 0x80) return result <= Number.MAX_SAFE_INTEGER ? result : -1;
    mul *= 128;
  }
  return -1;
}

/** A non-negative int64 varint below 2^53 (every timestamp after 1970), or -1; other values go the checked way. */
const readTimestamp = readUint;

/** A length-delimited payload's end, after moving `at` to its start; -1 when it does not fit. */
function readLength(buf: Uint8Array, end: number): number {
  const len = readUint(buf, end);
  if (len < 0 || len > end - at) return -1;
  return at + len;
}

/**
 * Decodes the shape every sender writes — no unknown fields, non-negative timestamps — with no allocation per
 * field, samples in two arrays shared by the request. Returns undefined at anything else (including every
 * malformed body), and the checked decoder then decodes it or names the problem.
 */
function decodeFast(buf: Uint8Array, cache: LabelsCache | undefined): DecodedWriteRequest | undefined {
  const labelsOf: Labels[] = [];
  const slots: SeriesSlot[] | undefined = cache ? [] : undefined;
  const starts: number[] = [0];
  let perSeries: Array<{ histograms: number; exemplars: number }> | undefined;
  let totalHistograms = 0;
  let totalExemplars = 0;
  let metadata = 0;
  // a guess (label sets make most of a body), grown when a request holds more samples
  let cap = Math.max(64, Math.ceil(buf.length / 64));
  let T = new Float64Array(cap);
  let V = new Float64Array(cap);
  // values move as two 32-bit halves, so NaN payloads (staleness markers) keep their bits
  let VI = new Int32Array(V.buffer);
  const view = viewOf(buf);
  let n = 0;
  let prev: CacheEntry | undefined;
  const end = buf.length;
  at = 0;
  try {
    while (at < end) {
      const key = readUint(buf, end);
      if (key === 0x0a) {
        const to = readLength(buf, end);
        if (to < 0) return undefined;
        const from = at;
        const first = n;
        let labelsEnd = from;
        let histograms = 0;
        let exemplars = 0;
        while (at < to) {
          const k = readUint(buf, to);
          if (k === 0x0a) {
            const lt = readLength(buf, to);
            if (lt < 0 || n > first || histograms + exemplars > 0) return undefined;
            at = lt;
            labelsEnd = at;
          } else if (k === 0x12) {
            const st = readLength(buf, to);
            if (st < 0) return undefined;
            if (n === cap) {
              cap *= 2;
              const t2 = new Float64Array(cap);
              t2.set(T);
              T = t2;
              const v2 = new Float64Array(cap);
              v2.set(V);
              V = v2;
              VI = new Int32Array(V.buffer);
            }
            let t = 0;
            VI[2 * n] = 0;
            VI[2 * n + 1] = 0;
            while (at < st) {
              const sk = readUint(buf, st);
              if (sk === 0x09) {
                if (st - at < 8) return undefined;
                VI[2 * n] = view.getInt32(at, true);
                VI[2 * n + 1] = view.getInt32(at + 4, true);
                at += 8;
              } else if (sk === 0x10) {
                t = readTimestamp(buf, st);
                if (t < 0) return undefined;
              } else return undefined;
            }
            T[n++] = t;
          } else if (k === 0x1a || k === 0x22) {
            const xt = readLength(buf, to);
            if (xt < 0) return undefined;
            at = xt;
            if (k === 0x1a) exemplars++;
            else histograms++;
          } else return undefined;
        }
        let labels: Labels;
        if (cache && labelsEnd > from) {
          prev = cachedEntry(cache, prev, buf, from, labelsEnd, to, labelsOf.length);
          labels = prev.labels;
          slots?.push(prev);
        } else {
          labels = decodeLabels(buf, from, to, `timeseries[${labelsOf.length}]`);
          slots?.push({ ref: undefined });
        }
        if (histograms + exemplars > 0 && !perSeries) perSeries = labelsOf.map(() => ({ histograms: 0, exemplars: 0 }));
        perSeries?.push({ histograms, exemplars });
        labelsOf.push(labels);
        starts.push(n);
        totalHistograms += histograms;
        totalExemplars += exemplars;
      } else if (key === 0x1a) {
        const to = readLength(buf, end);
        if (to < 0) return undefined;
        at = to;
        metadata++;
      } else return undefined;
    }
  } catch (err) {
    if (err instanceof WireError) return undefined;
    throw err;
  }
  const out = new FlatWriteRequest({ labels: labelsOf, slots, starts: Int32Array.from(starts), timestamps: T.subarray(0, n), values: V.subarray(0, n) }, perSeries);
  out.samples = n;
  out.histograms = totalHistograms;
  out.exemplars = totalExemplars;
  out.metadata = metadata;
  return out;
}

function decodeUnchecked(buf: Uint8Array, cache: LabelsCache | undefined): DecodedWriteRequest {
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
    // count samples first so the two arrays are allocated once; note where the leading label fields end
    let sampleCount = 0;
    let histograms = 0;
    let exemplars = 0;
    let labelsEnd = from;
    let labelsLead = true;
    let labelsAfter = false;
    while (ts.more()) {
      const [f, w] = ts.key();
      if (f === 1 && w === WIRE_LEN) {
        ts.lengthDelimited();
        if (labelsLead) labelsEnd = ts.pos;
        else labelsAfter = true;
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
      if (f !== 1) labelsLead = false;
    }
    let labels: Labels;
    // when every label field comes first, as senders write them, those bytes identify the label set
    if (cache && !labelsAfter && labelsEnd > from) labels = cachedLabels(cache, buf, from, labelsEnd, to, out.series.length);
    else labels = decodeLabels(buf, from, to, path);
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
