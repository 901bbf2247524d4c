/**
 * Sample iterators that combine sources: a chain of non-overlapping chunks, a sorted array, a k-way merge
 * that drops duplicate timestamps (head, out-of-order buffer and overlapping blocks), and a time-range bound.
 */
import type { SampleIterator } from '../series/types.ts';
import { chunkIterator } from './chunk-encoding.ts';

export interface ChunkRef {
  mint: number;
  maxt: number;
  bytes: Uint8Array;
  /** Samples to read (a chunk still being appended to is read up to this). */
  count: number;
  /** chunk-encoding.ts; XOR when absent. */
  encoding?: number;
}

/** Iterates chunks in time order; `seek` skips whole chunks that end before the target. */
export class ChunkListIterator implements SampleIterator {
  private readonly chunks: readonly ChunkRef[];
  private idx = -1;
  private cur: SampleIterator | undefined;

  constructor(chunks: readonly ChunkRef[]) {
    this.chunks = chunks;
  }

  next(): boolean {
    for (;;) {
      if (this.cur && this.cur.next()) return true;
      if (++this.idx >= this.chunks.length) {
        this.cur = undefined;
        this.idx = this.chunks.length;
        return false;
      }
      const c = this.chunks[this.idx];
      this.cur = chunkIterator(c.bytes, c.count, c.encoding);
    }
  }

  seek(t: number): boolean {
    const n = this.chunks.length;
    if (this.idx >= n) return false;
    if (this.idx < 0 || this.chunks[this.idx].maxt < t) {
      let j = this.idx + 1;
      while (j < n && this.chunks[j].maxt < t) j++;
      this.idx = j;
      if (j >= n) {
        this.cur = undefined;
        return false;
      }
      const c = this.chunks[j];
      this.cur = chunkIterator(c.bytes, c.count, c.encoding);
    }
    if (this.cur!.seek(t)) return true;
    // Later chunks only hold later samples.
    return this.next();
  }

  t(): number {
    return this.cur ? this.cur.t() : 0;
  }

  v(): number {
    return this.cur ? this.cur.v() : 0;
  }
}

/** Iterates parallel sorted arrays (values in a Float64Array so NaN payloads survive). */
export class ArrayIterator implements SampleIterator {
  private readonly ts: ArrayLike<number>;
  private readonly vs: Float64Array;
  private readonly n: number;
  private i = -1;

  constructor(ts: ArrayLike<number>, vs: Float64Array, n = ts.length) {
    this.ts = ts;
    this.vs = vs;
    this.n = n;
  }

  next(): boolean {
    if (this.i < this.n) this.i++;
    return this.i < this.n;
  }

  seek(t: number): boolean {
    if (this.i < 0) this.i = 0;
    if (this.i >= this.n) return false;
    if (this.ts[this.i] >= t) return true;
    let lo = this.i;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    this.i = lo;
    return this.i < this.n;
  }

  t(): number {
    return this.ts[this.i];
  }

  v(): number {
    return this.vs[this.i];
  }
}

/**
 * Merges iterators by time. On equal timestamps the earliest iterator in the list wins and the others skip
 * that sample, so the list order is the precedence order.
 */
export class MergeIterator implements SampleIterator {
  private readonly its: SampleIterator[];
  /** Whether each iterator currently holds a sample; undefined before the first move. */
  private live: boolean[] | undefined;
  private cur = -1;

  constructor(its: SampleIterator[]) {
    this.its = its;
  }

  private pick(): boolean {
    const live = this.live!;
    let best = -1;
    let bestT = 0;
    for (let i = 0; i < this.its.length; i++) {
      if (!live[i]) continue;
      const t = this.its[i].t();
      if (best < 0 || t < bestT) {
        best = i;
        bestT = t;
      }
    }
    this.cur = best;
    return best >= 0;
  }

  next(): boolean {
    if (!this.live) {
      this.live = this.its.map((it) => it.next());
      return this.pick();
    }
    if (this.cur < 0) return false;
    const t = this.its[this.cur].t();
    for (let i = 0; i < this.its.length; i++) {
      if (this.live[i] && this.its[i].t() === t) this.live[i] = this.its[i].next();
    }
    return this.pick();
  }

  seek(t: number): boolean {
    if (!this.live) {
      this.live = this.its.map((it) => it.seek(t));
      return this.pick();
    }
    if (this.cur < 0) return false;
    if (this.its[this.cur].t() >= t) return true;
    for (let i = 0; i < this.its.length; i++) if (this.live[i]) this.live[i] = this.its[i].seek(t);
    return this.pick();
  }

  t(): number {
    return this.its[this.cur].t();
  }

  v(): number {
    return this.its[this.cur].v();
  }
}

/** Restricts an iterator to [mint, maxt]. */
export class BoundedIterator implements SampleIterator {
  private readonly it: SampleIterator;
  private readonly mint: number;
  private readonly maxt: number;
  private started = false;
  private done = false;

  constructor(it: SampleIterator, mint: number, maxt: number) {
    this.it = it;
    this.mint = mint;
    this.maxt = maxt;
  }

  next(): boolean {
    if (this.done) return false;
    const ok = this.started ? this.it.next() : this.it.seek(this.mint);
    this.started = true;
    if (!ok || this.it.t() > this.maxt) this.done = true;
    return !this.done;
  }

  seek(t: number): boolean {
    if (this.done) return false;
    this.started = true;
    const ok = this.it.seek(t < this.mint ? this.mint : t);
    if (!ok || this.it.t() > this.maxt) this.done = true;
    return !this.done;
  }

  t(): number {
    return this.it.t();
  }

  v(): number {
    return this.it.v();
  }
}
