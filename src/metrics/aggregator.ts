/**
 * The per-worker accumulator. Every sample goes to its metric's sink and to the sinks of the sub-metrics it
 * matches; a few built-in metrics also feed the checks tree, the per-second timeline and the error
 * breakdown. `flush()` hands everything over as a plain delta and starts afresh; the main thread merges
 * the deltas of all workers into a MergedResult. Memory between flushes grows with the seconds covered
 * (one timeline bucket each), so workers flush about every second.
 */
import { TelltaleError } from '../errors.ts';
import { ChecksAccumulator } from './checks-tree.ts';
import type { AggregateDelta, MetricDelta } from './delta.ts';
import { ErrorAccumulator } from './error-breakdown.ts';
import type { MetricRegistry } from './registry.ts';
import { withDefaultSelectors } from './selectors.ts';
import { createSink, type Sink } from './sinks.ts';
import { WorkerTimeline } from './timeline.ts';
import type { MetricDef, RequestSamples, Sample, SampleSink, SubmetricSelector, Tags } from './types.ts';

export { MergedResult } from './merged-result.ts';
export type { BuildSummaryOptions, MergedResultOptions } from './merged-result.ts';
export type { AggregateDelta } from './delta.ts';

/** What a metric feeds besides its own sink. */
const ROLE_NONE = 0;
const ROLE_CHECKS = 1;
const ROLE_GROUP_DURATION = 2;
const ROLE_HTTP_DURATION = 3;
const ROLE_HTTP_REQS = 4;
const ROLE_HTTP_FAILED = 5;
const ROLE_ITERATIONS = 6;
const ROLE_DROPPED = 7;
const ROLE_DATA_SENT = 8;
const ROLE_DATA_RECEIVED = 9;
const ROLE_VUS = 10;

const ROLES: Record<string, number> = {
  checks: ROLE_CHECKS,
  group_duration: ROLE_GROUP_DURATION,
  http_req_duration: ROLE_HTTP_DURATION,
  http_reqs: ROLE_HTTP_REQS,
  http_req_failed: ROLE_HTTP_FAILED,
  iterations: ROLE_ITERATIONS,
  dropped_iterations: ROLE_DROPPED,
  data_sent: ROLE_DATA_SENT,
  data_received: ROLE_DATA_RECEIVED,
  vus: ROLE_VUS,
};

interface Sub {
  readonly selector: SubmetricSelector;
  readonly names: readonly string[];
  readonly values: readonly string[];
  readonly sink: Sink;
}

const NO_MATCH: readonly Sink[] = Object.freeze([]);

/** The metrics of RequestSamples, in addRequest()'s order. */
const REQUEST_METRICS = [
  'http_reqs', 'http_req_duration', 'http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking',
  'http_req_sending', 'http_req_waiting', 'http_req_receiving', 'http_req_failed', 'data_sent', 'data_received',
  'http_req_corrected_duration',
];

/**
 * Up to this many tag conditions over a metric's selectors, comparing tags directly beats a per-tags-object
 * WeakMap cache. Measured with bench/metrics-aggregator.ts (3 conditions on http_req_duration): ~25% faster
 * when producers reuse tags objects across requests, and over twice as fast with a fresh tags object per
 * request, where every cache lookup is a miss plus an insertion.
 */
const CACHE_ABOVE_CONDITIONS = 8;

interface Entry {
  readonly def: MetricDef;
  readonly sink: Sink;
  readonly subs: readonly Sub[];
  /**
   * Matched sub-metric sinks per tags object, for metrics with many selector conditions; null when the
   * conditions are few enough that comparing tags directly is cheaper.
   */
  readonly matches: WeakMap<Tags, readonly Sink[]> | null;
  readonly role: number;
}

export class Aggregator implements SampleSink {
  private readonly registry: MetricRegistry;
  private readonly selectorsByParent = new Map<string, SubmetricSelector[]>();
  private readonly entries = new Map<string, Entry>();
  private readonly checks = new ChecksAccumulator();
  private readonly timeline = new WorkerTimeline();
  private readonly errors = new ErrorAccumulator();

  constructor(registry: MetricRegistry, selectors: readonly SubmetricSelector[] = []) {
    this.registry = registry;
    for (const s of withDefaultSelectors(selectors)) {
      const list = this.selectorsByParent.get(s.parent);
      if (list) list.push(s);
      else this.selectorsByParent.set(s.parent, [s]);
    }
  }

  private entry(metric: string): Entry {
    const def = this.registry.get(metric);
    if (def === undefined) {
      throw new TelltaleError(
        'TT_INTERNAL',
        `sample for metric '${metric}', which is not defined (metrics must be defined before samples are added)`,
      );
    }
    const subs: Sub[] = (this.selectorsByParent.get(metric) ?? []).map((selector) => ({
      selector,
      names: Object.keys(selector.tags),
      values: Object.values(selector.tags),
      sink: createSink(def.type),
    }));
    const conditions = subs.reduce((n, sub) => n + sub.names.length, 0);
    const e: Entry = {
      def,
      sink: createSink(def.type),
      subs,
      matches: conditions > CACHE_ABOVE_CONDITIONS ? new WeakMap() : null,
      role: ROLES[metric] ?? ROLE_NONE,
    };
    this.entries.set(metric, e);
    return e;
  }

  private match(e: Entry, tags: Tags): readonly Sink[] {
    let out: Sink[] | null = null;
    for (const sub of e.subs) {
      let ok = true;
      for (let i = 0; i < sub.names.length; i++) {
        if (tags[sub.names[i]] !== sub.values[i]) {
          ok = false;
          break;
        }
      }
      if (ok) (out ??= []).push(sub.sink);
    }
    return out ?? NO_MATCH;
  }

  /** Adds one sample. NaN values carry no information and are ignored. */
  add(sample: Sample): void {
    const value = sample.value;
    if (value !== value) return;
    this.put(this.entries.get(sample.metric) ?? this.entry(sample.metric), value, sample.time, sample.tags);
  }

  /** The entries of the metrics of one HTTP request, in the order addRequest() feeds them. */
  private requestEntries: Entry[] | null = null;

  /** Adds the samples of one HTTP request, as add() would one by one, without a lookup per metric. */
  addRequest(r: RequestSamples): void {
    const e = (this.requestEntries ??= REQUEST_METRICS.map((m) => this.entries.get(m) ?? this.entry(m)));
    const { time, tags } = r;
    this.put(e[0], 1, time, tags);
    this.put(e[1], r.duration, time, tags);
    this.put(e[2], r.blocked, time, tags);
    this.put(e[3], r.connecting, time, tags);
    this.put(e[4], r.tlsHandshaking, time, tags);
    this.put(e[5], r.sending, time, tags);
    this.put(e[6], r.waiting, time, tags);
    this.put(e[7], r.receiving, time, tags);
    if (r.failed !== null) this.put(e[8], r.failed, time, tags);
    this.put(e[9], r.sent, time, tags);
    this.put(e[10], r.received, time, tags);
    const corrected = r.corrected;
    if (corrected === corrected) this.put(e[11], corrected, time, tags);
  }

  private put(e: Entry, value: number, time: number, tags: Tags): void {
    e.sink.add(value, time);
    const subs = e.subs;
    if (subs.length !== 0) {
      if (e.matches === null) {
        for (let s = 0; s < subs.length; s++) {
          const sub = subs[s];
          const names = sub.names;
          let ok = true;
          for (let i = 0; i < names.length; i++) {
            if (tags[names[i]] !== sub.values[i]) {
              ok = false;
              break;
            }
          }
          if (ok) sub.sink.add(value, time);
        }
      } else {
        let sinks = e.matches.get(tags);
        if (sinks === undefined) {
          sinks = this.match(e, tags);
          e.matches.set(tags, sinks);
        }
        for (let i = 0; i < sinks.length; i++) sinks[i].add(value, time);
      }
    }
    if (e.role !== ROLE_NONE) this.special(e.role, tags, value, time);
  }

  private special(role: number, tags: Tags, value: number, time: number): void {
    switch (role) {
      case ROLE_HTTP_DURATION:
        this.timeline.duration(time, value, tags.name);
        break;
      case ROLE_HTTP_REQS:
        this.timeline.bucket(time).httpReqs += value;
        break;
      case ROLE_HTTP_FAILED:
        if (value !== 0) {
          this.timeline.failed(time, tags.name);
          this.errors.record(tags);
        }
        break;
      case ROLE_ITERATIONS:
        this.timeline.bucket(time).iterations += value;
        break;
      case ROLE_DROPPED:
        this.timeline.bucket(time).droppedIterations += value;
        break;
      case ROLE_DATA_SENT:
        this.timeline.bucket(time).dataSent += value;
        break;
      case ROLE_DATA_RECEIVED:
        this.timeline.bucket(time).dataReceived += value;
        break;
      case ROLE_VUS:
        this.timeline.vus(time, value);
        break;
      case ROLE_CHECKS: {
        this.checks.check(tags.group ?? '', tags.check ?? '', value !== 0, time);
        break;
      }
      case ROLE_GROUP_DURATION:
        this.checks.touchGroup(tags.group ?? '', time);
        break;
    }
  }

  /** Everything accumulated since the previous flush, as structured-clone-able data; then starts afresh. */
  flush(): AggregateDelta {
    const metrics: MetricDelta[] = [];
    for (const e of this.entries.values()) {
      const { name, type, contains } = e.def;
      if (e.sink.n > 0) {
        metrics.push({ key: name, metric: name, type, contains, state: e.sink.state() });
        e.sink.reset();
      }
      for (const sub of e.subs) {
        if (sub.sink.n === 0) continue;
        metrics.push({ key: sub.selector.key, metric: name, type, contains, state: sub.sink.state() });
        sub.sink.reset();
      }
    }
    const { groups, checks } = this.checks.drain();
    return { metrics, groups, checks, timeline: this.timeline.drain(), errors: this.errors.drain() };
  }
}
