/**
 * An in-memory `Storage & Queryable`: samples of each series sorted by time in Float64Arrays (which keep
 * the staleness marker's NaN bits). For tests and the PromQL test runner; the embedded store implements the
 * same interfaces for real use.
 */
import { canonicalLabels, compareLabels, labelsKey, labelsProblem } from './labels.ts';
import { compileMatchers, matchesAll } from './matchers.ts';
import {
  isStaleNaN, type Appender, type AppendRejection, type Labels, type Matcher, type Queryable, type SampleIterator,
  type Series, type Storage,
} from './types.ts';

class MemorySeries {
  readonly labels: Labels;
  t = new Float64Array(16);
  v = new Float64Array(16);
  length = 0;
  constructor(labels: Labels) {
    this.labels = labels;
  }

  /** Inserts keeping time order; returns the rejection reason for a conflicting duplicate. */
  insert(t: number, v: number): AppendRejection | undefined {
    let i = this.length;
    if (i > 0 && this.t[i - 1] >= t) {
      let lo = 0;
      let hi = this.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.t[mid] < t) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
      if (i < this.length && this.t[i] === t) {
        const old = this.v[i];
        const same = Object.is(old, v) || (old !== old && v !== v && isStaleNaN(old) === isStaleNaN(v));
        if (same) return undefined;
        return 'duplicate_sample';
      }
    }
    if (this.length === this.t.length) {
      const t2 = new Float64Array(this.t.length * 2);
      t2.set(this.t);
      this.t = t2;
      const v2 = new Float64Array(this.v.length * 2);
      v2.set(this.v);
      this.v = v2;
    }
    this.t.copyWithin(i + 1, i, this.length);
    this.v.copyWithin(i + 1, i, this.length);
    this.t[i] = t;
    this.v[i] = v;
    this.length++;
    return undefined;
  }

  firstIndexAtOrAfter(t: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.t[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

class MemoryIterator implements SampleIterator {
  private readonly s: MemorySeries;
  private i: number;
  private readonly end: number;
  constructor(s: MemorySeries, from: number, end: number) {
    this.s = s;
    this.i = from - 1;
    this.end = end;
  }
  next(): boolean {
    if (this.i < this.end) this.i++;
    return this.i < this.end;
  }
  seek(t: number): boolean {
    if (this.i < 0) this.i = 0;
    if (this.i >= this.end) return false;
    if (this.s.t[this.i] >= t) return true;
    let lo = this.i;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.s.t[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    this.i = lo;
    return this.i < this.end;
  }
  t(): number {
    return this.s.t[this.i];
  }
  v(): number {
    return this.s.v[this.i];
  }
}

export class MemoryStorage implements Storage, Queryable {
  private readonly series = new Map<string, MemorySeries>();
  private sorted: MemorySeries[] | undefined;

  appender(): Appender {
    const pending: { labels: Labels; t: number; v: number }[] = [];
    return {
      append: (labels, t, v) => {
        if (labelsProblem(labels)) return 'invalid_labels';
        pending.push({ labels, t, v });
        return undefined;
      },
      commit: async () => {
        for (const p of pending.splice(0)) this.add(p.labels, p.t, p.v);
      },
      rollback: () => {
        pending.length = 0;
      },
    };
  }

  /** Adds one sample directly (tests and loaders). */
  add(labels: Labels, t: number, v: number): AppendRejection | undefined {
    const key = labelsKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = new MemorySeries(canonicalLabels(labels));
      this.series.set(key, s);
      this.sorted = undefined;
    }
    return s.insert(t, v);
  }

  /** Adds many samples of one series at once (loaders and benchmarks); same rules as `add`. */
  addSamples(labels: Labels, t: ArrayLike<number>, v: ArrayLike<number>): number {
    const key = labelsKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = new MemorySeries(canonicalLabels(labels));
      this.series.set(key, s);
      this.sorted = undefined;
    }
    let rejected = 0;
    for (let i = 0; i < t.length; i++) if (s.insert(t[i], v[i])) rejected++;
    return rejected;
  }

  clear(): void {
    this.series.clear();
    this.sorted = undefined;
  }

  private all(): MemorySeries[] {
    this.sorted ??= [...this.series.values()].sort((a, b) => compareLabels(a.labels, b.labels));
    return this.sorted;
  }

  private matching(matchers: readonly Matcher[], mint: number, maxt: number): { s: MemorySeries; from: number; to: number }[] {
    const compiled = compileMatchers(matchers);
    const out: { s: MemorySeries; from: number; to: number }[] = [];
    for (const s of this.all()) {
      if (!matchesAll(compiled, s.labels)) continue;
      const from = s.firstIndexAtOrAfter(mint);
      const to = s.firstIndexAtOrAfter(maxt + 1);
      if (to > from) out.push({ s, from, to });
    }
    return out;
  }

  async select(matchers: readonly Matcher[], mint: number, maxt: number): Promise<Series[]> {
    return this.matching(matchers, mint, maxt).map(({ s, from, to }) => ({
      labels: s.labels,
      iterator: () => new MemoryIterator(s, from, to),
    }));
  }

  async labelNames(matchers: readonly Matcher[], mint: number, maxt: number): Promise<string[]> {
    const names = new Set<string>();
    const list = matchers.length === 0 ? this.matching([{ type: '=~', name: '__name__', value: '.+' }], mint, maxt) : this.matching(matchers, mint, maxt);
    for (const { s } of list) for (const k of Object.keys(s.labels)) names.add(k);
    return [...names].sort();
  }

  async labelValues(name: string, matchers: readonly Matcher[], mint: number, maxt: number): Promise<string[]> {
    const values = new Set<string>();
    const list = matchers.length === 0 ? this.matching([{ type: '=~', name: '__name__', value: '.+' }], mint, maxt) : this.matching(matchers, mint, maxt);
    for (const { s } of list) {
      const v = s.labels[name];
      if (v !== undefined && v !== '') values.add(v);
    }
    return [...values].sort();
  }
}
