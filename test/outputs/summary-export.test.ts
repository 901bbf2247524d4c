import { describe, expect, it } from 'vitest';
import { summaryExportJson, toSummaryExport } from '../../src/load/summary/index.ts';
import { emptySummary, smallSummary } from './fixtures.ts';

describe('--summary-export (k6 legacy JSON)', () => {
  const out = toSummaryExport(smallSummary());

  it('has only root_group and metrics at the top level (no options/state)', () => {
    expect(Object.keys(out).sort()).toEqual(['metrics', 'root_group']);
  });

  it('keys groups and checks by name, keeping name/path/id and pass/fail counts', () => {
    expect(out.root_group).toEqual({
      name: '',
      path: '',
      id: 'd41d8cd98f00b204e9800998ecf8427e',
      groups: {
        login: {
          name: 'login',
          path: '::login',
          id: 'b0470a9b5d3c8e5a0e1b7b4cc3ef0c11',
          groups: {},
          checks: {
            'token present': {
              name: 'token present',
              path: '::login::token present',
              id: '5a0f2b9a1c0e4f7e8d6b3a2c1d0e9f8a',
              passes: 40,
              fails: 5,
            },
          },
        },
      },
      checks: {
        'status is 200': {
          name: 'status is 200',
          path: '::status is 200',
          id: '6210a8cd14cd70477eba5c5e4cb3fb5f',
          passes: 45,
          fails: 0,
        },
      },
    });
  });

  it('flattens counters, gauges and trends to their values', () => {
    expect(out.metrics.http_reqs).toEqual({ count: 45, rate: 6.561056 });
    expect(out.metrics.vus).toEqual({ value: 1, min: 1, max: 10 });
    expect(out.metrics.custom_waiting_time).toEqual({
      avg: 152.355556,
      min: 120,
      med: 141,
      max: 684,
      'p(90)': 147.2,
      'p(95)': 148.8,
    });
    expect(out.metrics['http_req_duration{expected_response:true}']).toMatchObject({ avg: 140.36, 'p(95)': 148.21 });
  });

  it('renames a rate\'s `rate` to `value`: {passes, fails, value}', () => {
    expect(out.metrics.checks).toEqual({ passes: 85, fails: 5, value: 85 / 90 });
    expect(Object.keys(out.metrics.checks)).toEqual(['passes', 'fails', 'value']);
  });

  it('writes thresholds as { expression: failed } — true means the threshold failed', () => {
    expect(out.metrics.http_req_duration.thresholds).toEqual({ 'p(95)<1500': false, 'p(90)<100': true });
    expect(out.metrics.http_req_failed).toEqual({ passes: 0, fails: 45, thresholds: { 'rate<0.01': false }, value: 0 });
    expect(out.metrics.http_reqs.thresholds).toBeUndefined();
  });

  it('does not mutate its input and serializes with four-space indentation', () => {
    const data = smallSummary();
    const before = JSON.stringify(data);
    const json = summaryExportJson(data);
    expect(JSON.stringify(data)).toBe(before);
    expect(json.split('\n')[1]).toBe('    "root_group": {');
    expect(JSON.parse(json)).toEqual(toSummaryExport(data));
  });

  it('exports an empty run', () => {
    expect(toSummaryExport(emptySummary())).toEqual({
      root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: {}, checks: {} },
      metrics: { iterations: { count: 0, rate: 0 } },
    });
  });
});
