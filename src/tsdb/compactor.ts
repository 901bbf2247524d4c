/**
 * Compaction: moves head data older than the current block range into immutable blocks, then checkpoints
 * the WAL so older segments can go.
 *
 * Sequence (why it survives a crash at any point is in docs/tsdb.md):
 * 1. synchronously: cut a new WAL segment S, close head chunks older than the boundary `before`, take the
 *    data to compact, raise the head's minimum valid time to `before`, and encode a checkpoint of what the
 *    head keeps — all in one tick, so no append interleaves;
 * 2. write one block per range (merged with any block already holding that range, so out-of-order data
 *    never leaves overlapping blocks behind);
 * 3. record {walSegment: S, before} in `compaction.json` — replay then skips samples of older segments
 *    below `before`, which are in blocks;
 * 4. swap the blocks in, drop compacted data from the head, write the checkpoint, delete segments < S.
 */
import { join } from 'node:path';
import { compareStrings } from '../series/labels.ts';
import { BlockReader } from './block-reader.ts';
import { writeBlock, type BlockSeries } from './block-writer.ts';
import { writeFileAtomic } from './fs-durable.ts';
import type { Head } from './head.ts';
import { ArrayIterator, ChunkListIterator, MergeIterator, type ChunkRef } from './iterators.ts';
import { SampleBuffer, type MemSeries } from './mem-series.ts';
import { rechunk } from './rechunk.ts';
import { encodeChunk, encodeSamples, encodeSeries } from './wal-records.ts';
import { segmentName, type Wal } from './wal.ts';
import type { Labels } from '../series/types.ts';

export interface CompactionState {
  walSegment: number;
  before: number;
}

export const STATE_FILE = 'compaction.json';

export interface CompactorContext {
  dir: string;
  blocksDir: string;
  walDir: string;
  head: Head;
  wal: Wal;
  blockRangeMs: number;
  chunkSamples: number;
  blocks(): readonly BlockReader[];
  /** Puts new blocks in place of replaced ones (readers see the swap atomically). */
  swapBlocks(added: BlockReader[], removed: BlockReader[]): Promise<void>;
}

interface RangeSeries {
  labels: Labels;
  key: string;
  chunks: ChunkRef[];
  ooo: SampleBuffer | undefined;
}

/** The boundary below which head data is due for a block: ranges that ended half a range ago. */
export function compactionBoundary(headMaxT: number, rangeMs: number): number {
  return Math.floor((headMaxT - rangeMs / 2) / rangeMs) * rangeMs;
}

/** Compacts what is due; returns the number of blocks written. */
export async function compactHead(ctx: CompactorContext): Promise<number> {
  const { head, wal } = ctx;
  const R = ctx.blockRangeMs;
  if (head.maxT === -Infinity) return 0;
  const before = compactionBoundary(head.maxT, R);
  if (!(head.minTime() < before)) return 0;

  // Step 1, in one synchronous stretch.
  const segment = wal.cut();
  const ranges = new Map<number, Map<string, RangeSeries>>();
  const touched: MemSeries[] = [];
  const checkpoint: Uint8Array[] = [];
  const entries: Array<{ ref: number; labels: Labels }> = [];
  for (const s of head.allSeries()) {
    entries.push({ ref: s.ref, labels: s.labels });
    if (s.app && s.app.count > 0 && s.app.mint < before) s.closeChunk();
    for (const c of s.chunks) {
      if (c.maxt >= before) break;
      rangeEntry(ranges, Math.floor(c.mint / R) * R, s).chunks.push(c);
    }
    if (s.ooo && s.ooo.length > 0 && s.ooo.ts[0] < before) {
      const old = s.ooo.slice(-Infinity, before);
      s.oooCompacting = old;
      s.ooo = s.ooo.slice(before, Infinity);
      for (let i = 0; i < old.length; ) {
        const r = Math.floor(old.ts[i] / R) * R;
        let j = i;
        while (j < old.length && old.ts[j] < r + R) j++;
        rangeEntry(ranges, r, s).ooo = old.slice(r, r + R);
        i = j;
      }
    }
    touched.push(s);
  }
  head.minValidTime = Math.max(head.minValidTime, before);
  checkpoint.push(encodeSeries(entries));
  for (const s of touched) {
    for (const c of s.chunks) if (c.maxt >= before) checkpoint.push(encodeChunk(s.ref, c.bytes));
    if (s.app && s.app.count > 0) checkpoint.push(encodeChunk(s.ref, s.app.bytes()));
    if (s.ooo && s.ooo.length > 0) {
      const n = s.ooo.length;
      checkpoint.push(encodeSamples({ refs: new Array(n).fill(s.ref), ts: s.ooo.ts, vs: s.ooo.vs, length: n }, 0, n));
    }
  }

  // Step 2.
  const added: BlockReader[] = [];
  const removed: BlockReader[] = [];
  try {
    for (const r of [...ranges.keys()].sort((a, b) => a - b)) {
      const existing = ctx.blocks().filter((b) => b.meta.rangeStart === r);
      const series = await mergeRange(ranges.get(r)!, existing, ctx.chunkSamples, R);
      const meta = await writeBlock(ctx.blocksDir, r, series, existing.map((b) => b.meta.id));
      added.push(await BlockReader.open(join(ctx.blocksDir, meta.id)));
      removed.push(...existing);
    }
    // Step 3.
    const state: CompactionState = { walSegment: segment, before };
    await writeFileAtomic(join(ctx.dir, STATE_FILE), JSON.stringify(state), ctx.dir);
  } catch (err) {
    for (const s of touched) {
      const back = s.oooCompacting;
      s.oooCompacting = undefined;
      if (back) for (let i = 0; i < back.length; i++) (s.ooo ??= new SampleBuffer()).insert(back.ts[i], back.vs[i]);
    }
    for (const b of added) await b.close();
    throw err;
  }

  // Step 4.
  await ctx.swapBlocks(added, removed);
  head.truncate(before);
  const cpName = `checkpoint.${segmentName(segment - 1)}`;
  await writeFileAtomic(join(ctx.walDir, cpName), Buffer.concat(checkpoint), ctx.walDir);
  await wal.removeBefore(segment, segment - 1);
  return added.length;
}

function rangeEntry(ranges: Map<number, Map<string, RangeSeries>>, r: number, s: MemSeries): RangeSeries {
  let m = ranges.get(r);
  if (!m) ranges.set(r, (m = new Map()));
  let e = m.get(s.key);
  if (!e) m.set(s.key, (e = { labels: s.labels, key: s.key, chunks: [], ooo: undefined }));
  return e;
}

/** The block content for one range: head chunks as they are, re-encoded only where data must merge. */
async function mergeRange(fromHead: Map<string, RangeSeries>, existing: readonly BlockReader[], chunkSamples: number, R: number): Promise<BlockSeries[]> {
  const olderChunks = new Map<string, { labels: Labels; lists: ChunkRef[][] }>();
  for (const b of existing) {
    const ordinals = Int32Array.from(b.series.keys());
    b.acquire();
    try {
      const lists = await b.readChunks(ordinals, -Infinity, Infinity);
      b.series.forEach((s, i) => {
        let e = olderChunks.get(s.key);
        if (!e) olderChunks.set(s.key, (e = { labels: s.labels, lists: [] }));
        e.lists.push(lists[i]);
      });
    } finally {
      await b.release();
    }
  }
  const keys = new Set<string>([...fromHead.keys(), ...olderChunks.keys()]);
  const out: BlockSeries[] = [];
  for (const key of [...keys].sort(compareStrings)) {
    const h = fromHead.get(key);
    const o = olderChunks.get(key);
    if (h && !h.ooo && !o) {
      out.push({ labels: h.labels, key, chunks: h.chunks });
      continue;
    }
    // Precedence on equal timestamps as reads have it: in-order chunks (head, then blocks), then out-of-order.
    const its = [];
    if (h && h.chunks.length > 0) its.push(new ChunkListIterator(h.chunks));
    if (o) for (const list of o.lists) its.push(new ChunkListIterator(list));
    if (h && h.ooo) its.push(new ArrayIterator(h.ooo.ts, h.ooo.vs, h.ooo.length));
    const chunks = rechunk(its.length === 1 ? its[0] : new MergeIterator(its), chunkSamples, R);
    if (chunks.length > 0) out.push({ labels: (h ?? o)!.labels, key, chunks });
  }
  return out;
}
