import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { constants } from 'node:fs';
import { cp, readdir, readFile, readlink, rm, stat, truncate, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openTsdb, type Tsdb } from '../../src/tsdb/db.ts';
import { STALE_NAN } from '../../src/series/types.ts';
import { Model, readAll, removeTempDirs, tempDir } from './helpers.ts';
import { replayWal, Wal } from '../../src/tsdb/wal.ts';
import { encodeSeries } from '../../src/tsdb/wal-records.ts';

afterEach(removeTempDirs);

const opts = { maintenanceIntervalMs: 0 };

/** Commits `n` batches; returns the model after each commit and the WAL size after each commit. */
async function writeBatches(db: Tsdb, n: number): Promise<{ models: Model[]; ends: number[]; segment: string }> {
  const model = new Model();
  const models: Model[] = [];
  const ends: number[] = [];
  const segment = join(db.dir, 'wal', '00000000');
  for (let b = 0; b < n; b++) {
    const app = db.appender();
    for (let s = 0; s <= b % 4; s++) {
      const labels = { __name__: 'm', series: String(s), batch_kind: b % 2 ? 'odd' : 'even' };
      const t = 1000 * b + s;
      const v = b === 3 ? STALE_NAN : b * 1.5 - s;
      expect(app.append(labels, t, v)).toBeUndefined();
      model.add(labels, t, v);
    }
    await app.commit();
    models.push(cloneModel(model));
    ends.push((await stat(segment)).size);
  }
  return { models, ends, segment };
}

function cloneModel(m: Model): Model {
  const c = new Model();
  for (const [k, s] of m.series) c.series.set(k, { labels: s.labels, points: new Map(s.points) });
  return c;
}

describe('WAL recovery', () => {
  it('keeps every earlier commit when the last record is cut at any byte', async () => {
    const dir = await tempDir();
    const db = await openTsdb({ dir, ...opts });
    const { models, ends, segment } = await writeBatches(db, 8);
    await db.close();
    const lastStart = ends[ends.length - 2];
    const lastEnd = ends[ends.length - 1];
    for (let cut = lastStart; cut < lastEnd; cut++) {
      const copy = await tempDir();
      await cp(dir, copy, { recursive: true });
      await truncate(join(copy, 'wal', '00000000'), cut);
      const reopened = await openTsdb({ dir: copy, ...opts });
      expect(await readAll(reopened)).toEqual(models[models.length - 2].expected());
      expect(reopened.stats().walTornBytes).toBe(cut - lastStart);
      await reopened.close();
      await rm(copy, { recursive: true, force: true });
    }
    // Untouched, everything is there.
    const again = await openTsdb({ dir, ...opts });
    expect(await readAll(again)).toEqual(models[models.length - 1].expected());
    expect((await stat(segment)).size).toBe(lastEnd);
    await again.close();
  });

  it('survives a zero-filled tail (a file extended before its data reached the disk)', async () => {
    const dir = await tempDir();
    const db = await openTsdb({ dir, ...opts });
    const { models, segment } = await writeBatches(db, 5);
    await db.close();
    await appendFile(segment, new Uint8Array(4096));
    const reopened = await openTsdb({ dir, ...opts });
    expect(await readAll(reopened)).toEqual(models[4].expected());
    await reopened.close();
  });

  it('refuses to skip damage that intact records follow, naming the file', async () => {
    const dir = await tempDir();
    const db = await openTsdb({ dir, ...opts });
    const { ends, segment } = await writeBatches(db, 6);
    await db.close();
    const buf = await readFile(segment);
    buf[ends[1] + 12] ^= 0x40;
    await writeFile(segment, buf);
    await expect(openTsdb({ dir, ...opts })).rejects.toMatchObject({ code: 'TT_TSDB_CORRUPT', file: segment });
  });

  it('random single-byte damage: a clear error, or every commit before the damage intact', async () => {
    const dir = await tempDir();
    const db = await openTsdb({ dir, ...opts });
    const { models, ends, segment } = await writeBatches(db, 6);
    await db.close();
    const original = await readFile(segment);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: original.length - 1 }), fc.integer({ min: 1, max: 255 }), async (pos, xor) => {
        const copy = await tempDir();
        await cp(dir, copy, { recursive: true });
        const buf = Buffer.from(original);
        buf[pos] ^= xor;
        await writeFile(join(copy, 'wal', '00000000'), buf);
        try {
          const reopened = await openTsdb({ dir: copy, ...opts });
          const before = ends.filter((e) => e <= pos).length;
          const got = await readAll(reopened);
          await reopened.close();
          // Commits wholly before the damage are all there, and nothing that was never written appears.
          const expectedBefore = before === 0 ? new Map() : models[before - 1].expected();
          for (const [k, pts] of expectedBefore) expect(got.get(k)?.slice(0, pts.length)).toEqual(pts);
          const full = models[models.length - 1].expected();
          for (const [k, pts] of got) for (const p of pts) expect(full.get(k)).toContainEqual(p);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('TT_TSDB_CORRUPT');
        }
        await rm(copy, { recursive: true, force: true });
      }),
      { numRuns: 60 },
    );
  });

  it('a missing segment in the middle is corruption', async () => {
    const dir = await tempDir();
    const db = await openTsdb({ dir, ...opts, walSegmentBytes: 100 });
    await writeBatches(db, 8);
    await db.close();
    const segments = (await readdir(join(dir, 'wal'))).sort();
    expect(segments.length).toBeGreaterThan(3);
    await rm(join(dir, 'wal', segments[1]));
    await expect(openTsdb({ dir, ...opts })).rejects.toMatchObject({ code: 'TT_TSDB_CORRUPT' });
  });

  it('replays across many segments', async () => {
    const dir = await tempDir();
    const db = await openTsdb({ dir, ...opts, walSegmentBytes: 100 });
    const { models } = await writeBatches(db, 12);
    await db.close();
    const reopened = await openTsdb({ dir, ...opts });
    expect(await readAll(reopened)).toEqual(models[11].expected());
    expect(reopened.stats().walReplayedSamples).toBeGreaterThan(0);
    await reopened.close();
  });

  it('group commit: concurrent commits share fsyncs', async () => {
    const dir = await tempDir();
    const db = await openTsdb({ dir, ...opts });
    const commits = [];
    for (let i = 0; i < 50; i++) {
      const app = db.appender();
      app.append({ __name__: 'g', i: String(i) }, 1000, i);
      commits.push(app.commit());
    }
    await Promise.all(commits);
    expect(db.stats().walFsyncs).toBeLessThan(10);
    expect(db.stats().samplesAppended).toBe(50);
    await db.close();
    const reopened = await openTsdb({ dir, ...opts });
    expect((await readAll(reopened)).size).toBe(50);
    await reopened.close();
  });

  it('rollback drops uncommitted samples', async () => {
    const dir = await tempDir();
    const db = await openTsdb({ dir, ...opts });
    const app = db.appender();
    app.append({ __name__: 'r' }, 1, 1);
    app.rollback();
    await app.commit();
    expect((await readAll(db)).size).toBe(0);
    await db.close();
  });
});

describe('WAL segments', () => {
  it('never leave a gap, even when segments are cut with nothing logged in them', async () => {
    const dir = await tempDir();
    const wal = new Wal({ dir, segmentBytes: 1 << 20 }, 0);
    // Cut before anything was logged in the first segment (a compaction right after startup).
    wal.cut();
    wal.log(encodeSeries([{ ref: 1, labels: { __name__: 'a' } }]));
    await wal.sync();
    wal.cut();
    wal.cut();
    wal.log(encodeSeries([{ ref: 2, labels: { __name__: 'b' } }]));
    await wal.sync();
    await wal.close();
    expect((await readdir(dir)).sort()).toEqual(['00000000', '00000001', '00000002', '00000003']);
    const seen: number[] = [];
    const r = await replayWal(dir, (type, _payload, segment) => seen.push(segment));
    expect(seen).toEqual([1, 3]);
    expect(r.lastSegment).toBe(3);
  });

  it.runIf(process.platform === 'linux')('are written with O_DSYNC on Linux, so a resolved sync() means the bytes are on disk', async () => {
    const dir = await tempDir();
    const wal = new Wal({ dir, segmentBytes: 1 << 20 }, 0);
    wal.log(encodeSeries([{ ref: 1, labels: { __name__: 'a' } }]));
    await wal.sync();
    const segment = join(dir, '00000000');
    let flags: number | undefined;
    for (const fd of await readdir('/proc/self/fd')) {
      const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
      if (target !== segment) continue;
      const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8');
      flags = Number.parseInt(/^flags:\s+([0-7]+)$/m.exec(info)?.[1] ?? '', 8);
    }
    await wal.close();
    expect(flags).toBeDefined();
    expect(flags! & constants.O_DSYNC).toBe(constants.O_DSYNC);
    expect(flags! & constants.O_APPEND).toBe(constants.O_APPEND);
    expect(wal.fsyncs).toBe(1);
  });
});
