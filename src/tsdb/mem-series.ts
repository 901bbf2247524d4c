/**
 * One series in the head: closed chunks, the chunk being appended to, and (when an out-of-order window is
 * set) a sorted buffer of samples that arrived behind the series' newest one.
 */
import type { Labels } from '../series/types.ts';
import type { ChunkRef } from './iterators.ts';
import { XorAppender } from './xor-chunk.ts';

/** A sorted, growable (timestamp, value) buffer; values in a Float64Array so NaN payloads survive. */
export class SampleBuffer {
  ts: number[] = [];
  vs = new Float64Array(8);

  get length(): number {
    return this.ts.length;
  }

  /** Index of the first sample at or after t. */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(t: number, v: number): void {
    const i = this.lowerBound(t);
    const n = this.ts.length;
    if (n + 1 > this.vs.length) {
      const next = new Float64Array(Math.max(8, this.vs.length * 2));
      next.set(this.vs);
      this.vs = next;
    }
    this.vs.copyWithin(i + 1, i, n);
    this.vs[i] = v;
    this.ts.splice(i, 0, t);
  }

  /** Copies the samples in [from, to) (timestamps) into a new buffer. */
  slice(from: number, to: number): SampleBuffer {
    const a = this.lowerBound(from);
    const b = this.lowerBound(to);
    const out = new SampleBuffer();
    out.ts = this.ts.slice(a, b);
    out.vs = this.vs.slice(a, Math.max(b, a + 1));
    return out;
  }
}

export class MemSeries {
  readonly ref: number;
  readonly labels: Labels;
  readonly key: string;
  /** Closed chunks, ascending and not overlapping. */
  chunks: ChunkRef[] = [];
  app: XorAppender | undefined;
  lastT = -Infinity;
  readonly lastV = new Float64Array(1);
  ooo: SampleBuffer | undefined;
  /** Out-of-order samples a running compaction took; still read until its blocks are in place. */
  oooCompacting: SampleBuffer | undefined;
  /** Whether a SERIES record for it is in the WAL. */
  logged = false;
  /** Removed from the head (an appender holding it re-resolves it by labels). */
  dropped = false;
  /** Appenders with uncommitted samples for it (it is not garbage-collected meanwhile). */
  pending = 0;
  /**
   * The appender whose uncommitted samples for this series the next three fields describe (one appender at a
   * time keeps them here, which spares a map lookup per sample; any other keeps its own map).
   */
  holder: object | undefined = undefined;
  /** The holder's newest pending timestamp for the series, and its index in the holder's batch. */
  heldLastT = 0;
  heldLastIdx = 0;
  /** With an out-of-order window: every timestamp the holder has pending for the series → its index. */
  heldTimes: Map<number, number> | undefined = undefined;

  /** The head holding the series (a handle kept by a caller is trusted only by this head). */
  readonly owner: object | undefined;

  constructor(ref: number, labels: Labels, key: string, owner?: object) {
    this.ref = ref;
    this.labels = labels;
    this.key = key;
    this.owner = owner;
  }

  /** The chunks overlapping [mint, maxt], the active one read up to its current sample count. */
  chunksIn(mint: number, maxt: number): ChunkRef[] {
    const out: ChunkRef[] = [];
    for (const c of this.chunks) if (c.maxt >= mint && c.mint <= maxt) out.push(c);
    const a = this.app;
    if (a && a.count > 0 && a.maxt >= mint && a.mint <= maxt) {
      out.push({ mint: a.mint, maxt: a.maxt, bytes: a.w.buf, count: a.count });
    }
    return out;
  }

  isEmpty(): boolean {
    return this.chunks.length === 0 && !this.app && !(this.ooo && this.ooo.length > 0) && !this.oooCompacting;
  }

  /** Time range of everything the series holds in the head. */
  minTime(): number {
    let t = Infinity;
    if (this.chunks.length > 0) t = this.chunks[0].mint;
    else if (this.app && this.app.count > 0) t = this.app.mint;
    if (this.ooo && this.ooo.length > 0) t = Math.min(t, this.ooo.ts[0]);
    if (this.oooCompacting && this.oooCompacting.length > 0) t = Math.min(t, this.oooCompacting.ts[0]);
    return t;
  }

  closeChunk(): void {
    const a = this.app;
    if (!a) return;
    if (a.count > 0) this.chunks.push({ mint: a.mint, maxt: a.maxt, bytes: a.bytes(), count: a.count });
    this.app = undefined;
  }
}
