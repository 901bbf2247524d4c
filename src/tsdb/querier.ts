/**
 * Selection over the head and the blocks: postings pick the matching series in each source, only chunks
 * overlapping the time range are loaded, and each series' sources merge into one iterator (chunks that do
 * not overlap are chained; overlapping ones and out-of-order buffers are merged, duplicates dropped).
 */
import { compileMatchers, type CompiledMatcher } from '../series/matchers.ts';
import { compareStrings } from '../series/labels.ts';
import type { Labels, Matcher, SampleIterator, Series } from '../series/types.ts';
import type { BlockReader } from './block-reader.ts';
import type { Head } from './head.ts';
import { ArrayIterator, BoundedIterator, ChunkListIterator, MergeIterator, type ChunkRef } from './iterators.ts';
import type { SampleBuffer } from './mem-series.ts';

interface Gathered {
  labels: Labels;
  key: string;
  chunks: ChunkRef[];
  buffers: SampleBuffer[];
}

class StoredSeries implements Series {
  readonly labels: Labels;
  private readonly g: Gathered;
  private readonly mint: number;
  private readonly maxt: number;

  constructor(g: Gathered, mint: number, maxt: number) {
    this.labels = g.labels;
    this.g = g;
    this.mint = mint;
    this.maxt = maxt;
  }

  iterator(): SampleIterator {
    const lists = partition(this.g.chunks);
    const its: SampleIterator[] = lists.map((l) => new ChunkListIterator(l));
    for (const b of this.g.buffers) its.push(new ArrayIterator(b.ts, b.vs, b.length));
    return new BoundedIterator(its.length === 1 ? its[0] : new MergeIterator(its), this.mint, this.maxt);
  }
}

/** Splits chunks into as few lists as possible whose chunks do not overlap (one list in the usual case). */
function partition(chunks: ChunkRef[]): ChunkRef[][] {
  chunks.sort((a, b) => a.mint - b.mint);
  const lists: ChunkRef[][] = [];
  for (const c of chunks) {
    const list = lists.find((l) => l[l.length - 1].maxt < c.mint);
    if (list) list.push(c);
    else lists.push([c]);
  }
  return lists;
}

function inRange(buf: SampleBuffer | undefined, mint: number, maxt: number): SampleBuffer | undefined {
  if (!buf || buf.length === 0 || buf.ts[0] > maxt || buf.ts[buf.length - 1] < mint) return undefined;
  return buf.slice(mint, maxt + 1);
}

export async function selectSeries(head: Head, blocks: readonly BlockReader[], matchers: readonly Matcher[], mint: number, maxt: number): Promise<Series[]> {
  const compiled = compileMatchers(matchers);
  const found = new Map<string, Gathered>();
  const entry = (labels: Labels, key: string): Gathered => {
    let g = found.get(key);
    if (!g) found.set(key, (g = { labels, key, chunks: [], buffers: [] }));
    return g;
  };
  for (const s of head.select(compiled)) {
    const chunks = s.chunksIn(mint, maxt);
    const ooo = inRange(s.ooo, mint, maxt);
    const compacting = inRange(s.oooCompacting, mint, maxt);
    if (chunks.length === 0 && !ooo && !compacting) continue;
    const g = entry(s.labels, s.key);
    g.chunks.push(...chunks);
    if (ooo) g.buffers.push(ooo);
    if (compacting) g.buffers.push(compacting);
  }
  const readers = blocks.filter((b) => b.overlaps(mint, maxt));
  for (const b of readers) b.acquire();
  try {
    await Promise.all(
      readers.map(async (b) => {
        const ordinals = b.select(compiled);
        const lists = await b.readChunks(ordinals, mint, maxt);
        for (let i = 0; i < ordinals.length; i++) {
          if (lists[i].length === 0) continue;
          const s = b.series[ordinals[i]];
          entry(s.labels, s.key).chunks.push(...lists[i]);
        }
      }),
    );
  } finally {
    for (const b of readers) await b.release();
  }
  const out: Series[] = [];
  for (const g of [...found.values()].sort((a, b) => compareStrings(a.key, b.key))) {
    const s = new StoredSeries(g, mint, maxt);
    // Chunks overlapping the range may still hold no sample inside it.
    if (s.iterator().next()) out.push(s);
  }
  return out;
}

/** Label sets of the matching series in the sources overlapping [mint, maxt] (no chunk is read). */
export function matchingLabelSets(head: Head, blocks: readonly BlockReader[], compiled: readonly CompiledMatcher[], mint: number, maxt: number): Labels[] {
  const out: Labels[] = [];
  for (const s of head.select(compiled)) if (!s.isEmpty()) out.push(s.labels);
  for (const b of blocks) {
    if (!b.overlaps(mint, maxt)) continue;
    const ordinals = b.select(compiled);
    for (let i = 0; i < ordinals.length; i++) out.push(b.series[ordinals[i]].labels);
  }
  return out;
}

export function labelNamesOf(sets: readonly Labels[]): string[] {
  const names = new Set<string>();
  for (const l of sets) for (const n in l) names.add(n);
  return [...names].sort(compareStrings);
}

export function labelValuesOf(sets: readonly Labels[], name: string): string[] {
  const values = new Set<string>();
  for (const l of sets) {
    const v = l[name];
    if (v !== undefined && v !== '') values.add(v);
  }
  return [...values].sort(compareStrings);
}
