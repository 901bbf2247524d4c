import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Aggregator, MergedResult, MetricRegistry, parseMetricKey } from '../../src/metrics/index.ts';
import type { AggregateDelta, Sample, Tags } from '../../src/metrics/index.ts';
import { exactPercentile, percentileTolerance, T0 } from './helpers.ts';

const registry = new MetricRegistry();
registry.define('my_trend', 'trend', 'time');
registry.define('my_counter', 'counter');
registry.define('my_gauge', 'gauge');
registry.define('my_rate', 'rate');
const selectors = [parseMetricKey('my_trend{kind:a}'), parseMetricKey('http_req_duration{status:200}')];

const TAGS: Tags[] = [
  { kind: 'a', status: '200', name: 'n1', method: 'GET', expected_response: 'true', group: '' },
  { kind: 'b', status: '503', name: 'n2', method: 'POST', expected_response: 'false', group: '::g' },
  { kind: 'a', status: '0', error_code: '1211', name: 'n1', method: 'GET', error: 'dial: refused', group: '::g::h' },
];
const METRICS = ['my_trend', 'my_counter', 'my_gauge', 'my_rate', 'http_req_duration', 'http_reqs', 'http_req_failed', 'checks', 'vus'];
const KEYS = [...METRICS, 'my_trend{kind:a}', 'http_req_duration{status:200}', 'http_req_duration{expected_response:true}'];
const STATS = ['avg', 'min', 'med', 'max', 'count', 'p(90)', 'p(99.9)'];

const value = fc.oneof(
  fc.integer({ min: 0, max: 5_000_000 }).map((x) => x / 1000),
  fc.integer({ min: -2000, max: 2000 }),
  fc.double({ min: -1e14, max: 1e14, noNaN: true }),
  fc.constantFrom(0, 1),
);
const step = fc.record({
  metric: fc.constantFrom(...METRICS),
  value,
  tags: fc.nat(TAGS.length - 1),
  worker: fc.nat(3),
  flush: fc.boolean(),
  gapMs: fc.integer({ min: 1, max: 700 }),
  check: fc.constantFrom('ok', 'body'),
});

interface Step {
  metric: string;
  value: number;
  tags: number;
  gapMs: number;
  check: string;
}

function samplesOf(steps: readonly Step[]): Sample[] {
  let time = T0;
  return steps.map((s) => {
    time += s.gapMs;
    const base = TAGS[s.tags];
    const tags = s.metric === 'checks' ? { ...base, check: s.check } : base;
    return { metric: s.metric, time, value: s.value, tags };
  });
}

describe('exact merge across workers', () => {
  it('gives the same result however samples are split, flushed and merged', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 250 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 300, maxLength: 300 }),
        (steps, workers, order) => {
          const samples = samplesOf(steps);
          const single = new Aggregator(registry, selectors);
          for (const s of samples) single.add(s);
          const reference = new MergedResult(registry, selectors);
          reference.merge(structuredClone(single.flush()));

          const aggs = Array.from({ length: workers }, () => new Aggregator(registry, selectors));
          const deltas: AggregateDelta[] = [];
          samples.forEach((s, i) => {
            const w = steps[i].worker % workers;
            aggs[w].add(s);
            if (steps[i].flush) deltas.push(aggs[w].flush());
          });
          for (const a of aggs) deltas.push(a.flush());
          const shuffled = deltas.map((d, i) => ({ d, k: order[i % order.length] + i * 1e-9 })).sort((a, b) => a.k - b.k);
          const merged = new MergedResult(registry, selectors, { timelineHorizonMs: 1e12 });
          for (const { d } of shuffled) merged.merge(structuredClone(d));

          expect(merged.metricKeys()).toEqual(reference.metricKeys());
          for (const key of KEYS) {
            expect(merged.hasSamples(key)).toBe(reference.hasSamples(key));
            const got = merged.metricValues(key, STATS, 10_000);
            const want = reference.metricValues(key, STATS, 10_000);
            expect(Object.keys(got)).toEqual(Object.keys(want));
            for (const stat of Object.keys(want)) {
              const summed = stat === 'avg' || (merged.metricType(key) === 'counter' && (stat === 'count' || stat === 'rate'));
              if (summed) {
                // sums of floats depend on addition order; everything else is exact
                expect(Math.abs(got[stat] - want[stat])).toBeLessThanOrEqual(Math.abs(want[stat]) * 1e-9 + 1e-9);
              } else {
                expect(got[stat]).toBe(want[stat]);
              }
            }
          }
          expect(merged.rootGroup()).toEqual(reference.rootGroup());
          expect(sortRows(merged.errors())).toEqual(sortRows(reference.errors()));
          const strip = (p: object): object => ({ ...p });
          expect(merged.timeline().map(strip)).toEqual(reference.timeline().map(strip));
          // per-endpoint series too; only float sums depend on the order of addition
          const endpoints = (m: MergedResult) => m.endpoints().map((e) => ({ ...e, durations: e.durations && { ...e.durations, sum: 0 } }));
          expect(endpoints(merged)).toEqual(endpoints(reference));
          reference.endpoints().forEach((e, i) => {
            const sum = merged.endpoints()[i].durations?.sum ?? 0;
            expect(Math.abs(sum - (e.durations?.sum ?? 0))).toBeLessThanOrEqual(Math.abs(e.durations?.sum ?? 0) * 1e-9 + 1e-9);
          });

          const trendValues = samples.filter((s) => s.metric === 'my_trend').map((s) => s.value);
          if (trendValues.length > 0) {
            for (const p of [0.5, 0.9, 0.999]) {
              const got = merged.metricValues('my_trend', [`p(${p * 100})`], 0)[`p(${p * 100})`];
              expect(Math.abs(got - exactPercentile(trendValues, p))).toBeLessThanOrEqual(percentileTolerance(trendValues, p));
            }
          }
        },
      ),
      { seed: 1234, numRuns: 80 },
    );
  });
});

function sortRows<T extends { kind: string; name: string; method: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => `${a.kind}|${a.name}|${a.method}`.localeCompare(`${b.kind}|${b.name}|${b.method}`));
}
