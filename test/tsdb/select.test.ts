import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openTsdb, type Tsdb } from '../../src/tsdb/db.ts';
import { compileMatchers, matchesAll } from '../../src/series/matchers.ts';
import type { Labels, Matcher } from '../../src/series/types.ts';
import { Model, readAll, removeTempDirs, tempDir } from './helpers.ts';
import { intersect, subtract, MemPostings, selectPostings } from '../../src/tsdb/postings.ts';

const H = 3600_000;
const names = ['job', 'instance', 'code', 'path'];
const values = ['', 'a', 'b', 'ab', 'api', '200', '500', 'x/y'];

const labelsArb: fc.Arbitrary<Labels> = fc
  .tuple(fc.constantFrom('up', 'http_requests_total', 'latency_bucket'), fc.dictionary(fc.constantFrom(...names), fc.constantFrom(...values), { maxKeys: 4 }))
  .map(([name, rest]) => ({ __name__: name, ...rest }));

const matcherArb: fc.Arbitrary<Matcher> = fc.record({
  type: fc.constantFrom('=', '!=', '=~', '!~'),
  name: fc.constantFrom('__name__', ...names, 'missing'),
  value: fc.constantFrom('', 'a', 'b', 'up', 'a.*', '.*', '.+', 'a|b', '2..', 'api|x/y', '[ab]+', 'http_.*'),
}) as fc.Arbitrary<Matcher>;

let db: Tsdb;
const model = new Model();
const all: Labels[] = [];

beforeAll(async () => {
  db = await openTsdb({ dir: await tempDir(), maintenanceIntervalMs: 0 });
  const series = fc.sample(fc.uniqueArray(labelsArb, { minLength: 300, maxLength: 300, selector: (l) => JSON.stringify(Object.entries(l).filter(([, v]) => v !== '').sort()) }), { numRuns: 1, seed: 42 })[0];
  const app = db.appender();
  series.forEach((l, i) => {
    // Some series only in old (compacted) ranges, some only in the head, most in both.
    const from = i % 5 === 0 ? 5 * H : 0;
    const to = i % 7 === 0 ? 3 * H : 6 * H;
    for (let t = from; t < to; t += 10 * 60_000) {
      expect(app.append(l, t + i, i + t / H)).toBeUndefined();
      model.add(l, t + i, i + t / H);
    }
    // i % 35 === 0 would start after it ends: no sample, so no series
    if (from < to) all.push(l);
  });
  await app.commit();
  expect(await db.compact()).toBe(2);
});

afterAll(async () => {
  await db.close();
  await removeTempDirs();
});

function bruteForce(matchers: Matcher[], mint: number, maxt: number): Map<string, unknown> {
  const compiled = compileMatchers(matchers);
  return model.expected(mint, maxt, (l) => matchesAll(compiled, l));
}

describe('select', () => {
  it('equals a filter over all series, for any matchers and time range (head and blocks)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(matcherArb, { minLength: 1, maxLength: 3 }), fc.integer({ min: -1, max: 7 }), fc.integer({ min: 0, max: 7 }), async (ms, a, len) => {
        const mint = a * H;
        const maxt = mint + len * H;
        expect(await readAll(db, ms, mint, maxt)).toEqual(bruteForce(ms, mint, maxt));
      }),
      { numRuns: 300 },
    );
  });

  it('returns series sorted by labels, with samples in the range only', async () => {
    const got = await db.select([{ type: '=', name: '__name__', value: 'up' }], 2 * H, 4 * H);
    const keys = got.map((s) => JSON.stringify(s.labels));
    expect(got.length).toBeGreaterThan(5);
    for (const s of got) {
      const it = s.iterator();
      while (it.next()) {
        expect(it.t()).toBeGreaterThanOrEqual(2 * H);
        expect(it.t()).toBeLessThanOrEqual(4 * H);
      }
    }
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('label names and values match the model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(matcherArb, { maxLength: 2 }), async (ms) => {
        const compiled = compileMatchers(ms);
        const matching = all.filter((l) => matchesAll(compiled, l));
        const wantNames = [...new Set(matching.flatMap((l) => Object.keys(l).filter((k) => l[k] !== '')))].sort();
        expect(await db.labelNames(ms, -Infinity, Infinity)).toEqual(wantNames);
        const wantJobs = [...new Set(matching.map((l) => l.job).filter((v) => v !== undefined && v !== ''))].sort();
        expect(await db.labelValues('job', ms, -Infinity, Infinity)).toEqual(wantJobs);
      }),
      { numRuns: 200 },
    );
  });

  it('seeks across block and head boundaries', async () => {
    const [s] = await db.select([{ type: '=', name: '__name__', value: 'up' }], 0, 6 * H);
    const it = s.iterator();
    expect(it.seek(3.9 * H)).toBe(true);
    expect(it.t()).toBeGreaterThanOrEqual(3.9 * H);
    expect(it.seek(4.1 * H)).toBe(true);
    expect(it.t()).toBeGreaterThanOrEqual(4.1 * H);
    expect(it.seek(1 * H)).toBe(true); // never moves backwards
    expect(it.t()).toBeGreaterThanOrEqual(4.1 * H);
  });
});

describe('postings', () => {
  const sorted = fc.uniqueArray(fc.integer({ min: 0, max: 500 })).map((a) => a.sort((x, y) => x - y));
  it('intersect and subtract equal set operations', () => {
    fc.assert(
      fc.property(sorted, sorted, (a, b) => {
        const sb = new Set(b);
        expect([...Array.from(intersect(a, b))]).toEqual(a.filter((x) => sb.has(x)));
        expect([...Array.from(subtract(a, b))]).toEqual(a.filter((x) => !sb.has(x)));
      }),
    );
  });

  it('a selector over 100k series reads only the matching postings lists', () => {
    const p = new MemPostings();
    for (let i = 0; i < 100_000; i++) p.add(i, { __name__: 'm', pod: `pod-${i % 1000}`, zone: `z${i % 3}` });
    let touched = 0;
    const counting = {
      labelValues: (n: string) => p.labelValues(n),
      postings: (n: string, v: string) => {
        const list = p.postings(n, v);
        touched += list?.length ?? 0;
        return list;
      },
      allPostings: () => {
        throw new Error('must not scan all series');
      },
    };
    const got = selectPostings(counting, compileMatchers([{ type: '=', name: 'pod', value: 'pod-7' }, { type: '=', name: '__name__', value: 'm' }]));
    expect(Array.from(got)).toEqual(Array.from({ length: 100 }, (_, k) => 7 + k * 1000));
    expect(touched).toBe(100 + 100_000); // the two lists, never the series' labels
    touched = 0;
    const re = selectPostings(counting, compileMatchers([{ type: '=~', name: 'pod', value: 'pod-1[0-9]' }, { type: '!=', name: 'zone', value: 'z0' }]));
    const want = Array.from({ length: 100_000 }, (_, i) => i).filter((i) => i % 1000 >= 10 && i % 1000 <= 19 && i % 3 !== 0);
    expect(Array.from(re)).toEqual(want);
    expect(touched).toBeLessThan(40_000);
  });
});
