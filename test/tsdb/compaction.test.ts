import { afterEach, describe, expect, it } from 'vitest';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openTsdb, type TsdbOptions } from '../../src/tsdb/db.ts';
import { STALE_NAN } from '../../src/series/types.ts';
import { Model, readAll, removeTempDirs, tempDir } from './helpers.ts';

afterEach(removeTempDirs);

const H = 3600_000;
const base = { maintenanceIntervalMs: 0 } satisfies Partial<TsdbOptions>;

/** 20 series × `hours` of 15 s scrapes: counters, gauges with noise, a stale marker, integers. */
async function ingest(options: TsdbOptions, hours: number, model: Model, from = 0): Promise<void> {
  const db = await openTsdb(options);
  await writeInto(db, hours, model, from);
  await db.close();
}

async function writeInto(db: Awaited<ReturnType<typeof openTsdb>>, hours: number, model: Model, from = 0): Promise<void> {
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const counters = new Array(20).fill(0);
  let app = db.appender();
  let n = 0;
  for (let t = from; t < from + hours * H; t += 15_000) {
    for (let i = 0; i < 20; i++) {
      const labels = { __name__: i < 10 ? 'requests_total' : 'temperature', instance: `host${i % 10}` };
      counters[i] += Math.floor(rnd() * 10);
      let v = i < 10 ? counters[i] : 20 + rnd();
      if (i === 12 && t === from + 30 * 60_000) v = STALE_NAN;
      if (i === 13) v = -0;
      const jitter = Math.floor(rnd() * 5);
      expect(app.append(labels, t + jitter, v)).toBeUndefined();
      model.add(labels, t + jitter, v);
    }
    // Commit every 40 scrapes (10 minutes), as a remote_write sender batches.
    if (++n % 40 === 0) {
      await app.commit();
      app = db.appender();
    }
  }
  await app.commit();
}

describe('compaction', () => {
  it('moves old head data into 2 h blocks; reads before, after and after reopening are equal', async () => {
    const dir = await tempDir();
    const model = new Model();
    const db = await openTsdb({ dir, ...base });
    await writeInto(db, 7, model);
    expect(await readAll(db)).toEqual(model.expected());
    expect(await db.compact()).toBe(2);
    const metas = db.blockMetas();
    expect(metas.map((m) => m.rangeStart)).toEqual([0, 2 * H]);
    expect(metas[0].stats.numSeries).toBe(20);
    expect(db.stats().compactions).toBe(1);
    expect(db.stats().headMinTime).toBeGreaterThanOrEqual(4 * H);
    expect(await readAll(db)).toEqual(model.expected());
    // A range query that spans blocks and head.
    expect(await readAll(db, [{ type: '=', name: 'instance', value: 'host3' }], 1.5 * H, 4.5 * H)).toEqual(
      model.expected(1.5 * H, 4.5 * H, (l) => l.instance === 'host3'),
    );
    await db.close();
    const reopened = await openTsdb({ dir, ...base });
    expect(await readAll(reopened)).toEqual(model.expected());
    expect(await reopened.compact()).toBe(0);
    await reopened.close();
  });

  it('truncates the WAL after compaction: older segments are replaced by a checkpoint', async () => {
    const dir = await tempDir();
    const model = new Model();
    const db = await openTsdb({ dir, ...base, walSegmentBytes: 64 * 1024 });
    await writeInto(db, 7, model);
    const walBefore = db.stats().bytesOnDisk.wal;
    await db.compact();
    const names = await readdir(join(dir, 'wal'));
    expect(names.some((n) => n.startsWith('checkpoint.'))).toBe(true);
    expect(db.stats().bytesOnDisk.wal).toBeLessThan(walBefore / 2);
    await writeInto(db, 3, model, 7 * H);
    await db.compact();
    await db.close();
    const reopened = await openTsdb({ dir, ...base });
    expect(await readAll(reopened)).toEqual(model.expected());
    await reopened.close();
  });

  it('a crash after a block is written but before the checkpoint loses and doubles nothing', async () => {
    const dir = await tempDir();
    const model = new Model();
    const db = await openTsdb({ dir, ...base });
    await writeInto(db, 5, model);
    await db.close();
    // Keep a copy of the WAL as it was before compaction, compact, then put the old WAL back and forget
    // the compaction state: the store now holds a block whose samples the WAL still has.
    const saved = await tempDir();
    const { cp } = await import('node:fs/promises');
    await cp(join(dir, 'wal'), saved, { recursive: true });
    const db2 = await openTsdb({ dir, ...base });
    expect(await db2.compact()).toBeGreaterThan(0);
    await db2.close();
    await rm(join(dir, 'wal'), { recursive: true });
    await cp(saved, join(dir, 'wal'), { recursive: true });
    await rm(join(dir, 'compaction.json'));
    const db3 = await openTsdb({ dir, ...base });
    expect(await readAll(db3)).toEqual(model.expected());
    await db3.compact();
    // The re-compacted ranges were merged with the blocks already there: one block per range.
    const ranges = db3.blockMetas().map((m) => m.rangeStart);
    expect(new Set(ranges).size).toBe(ranges.length);
    expect(await readAll(db3)).toEqual(model.expected());
    await db3.close();
  });

  it('reads during a compaction see every sample exactly once', async () => {
    const dir = await tempDir();
    const model = new Model();
    const db = await openTsdb({ dir, ...base, outOfOrderWindowMs: 3 * H });
    await writeInto(db, 5, model);
    const late = db.appender();
    late.append({ __name__: 'late' }, 1000, 1);
    model.add({ __name__: 'late' }, 1000, 1);
    await late.commit();
    const running = db.compact();
    const during = await readAll(db);
    await running;
    expect(during).toEqual(model.expected());
    expect(await readAll(db)).toEqual(model.expected());
    await db.close();
  });

  it('counts what it does', async () => {
    const dir = await tempDir();
    const model = new Model();
    const db = await openTsdb({ dir, ...base });
    await writeInto(db, 5, model);
    const before = db.stats();
    expect(before.samplesAppended).toBe(20 * 5 * 240);
    expect(before.series).toBe(20);
    expect(before.headChunks).toBe(20 * Math.ceil(5 * 240 / 120));
    expect(before.walFsyncs).toBeGreaterThan(0);
    expect(before.bytesOnDisk.wal).toBeGreaterThan(0);
    await db.compact();
    const after = db.stats();
    expect(after.compactions).toBe(1);
    expect(after.blocks).toBe(1);
    expect(after.headChunks).toBeLessThan(before.headChunks);
    const { stat, readdir: ls } = await import('node:fs/promises');
    let blockBytes = 0;
    for (const b of await ls(join(dir, 'blocks'))) for (const f of await ls(join(dir, 'blocks', b))) blockBytes += (await stat(join(dir, 'blocks', b, f))).size;
    expect(after.bytesOnDisk.blocks).toBe(blockBytes);
    await db.close();
  });

  it('runs from the maintenance timer', async () => {
    const dir = await tempDir();
    const model = new Model();
    let tick: (() => void) | undefined;
    let cancelled = false;
    const schedule = (run: () => void, every: number): (() => void) => {
      expect(every).toBe(30_000);
      tick = run;
      return () => (cancelled = true);
    };
    const db = await openTsdb({ dir, maintenanceIntervalMs: 30_000, schedule });
    await writeInto(db, 5, model);
    expect(db.stats().compactions).toBe(0);
    tick!();
    await db.whenIdle();
    expect(db.stats().compactions).toBe(1);
    expect(await readAll(db)).toEqual(model.expected());
    await db.close();
    expect(cancelled).toBe(true);
  });
});

describe('retention', () => {
  it('drops whole blocks older than the retention time, measured on the injected clock', async () => {
    const dir = await tempDir();
    const model = new Model();
    let now = 0;
    const db = await openTsdb({ dir, ...base, clock: () => now, retentionMs: 6 * H });
    await writeInto(db, 9.5, model);
    await db.compact();
    expect(db.blockMetas().map((m) => m.rangeStart)).toEqual([0, 2 * H, 4 * H, 6 * H]);
    now = 9 * H;
    expect(await db.applyRetention()).toBe(1);
    expect(db.blockMetas().map((m) => m.rangeStart)).toEqual([2 * H, 4 * H, 6 * H]);
    expect(db.stats().blocksDeletedByRetention).toBe(1);
    expect(await readAll(db)).toEqual(model.expected(2 * H));
    // Older than the retention floor: out of bounds.
    const app = db.appender();
    expect(app.append({ __name__: 'old' }, 3 * H, 1)).toBe('out_of_bounds');
    await db.close();
  });

  it('drops the oldest blocks while the store is over its byte budget', async () => {
    const dir = await tempDir();
    const model = new Model();
    await ingest({ dir, ...base }, 11.5, model);
    const db = await openTsdb({ dir, ...base });
    await db.compact();
    const sizes = db.stats();
    expect(sizes.blocks).toBe(5);
    await db.close();
    const budget = sizes.bytesOnDisk.total - 1;
    const limited = await openTsdb({ dir, ...base, retentionBytes: budget });
    expect(limited.blockMetas().map((m) => m.rangeStart)).toEqual([2 * H, 4 * H, 6 * H, 8 * H]);
    expect(limited.stats().bytesOnDisk.total).toBeLessThanOrEqual(budget);
    await limited.close();
  });
});
