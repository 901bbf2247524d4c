/**
 * The head: every series' recent samples in memory, already compressed into chunks (so a head holding hours
 * of data costs about as much memory as it would on disk). Chunks are cut at 120 samples (configurable) and
 * at block-range boundaries, so compaction can hand whole chunks to a block without re-encoding.
 */
import { labelsKey } from '../series/labels.ts';
import type { CompiledMatcher } from '../series/matchers.ts';
import type { AppendRejection, Labels } from '../series/types.ts';
import { sameBits } from './float-bits.ts';
import { MemSeries, SampleBuffer } from './mem-series.ts';
import { MemPostings, selectPostings } from './postings.ts';
import { XorAppender, XorIterator } from './xor-chunk.ts';

export interface HeadOptions {
  blockRangeMs: number;
  chunkSamples: number;
  outOfOrderWindowMs: number;
}

/** How a sample would be stored, or why it is refused. 'same' is a resend of the newest sample: ignored. */
export type Placement = 'in_order' | 'out_of_order_buffer' | 'same' | AppendRejection;

export class Head {
  readonly options: HeadOptions;
  private readonly series = new Map<string, MemSeries>();
  private readonly byRef = new Map<number, MemSeries>();
  private postings = new MemPostings();
  /** Label objects seen before: producers that reuse them (scrape loops) skip computing the key. */
  private readonly byObject = new WeakMap<Labels, MemSeries>();
  private nextRef = 1;
  /** Newest sample time in the head (drives the out-of-order window and compaction). */
  maxT = -Infinity;
  /** Samples older than this are already in blocks: in-order appends below it are refused. */
  minValidTime = -Infinity;
  /** Samples older than this are past retention (out_of_bounds). */
  retentionFloor = -Infinity;
  chunkCount = 0;

  constructor(options: HeadOptions) {
    this.options = options;
  }

  get numSeries(): number {
    return this.series.size;
  }

  lookup(labels: Labels): MemSeries | undefined {
    const cached = this.byObject.get(labels);
    if (cached && !cached.dropped) return cached;
    const s = this.series.get(labelsKey(labels));
    if (s) this.byObject.set(labels, s);
    return s;
  }

  /** The series for a (valid, canonical) label set, created when new. */
  getOrCreate(labels: Labels, key = labelsKey(labels)): MemSeries {
    let s = this.series.get(key);
    if (!s) {
      s = new MemSeries(this.nextRef++, labels, key, this);
      this.series.set(key, s);
      this.byRef.set(s.ref, s);
      this.postings.add(s.ref, labels);
    }
    return s;
  }

  /** Recreates a series from the WAL with its logged ref. */
  restore(ref: number, labels: Labels): MemSeries {
    const key = labelsKey(labels);
    const existing = this.series.get(key);
    if (existing) {
      if (existing.ref !== ref) this.byRef.set(ref, existing);
      return existing;
    }
    const s = new MemSeries(ref, labels, key, this);
    s.logged = true;
    this.series.set(key, s);
    this.byRef.set(ref, s);
    if (ref >= this.nextRef) this.nextRef = ref + 1;
    return s;
  }

  byReference(ref: number): MemSeries | undefined {
    return this.byRef.get(ref);
  }

  /**
   * Where a sample for `s` would go, given the newest sample `lastT`/`lastV` and the newest time `maxT`
   * (the appender's view, which includes its pending samples).
   */
  place(s: MemSeries, t: number, v: number, lastT: number, lastV: number, maxT = this.maxT): Placement {
    if (!Number.isSafeInteger(t) || t < this.retentionFloor) return 'out_of_bounds';
    if (t > lastT && t >= this.minValidTime) return 'in_order';
    if (t === lastT) return sameBits(v, lastV) ? 'same' : 'duplicate_sample';
    const w = this.options.outOfOrderWindowMs;
    if (w > 0 && t >= maxT - w) {
      const existing = this.valueAt(s, t);
      if (existing) return sameBits(v, existing[0]) ? 'same' : 'duplicate_sample';
      return 'out_of_order_buffer';
    }
    return t < this.minValidTime ? 'out_of_bounds' : 'out_of_order';
  }

  /** The head's value of `s` at exactly `t` (out-of-order buffer or in-order chunks), if there is one. */
  private valueAt(s: MemSeries, t: number): Float64Array | undefined {
    const buf = s.ooo;
    if (buf) {
      const i = buf.lowerBound(t);
      if (i < buf.length && buf.ts[i] === t) return buf.vs.subarray(i, i + 1);
    }
    for (const c of s.chunksIn(t, t)) {
      const it = new XorIterator(c.bytes, c.count);
      if (it.seek(t) && it.t() === t) return new Float64Array([it.v()]);
    }
    return undefined;
  }

  /** Stores one sample if it fits; returns the placement (the sample is stored for the first two kinds). */
  append(s: MemSeries, t: number, v: number): Placement {
    const p = this.place(s, t, v, s.lastT, s.lastV[0]);
    if (p === 'in_order') this.appendInOrder(s, t, v);
    else if (p === 'out_of_order_buffer') this.appendOutOfOrder(s, t, v);
    return p;
  }

  /**
   * Replays a logged sample: it was accepted once, so it is kept whatever the window says now (only a
   * resend of an existing timestamp is dropped).
   */
  replay(s: MemSeries, t: number, v: number): void {
    if (t > s.lastT && t >= this.minValidTime) {
      this.appendInOrder(s, t, v);
    } else if (t !== s.lastT) {
      const buf = s.ooo;
      if (buf) {
        const i = buf.lowerBound(t);
        if (i < buf.length && buf.ts[i] === t) return;
      }
      this.appendOutOfOrder(s, t, v);
    }
  }

  private appendInOrder(s: MemSeries, t: number, v: number): void {
    let a = s.app;
    const range = this.options.blockRangeMs;
    if (a && (a.count >= this.options.chunkSamples || Math.floor(t / range) !== Math.floor(a.mint / range))) {
      s.closeChunk();
      a = undefined;
    }
    if (!a) {
      a = s.app = new XorAppender();
      this.chunkCount++;
    }
    a.append(t, v);
    s.lastT = t;
    s.lastV[0] = v;
    if (t > this.maxT) this.maxT = t;
  }

  private appendOutOfOrder(s: MemSeries, t: number, v: number): void {
    if (!s.ooo) s.ooo = new SampleBuffer();
    s.ooo.insert(t, v);
    if (t > this.maxT) this.maxT = t;
  }

  /** Adopts a chunk from a checkpoint as a closed chunk. */
  restoreChunk(s: MemSeries, chunk: { mint: number; maxt: number; bytes: Uint8Array; count: number }, lastV: number): void {
    if (chunk.count === 0) return;
    s.closeChunk();
    s.chunks.push(chunk);
    this.chunkCount++;
    if (chunk.maxt > s.lastT) {
      s.lastT = chunk.maxt;
      s.lastV[0] = lastV;
    }
    if (chunk.maxt > this.maxT) this.maxT = chunk.maxt;
  }

  /** The series matching every matcher, in ref order. */
  select(matchers: readonly CompiledMatcher[]): MemSeries[] {
    const refs = selectPostings(this.postings, matchers);
    const out: MemSeries[] = [];
    for (let i = 0; i < refs.length; i++) {
      const s = this.byRef.get(refs[i]);
      if (s) out.push(s);
    }
    return out;
  }

  labelNames(): string[] {
    return [...this.postings.labelNames()];
  }

  labelValues(name: string): string[] {
    return [...this.postings.labelValues(name)];
  }

  allSeries(): IterableIterator<MemSeries> {
    return this.series.values();
  }

  /** Oldest sample time in the head. */
  minTime(): number {
    let t = Infinity;
    for (const s of this.series.values()) {
      const m = s.minTime();
      if (m < t) t = m;
    }
    return t;
  }

  /** Drops what a compaction wrote to blocks (everything before `before`) and series left empty. */
  truncate(before: number): void {
    let dropped = false;
    for (const s of this.series.values()) {
      let k = 0;
      while (k < s.chunks.length && s.chunks[k].maxt < before) k++;
      if (k > 0) {
        s.chunks = s.chunks.slice(k);
        this.chunkCount -= k;
      }
      s.oooCompacting = undefined;
      if (s.isEmpty() && s.pending === 0) {
        s.dropped = true;
        this.series.delete(s.key);
        dropped = true;
      }
    }
    if (dropped) this.rebuildIndex();
  }

  /** Rebuilds postings and the ref map in ref order (after replay or after series were dropped). */
  rebuildIndex(): void {
    const all = [...this.series.values()].sort((a, b) => a.ref - b.ref);
    this.postings = new MemPostings();
    this.byRef.clear();
    for (const s of all) {
      this.postings.add(s.ref, s.labels);
      this.byRef.set(s.ref, s);
    }
  }
}
