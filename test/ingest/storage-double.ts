/**
 * An in-memory Storage for ingest tests: it refuses what a Prometheus head refuses (invalid labels, samples
 * older than the series' newest, a different value at the newest timestamp) and keeps samples only once
 * committed, so tests can check both partial acceptance and rollback.
 */
import { labelsKey, labelsProblem, canonicalLabels } from '../../src/series/labels.ts';
import type { Appender, AppendRejection, Labels, Storage } from '../../src/series/types.ts';

export interface StoredSample {
  t: number;
  v: number;
}

export interface StoredSeries {
  labels: Labels;
  samples: StoredSample[];
}

export class MemoryStorage implements Storage {
  readonly series = new Map<string, StoredSeries>();
  commits = 0;
  rollbacks = 0;
  /** When set, commit() fails with this error (to test what callers do when the store fails). */
  failCommit: Error | undefined;

  appender(): Appender {
    const pending: { key: string; labels: Labels; t: number; v: number }[] = [];
    const newest = new Map<string, StoredSample>();
    const last = (key: string): StoredSample | undefined => {
      const p = newest.get(key);
      if (p) return p;
      const s = this.series.get(key)?.samples;
      return s && s.length > 0 ? s[s.length - 1] : undefined;
    };
    return {
      append: (labels, t, v): AppendRejection | undefined => {
        if (labelsProblem(labels)) return 'invalid_labels';
        const key = labelsKey(labels);
        const prev = last(key);
        if (prev) {
          if (t < prev.t) return 'out_of_order';
          if (t === prev.t) {
            if (Object.is(prev.v, v) || (Number.isNaN(prev.v) && Number.isNaN(v))) return undefined;
            return 'duplicate_sample';
          }
        }
        const sample = { t, v };
        newest.set(key, sample);
        pending.push({ key, labels, t, v });
        return undefined;
      },
      commit: async () => {
        if (this.failCommit) throw this.failCommit;
        for (const p of pending) {
          let s = this.series.get(p.key);
          if (!s) {
            s = { labels: canonicalLabels(p.labels), samples: [] };
            this.series.set(p.key, s);
          }
          s.samples.push({ t: p.t, v: p.v });
        }
        pending.length = 0;
        newest.clear();
        this.commits++;
      },
      rollback: () => {
        pending.length = 0;
        newest.clear();
        this.rollbacks++;
      },
    };
  }

  /** Every stored series whose __name__ is `name` (all when omitted), sorted by key. */
  find(name?: string): StoredSeries[] {
    return [...this.series.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, s]) => s)
      .filter((s) => name === undefined || s.labels.__name__ === name);
  }

  get(labels: Labels): StoredSample[] | undefined {
    return this.series.get(labelsKey(labels))?.samples;
  }

  sampleCount(): number {
    let n = 0;
    for (const s of this.series.values()) n += s.samples.length;
    return n;
  }
}
