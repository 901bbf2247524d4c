/**
 * Rebuilds the head from the WAL checkpoint and segments. Samples that the last compaction already put in
 * blocks — those in segments older than its cut and older than its boundary — are skipped, so a crash
 * between writing a block and checkpointing neither loses nor doubles data.
 */
import { corrupt } from './fs-durable.ts';
import type { Head } from './head.ts';
import { XorIterator, chunkCount } from './xor-chunk.ts';
import type { CompactionState } from './compactor.ts';
import { RECORD_CHUNK, RECORD_SAMPLES, RECORD_SERIES, decodeChunk, decodeSamples, decodeSeries } from './wal-records.ts';
import { replayWal } from './wal.ts';

export interface ReplaySummary {
  samples: number;
  tornBytes: number;
  lastSegment: number;
}

export async function replayInto(head: Head, walDir: string, state: CompactionState | undefined): Promise<ReplaySummary> {
  let samples = 0;
  const cutSegment = state?.walSegment ?? -1;
  const before = state?.before ?? -Infinity;
  const result = await replayWal(walDir, (type, r, segment, file) => {
    const covered = segment < cutSegment;
    if (type === RECORD_SERIES) {
      for (const e of decodeSeries(r)) head.restore(e.ref, e.labels);
    } else if (type === RECORD_SAMPLES) {
      const b = decodeSamples(r);
      for (let i = 0; i < b.length; i++) {
        const s = head.byReference(b.refs[i]);
        if (!s) throw corrupt(`WAL ${file} has samples for series ref ${b.refs[i]} that no series record defines`, file);
        const t = b.ts[i];
        if (covered && t < before) continue;
        head.replay(s, t, b.vs[i]);
        samples++;
      }
    } else if (type === RECORD_CHUNK) {
      const { ref, chunk } = decodeChunk(r);
      const s = head.byReference(ref);
      if (!s) throw corrupt(`WAL ${file} has a chunk for series ref ${ref} that no series record defines`, file);
      const count = chunkCount(chunk);
      const it = new XorIterator(chunk, count);
      let mint = 0;
      let maxt = 0;
      const last = new Float64Array(1);
      for (let i = 0; it.next(); i++) {
        if (i === 0) mint = it.t();
        maxt = it.t();
        last[0] = it.v();
      }
      if (covered && maxt < before) return;
      head.restoreChunk(s, { mint, maxt, bytes: chunk, count }, last[0]);
      samples += count;
    }
  });
  head.rebuildIndex();
  return { samples, tornBytes: result.tornBytes, lastSegment: result.lastSegment };
}
