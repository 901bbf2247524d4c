import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { Aggregator, MergedResult, MetricRegistry, parseMetricKey } from '../../src/metrics/index.ts';
import type { Sample, Tags } from '../../src/metrics/index.ts';
import { T0 } from './helpers.ts';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function setup(keys: string[] = []) {
  const registry = new MetricRegistry();
  const selectors = keys.map(parseMetricKey);
  const agg = new Aggregator(registry, selectors);
  const merged = new MergedResult(registry, selectors);
  const sync = (): void => merged.merge(structuredClone(agg.flush()));
  return { registry, selectors, agg, merged, sync };
}

const s = (metric: string, value: number, tags: Tags = {}, time = T0): Sample => ({ metric, value, tags, time });

describe('Aggregator sub-metrics', () => {
  it('feeds every selector whose tags all match', () => {
    const { agg, merged, sync } = setup(['http_req_duration{status:200}', 'http_req_duration{status:200,method:GET}', 'http_req_duration{name:x}']);
    agg.add(s('http_req_duration', 10, { status: '200', method: 'GET', name: 'x', expected_response: 'true' }));
    agg.add(s('http_req_duration', 20, { status: '200', method: 'POST', name: 'y', expected_response: 'true' }));
    agg.add(s('http_req_duration', 30, { status: '500', method: 'GET', name: 'x', expected_response: 'false' }));
    sync();
    const count = (key: string): number => merged.metricValues(key, ['count'], 1000).count;
    expect(count('http_req_duration')).toBe(3);
    expect(count('http_req_duration{status:200}')).toBe(2);
    expect(count('http_req_duration{status:200,method:GET}')).toBe(1);
    expect(count('http_req_duration{name:x}')).toBe(2);
    expect(count('http_req_duration{expected_response:true}')).toBe(2);
    expect(count('http_req_duration{ status : 200 }')).toBe(2);
  });

  it('uses the per-tags cache for metrics with many selector conditions', () => {
    const keys = Array.from({ length: 10 }, (_, i) => `my_trend{k${i}:v}`);
    const registry = new MetricRegistry();
    registry.define('my_trend', 'trend');
    const selectors = keys.map(parseMetricKey);
    const agg = new Aggregator(registry, selectors);
    const tags = { k1: 'v', k3: 'v', k4: 'w' };
    for (let i = 0; i < 5; i++) agg.add(s('my_trend', i, tags));
    agg.add(s('my_trend', 9, { k4: 'v' }));
    const merged = new MergedResult(registry, selectors);
    merged.merge(agg.flush());
    expect(keys.map((k) => merged.metricValues(k, ['count'], 0).count)).toEqual([0, 5, 0, 5, 1, 0, 0, 0, 0, 0]);
  });

  it('rejects samples of undefined metrics and ignores NaN', () => {
    const { agg, merged, sync } = setup();
    expect(() => agg.add(s('nope', 1))).toThrow(TelltaleError);
    agg.add(s('iterations', NaN));
    sync();
    expect(merged.hasSamples('iterations')).toBe(false);
  });

  it('starts afresh after each flush', () => {
    const { agg } = setup();
    agg.add(s('http_reqs', 1));
    expect(agg.flush().metrics).toHaveLength(1);
    const empty = agg.flush();
    expect(empty).toEqual({ metrics: [], groups: [], checks: [], timeline: [], errors: [] });
  });
});

describe('checks tree', () => {
  it('keeps passes/fails per group and check in order of first appearance, with md5 ids', () => {
    const { agg, merged, sync } = setup();
    agg.add(s('checks', 1, { check: 'root check', group: '' }, T0));
    agg.add(s('checks', 1, { check: 'status is 200', group: '::outer::inner' }, T0 + 1));
    agg.add(s('checks', 0, { check: 'status is 200', group: '::outer::inner' }, T0 + 2));
    agg.add(s('group_duration', 5, { group: '::outer::inner' }, T0 + 3));
    agg.add(s('group_duration', 7, { group: '::outer' }, T0 + 4));
    agg.add(s('group_duration', 7, { group: '::empty' }, T0 + 5));
    agg.add(s('checks', 0, { check: 'root check', group: '' }, T0 + 6));
    sync();
    const root = merged.rootGroup();
    expect(root).toEqual({
      name: '',
      path: '',
      id: md5(''),
      checks: [{ name: 'root check', path: '::root check', id: md5('::root check'), passes: 1, fails: 1 }],
      groups: [
        {
          name: 'outer',
          path: '::outer',
          id: md5('::outer'),
          checks: [],
          groups: [
            {
              name: 'inner',
              path: '::outer::inner',
              id: md5('::outer::inner'),
              groups: [],
              checks: [
                { name: 'status is 200', path: '::outer::inner::status is 200', id: md5('::outer::inner::status is 200'), passes: 1, fails: 1 },
              ],
            },
          ],
        },
        { name: 'empty', path: '::empty', id: md5('::empty'), groups: [], checks: [] },
      ],
    });
    expect(root.id).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });

  it('orders by first sample time whatever the merge order', () => {
    const registry = new MetricRegistry();
    const early = new Aggregator(registry);
    const late = new Aggregator(registry);
    early.add(s('checks', 1, { check: 'a', group: '::first' }, T0));
    late.add(s('checks', 1, { check: 'b', group: '::second' }, T0 + 10));
    const merged = new MergedResult(registry);
    merged.merge(late.flush());
    merged.merge(early.flush());
    expect(merged.rootGroup().groups.map((g) => g.name)).toEqual(['first', 'second']);
  });
});

describe('timeline', () => {
  it('buckets per second', () => {
    const { agg, merged, sync } = setup();
    const ok = { status: '200', name: 'a', method: 'GET' };
    const bad = { status: '503', name: 'a', method: 'GET' };
    agg.add(s('vus', 3, {}, T0 + 10));
    agg.add(s('vus', 5, {}, T0 + 500));
    agg.add(s('iterations', 1, {}, T0 + 999));
    agg.add(s('http_reqs', 1, ok, T0 + 100));
    agg.add(s('http_reqs', 1, bad, T0 + 1100));
    agg.add(s('http_req_failed', 0, ok, T0 + 100));
    agg.add(s('http_req_failed', 1, bad, T0 + 1100));
    agg.add(s('dropped_iterations', 2, {}, T0 + 1500));
    agg.add(s('data_sent', 100, {}, T0 + 100));
    agg.add(s('data_received', 1000, {}, T0 + 1999));
    for (let i = 1; i <= 100; i++) agg.add(s('http_req_duration', i, ok, T0 + 1000 + i));
    sync();
    expect(merged.timeline()).toEqual([
      { time: T0, vus: 5, iterations: 1, httpReqs: 1, httpReqFailed: 0, droppedIterations: 0, dataSent: 100, dataReceived: 0 },
      {
        time: T0 + 1000,
        vus: 5,
        iterations: 0,
        httpReqs: 1,
        httpReqFailed: 1,
        droppedIterations: 2,
        dataSent: 0,
        dataReceived: 1000,
        p50: expect.closeTo(50.5, 1),
        p90: expect.closeTo(90.1, 1),
        p95: expect.closeTo(95.05, 1),
        p99: expect.closeTo(99.01, 1),
        max: 100,
      },
    ]);
  });

  it('keeps histograms only for the last seconds, however long the run', () => {
    const registry = new MetricRegistry();
    const workers = [new Aggregator(registry), new Aggregator(registry)];
    const merged = new MergedResult(registry);
    const seconds = 1800;
    for (let sec = 0; sec < seconds; sec++) {
      for (const [w, agg] of workers.entries()) {
        agg.add(s('http_req_duration', 10 + w + (sec % 7), {}, T0 + sec * 1000 + 5));
        agg.add(s('http_reqs', 1, {}, T0 + sec * 1000 + 5));
        merged.merge(agg.flush());
      }
      expect(merged.liveTimelineSeconds()).toBeLessThanOrEqual(6);
    }
    const points = merged.timeline();
    expect(points).toHaveLength(seconds);
    expect(points[0]).toMatchObject({ time: T0, httpReqs: 2, max: 11 });
    expect(points[seconds - 1].httpReqs).toBe(2);
  });

  it('merges late deltas into reduced seconds', () => {
    const registry = new MetricRegistry();
    const a = new Aggregator(registry);
    const merged = new MergedResult(registry, [], { timelineHorizonMs: 2000 });
    a.add(s('http_reqs', 1, {}, T0));
    a.add(s('http_req_duration', 5, {}, T0));
    merged.merge(a.flush());
    a.add(s('http_reqs', 1, {}, T0 + 10_000));
    merged.merge(a.flush());
    expect(merged.liveTimelineSeconds()).toBe(1);
    a.add(s('http_reqs', 1, {}, T0 + 10));
    a.add(s('http_req_duration', 50, {}, T0 + 10));
    merged.merge(a.flush());
    expect(merged.timeline()[0]).toMatchObject({ time: T0, httpReqs: 2, max: 50, p50: 5 });
  });
});

describe('error breakdown', () => {
  it('counts failed requests by kind, name and method with the first message', () => {
    const { agg, merged, sync } = setup();
    const s503 = { status: '503', name: 'checkout', method: 'POST', error: 'service unavailable' };
    const refused = { status: '0', error_code: '1211', name: 'home', method: 'GET', error: 'dial tcp: connection refused' };
    for (let i = 0; i < 3; i++) agg.add(s('http_req_failed', 1, { ...s503, error: `msg ${i}` }));
    agg.add(s('http_req_failed', 1, refused));
    agg.add(s('http_req_failed', 0, { status: '200', name: 'home', method: 'GET' }));
    sync();
    agg.add(s('http_req_failed', 1, refused));
    agg.add(s('http_req_failed', 1, refused));
    sync();
    expect(merged.errors()).toEqual([
      { kind: 'status 503', name: 'checkout', method: 'POST', count: 3, message: 'msg 0' },
      { kind: 'error_code 1211', name: 'home', method: 'GET', count: 3, message: 'dial tcp: connection refused' },
    ].sort((x, y) => y.count - x.count));
  });

  it('is bounded: distinct rows past the limit go to an "other" row', () => {
    const registry = new MetricRegistry();
    const agg = new Aggregator(registry);
    const merged = new MergedResult(registry);
    for (let i = 0; i < 1500; i++) agg.add(s('http_req_failed', 1, { status: '500', name: `url ${i}`, method: 'GET' }));
    merged.merge(agg.flush());
    for (let i = 0; i < 1500; i++) agg.add(s('http_req_failed', 1, { status: '502', name: `url ${i}`, method: 'GET' }));
    merged.merge(agg.flush());
    const rows = merged.errors();
    expect(rows).toHaveLength(1001);
    expect(rows[0]).toEqual({ kind: 'other', name: '', method: '', count: 2000 });
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(3000);
  });
});

describe('MergedResult read API', () => {
  it('builds k6 summary data', () => {
    const { registry, agg, merged, sync } = setup(['http_req_duration{status:201}']);
    registry.define('unused_counter', 'counter');
    registry.define('my_gauge', 'gauge');
    agg.add(s('http_reqs', 1, {}));
    agg.add(s('http_reqs', 1, {}));
    agg.add(s('my_gauge', 7, {}, T0));
    agg.add(s('my_gauge', 3, {}, T0 + 5));
    for (let i = 1; i <= 4; i++) agg.add(s('http_req_duration', i * 10, { status: '200', expected_response: 'true' }));
    agg.add(s('checks', 1, { check: 'c', group: '' }));
    sync();
    const data = merged.buildSummaryData({
      registry,
      trendStats: ['avg', 'max', 'p(95)'],
      noColor: true,
      testRunDurationMs: 2000,
      isStdOutTTY: false,
      isStdErrTTY: true,
      thresholdResults: [
        { metricKey: 'http_req_duration', expression: 'p(95)<200', ok: true },
        { metricKey: 'unused_counter', expression: 'count<1', ok: true },
        { metricKey: 'http_req_duration{ status: 201 }', expression: 'max<1', ok: false },
      ],
    });
    expect(Object.keys(data.metrics)).toEqual([
      'checks',
      'http_req_duration',
      'http_req_duration{expected_response:true}',
      'http_req_duration{status:201}',
      'http_reqs',
      'my_gauge',
      'unused_counter',
    ]);
    expect(data.metrics.http_reqs).toEqual({ type: 'counter', contains: 'default', values: { count: 2, rate: 1 } });
    expect(data.metrics.my_gauge.values).toEqual({ value: 3, min: 3, max: 7 });
    expect(data.metrics.checks.values).toEqual({ rate: 1, passes: 1, fails: 0 });
    expect(data.metrics.http_req_duration.type).toBe('trend');
    expect(data.metrics.http_req_duration.contains).toBe('time');
    expect(data.metrics.http_req_duration.values.avg).toBe(25);
    expect(data.metrics.http_req_duration.values.max).toBe(40);
    expect(data.metrics.http_req_duration.thresholds).toEqual({ 'p(95)<200': { ok: true } });
    expect(data.metrics['http_req_duration{status:201}']).toEqual({
      type: 'trend',
      contains: 'time',
      values: { avg: 0, max: 0, 'p(95)': 0 },
      thresholds: { 'max<1': { ok: false } },
    });
    expect(data.metrics.unused_counter.values).toEqual({ count: 0, rate: 0 });
    expect(data.options).toEqual({ summaryTrendStats: ['avg', 'max', 'p(95)'], summaryTimeUnit: '', noColor: true });
    expect(data.state).toEqual({ isStdOutTTY: false, isStdErrTTY: true, testRunDurationMs: 2000 });
    expect(data.root_group.checks[0].name).toBe('c');
  });

  it('lists keys and distributions', () => {
    const { agg, merged, sync } = setup(['http_req_duration{status:201}']);
    for (let i = 0; i <= 1000; i++) agg.add(s('http_req_duration', i, {}));
    sync();
    expect(merged.metricKeys()).toEqual(['http_req_duration', 'http_req_duration{status:201}']);
    const dist = merged.distribution('http_req_duration');
    expect(dist.map(([p]) => p)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97.5, 99, 99.5, 99.9, 99.99, 100]);
    for (const [p, v] of dist) expect(Math.abs(v - p * 10)).toBeLessThanOrEqual(p * 10 * 1e-3 + 1e-3);
    expect(merged.distribution('http_reqs')).toEqual([]);
    expect(merged.distribution('http_req_waiting')).toEqual([]);
    expect(merged.metricValues('nope', ['avg'], 0)).toEqual({});
  });
});

describe('Aggregator.addRequest', () => {
  it('gives exactly what add() gives for the same samples, sub-metrics, timeline and errors included', () => {
    const keys = ['http_req_duration{status:200}', 'http_req_failed{name:x}', 'data_received{method:GET}'];
    const one = setup(keys);
    const batch = setup(keys);
    const requests: { tags: Tags; failed: number | null; corrected: number }[] = [
      { tags: { status: '200', method: 'GET', name: 'x', expected_response: 'true' }, failed: 0, corrected: NaN },
      { tags: { status: '500', method: 'POST', name: 'x', expected_response: 'false', error_code: '1500' }, failed: 1, corrected: 12.5 },
      { tags: { status: '200', method: 'GET', name: 'y' }, failed: null, corrected: NaN },
    ];
    requests.forEach((r, i) => {
      const time = T0 + i * 700;
      const v = { duration: 10 + i, blocked: 1, connecting: 0.5, tlsHandshaking: 0, sending: 0.1, waiting: 9 + i, receiving: 0.2, sent: 80, received: 120 + i };
      batch.agg.addRequest({ time, tags: r.tags, ...v, failed: r.failed, corrected: r.corrected });
      const add = (metric: string, value: number) => one.agg.add(s(metric, value, r.tags, time));
      add('http_reqs', 1);
      add('http_req_duration', v.duration);
      add('http_req_blocked', v.blocked);
      add('http_req_connecting', v.connecting);
      add('http_req_tls_handshaking', v.tlsHandshaking);
      add('http_req_sending', v.sending);
      add('http_req_waiting', v.waiting);
      add('http_req_receiving', v.receiving);
      if (r.failed !== null) add('http_req_failed', r.failed);
      add('data_sent', v.sent);
      add('data_received', v.received);
      if (!Number.isNaN(r.corrected)) add('http_req_corrected_duration', r.corrected);
    });
    const byKey = (d: ReturnType<Aggregator['flush']>) => ({ ...d, metrics: [...d.metrics].sort((a, b) => a.key.localeCompare(b.key)) });
    expect(byKey(batch.agg.flush())).toEqual(byKey(one.agg.flush()));
  });
});
