import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/load/outputs/index.ts';
import { downsampleMinMax, MAX_POINTS } from '../../src/load/outputs/html-charts.ts';
import type { TimelinePoint } from '../../src/load/summary/types.ts';
import { emptySummary, runReport, timeline } from './fixtures.ts';

const EVIL = '<script>alert("x")</script>';

function paths(html: string): string[] {
  return [...html.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);
}

function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
  expect(html).not.toMatch(/<(?:link|iframe|object|embed|img)\b/i);
  expect(html).not.toMatch(/@import|url\(/i);
  expect(html).not.toMatch(/<script\b/i);
}

describe('HTML report', () => {
  const html = renderHtmlReport(runReport());

  it('is one standalone document with the run header and verdict', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('scripts/checkout.js');
    expect(html).toContain('2025-01-15 10:00:00 UTC');
    expect(html).toContain('2025-01-15 10:02:00 UTC');
    expect(html).toContain('2m0s');
    expect(html).toContain('constant-arrival-rate');
    expect(html).toContain('1 of 3 thresholds failed');
    expectSelfContained(html);
  });

  it('draws the four charts as inline SVG with axes, labels and hover values', () => {
    expect(html.match(/<svg /g)).toHaveLength(4);
    for (const caption of [
      'HTTP request duration percentiles over time',
      'Latency distribution by percentile',
      'Throughput and virtual users',
      'Errors over time',
    ]) {
      expect(html).toContain(`<figcaption>${caption}</figcaption>`);
    }
    for (const legend of ['p50', 'p90', 'p95', 'p99', 'requests/s', 'iterations/s', 'VUs', 'failed requests/s']) {
      expect(html).toContain(`</i>${legend}</span>`);
    }
    expect(html).toContain('http_req_corrected_duration (max');
    expect(html).toContain('>99.9%</text>');
    expect(html).toContain('>1m30s</text>');
    expect(html).toMatch(/<rect class="hz"[^>]*><title>1m\d+s – 1m\d+s\np50: /);
  });

  it('has the threshold, check, error and metric tables with observed values', () => {
    expect(html).toContain('<code>p(90)&lt;100</code></td><td>p(90)=146.88ms</td>');
    expect(html).toContain('<code>rate&lt;0.01</code></td><td>rate=0.00%</td>');
    expect(html).toContain('<td>login</td><td>token present</td><td class="num">40</td><td class="num">5</td>');
    expect(html).toContain('88.88%');
    expect(html).toContain('<td>status 503</td><td>GET</td><td><code>https://api.example.test/items</code></td><td class="num">42</td>');
    expect(html).toContain('<span class="val">avg=140.36ms</span>');
    expect(html).toContain('<span class="val">1.3 MB</span>');
    expect(html.indexOf('status 503')).toBeLessThan(html.indexOf('error_code 1211'));
  });

  it('escapes every piece of run data', () => {
    const r = runReport();
    r.meta.script = EVIL;
    r.meta.scenarios = [{ name: EVIL, executor: '"><b>' }];
    r.meta.aborted = EVIL;
    r.summary.root_group.checks[0].name = EVIL;
    r.summary.root_group.groups[0].path = `::${EVIL}`;
    r.summary.metrics[`http_req_duration{name:${EVIL}}`] = {
      type: 'trend',
      contains: 'time',
      values: { avg: 1, min: 1, med: 1, max: 1, 'p(90)': 1, 'p(95)': 1 },
      thresholds: { [`p(95)<${EVIL}`]: { ok: false } },
    };
    r.errors = [{ kind: EVIL, name: 'javascript:alert(1)', method: '<i>', count: 1, message: `"><img src=x onerror=alert(1)>` }];
    r.distributions = { [EVIL]: [[50, 1], [99, 2]] };
    const out = renderHtmlReport(r);
    expect(out).not.toContain('<script>');
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<i>');
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expectSelfContained(out);
  });

  it('shows an aborted run', () => {
    const out = renderHtmlReport(runReport({ meta: { ...runReport().meta, aborted: 'threshold' } }));
    expect(out).toContain('<div class="verdict abort">Aborted (threshold)');
  });

  it('handles an empty timeline and no distribution', () => {
    const out = renderHtmlReport(runReport({ timeline: [], distributions: {}, errors: [] }));
    expect(out.match(/No timeline data was recorded\./g)?.length).toBe(3);
    expect(out).toContain('No latency distribution was recorded');
    expect(out).toContain('No failed requests.');
    expect(out).not.toContain('<svg ');
  });

  it('handles a single point with visible markers', () => {
    const out = renderHtmlReport(runReport({ timeline: timeline(1) }));
    expect(out).toContain('<circle');
    expect(out).not.toMatch(/NaN|Infinity/);
  });

  it('handles a run without HTTP requests', () => {
    const quiet: TimelinePoint[] = timeline(30).map((p) => ({
      ...p,
      httpReqs: 0,
      httpReqFailed: 0,
      p50: undefined,
      p90: undefined,
      p95: undefined,
      p99: undefined,
      max: undefined,
    }));
    const out = renderHtmlReport(runReport({ summary: emptySummary(), timeline: quiet, errors: [], distributions: {} }));
    expect(out).toContain('No HTTP requests completed during the run.');
    expect(out).toContain('none made');
    expect(out).toContain('No checks ran.');
    expect(out).toContain('No thresholds were defined.');
    expect(out).toContain('no thresholds defined');
    expect(out).not.toContain('error rate %');
  });

  it('treats NaN and Infinity as gaps, never as coordinates', () => {
    const tl = timeline(60).map((p, i) =>
      i % 10 === 3 ? { ...p, p99: NaN, p95: Infinity, httpReqs: Number.NaN, vus: -Infinity } : p,
    );
    const r = runReport({ timeline: tl });
    r.summary.metrics.http_req_duration.values['p(95)'] = NaN;
    r.distributions.http_req_duration.push([99.999, Infinity]);
    const out = renderHtmlReport(r);
    for (const d of paths(out)) expect(d).toMatch(/^[ML0-9.,-]+$/);
    expect(out).not.toMatch(/(?:cx|cy|x|y|x1|x2|y1|y2|width|height)="[^"]*(?:NaN|Infinity)/);
    const gapped = paths(out)[3];
    expect(gapped.split('M').length).toBeGreaterThan(2);
  });

  it('downsamples a 10,000-point timeline to at most ~1000 points per line, keeping peaks', () => {
    const tl = timeline(10_000);
    tl[5_123] = { ...tl[5_123], p99: 9_999 };
    const out = renderHtmlReport(runReport({ timeline: tl }));
    for (const d of paths(out)) expect(d.match(/[ML]/g)!.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(out).toContain('>30m</text>'); // time axis in human steps
    expect(out).toContain('>10s</text>'); // the value axis grew to fit the spike
    expect(out.length).toBeLessThan(1_000_000);
    const p99 = paths(out)[3].split(/[ML]/).filter(Boolean).map((pt) => Number(pt.split(',')[1]));
    expect(Math.min(...p99)).toBeLessThan(20); // the spike reaches the top of the plot
  });
});

describe('min/max downsampling', () => {
  it('keeps the extremes of every bucket in time order and marks empty buckets as gaps', () => {
    const pts = Array.from({ length: 5000 }, (_, i): [number, number | undefined] => [i, i >= 1000 && i < 1400 ? undefined : Math.sin(i)]);
    pts[2500] = [2500, 100];
    pts[3700] = [3700, -100];
    const out = downsampleMinMax(pts, 1000);
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(out.some((p) => p[1] === 100)).toBe(true);
    expect(out.some((p) => p[1] === -100)).toBe(true);
    expect(out.some((p) => p[1] === undefined)).toBe(true);
    for (let i = 1; i < out.length; i++) expect(out[i][0]).toBeGreaterThanOrEqual(out[i - 1][0]);
    expect(downsampleMinMax(pts.slice(0, 10), 1000)).toEqual(pts.slice(0, 10));
  });
});
