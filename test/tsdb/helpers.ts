import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelsKey } from '../../src/series/labels.ts';
import type { Labels, Matcher, Queryable } from '../../src/series/types.ts';
import { hiBits, loBitsOfLast } from '../../src/tsdb/float-bits.ts';

const dirs: string[] = [];

export async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tt-tsdb-'));
  dirs.push(d);
  return d;
}

export async function removeTempDirs(): Promise<void> {
  while (dirs.length > 0) await rm(dirs.pop()!, { recursive: true, force: true });
}

/** A sample with its value as bits, so comparisons are exact for NaN payloads and -0. */
export type Point = [t: number, bits: string];

export function bitsOf(v: number): string {
  const hi = hiBits(v);
  return `${hi.toString(16)}:${loBitsOfLast().toString(16)}`;
}

export const ALL: Matcher[] = [{ type: '=~', name: '__name__', value: '.+' }];

/** Every sample of every selected series, keyed by labels. */
export async function readAll(q: Queryable, matchers: Matcher[] = ALL, mint = -(2 ** 53), maxt = 2 ** 53): Promise<Map<string, Point[]>> {
  const out = new Map<string, Point[]>();
  for (const s of await q.select(matchers, mint, maxt)) {
    const it = s.iterator();
    const pts: Point[] = [];
    while (it.next()) pts.push([it.t(), bitsOf(it.v())]);
    out.set(labelsKey(s.labels), pts);
  }
  return out;
}

/** A model of what was written: labels key → time → value bits. */
export class Model {
  readonly series = new Map<string, { labels: Labels; points: Map<number, string> }>();

  add(labels: Labels, t: number, v: number): void {
    const key = labelsKey(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, points: new Map() }));
    s.points.set(t, bitsOf(v));
  }

  expected(mint = -(2 ** 53), maxt = 2 ** 53, keep: (l: Labels) => boolean = () => true): Map<string, Point[]> {
    const out = new Map<string, Point[]>();
    for (const [key, s] of [...this.series].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (!keep(s.labels)) continue;
      const pts = [...s.points].filter(([t]) => t >= mint && t <= maxt).sort((a, b) => a[0] - b[0]);
      if (pts.length > 0) out.set(key, pts);
    }
    return out;
  }
}
