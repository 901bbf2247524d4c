/**
 * Retention: whole blocks go, oldest first — by age (the block's newest sample is older than the retention
 * time) and by size (blocks plus WAL above the byte budget). The head is never dropped.
 */
import type { BlockReader } from './block-reader.ts';

export interface RetentionPolicy {
  retentionMs?: number;
  retentionBytes?: number;
}

/** The blocks to delete, given blocks sorted oldest first. */
export function blocksBeyondRetention(blocks: readonly BlockReader[], now: number, walBytes: number, policy: RetentionPolicy): BlockReader[] {
  const out = new Set<BlockReader>();
  if (policy.retentionMs !== undefined && policy.retentionMs > 0) {
    for (const b of blocks) if (b.meta.maxTime < now - policy.retentionMs) out.add(b);
  }
  if (policy.retentionBytes !== undefined && policy.retentionBytes > 0) {
    let total = walBytes;
    for (const b of blocks) if (!out.has(b)) total += b.bytes;
    for (const b of blocks) {
      if (total <= policy.retentionBytes) break;
      if (out.has(b)) continue;
      out.add(b);
      total -= b.bytes;
    }
  }
  return blocks.filter((b) => out.has(b));
}
