import { describe, expect, it } from 'vitest';
import { MAX_WORKER_ENDPOINTS } from '../../src/metrics/endpoints.ts';
import { Aggregator, MergedResult, MetricRegistry, TrendSink } from '../../src/metrics/index.ts';
import type { Sample, Tags } from '../../src/metrics/index.ts';
import { exactPercentile, percentileTolerance, T0 } from './helpers.ts';

const registry = new MetricRegistry();
const s = (metric: string, value: number, tags: Tags, time: number): Sample => ({ metric, value, tags, time });

/** One request: the three samples the HTTP client emits for it. */
function request(agg: Aggregator, tags: Tags, ms: number, time: number, failed = false): void {
  agg.add(s('http_reqs', 1, tags, time));
  agg.add(s('http_req_duration', ms, tags, time));
  agg.add(s('http_req_failed', failed ? 1 : 0, tags, time));
}

describe('per-endpoint series', () => {
  it('counts requests and failures and takes percentiles per endpoint and second', () => {
    const agg = new Aggregator(registry);
    const merged = new MergedResult(registry);
    const a = { name: 'A', status: '200' };
    const b = { name: 'B', status: '503' };
    const aValues: number[] = [];
    for (let i = 1; i <= 100; i++) {
      request(agg, a, i, T0 + i);
      aValues.push(i);
    }
    request(agg, b, 500, T0 + 1500, true);
    request(agg, b, 700, T0 + 1600, true);
    merged.merge(structuredClone(agg.flush()));
    const [ea, eb] = merged.endpoints();
    expect(ea).toMatchObject({ name: 'A', other: false, requests: 100, failed: 0 });
    expect(ea.series.time).toEqual([T0]);
    expect(ea.series.requests).toEqual([100]);
    expect(ea.series.p95[0]).toBeCloseTo(exactPercentile(aValues, 0.95), 1);
    expect(Math.abs((ea.series.p99[0] as number) - exactPercentile(aValues, 0.99))).toBeLessThanOrEqual(percentileTolerance(aValues, 0.99));
    expect(ea.series.max).toEqual([100]);
    expect(eb).toMatchObject({ name: 'B', requests: 2, failed: 2, series: { time: [T0 + 1000], requests: [2], failed: [2], max: [700] } });
    // the whole-run histogram merges into a sink like any trend
    const sink = new TrendSink('float64');
    sink.merge(ea.durations!);
    expect(sink.n).toBe(100);
    expect(sink.percentiles([0.5])[0]).toBeCloseTo(50.5, 1);
    // the run's own timeline is the union of the endpoints
    expect(merged.timeline().map((p) => p.httpReqFailed)).toEqual([0, 2]);
    expect(merged.timeline()[0].max).toBe(100);
  });

  it('folds names past the bound into one "other" series, exactly', () => {
    const agg = new Aggregator(registry);
    const merged = new MergedResult(registry, [], { maxEndpoints: 2 });
    for (const [i, name] of ['a', 'b', 'c', 'd', 'a'].entries()) request(agg, { name }, 10 + i, T0 + i * 10, name === 'd');
    merged.merge(agg.flush());
    const eps = merged.endpoints();
    expect(eps.map((e) => [e.name, e.other, e.requests, e.failed])).toEqual([
      ['a', false, 2, 0],
      ['b', false, 1, 0],
      ['other', true, 2, 1],
    ]);
    expect(eps[2].series.max).toEqual([13]);
    expect(merged.foldedEndpointNames()).toBe(2);
  });

  it('bounds the names a worker keeps apart within one second', () => {
    const agg = new Aggregator(registry);
    const merged = new MergedResult(registry, [], { maxEndpoints: 5000 });
    for (let i = 0; i < MAX_WORKER_ENDPOINTS + 10; i++) request(agg, { name: `/item/${i}` }, 1, T0 + (i % 900));
    const delta = agg.flush();
    expect(delta.timeline[0].endpoints).toHaveLength(MAX_WORKER_ENDPOINTS + 1);
    merged.merge(delta);
    const eps = merged.endpoints();
    expect(eps.at(-1)).toMatchObject({ other: true, requests: 10 });
    expect(eps.reduce((n, e) => n + e.requests, 0)).toBe(MAX_WORKER_ENDPOINTS + 10);
  });

  it('keeps requests without a name tag under the empty name', () => {
    const agg = new Aggregator(registry);
    const merged = new MergedResult(registry);
    request(agg, { status: '200' }, 5, T0);
    merged.merge(agg.flush());
    expect(merged.endpoints().map((e) => [e.name, e.requests])).toEqual([['', 1]]);
  });

  it('keeps histograms only for recent seconds and stays exact for late deltas', () => {
    const workers = [new Aggregator(registry), new Aggregator(registry)];
    const late = new Aggregator(registry);
    const merged = new MergedResult(registry, [], { timelineHorizonMs: 2000 });
    const seconds = 600;
    request(late, { name: 'x' }, 999, T0 + 10_000 + 5, true);
    for (let sec = 0; sec < seconds; sec++) {
      for (const [w, agg] of workers.entries()) {
        request(agg, { name: 'x' }, 10 + w + (sec % 7), T0 + sec * 1000 + 5);
        merged.merge(agg.flush());
      }
    }
    const before = merged.endpoints()[0].series.p95[10];
    // a delta for second 10 arriving long after that second was reduced to numbers
    merged.merge(late.flush());
    const [x] = merged.endpoints();
    expect(x.requests).toBe(2 * seconds + 1);
    expect(x.failed).toBe(1);
    expect(x.series.time).toHaveLength(seconds);
    expect(x.series.requests[10]).toBe(3);
    expect(x.series.failed[10]).toBe(1);
    expect(x.series.max[10]).toBe(999);
    expect(x.series.p95[10]).toBe(before);
    expect(x.durations?.n).toBe(2 * seconds + 1);
    expect(x.durations?.max).toBe(999);
  });
});
