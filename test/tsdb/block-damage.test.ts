import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openTsdb } from '../../src/tsdb/db.ts';
import { ALL, Model, readAll, removeTempDirs, tempDir } from './helpers.ts';

afterEach(removeTempDirs);

const H = 3600_000;
const base = { maintenanceIntervalMs: 0 };

/** A store with one block of 10 series (0–2 h) and head data after it. */
async function storeWithBlock(): Promise<{ dir: string; block: string; model: Model }> {
  const dir = await tempDir();
  const model = new Model();
  const db = await openTsdb({ dir, ...base });
  const app = db.appender();
  for (let t = 0; t < 4 * H; t += 30_000) {
    for (let i = 0; i < 10; i++) {
      const l = { __name__: 'm', i: String(i) };
      app.append(l, t, t / 1000 + i * 0.25);
      model.add(l, t, t / 1000 + i * 0.25);
    }
  }
  await app.commit();
  expect(await db.compact()).toBe(1);
  await db.close();
  const [block] = await readdir(join(dir, 'blocks'));
  return { dir, block: join(dir, 'blocks', block), model };
}

describe('damaged blocks', () => {
  it('any damaged byte of an index fails the open with TT_TSDB_CORRUPT naming the file', async () => {
    const { dir, block } = await storeWithBlock();
    const original = await readFile(join(block, 'index'));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: original.length - 1 }), fc.integer({ min: 1, max: 255 }), async (pos, xor) => {
        const copy = await tempDir();
        await cp(dir, copy, { recursive: true });
        const damaged = Buffer.from(original);
        damaged[pos] ^= xor;
        const file = join(copy, 'blocks', block.split('/').pop()!, 'index');
        await writeFile(file, damaged);
        await expect(openTsdb({ dir: copy, ...base })).rejects.toMatchObject({ code: 'TT_TSDB_CORRUPT', file });
        await rm(copy, { recursive: true, force: true });
      }),
      { numRuns: 30 },
    );
  });

  it('a damaged chunk fails the read that needs it, not the others', async () => {
    const { dir, block, model } = await storeWithBlock();
    const chunks = join(block, 'chunks');
    const buf = await readFile(chunks);
    buf[10] ^= 0xff; // inside the first chunk
    await writeFile(chunks, buf);
    const db = await openTsdb({ dir, ...base });
    await expect(readAll(db, ALL, 0, H)).rejects.toMatchObject({ code: 'TT_TSDB_CORRUPT', message: expect.stringContaining('CRC') });
    // The head's data is unaffected.
    expect(await readAll(db, ALL, 2 * H, 4 * H)).toEqual(model.expected(2 * H, 4 * H));
    await db.close();
  });

  it('a truncated chunks file or a missing meta is TT_TSDB_CORRUPT', async () => {
    const { dir, block } = await storeWithBlock();
    const buf = await readFile(join(block, 'chunks'));
    await writeFile(join(block, 'chunks'), buf.subarray(0, buf.length >> 1));
    const db = await openTsdb({ dir, ...base });
    await expect(readAll(db, ALL, 0, 2 * H)).rejects.toMatchObject({ code: 'TT_TSDB_CORRUPT' });
    await db.close();
    await rm(join(block, 'meta.json'));
    await expect(openTsdb({ dir, ...base })).rejects.toMatchObject({ code: 'TT_TSDB_CORRUPT' });
  });

  it('a leftover .tmp block from a crash mid-write is removed at open', async () => {
    const { dir, model } = await storeWithBlock();
    const tmp = join(dir, 'blocks', 'b-0000000000-deadbeef00.tmp');
    await cp((await readdir(join(dir, 'blocks'))).map((b) => join(dir, 'blocks', b))[0], tmp, { recursive: true });
    const db = await openTsdb({ dir, ...base });
    expect(await readdir(join(dir, 'blocks'))).toHaveLength(1);
    expect(await readAll(db)).toEqual(model.expected());
    await db.close();
  });
});
