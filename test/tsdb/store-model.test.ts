import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openTsdb, type Tsdb, type TsdbOptions } from '../../src/tsdb/db.ts';
import { STALE_NAN } from '../../src/series/types.ts';
import { Model, readAll, removeTempDirs, tempDir } from './helpers.ts';

afterEach(removeTempDirs);

type Op =
  | { kind: 'batch'; samples: Array<[series: number, t: number, v: number]>; commit: boolean }
  | { kind: 'compact' }
  | { kind: 'reopen' };

const value = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: false }), fc.constant(STALE_NAN), fc.constant(-0));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('batch' as const), samples: fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 100_000 }), value), { maxLength: 40 }), commit: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'compact' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

describe('the store against a model', () => {
  it('reads what was committed after any sequence of batches, rollbacks, compactions and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), fc.constantFrom(0, 30_000), async (ops, window) => {
        const options: TsdbOptions = { dir: await tempDir(), maintenanceIntervalMs: 0, blockRangeMs: 10_000, chunkSamples: 8, outOfOrderWindowMs: window };
        let db: Tsdb = await openTsdb(options);
        const model = new Model();
        try {
          for (const o of ops) {
            if (o.kind === 'batch') {
              const app = db.appender();
              const pending = new Model();
              for (const [s, t, v] of o.samples) {
                const labels = { __name__: 'm', s: String(s) };
                if (app.append(labels, t, v) === undefined && !hasPoint(model, labels, t) && !hasPoint(pending, labels, t)) pending.add(labels, t, v);
              }
              if (o.commit) {
                await app.commit();
                for (const [, ser] of pending.series) for (const [t, bits] of ser.points) addBits(model, ser.labels, t, bits);
              } else {
                app.rollback();
              }
            } else if (o.kind === 'compact') {
              await db.compact();
            } else {
              await db.close();
              db = await openTsdb(options);
            }
            expect(await readAll(db)).toEqual(model.expected());
          }
          const ranges = db.blockMetas().map((m) => m.rangeStart);
          expect(new Set(ranges).size).toBe(ranges.length);
        } finally {
          await db.close();
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});

function hasPoint(m: Model, labels: Record<string, string>, t: number): boolean {
  for (const s of m.series.values()) if (s.labels.s === labels.s && s.points.has(t)) return true;
  return false;
}

function addBits(m: Model, labels: Record<string, string>, t: number, bits: string): void {
  const key = [...m.series.entries()].find(([, s]) => s.labels.s === labels.s)?.[0];
  if (key) m.series.get(key)!.points.set(t, bits);
  else {
    m.add(labels, t, 0);
    [...m.series.values()].find((s) => s.labels.s === labels.s)!.points.set(t, bits);
  }
}
