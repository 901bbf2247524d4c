/**
 * Trend histograms in run records: the engine's EncodedHistogram (per tier, LEB128 varint pairs of bucket
 * index gap and count; see metrics/histogram.ts) with each tier as base64, so a record's histograms can be
 * merged or compared later bucket for bucket. Records come from files and databases, so decoding checks
 * everything a hostile or damaged tier could get wrong before anything reaches a histogram.
 */
import type { EncodedHistogram } from '../metrics/histogram.ts';
import { TrendSink, type TrendState } from '../metrics/sinks.ts';

/** A trend's whole state, JSON-safe: `hist` holds the four tiers as base64 (null for an empty tier). */
export interface SerializedTrend {
  n: number;
  sum: number;
  min: number;
  max: number;
  hist: (string | null)[];
}

/**
 * Highest bucket index a tier can use: values up to 2^53 at 3 significant digits need about 45,000 buckets.
 * A larger index can only come from a damaged record and would make the histogram allocate without bound.
 */
const MAX_BUCKET_INDEX = 60_000;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function serializeTrend(state: TrendState): SerializedTrend {
  return {
    n: state.n,
    sum: state.sum,
    min: state.min,
    max: state.max,
    hist: state.hist.tiers.map((t) => (t === null || t.length === 0 ? null : Buffer.from(t).toString('base64'))),
  };
}

/** Reads one tier, or says what is wrong with it. */
function readTier(b64: string): { bytes: Uint8Array; count: number } | string {
  if (!BASE64.test(b64)) return 'not base64';
  const bytes = new Uint8Array(Buffer.from(b64, 'base64'));
  if (bytes.length === 0) return 'empty tier (use null)';
  let k = 0;
  let index = 0;
  let count = 0;
  let first = true;
  while (k < bytes.length) {
    const gap = readVarint(bytes, k);
    if (gap === null) return 'truncated bucket index';
    k = gap.next;
    const c = readVarint(bytes, k);
    if (c === null) return 'truncated bucket count';
    k = c.next;
    if (!first && gap.value === 0) return 'bucket listed twice';
    first = false;
    index += gap.value;
    if (index > MAX_BUCKET_INDEX) return `bucket index ${index} out of range`;
    if (c.value === 0) return 'bucket with a zero count';
    count += c.value;
    if (count > Number.MAX_SAFE_INTEGER) return 'counts too large';
  }
  return { bytes, count };
}

function readVarint(bytes: Uint8Array, start: number): { value: number; next: number } | null {
  let value = 0;
  let mul = 1;
  let k = start;
  for (;;) {
    if (k >= bytes.length || mul > 2 ** 56) return null;
    const b = bytes[k++];
    value += (b & 0x7f) * mul;
    mul *= 128;
    if (b < 0x80) return { value, next: k };
  }
}

/** What is wrong with a serialized trend's histogram, or undefined when it is sound and holds `n` values. */
export function trendProblem(t: SerializedTrend): { tier?: number; message: string } | undefined {
  if (t.hist.length !== 4) return { message: `expected 4 tiers, got ${t.hist.length}` };
  let total = 0;
  for (let i = 0; i < 4; i++) {
    const tier = t.hist[i];
    if (tier === null) continue;
    const r = readTier(tier);
    if (typeof r === 'string') return { tier: i, message: r };
    total += r.count;
  }
  if (total !== t.n) return { message: `the histogram holds ${total} values but n is ${t.n}` };
  if (t.n > 0 && !(t.min <= t.max)) return { message: `min ${t.min} is above max ${t.max}` };
  return undefined;
}

/** The engine's TrendState of a serialized trend that passed trendProblem(). */
export function deserializeTrend(t: SerializedTrend): TrendState {
  const tiers: EncodedHistogram['tiers'] = t.hist.map((b64) => (b64 === null ? null : new Uint8Array(Buffer.from(b64, 'base64'))));
  return { type: 'trend', n: t.n, sum: t.sum, min: t.min, max: t.max, hist: { tiers } };
}

/** k6's percentiles (`pcts` in [0, 1]) of a recorded histogram. */
export function trendPercentiles(t: SerializedTrend, pcts: readonly number[]): number[] {
  const sink = new TrendSink('float64');
  sink.merge(deserializeTrend(t));
  return sink.percentiles(pcts);
}
