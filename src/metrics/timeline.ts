/**
 * The per-second timeline: counts per second plus an http_req_duration histogram per second for its
 * percentiles. Workers hand their seconds over on every flush; the merged side keeps histograms only for
 * the last few seconds (late deltas may still arrive for them) and reduces older seconds to plain numbers,
 * so memory grows by one small point per second of the run.
 */
import type { TimelinePoint } from '../load/summary/types.ts';
import type { TimelineDelta } from './delta.ts';
import { percentilesOf, ScaledHistogram } from './histogram.ts';

const TIMELINE_PCTS = [0.5, 0.9, 0.95, 0.99];

/** Start of the second holding `time` (epoch ms). */
export function secondOf(time: number): number {
  return Math.floor(time / 1000) * 1000;
}

class Bucket {
  time = 0;
  vus = -1;
  iterations = 0;
  httpReqs = 0;
  httpReqFailed = 0;
  droppedIterations = 0;
  dataSent = 0;
  dataReceived = 0;
  hist: ScaledHistogram | null = null;
  durationMin = Infinity;
  durationMax = -Infinity;

  init(time: number): this {
    this.time = time;
    this.vus = -1;
    this.iterations = 0;
    this.httpReqs = 0;
    this.httpReqFailed = 0;
    this.droppedIterations = 0;
    this.dataSent = 0;
    this.dataReceived = 0;
    this.durationMin = Infinity;
    this.durationMax = -Infinity;
    return this;
  }

  toPoint(): TimelinePoint {
    const p: TimelinePoint = {
      time: this.time,
      vus: this.vus,
      iterations: this.iterations,
      httpReqs: this.httpReqs,
      httpReqFailed: this.httpReqFailed,
      droppedIterations: this.droppedIterations,
      dataSent: this.dataSent,
      dataReceived: this.dataReceived,
    };
    if (this.hist !== null && this.hist.count > 0) setLatency(p, this.hist, this.durationMin, this.durationMax);
    return p;
  }
}

function setLatency(p: TimelinePoint, hist: ScaledHistogram, min: number, max: number): void {
  const [p50, p90, p95, p99] = percentilesOf(hist, min, max, TIMELINE_PCTS);
  p.p50 = p50;
  p.p90 = p90;
  p.p95 = p95;
  p.p99 = p99;
  p.max = max;
}

/** Reuses buckets and histograms across flushes, so steady state allocates nothing per second. */
class BucketPool {
  private readonly free: Bucket[] = [];
  private readonly hists: ScaledHistogram[] = [];

  bucket(time: number): Bucket {
    return (this.free.pop() ?? new Bucket()).init(time);
  }
  hist(): ScaledHistogram {
    return this.hists.pop() ?? new ScaledHistogram('int32');
  }
  releaseHist(h: ScaledHistogram): void {
    h.reset();
    this.hists.push(h);
  }
  release(b: Bucket): void {
    if (b.hist !== null) {
      this.releaseHist(b.hist);
      b.hist = null;
    }
    this.free.push(b);
  }
}

/** A worker's seconds since its last flush. */
export class WorkerTimeline {
  private readonly buckets = new Map<number, Bucket>();
  private readonly pool = new BucketPool();
  private lastSecond = NaN;
  private last: Bucket | null = null;

  bucket(time: number): Bucket {
    const sec = secondOf(time);
    if (sec === this.lastSecond) return this.last as Bucket;
    let b = this.buckets.get(sec);
    if (b === undefined) {
      b = this.pool.bucket(sec);
      this.buckets.set(sec, b);
    }
    this.lastSecond = sec;
    this.last = b;
    return b;
  }

  duration(time: number, value: number): void {
    const b = this.bucket(time);
    if (b.hist === null) b.hist = this.pool.hist();
    b.hist.record(value);
    if (value < b.durationMin) b.durationMin = value;
    if (value > b.durationMax) b.durationMax = value;
  }

  vus(time: number, value: number): void {
    const b = this.bucket(time);
    if (value > b.vus) b.vus = value;
  }

  drain(): TimelineDelta[] {
    const out: TimelineDelta[] = [];
    for (const b of this.buckets.values()) {
      const hasDurations = b.hist !== null && b.hist.count > 0;
      out.push({
        time: b.time,
        vus: b.vus,
        iterations: b.iterations,
        httpReqs: b.httpReqs,
        httpReqFailed: b.httpReqFailed,
        droppedIterations: b.droppedIterations,
        dataSent: b.dataSent,
        dataReceived: b.dataReceived,
        durations: hasDurations ? (b.hist as ScaledHistogram).encode() : null,
        durationMin: hasDurations ? b.durationMin : 0,
        durationMax: hasDurations ? b.durationMax : 0,
      });
      this.pool.release(b);
    }
    this.buckets.clear();
    this.lastSecond = NaN;
    this.last = null;
    return out;
  }
}

function addCounts(into: Bucket | TimelinePoint, d: TimelineDelta): void {
  if (d.vus > into.vus) into.vus = d.vus;
  into.iterations += d.iterations;
  into.httpReqs += d.httpReqs;
  into.httpReqFailed += d.httpReqFailed;
  into.droppedIterations += d.droppedIterations;
  into.dataSent += d.dataSent;
  into.dataReceived += d.dataReceived;
}

/** The merged timeline of the run. */
export class MergedTimeline {
  private readonly live = new Map<number, Bucket>();
  private readonly reduced = new Map<number, TimelinePoint>();
  private readonly pool = new BucketPool();
  private readonly horizonMs: number;
  private newest = -Infinity;

  /** Seconds more than `horizonMs` older than the newest merged second are reduced to numbers. */
  constructor(horizonMs = 5000) {
    this.horizonMs = horizonMs;
  }

  merge(deltas: readonly TimelineDelta[]): void {
    for (const d of deltas) {
      const point = this.reduced.get(d.time);
      if (point !== undefined) {
        this.mergeLate(point, d);
        continue;
      }
      let b = this.live.get(d.time);
      if (b === undefined) {
        b = this.pool.bucket(d.time);
        this.live.set(d.time, b);
      }
      addCounts(b, d);
      if (d.durations !== null) {
        if (b.hist === null) b.hist = this.pool.hist();
        b.hist.merge(d.durations);
        if (d.durationMin < b.durationMin) b.durationMin = d.durationMin;
        if (d.durationMax > b.durationMax) b.durationMax = d.durationMax;
      }
      if (d.time > this.newest) this.newest = d.time;
    }
    this.reduceOld();
  }

  /**
   * A second that was already reduced: counts and max stay exact; its percentiles are kept (or, when it
   * had no requests before, taken from the late data alone).
   */
  private mergeLate(point: TimelinePoint, d: TimelineDelta): void {
    addCounts(point, d);
    if (d.durations === null) return;
    if (point.max === undefined) {
      const hist = this.pool.hist();
      hist.merge(d.durations);
      setLatency(point, hist, d.durationMin, d.durationMax);
      this.pool.releaseHist(hist);
    } else if (d.durationMax > point.max) {
      point.max = d.durationMax;
    }
  }

  private reduceOld(): void {
    const cutoff = this.newest - this.horizonMs;
    for (const [time, b] of this.live) {
      if (time >= cutoff) continue;
      this.reduced.set(time, b.toPoint());
      this.live.delete(time);
      this.pool.release(b);
    }
  }

  /** Number of seconds still holding a histogram. */
  liveSeconds(): number {
    return this.live.size;
  }

  /** Every second so far, sorted by time; a second without `vus` samples repeats the previous value. */
  points(): TimelinePoint[] {
    const all: TimelinePoint[] = [...this.reduced.values()].map((p) => ({ ...p }));
    for (const b of this.live.values()) all.push(b.toPoint());
    all.sort((a, b) => a.time - b.time);
    let vus = 0;
    for (const p of all) {
      if (p.vus < 0) p.vus = vus;
      else vus = p.vus;
    }
    return all;
  }
}
