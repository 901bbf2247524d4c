/** Re-encodes a merged sample stream into chunks, cut at a sample count and at block-range boundaries. */
import type { SampleIterator } from '../series/types.ts';
import type { ChunkRef } from './iterators.ts';
import { XorAppender } from './xor-chunk.ts';

export function rechunk(it: SampleIterator, chunkSamples: number, blockRangeMs: number): ChunkRef[] {
  const out: ChunkRef[] = [];
  let app: XorAppender | undefined;
  let range = 0;
  const close = (): void => {
    if (app && app.count > 0) out.push({ mint: app.mint, maxt: app.maxt, bytes: app.bytes(), count: app.count });
    app = undefined;
  };
  while (it.next()) {
    const t = it.t();
    const r = Math.floor(t / blockRangeMs);
    if (app && (app.count >= chunkSamples || r !== range)) close();
    if (!app) {
      app = new XorAppender();
      range = r;
    }
    app.append(t, it.v());
  }
  close();
  return out;
}
