/**
 * An in-memory Storage + Queryable with the seam's semantics (partial acceptance, commit/rollback,
 * out-of-order and duplicate refusals, fully anchored matchers), for probe tests.
 */
import { compareLabels, labelsKey, labelsProblem } from '../../src/series/labels.ts';
import { compileMatchers, matchesAll } from '../../src/series/matchers.ts';
import type { Appender, AppendRejection, Labels, Matcher, Queryable, SampleIterator, Series, Storage } from '../../src/series/types.ts';

interface Stored {
  labels: Labels;
  t: number[];
  v: Float64Array[];
}

export class MemoryStorage implements Storage, Queryable {
  readonly series = new Map<string, Stored>();
  commits = 0;

  appender(): Appender {
    const pending: { key: string; labels: Labels; t: number; v: number }[] = [];
    return {
      append: (labels, t, v): AppendRejection | undefined => {
        if (labelsProblem(labels) !== undefined) return 'invalid_labels';
        const key = labelsKey(labels);
        const s = this.series.get(key);
        const lastPending = [...pending].reverse().find((p) => p.key === key);
        const lastT = lastPending?.t ?? (s && s.t.length ? s.t[s.t.length - 1] : undefined);
        if (lastT !== undefined && t < lastT) return 'out_of_order';
        if (lastT !== undefined && t === lastT) {
          const lastV = lastPending?.v ?? s!.v[s!.v.length - 1][0];
          if (!Object.is(lastV, v)) return 'duplicate_sample';
          return undefined;
        }
        pending.push({ key, labels, t, v });
        return undefined;
      },
      commit: async () => {
        for (const p of pending.splice(0)) {
          let s = this.series.get(p.key);
          if (s === undefined) {
            s = { labels: p.labels, t: [], v: [] };
            this.series.set(p.key, s);
          }
          s.t.push(p.t);
          // A Float64Array keeps the staleness marker's NaN bits.
          s.v.push(Float64Array.of(p.v));
        }
        this.commits++;
      },
      rollback: () => {
        pending.length = 0;
      },
    };
  }

  /** Every stored sample of series named `name`, as [labels, t, v] rows. */
  samples(name: string): { labels: Labels; t: number; v: number }[] {
    const out: { labels: Labels; t: number; v: number }[] = [];
    for (const s of this.series.values()) {
      if (s.labels.__name__ !== name) continue;
      s.t.forEach((t, i) => out.push({ labels: s.labels, t, v: s.v[i][0] }));
    }
    return out;
  }

  async select(matchers: readonly Matcher[], mint: number, maxt: number): Promise<Series[]> {
    const compiled = compileMatchers(matchers);
    const out: Series[] = [];
    for (const s of this.series.values()) {
      if (!matchesAll(compiled, s.labels)) continue;
      const idx = s.t.map((t, i) => i).filter((i) => s.t[i] >= mint && s.t[i] <= maxt);
      if (idx.length === 0) continue;
      out.push({ labels: s.labels, iterator: () => iterator(idx.map((i) => s.t[i]), idx.map((i) => s.v[i])) });
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  async labelNames(): Promise<string[]> {
    return [...new Set([...this.series.values()].flatMap((s) => Object.keys(s.labels)))].sort();
  }

  async labelValues(name: string): Promise<string[]> {
    return [...new Set([...this.series.values()].map((s) => s.labels[name]).filter((v) => v !== undefined))].sort();
  }
}

function iterator(ts: number[], vs: Float64Array[]): SampleIterator {
  let i = -1;
  return {
    next: () => ++i < ts.length,
    seek: (t) => {
      if (i < 0) i = 0;
      while (i < ts.length && ts[i] < t) i++;
      return i < ts.length;
    },
    t: () => ts[i],
    v: () => vs[i][0],
  };
}
