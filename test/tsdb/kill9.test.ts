import { afterEach, describe, expect, it } from 'vitest';
import { crashRound } from '../../bench/lib/tsdb-crash.ts';
import { removeTempDirs, tempDir } from './helpers.ts';

afterEach(removeTempDirs);

describe('kill -9 during ingest', () => {
  it('loses no acknowledged sample, over rounds that resume the same store', async () => {
    const dir = await tempDir();
    const acked: [number, number] = [-1, -1];
    let blocks = 0;
    for (const k of [40, 150, 90]) {
      const before = Math.min(...acked);
      const r = await crashRound(dir, acked, 40, k);
      expect(r.stderr).toBe('');
      expect(Math.min(...r.acked)).toBeGreaterThan(before);
      expect(r.lost).toBe(0);
      expect(r.unexpected).toBe(0);
      expect(r.samples).toBeGreaterThanOrEqual((Math.min(...r.acked) + 1) * 40);
      blocks = r.blocks;
    }
    // The child compacted on its timer, so kills could land mid-compaction.
    expect(blocks).toBeGreaterThan(0);
  }, 60_000);
});
