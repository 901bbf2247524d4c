import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { parseRule } from '../../src/gate/rules.ts';
import { diffRuns } from '../../src/gate/run-diff.ts';
import { renderRunDiffHtml } from '../../src/gate/run-diff-html.ts';
import { formatMs, formatNumber } from '../../src/load/outputs/html-util.ts';
import { trendPercentiles } from '../../src/runs/histogram-codec.ts';
import { sampleRecord } from '../runs/helpers.ts';

const RULES = [parseRule('p95 relative_increase > 10%'), parseRule('error_rate increase > 50%')];
const a = sampleRecord({ id: 'aaaaaaaa-1', seconds: 30, seed: 1 });
const b = sampleRecord({ id: 'bbbbbbbb-2', seconds: 30, seed: 2, slowdown: 5 });

const ms = (x: number) => `${x.toFixed(2)} ms`;

describe('run comparison', () => {
  it("takes percentiles from the records' merged histograms and the verdicts from the gate", () => {
    const d = diffRuns(a, b, RULES);
    const [p50, p90, p95, p99] = trendPercentiles(a.histograms.http_req_duration, [0.5, 0.9, 0.95, 0.99]);
    expect(d.a.latency).toEqual({ p50, p90, p95, p99, max: a.histograms.http_req_duration.max });
    expect(d.a.requests).toBe(600);
    expect(d.a.throughput).toBeCloseTo(20, 10);
    expect(d.sameTest).toBe(true);
    expect(d.warnings).toEqual([]);
    expect('error' in d.gate).toBe(false);
    if (!('error' in d.gate)) expect(d.gate.verdicts[0]).toMatchObject({ verdict: 'regression', endpoint: null });
    // the density is a distribution over shared bins
    expect(d.a.density.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
    expect(d.b.density).toHaveLength(d.bins.length - 1);
    // B is 5 ms slower everywhere: its mass sits further right
    const mean = (w: number[]) => w.reduce((s, x, i) => s + x * (d.bins[i] + d.bins[i + 1]) / 2, 0);
    expect(mean(d.b.density)).toBeGreaterThan(mean(d.a.density));
    expect(d.endpoints.map((e) => e.name)).toEqual(['GET /api/item-0', 'GET /api/item-1', 'GET /api/item-2']);
  });

  it('renders one self-contained page whose tables and series carry the records\' numbers', () => {
    const d = diffRuns(a, b, RULES);
    const html = renderRunDiffHtml(d, '0.1.0');
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//);
    const $ = cheerio.load(html);
    const row = (label: string) => $('#percentiles tbody tr').filter((_, tr) => $(tr).find('td').first().text() === label).find('td').map((_, td) => $(td).text()).get();
    expect(row('p95')).toEqual(['p95', ms(d.a.latency?.p95 as number), ms(d.b.latency?.p95 as number), `+${ms((d.b.latency?.p95 as number) - (d.a.latency?.p95 as number))}`, `+${(((d.b.latency?.p95 as number) / (d.a.latency?.p95 as number) - 1) * 100).toFixed(1)}%`]);
    expect(row('max')[1]).toBe(ms(a.histograms.http_req_duration.max));
    expect(row('requests')).toEqual(['requests', '600', '600', '', '']);
    expect(row('error rate')[1]).toBe(`${((d.a.failed / d.a.requests) * 100).toFixed(2)}%`);

    const endpoint = $('#endpoints tbody tr').first().find('td').map((_, td) => $(td).text()).get();
    const e0 = a.endpoints.find((e) => e.name === 'GET /api/item-0');
    expect(endpoint[0]).toBe('GET /api/item-0');
    expect(endpoint[1]).toBe(String(e0?.requests));
    expect(endpoint[5]).toBe(ms(trendPercentiles(e0?.durations as NonNullable<typeof e0>['durations'] & object, [0.95])[0]));

    const verdicts = $('#verdicts tbody tr');
    expect(verdicts.first().find('td').first().text()).toBe('regression');
    expect($('.verdict.fail').text()).toMatch(/The gate fails B against A: 4 regression/);

    // five charts: percentile curves, histogram, throughput, error rate and p95 over time, each with both runs
    const charts = $('figure.chart');
    expect(charts).toHaveLength(5);
    charts.each((_, f) => {
      expect($(f).find('.legend span').map((_, s) => $(s).text()).get().join(' ')).toMatch(/A · aaaaaaaa.*B · bbbbbbbb/);
    });
    const throughput = charts.filter((_, f) => $(f).find('figcaption').text().startsWith('Throughput'));
    // the hover titles list each second's values of both runs
    const titles = throughput.find('rect.hz title').map((_, t) => $(t).text()).get().join('\n');
    expect(titles).toContain(`A · aaaaaaaa: ${a.timeline[3].httpReqs}`);
    expect(throughput.find('g.series path')).toHaveLength(2);
    const p95 = charts.filter((_, f) => $(f).find('figcaption').text().startsWith('p95 latency per second'));
    const p95Titles = p95.find('rect.hz title').map((_, t) => $(t).text()).get().join('\n');
    expect(p95Titles).toContain(`B · bbbbbbbb: ${formatMs(b.timeline[5].p95 as number)}`);
    const errors = charts.filter((_, f) => $(f).find('figcaption').text().startsWith('Error rate'));
    const failing = a.timeline.find((p) => p.httpReqFailed > 0) as (typeof a.timeline)[number];
    expect(errors.find('rect.hz title').map((_, t) => $(t).text()).get().join('\n')).toContain(`A · aaaaaaaa: ${formatNumber((100 * failing.httpReqFailed) / failing.httpReqs)}%`);
  });

  it('escapes what the records carry: endpoint names, test names and git fields cannot inject markup', () => {
    const evil = '<script>alert(1)</script>';
    const x = structuredClone(a);
    const y = structuredClone(b);
    for (const r of [x, y]) {
      r.endpoints[0].name = evil;
      r.git.branch = `"><img onerror=alert(1) src=x>`;
    }
    const html = renderRunDiffHtml(diffRuns(x, y, RULES), '0.1.0');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    const $ = cheerio.load(html);
    expect($('#endpoints code').first().text()).toBe(evil);
  });

  it('shows runs of different tests side by side, flagged and without verdicts', () => {
    const other = sampleRecord({ id: 'cccccccc-3', testName: 'search', seconds: 30, seed: 3 });
    const d = diffRuns(a, other, RULES);
    expect(d.sameTest).toBe(false);
    expect(d.gate).toEqual({ error: 'runs of different tests are not judged' });
    const $ = cheerio.load(renderRunDiffHtml(d, '0.1.0'));
    expect($('.warn').text()).toMatch(/different tests \("load" and "search"\)/);
    expect($('#verdicts')).toHaveLength(0);
    expect($('#percentiles tbody tr')).toHaveLength(8);
  });

  it('draws a run without HTTP requests with empty charts and says why there are no verdicts', () => {
    const idle = sampleRecord({ id: 'dddddddd-4', seconds: 12, requestsPerSecond: 0 });
    const d = diffRuns(a, idle, RULES);
    expect(d.b.latency).toBeNull();
    expect(d.b.errorRate).toBeNull();
    expect(d.warnings.join()).toMatch(/no verdicts: the current run made no HTTP requests/);
    const $ = cheerio.load(renderRunDiffHtml(d, '0.1.0'));
    expect($('#percentiles tbody tr').first().find('td').eq(2).text()).toBe('—');
  });
});
