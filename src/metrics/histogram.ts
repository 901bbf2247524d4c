/**
 * A histogram of arbitrary finite numbers on top of HdrHistogram, which only takes non-negative integers.
 *
 * Values are recorded as integers of 1/1000 of their unit (microseconds for millisecond metrics), so that
 * with 3 significant digits every bucket is narrower than 0.1% of its values and bucket 0 is exact to the
 * microsecond. Negative values go to a mirrored histogram, and magnitudes too large for integers of that
 * scale (beyond ~9e12) to a coarser pair, so custom Trends of any sign and size still get percentiles.
 * Tiers are created on first use; each grows with autoResize only as far as its largest value needs, which
 * bounds memory by the value range (at most ~45k buckets per tier), never by the number of samples.
 */
import { Float64Histogram, Int32Histogram, type JsHistogram } from 'hdr-histogram-js';

const FINE_SCALE = 1000;
const HUGE_SCALE = 1e-6;
const FINE_LIMIT = 9e12;
const MAX_UNIT = Number.MAX_SAFE_INTEGER;
const SIGNIFICANT_DIGITS = 3;
/** Smallest allowed initial range; autoResize grows it. */
const INITIAL_HIGHEST = 2048;

/** Tier order is ascending value order: huge negative, negative, positive, huge positive. */
const HUGE_NEG = 0;
const NEG = 1;
const POS = 2;
const HUGE_POS = 3;
const TIER_SCALE = [HUGE_SCALE, FINE_SCALE, FINE_SCALE, HUGE_SCALE];

/**
 * A histogram as sent between threads: per tier, null or the non-empty buckets as LEB128 varint pairs
 * (index gap since the previous bucket, the first one from 0; count). Gaps and counts are mostly below
 * 128, so a bucket costs about 2 bytes.
 */
export interface EncodedHistogram {
  readonly tiers: (Uint8Array | null)[];
}

/** Shared by every encode(), which runs to completion synchronously; grows as needed. */
let scratch = new Uint8Array(4096);

function writeVarint(out: Uint8Array, k: number, v: number): number {
  while (v >= 128) {
    out[k++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  out[k++] = v;
  return k;
}

/**
 * `int32` suits per-flush histograms (fewer than 2^31 samples per bucket); `float64` suits the merged ones,
 * whose counts grow for the whole run.
 */
export type CountWidth = 'int32' | 'float64';

export class ScaledHistogram {
  private readonly tiers: (JsHistogram | null)[] = [null, null, null, null];
  private readonly width: CountWidth;
  /** Samples recorded since creation or the last reset. */
  count = 0;

  constructor(width: CountWidth = 'int32') {
    this.width = width;
  }

  private tier(t: number): JsHistogram {
    let h = this.tiers[t];
    if (h === null) {
      h =
        this.width === 'int32'
          ? new Int32Histogram(1, INITIAL_HIGHEST, SIGNIFICANT_DIGITS)
          : new Float64Histogram(1, INITIAL_HIGHEST, SIGNIFICANT_DIGITS);
      h.autoResize = true;
      this.tiers[t] = h;
    }
    return h;
  }

  /** Records one finite value; infinities are clamped to the largest trackable magnitude. */
  record(v: number): void {
    this.count++;
    if (v >= 0) {
      if (v < FINE_LIMIT) {
        const h = this.tiers[POS];
        (h === null ? this.tier(POS) : h).recordValue(Math.round(v * FINE_SCALE));
      } else {
        this.tier(HUGE_POS).recordValue(Math.min(Math.round(v * HUGE_SCALE), MAX_UNIT));
      }
    } else if (v > -FINE_LIMIT) {
      this.tier(NEG).recordValue(Math.round(-v * FINE_SCALE));
    } else {
      this.tier(HUGE_NEG).recordValue(Math.min(Math.round(-v * HUGE_SCALE), MAX_UNIT));
    }
  }

  reset(): void {
    if (this.count === 0) return;
    for (const h of this.tiers) if (h !== null && h.totalCount > 0) h.reset();
    this.count = 0;
  }

  encode(): EncodedHistogram {
    const tiers: (Uint8Array | null)[] = [null, null, null, null];
    for (let t = 0; t < 4; t++) {
      const h = this.tiers[t];
      if (h === null || h.totalCount === 0) continue;
      // one pass over the buckets into a shared scratch buffer: a bucket takes at most 3 + 8 bytes
      const len = h.countsArrayLength;
      let out = scratch;
      let k = 0;
      let prev = 0;
      for (let i = 0; i < len; i++) {
        const c = h.getCountAtIndex(i);
        if (c === 0) continue;
        if (k + 11 > out.length) {
          const bigger = new Uint8Array(out.length * 2);
          bigger.set(out);
          out = scratch = bigger;
        }
        k = writeVarint(out, k, i - prev);
        k = writeVarint(out, k, c);
        prev = i;
      }
      tiers[t] = out.slice(0, k);
    }
    return { tiers };
  }

  /** Adds an encoded histogram's counts; exact, since every histogram here shares one bucket layout. */
  merge(enc: EncodedHistogram): void {
    for (let t = 0; t < 4; t++) {
      const data = enc.tiers[t];
      if (data === null || data === undefined || data.length === 0) continue;
      const h = this.tier(t);
      let idx = 0;
      let k = 0;
      let direct = 0;
      let first = -1;
      while (k < data.length) {
        let gap = 0;
        let mul = 1;
        let b: number;
        do {
          b = data[k++];
          gap += (b & 0x7f) * mul;
          mul *= 128;
        } while (b >= 0x80);
        let c = 0;
        mul = 1;
        do {
          b = data[k++];
          c += (b & 0x7f) * mul;
          mul *= 128;
        } while (b >= 0x80);
        idx += gap;
        // straight into the counts array where it reaches (recording by value would recompute the index)
        if (idx < h.countsArrayLength) {
          h.addToCountAtIndex(idx, c);
          direct += c;
        } else {
          h.recordValueWithCount(h.valueFromIndex(idx), c);
        }
        if (first < 0) first = idx;
        this.count += c;
      }
      if (direct > 0) h.addToTotalCount(direct);
      if (first >= 0) {
        h.updateMinAndMax(h.valueFromIndex(first));
        h.updateMinAndMax(h.valueFromIndex(idx));
      }
    }
  }

  /**
   * The values at the given 0-based ranks (ascending, each < count), in one pass over the buckets. A value
   * is its bucket's midpoint, within 0.05% of every value the bucket holds.
   */
  valuesAtRanks(ranks: readonly number[]): number[] {
    const out: number[] = new Array(ranks.length).fill(0);
    let r = 0;
    let seen = 0;
    for (let t = 0; t < 4 && r < ranks.length; t++) {
      const h = this.tiers[t];
      if (h === null || h.totalCount === 0) continue;
      const len = h.countsArrayLength;
      const descending = t < POS;
      for (let j = 0; j < len && r < ranks.length; j++) {
        const i = descending ? len - 1 - j : j;
        const c = h.getCountAtIndex(i);
        if (c === 0) continue;
        seen += c;
        if (ranks[r] >= seen) continue;
        const v = bucketValue(h, i, t);
        while (r < ranks.length && ranks[r] < seen) out[r++] = v;
      }
    }
    return out;
  }

  /** Approximate footprint of the bucket arrays, in bytes. */
  footprint(): number {
    let bytes = 0;
    for (const h of this.tiers) if (h !== null) bytes += h.estimatedFootprintInBytes;
    return bytes;
  }
}

function bucketValue(h: JsHistogram, index: number, tier: number): number {
  const low = h.valueFromIndex(index);
  const mid = low + (h.sizeOfEquivalentValueRange(low) - 1) / 2;
  const v = mid / TIER_SCALE[tier];
  return tier < POS ? -v : v;
}

/**
 * k6's percentile: linear interpolation between the closest ranks, `pct` in [0, 1]. The lowest and highest
 * ranks are the exact `min` and `max`; ranks in between come from the histogram, clamped to [min, max].
 */
export function percentilesOf(
  hist: ScaledHistogram,
  min: number,
  max: number,
  pcts: readonly number[],
): number[] {
  const n = hist.count;
  if (n === 0) return pcts.map(() => 0);
  const ranks: number[] = [];
  for (const p of pcts) {
    const i = Math.min(Math.max(p, 0), 1) * (n - 1);
    ranks.push(Math.floor(i), Math.ceil(i));
  }
  const order = ranks.map((_, k) => k).sort((a, b) => ranks[a] - ranks[b]);
  const sorted = order.map((k) => ranks[k]);
  const found = hist.valuesAtRanks(sorted);
  const byRank: number[] = new Array(ranks.length);
  for (let k = 0; k < order.length; k++) {
    const rank = sorted[k];
    let v = rank === 0 ? min : rank === n - 1 ? max : found[k];
    if (v < min) v = min;
    if (v > max) v = max;
    byRank[order[k]] = v;
  }
  return pcts.map((p, k) => {
    const i = Math.min(Math.max(p, 0), 1) * (n - 1);
    const lo = byRank[2 * k];
    const hi = byRank[2 * k + 1];
    return lo + (hi - lo) * (i - Math.floor(i));
  });
}
