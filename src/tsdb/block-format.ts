/**
 * On-disk block layout (docs/tsdb.md): a directory per block holding
 * - `chunks`: the magic `TTC1`, then chunk after chunk, each its XOR bytes followed by their CRC32;
 * - `index`: the magic `TTI1`, then three sections — symbols (every label name and value once, sorted),
 *   series (sorted by labels: label pairs as symbol numbers, then each chunk's encoding, time range, sample
 *   count, offset and length in `chunks`) and postings (per label name, per value, the series ordinals) — each
 *   section framed as uint32 length, payload, CRC32;
 * - `meta.json`: id, time range, counts, and which compaction made it.
 */
export const CHUNKS_MAGIC = 0x54544331; // "TTC1"
export const INDEX_MAGIC = 0x54544931; // "TTI1"
export const META_VERSION = 1;

export interface BlockMeta {
  version: number;
  id: string;
  /** Oldest and newest sample time in the block (inclusive, ms). */
  minTime: number;
  maxTime: number;
  /** The block range it belongs to: [rangeStart, rangeStart + blockRangeMs). */
  rangeStart: number;
  stats: { numSeries: number; numChunks: number; numSamples: number };
  /** Blocks it replaced (merging out-of-order data into an existing range). */
  replaces: string[];
}

export interface ChunkMeta {
  encoding: number;
  mint: number;
  maxt: number;
  count: number;
  offset: number;
  length: number;
}
