/**
 * The store's Appender: `append` validates and places each sample against the head (and the samples this
 * appender already holds), without touching the head; `commit` applies the batch to the head, logs what was
 * applied to the WAL and resolves once the WAL is synced.
 */
import { canonicalLabels, labelsKey, labelsProblem } from '../series/labels.ts';
import type { Appender, AppendRejection, Labels, SeriesSlot } from '../series/types.ts';
import { sameBits } from './float-bits.ts';
import type { Head, Placement } from './head.ts';
import { MemSeries } from './mem-series.ts';
import { encodeSamples, encodeSeries, type SampleBatch, type SeriesEntry } from './wal-records.ts';
import type { Wal } from './wal.ts';

export interface AppendCounters {
  samplesAppended: number;
  rejected: Record<AppendRejection, number>;
}

export interface AppenderContext {
  head: Head;
  wal: Wal;
  counters: AppendCounters;
  /** Runs before each commit (the store refreshes its retention floor there). */
  beforeCommit(): void;
  /** Throws when the store is closed. */
  checkOpen(): void;
}

const SAMPLES_PER_RECORD = 10_000;

interface Pending {
  lastT: number;
  lastIdx: number;
  /** With an out-of-order window: every pending timestamp of the series → its index, to catch repeats. */
  times: Map<number, number> | undefined;
}

export class HeadAppender implements Appender {
  private readonly ctx: AppenderContext;
  private series: MemSeries[] = [];
  private ts: number[] = [];
  private vs = new Float64Array(256);
  /** The series whose pending state this appender keeps on the series itself (MemSeries.holder). */
  private held: MemSeries[] = [];
  /** The newest sample this appender holds for each series another appender holds. */
  private foreign = new Map<MemSeries, Pending>();
  /** Last label set seen, so a batch of samples for one series resolves it once. */
  private lastLabels: Labels | undefined;
  private lastSeries: MemSeries | undefined;
  /** Newest pending timestamp, so the out-of-order window is measured from the batch's newest sample. */
  private maxT = -Infinity;

  constructor(ctx: AppenderContext) {
    this.ctx = ctx;
  }

  append(labels: Labels, t: number, v: number): AppendRejection | undefined {
    let s: MemSeries | undefined;
    if (labels === this.lastLabels && this.lastSeries && !this.lastSeries.dropped) {
      s = this.lastSeries;
    } else {
      s = this.resolve(labels);
      if (!s) return this.reject('invalid_labels');
      this.lastLabels = labels;
      this.lastSeries = s;
    }
    return this.appendTo(s, t, v);
  }

  appendCached(slot: SeriesSlot, labels: Labels, t: number, v: number): AppendRejection | undefined {
    const r = slot.ref;
    let s = r instanceof MemSeries && r.owner === this.ctx.head && !r.dropped ? r : undefined;
    if (!s) {
      s = this.resolve(labels);
      if (!s) return this.reject('invalid_labels');
      slot.ref = s;
    }
    return this.appendTo(s, t, v);
  }

  /** The head's series for `labels`, created when new; undefined when the labels are invalid. */
  private resolve(labels: Labels): MemSeries | undefined {
    const head = this.ctx.head;
    const s = head.lookup(labels);
    if (s) return s;
    if (labelsProblem(labels) !== undefined) return undefined;
    const canon = canonicalLabels(labels);
    return head.getOrCreate(canon, labelsKey(canon));
  }

  private appendTo(s: MemSeries, t: number, v: number): AppendRejection | undefined {
    const head = this.ctx.head;
    const mine = s.holder === this;
    // a series this appender found held by another keeps its state in `foreign`, even once that one lets go
    const p = mine || this.foreign.size === 0 ? undefined : this.foreign.get(s);
    const held = mine || p !== undefined;
    const lastT = mine ? s.heldLastT : p ? p.lastT : 0;
    const lastIdx = mine ? s.heldLastIdx : p ? p.lastIdx : 0;
    const times = mine ? s.heldTimes : p?.times;
    const maxT = Math.max(head.maxT, this.maxT);
    let placement: Placement;
    if (held && lastT >= s.lastT) {
      placement = head.place(s, t, v, lastT, this.vs[lastIdx], maxT);
    } else {
      placement = head.place(s, t, v, s.lastT, s.lastV[0], maxT);
    }
    if (placement === 'out_of_order_buffer' && times?.has(t)) {
      placement = sameBits(this.vs[times.get(t)!], v) ? 'same' : 'duplicate_sample';
    }
    if (placement === 'same') return undefined;
    if (placement !== 'in_order' && placement !== 'out_of_order_buffer') return this.reject(placement);
    const i = this.ts.length;
    if (i >= this.vs.length) {
      const next = new Float64Array(this.vs.length * 2);
      next.set(this.vs);
      this.vs = next;
    }
    this.series.push(s);
    this.ts.push(t);
    this.vs[i] = v;
    if (t > this.maxT) this.maxT = t;
    if (!held) {
      s.pending++;
      const newTimes = head.options.outOfOrderWindowMs > 0 ? new Map([[t, i]]) : undefined;
      if (s.holder === undefined) {
        s.holder = this;
        s.heldLastT = t;
        s.heldLastIdx = i;
        s.heldTimes = newTimes;
        this.held.push(s);
      } else {
        this.foreign.set(s, { lastT: t, lastIdx: i, times: newTimes });
      }
    } else {
      times?.set(t, i);
      if (t > lastT) {
        if (p) {
          p.lastT = t;
          p.lastIdx = i;
        } else {
          s.heldLastT = t;
          s.heldLastIdx = i;
        }
      }
    }
    return undefined;
  }

  private reject(reason: AppendRejection): AppendRejection {
    this.ctx.counters.rejected[reason]++;
    return reason;
  }

  async commit(): Promise<void> {
    const { head, wal, counters } = this.ctx;
    this.ctx.checkOpen();
    this.ctx.beforeCommit();
    const newSeries: SeriesEntry[] = [];
    const batch: SampleBatch = { refs: [], ts: [], vs: new Float64Array(this.ts.length), length: 0 };
    for (let i = 0; i < this.ts.length; i++) {
      let s = this.series[i];
      if (s.dropped) s = head.getOrCreate(s.labels, s.key);
      const placement = head.append(s, this.ts[i], this.vs[i]);
      if (placement === 'same') continue;
      if (placement !== 'in_order' && placement !== 'out_of_order_buffer') {
        counters.rejected[placement]++;
        continue;
      }
      if (!s.logged) {
        s.logged = true;
        newSeries.push({ ref: s.ref, labels: s.labels });
      }
      batch.refs.push(s.ref);
      batch.ts.push(this.ts[i]);
      batch.vs[batch.length++] = this.vs[i];
    }
    this.clear();
    counters.samplesAppended += batch.length;
    if (newSeries.length > 0) wal.log(encodeSeries(newSeries));
    for (let from = 0; from < batch.length; from += SAMPLES_PER_RECORD) {
      wal.log(encodeSamples(batch, from, Math.min(batch.length, from + SAMPLES_PER_RECORD)));
    }
    if (newSeries.length > 0 || batch.length > 0) await wal.sync();
  }

  rollback(): void {
    this.clear();
  }

  private clear(): void {
    for (const s of this.held) {
      s.pending--;
      s.holder = undefined;
      s.heldTimes = undefined;
    }
    this.held = [];
    for (const s of this.foreign.keys()) s.pending--;
    this.foreign.clear();
    this.series = [];
    this.ts = [];
    this.lastLabels = undefined;
    this.lastSeries = undefined;
    this.maxT = -Infinity;
  }
}
