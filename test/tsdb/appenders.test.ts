import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openTsdb } from '../../src/tsdb/db.ts';
import { labelsKey } from '../../src/series/labels.ts';
import type { AppendRejection } from '../../src/series/types.ts';
import { Model, readAll, removeTempDirs, tempDir } from './helpers.ts';

afterEach(removeTempDirs);

type Op = { app: number; kind: 'append'; s: number; t: number; v: number; slot: boolean } | { app: number; kind: 'commit' | 'rollback' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ app: fc.integer({ min: 0, max: 2 }), kind: fc.constant('append' as const), s: fc.integer({ min: 0, max: 2 }), t: fc.integer({ min: 0, max: 12 }), v: fc.integer({ min: 0, max: 1 }), slot: fc.boolean() }) },
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
  it('property: each sees the committed samples and its own, never another one\'s, and commits what still fits (with and without slots)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const db = await openTsdb({ dir: await tempDir(), maintenanceIntervalMs: 0 });
        try {
          const apps = [db.appender(), db.appender(), db.appender()];
          const ref = new Reference();
          // the same label objects each time, as the remote_write receiver's cache hands them out
          const labels = [0, 1, 2].map((s) => ({ __name__: 'm', s: String(s) }));
          // and one slot per label set, shared by the appenders (appendCached)
          const slots = [0, 1, 2].map(() => ({ ref: undefined as unknown }));
          for (const o of ops) {
            if (o.kind === 'append') {
              const got = o.slot ? apps[o.app].appendCached!(slots[o.s], labels[o.s], o.t, o.v) : apps[o.app].append(labels[o.s], o.t, o.v);
              expect(got).toBe(ref.append(o.app, o.s, o.t, o.v));
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

  it('a slot filled by another store, or for a series the head has since dropped, is ignored and refilled', async () => {
    const a = await openTsdb({ dir: await tempDir(), maintenanceIntervalMs: 0, blockRangeMs: 10_000 });
    const b = await openTsdb({ dir: await tempDir(), maintenanceIntervalMs: 0, blockRangeMs: 10_000 });
    try {
      const labels = { __name__: 'm', job: 'x' };
      const slot = { ref: undefined as unknown };
      let app = a.appender();
      expect(app.appendCached!(slot, labels, 1000, 1)).toBeUndefined();
      await app.commit();
      const fromA = slot.ref;
      expect(fromA).toBeDefined();
      app = b.appender();
      expect(app.appendCached!(slot, labels, 2000, 2)).toBeUndefined();
      await app.commit();
      expect(slot.ref).not.toBe(fromA);
      expect([...(await readAll(b)).values()]).toEqual([[[2000, expect.any(String)]]]);
      expect([...(await readAll(a)).values()]).toHaveLength(1);
      // once compaction has moved the series' samples into a block, the head drops it; the slot is refilled
      app = b.appender();
      expect(app.append({ __name__: 'other' }, 60_000, 1)).toBeUndefined();
      await app.commit();
      const before = slot.ref as { dropped: boolean };
      await b.compact();
      expect(before.dropped).toBe(true);
      app = b.appender();
      expect(app.appendCached!(slot, labels, 70_000, 3)).toBeUndefined();
      await app.commit();
      expect(slot.ref).not.toBe(before);
      expect((await readAll(b)).get(labelsKey(labels))?.map(([t]) => t)).toEqual([2000, 70_000]);
      expect(app.appendCached!({ ref: undefined }, { __name__: 'm', 'bad-name': 'x' }, 80_000, 4)).toBe('invalid_labels');
      app.rollback();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
