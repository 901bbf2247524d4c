/**
 * The per-second timeline: counts per second plus an http_req_duration histogram per second for its
 * percentiles. Workers hand their seconds over on every flush; the merged side keeps histograms only for
 * the last few seconds (late deltas may still arrive for them) and reduces older seconds to plain numbers,
 * so memory grows by one small point per second of the run.
 *
 * Workers record each request's duration once, in the second's sink of its endpoint (the `name` tag); the
 * second's overall histogram is the merge of its endpoints' histograms, built at flush time rather than per
 * sample. The merged per-endpoint series live in endpoints.ts.
 */
import type { TimelinePoint } from '../load/summary/types.ts';
import type { EndpointDelta, TimelineDelta } from './delta.ts';
import { MAX_WORKER_ENDPOINTS, OTHER_ENDPOINT } from './endpoints.ts';
import { percentilesOf, ScaledHistogram } from './histogram.ts';
import { TrendSink } from './sinks.ts';

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
  /** Worker side only: this second's requests per endpoint name (undefined when the name tag is off). */
  readonly endpoints = new Map<string | undefined, EndpointBucket>();

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

/** One endpoint's requests in one second of one worker. */
class EndpointBucket {
  name = '';
  failed = 0;
  readonly durations = new TrendSink('int32');
}

/** Reuses buckets and histograms across flushes, so steady state allocates nothing per second. */
class BucketPool {
  private readonly free: Bucket[] = [];
  private readonly hists: ScaledHistogram[] = [];
  private readonly freeEndpoints: EndpointBucket[] = [];

  bucket(time: number): Bucket {
    return (this.free.pop() ?? new Bucket()).init(time);
  }
  endpoint(name: string): EndpointBucket {
    const e = this.freeEndpoints.pop() ?? new EndpointBucket();
    e.name = name;
    return e;
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
    for (const e of b.endpoints.values()) {
      e.failed = 0;
      e.durations.reset();
      this.freeEndpoints.push(e);
    }
    b.endpoints.clear();
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

  /** One request's http_req_duration; `name` is its endpoint (the `name` tag). */
  duration(time: number, value: number, name: string | undefined): void {
    const b = this.bucket(time);
    (b.endpoints.get(name) ?? this.endpoint(b, name)).durations.add(value);
  }

  /** One failed request (http_req_failed) of endpoint `name`. */
  failed(time: number, name: string | undefined): void {
    const b = this.bucket(time);
    b.httpReqFailed++;
    (b.endpoints.get(name) ?? this.endpoint(b, name)).failed++;
  }

  /** Past MAX_WORKER_ENDPOINTS names in one second, further names share the `other` bucket. */
  private endpoint(b: Bucket, name: string | undefined): EndpointBucket {
    let key: string | undefined = name;
    if (b.endpoints.size >= MAX_WORKER_ENDPOINTS) {
      key = OTHER_ENDPOINT;
      const other = b.endpoints.get(key);
      if (other !== undefined) return other;
    }
    const e = this.pool.endpoint(key ?? '');
    b.endpoints.set(key, e);
    return e;
  }

  /** The second's endpoints as deltas, and its overall durations as the merge of theirs. */
  private drainEndpoints(b: Bucket): { endpoints: EndpointDelta[]; durations: TimelineDelta['durations']; min: number; max: number } {
    const endpoints: EndpointDelta[] = [];
    let durations: TimelineDelta['durations'] = null;
    let all: ScaledHistogram | null = null;
    let min = Infinity;
    let max = -Infinity;
    for (const e of b.endpoints.values()) {
      const sink = e.durations;
      const state = sink.n > 0 ? sink.state() : null;
      endpoints.push({ name: e.name, failed: e.failed, durations: state });
      if (state === null) continue;
      if (state.min < min) min = state.min;
      if (state.max > max) max = state.max;
      if (durations === null) {
        durations = state.hist;
      } else {
        if (all === null) {
          all = this.pool.hist();
          all.merge(durations);
        }
        all.merge(state.hist);
      }
    }
    if (all !== null) {
      durations = all.encode();
      this.pool.releaseHist(all);
    }
    return { endpoints, durations, min, max };
  }

  vus(time: number, value: number): void {
    const b = this.bucket(time);
    if (value > b.vus) b.vus = value;
  }

  drain(): TimelineDelta[] {
    const out: TimelineDelta[] = [];
    for (const b of this.buckets.values()) {
      const { endpoints, durations, min, max } = this.drainEndpoints(b);
      out.push({
        time: b.time,
        vus: b.vus,
        iterations: b.iterations,
        httpReqs: b.httpReqs,
        httpReqFailed: b.httpReqFailed,
        droppedIterations: b.droppedIterations,
        dataSent: b.dataSent,
        dataReceived: b.dataReceived,
        durations,
        durationMin: durations !== null ? min : 0,
        durationMax: durations !== null ? max : 0,
        endpoints,
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
