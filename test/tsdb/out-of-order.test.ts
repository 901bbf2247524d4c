import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openTsdb } from '../../src/tsdb/db.ts';
import { Model, readAll, removeTempDirs, tempDir } from './helpers.ts';

afterEach(removeTempDirs);

const H = 3600_000;
const base = { maintenanceIntervalMs: 0 };

describe('append rules', () => {
  it('without a window refuses out-of-order samples and counts them', async () => {
    const db = await openTsdb({ dir: await tempDir(), ...base });
    const app = db.appender();
    const l = { __name__: 'x', job: 'a' };
    expect(app.append(l, 2000, 1)).toBeUndefined();
    expect(app.append(l, 1000, 1)).toBe('out_of_order');
    expect(app.append(l, 2000, 1)).toBeUndefined(); // same sample again: ignored, as Prometheus does
    expect(app.append(l, 2000, 2)).toBe('duplicate_sample');
    expect(app.append({ __name__: 'bad-name' }, 3000, 1)).toBe('invalid_labels');
    expect(app.append({ job: 'no name' }, 3000, 1)).toBe('invalid_labels');
    expect(app.append(l, 1.5, 1)).toBe('out_of_bounds');
    expect(app.append(l, 2 ** 60, 1)).toBe('out_of_bounds');
    await app.commit();
    const next = db.appender();
    expect(next.append(l, 1999, 5)).toBe('out_of_order');
    expect(next.append(l, 2001, 5)).toBeUndefined();
    await next.commit();
    expect(db.stats().rejected).toEqual({ invalid_labels: 2, out_of_order: 2, out_of_bounds: 2, duplicate_sample: 1 });
    expect(db.stats().samplesAppended).toBe(2);
    expect([...(await readAll(db)).values()]).toHaveLength(1);
    await db.close();
  });

  it('a race between two appenders is settled at commit: the later commit loses the stale sample', async () => {
    const db = await openTsdb({ dir: await tempDir(), ...base });
    const l = { __name__: 'x' };
    const a = db.appender();
    const b = db.appender();
    expect(a.append(l, 2000, 1)).toBeUndefined();
    expect(b.append(l, 1000, 1)).toBeUndefined();
    await a.commit();
    await b.commit();
    expect(db.stats().rejected.out_of_order).toBe(1);
    await db.close();
  });

  it('with a window accepts late samples inside it, in every order, and keeps them across restarts', async () => {
    const dir = await tempDir();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 600 }), { minLength: 1, maxLength: 80 }), async (offsets) => {
        const sub = `${dir}/${Math.random().toString(36).slice(2)}`;
        const db = await openTsdb({ dir: sub, ...base, outOfOrderWindowMs: 10 * 60_000 });
        const model = new Model();
        const l = { __name__: 'late', job: 'j' };
        const app = db.appender();
        for (const o of offsets) {
          const t = 1_000_000 + o * 1000;
          const r = app.append(l, t, o);
          if (r === undefined) model.add(l, t, o);
          else expect(r).toBe('duplicate_sample');
        }
        await app.commit();
        expect(await readAll(db)).toEqual(model.expected());
        await db.close();
        const reopened = await openTsdb({ dir: sub, ...base, outOfOrderWindowMs: 10 * 60_000 });
        expect(await readAll(reopened)).toEqual(model.expected());
        await reopened.close();
      }),
      { numRuns: 25 },
    );
  });

  it('refuses samples behind the window', async () => {
    const db = await openTsdb({ dir: await tempDir(), ...base, outOfOrderWindowMs: 60_000 });
    const app = db.appender();
    expect(app.append({ __name__: 'y' }, 200_000, 1)).toBeUndefined();
    await app.commit();
    const late = db.appender();
    expect(late.append({ __name__: 'y' }, 150_000, 1)).toBeUndefined();
    expect(late.append({ __name__: 'y' }, 100_000, 1)).toBe('out_of_order');
    await late.commit();
    await db.close();
  });

  it('out-of-order samples for an already compacted range are merged into its block', async () => {
    const dir = await tempDir();
    const db = await openTsdb({ dir, ...base, outOfOrderWindowMs: 4 * H });
    const model = new Model();
    const app = db.appender();
    for (let t = 0; t < 5 * H; t += 60_000) {
      for (const job of ['a', 'b']) {
        app.append({ __name__: 'm', job }, t, t / 1000);
        model.add({ __name__: 'm', job }, t, t / 1000);
      }
    }
    await app.commit();
    expect(await db.compact()).toBe(1);
    expect(db.blockMetas().map((m) => m.rangeStart)).toEqual([0]);
    // 1.5 h is in the compacted block; 30 s is in no existing sample's slot.
    const late = db.appender();
    expect(late.append({ __name__: 'm', job: 'a' }, 1.5 * H + 30_000, -1)).toBeUndefined();
    expect(late.append({ __name__: 'm', job: 'c' }, 1.5 * H, 7)).toBeUndefined();
    model.add({ __name__: 'm', job: 'a' }, 1.5 * H + 30_000, -1);
    model.add({ __name__: 'm', job: 'c' }, 1.5 * H, 7);
    await late.commit();
    expect(await readAll(db)).toEqual(model.expected());
    // Later data moves the boundary; the late samples land in the 0–2 h block, replacing it.
    const more = db.appender();
    for (let t = 5 * H; t < 7.5 * H; t += 60_000) {
      more.append({ __name__: 'm', job: 'a' }, t, 1);
      model.add({ __name__: 'm', job: 'a' }, t, 1);
    }
    await more.commit();
    await db.compact();
    const ranges = db.blockMetas().map((m) => m.rangeStart);
    expect(ranges).toEqual([0, 2 * H, 4 * H]);
    expect(db.blockMetas()[0].stats.numSeries).toBe(3);
    expect(await readAll(db)).toEqual(model.expected());
    await db.close();
    const reopened = await openTsdb({ dir, ...base, outOfOrderWindowMs: 4 * H });
    expect(await readAll(reopened)).toEqual(model.expected());
    await reopened.close();
  });

  it('in-order samples older than the compacted range are out of bounds', async () => {
    const db = await openTsdb({ dir: await tempDir(), ...base });
    const app = db.appender();
    for (let t = 0; t < 4 * H; t += 60_000) app.append({ __name__: 'a' }, t, 1);
    await app.commit();
    await db.compact();
    const late = db.appender();
    expect(late.append({ __name__: 'new_series' }, 1000, 1)).toBe('out_of_bounds');
    await late.commit();
    await db.close();
  });
});
