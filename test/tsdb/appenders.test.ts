import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openTsdb } from '../../src/tsdb/db.ts';
import type { AppendRejection } from '../../src/series/types.ts';
import { Model, readAll, removeTempDirs, tempDir } from './helpers.ts';

afterEach(removeTempDirs);

type Op = { app: number; kind: 'append'; s: number; t: number; v: number } | { app: number; kind: 'commit' | 'rollback' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ app: fc.integer({ min: 0, max: 2 }), kind: fc.constant('append' as const), s: fc.integer({ min: 0, max: 2 }), t: fc.integer({ min: 0, max: 12 }), v: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ app: fc.integer({ min: 0, max: 2 }), kind: fc.constant('commit' as const) }) },
  { weight: 1, arbitrary: fc.record({ app: fc.integer({ min: 0, max: 2 }), kind: fc.constant('rollback' as const) }) },
);

/**
 * What the store promises with no out-of-order window: an appender checks each sample against the committed
 * samples and its own pending ones (never another appender's), and commit checks again against what is
 * committed by then.
 */
class Reference {
  readonly committed = new Map<number, { t: number; v: number }>();
  readonly stored = new Model();
  private readonly pending = [0, 1, 2].map(() => ({ last: new Map<number, { t: number; v: number }>(), samples: [] as Array<[number, number, number]> }));

  append(a: number, s: number, t: number, v: number): AppendRejection | undefined {
    const c = this.committed.get(s);
    const p = this.pending[a].last.get(s);
    const base = p && (!c || p.t >= c.t) ? p : c;
    if (base && t === base.t) return Object.is(v, base.v) ? undefined : 'duplicate_sample';
    if (base && t < base.t) return 'out_of_order';
    this.pending[a].last.set(s, { t, v });
    this.pending[a].samples.push([s, t, v]);
    return undefined;
  }

  commit(a: number): void {
    for (const [s, t, v] of this.pending[a].samples) {
      const c = this.committed.get(s);
      if (c && t <= c.t) continue;
      this.committed.set(s, { t, v });
      this.stored.add({ __name__: 'm', s: String(s) }, t, v);
    }
    this.rollback(a);
  }

  rollback(a: number): void {
    this.pending[a] = { last: new Map(), samples: [] };
  }
}

describe('appenders open at the same time', () => {
  it('property: each sees the committed samples and its own, never another one\'s, and commits what still fits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const db = await openTsdb({ dir: await tempDir(), maintenanceIntervalMs: 0 });
        try {
          const apps = [db.appender(), db.appender(), db.appender()];
          const ref = new Reference();
          // the same label objects each time, as the remote_write receiver's cache hands them out
          const labels = [0, 1, 2].map((s) => ({ __name__: 'm', s: String(s) }));
          for (const o of ops) {
            if (o.kind === 'append') {
              expect(apps[o.app].append(labels[o.s], o.t, o.v)).toBe(ref.append(o.app, o.s, o.t, o.v));
            } else if (o.kind === 'commit') {
              await apps[o.app].commit();
              ref.commit(o.app);
            } else {
              apps[o.app].rollback();
              ref.rollback(o.app);
            }
          }
          expect(await readAll(db)).toEqual(ref.stored.expected());
        } finally {
          await db.close();
        }
      }),
      { numRuns: 400 },
    );
  }, 60_000);
});
