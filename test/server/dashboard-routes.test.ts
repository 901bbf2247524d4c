import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { telltaleConfigSchema } from '../../src/config/telltale-config.ts';
import { buildApp } from '../../src/server/app.ts';
import { dashboardRoutes, ensureDashboardBuilt } from '../../src/server/routes/dashboard.ts';
import { runsRoutes } from '../../src/server/routes/runs.ts';
import { selectorMatchers, servicesRoutes } from '../../src/server/routes/services.ts';
import { openStore, type RunStore } from '../../src/store/index.ts';
import { sampleRecord, T0 } from '../runs/helpers.ts';

let dir: string;
let store: RunStore;
let app: FastifyInstance | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tt-dash-routes-'));
  store = await openStore({ spec: path.join(dir, 'runs.db'), env: {} });
  await store.saveRun(sampleRecord({ id: 'run-base-0001', testName: 'checkout', seconds: 14, seed: 1 }));
  await store.saveRun(sampleRecord({ id: 'run-slow-0002', testName: 'checkout', seconds: 14, seed: 2, startTime: T0 + 60_000, slowdown: 40 }));
  await store.saveRun(sampleRecord({ id: 'other-0003', testName: 'search', seconds: 3, startTime: T0 + 120_000 }));
  await store.setBaseline('run-base-0001');
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('GET /api/telltale/services', () => {
  it('lists the configured services with PromQL matchers and the targets (defaults filled in)', async () => {
    const config = telltaleConfigSchema.parse({
      services: [
        { name: 'shop', selector: { job: 'shop', env: 'prod' }, critical_endpoints: ['/api/orders'] },
        { name: 'search', selector: { job: 'se"arch' }, endpoint_label: 'handler', targets: { p95: '300ms', error_rate: '0.5%' } },
      ],
    });
    app = await buildApp({ plugins: [servicesRoutes(config.services)] });
    const res = await app.inject('/api/telltale/services');
    expect(res.statusCode).toBe(200);
    const [shop, search] = res.json().data;
    expect(shop).toMatchObject({ name: 'shop', matchers: 'env="prod",job="shop"', endpoint_label: 'route', critical_endpoints: ['/api/orders'] });
    expect(shop.targets).toMatchObject({ p95: 500, p95_warning: 400, p95_critical: 800, error_rate: 0.001, cpu_warning: 0.75 });
    expect(search).toMatchObject({ matchers: 'job="se\\"arch"', endpoint_label: 'handler' });
    expect(search.targets).toMatchObject({ p95: 300, error_rate: 0.005 });
    expect((await app.inject('/api/telltale/services/search')).json().data.name).toBe('search');
    expect((await app.inject('/api/telltale/services/nope')).statusCode).toBe(404);
  });

  it('escapes label values so a matcher cannot break out of its quotes', () => {
    expect(selectorMatchers({ job: 'a\\"} or up{x="' })).toBe('job="a\\\\\\"} or up{x=\\""');
  });
});

describe('run routes', () => {
  it('lists runs newest first with the baselines', async () => {
    app = await buildApp({ plugins: [runsRoutes({ store })] });
    const res = await app.inject('/api/telltale/runs');
    expect(res.statusCode).toBe(200);
    const { runs, baselines } = res.json().data;
    expect(runs.map((r: { id: string }) => r.id)).toEqual(['other-0003', 'run-slow-0002', 'run-base-0001']);
    expect(baselines).toEqual([expect.objectContaining({ testName: 'checkout', runId: 'run-base-0001' })]);
    const filtered = (await app.inject('/api/telltale/runs?test=search&limit=5')).json().data.runs;
    expect(filtered.map((r: { id: string }) => r.id)).toEqual(['other-0003']);
    expect((await app.inject('/api/telltale/runs?limit=0')).statusCode).toBe(400);
  });

  it('digests one run, found by an id prefix: totals, percentiles, endpoints by traffic', async () => {
    app = await buildApp({ plugins: [runsRoutes({ store })] });
    const res = await app.inject('/api/telltale/runs/run-slow');
    expect(res.statusCode).toBe(200);
    const d = res.json().data;
    expect(d).toMatchObject({ id: 'run-slow-0002', testName: 'checkout', baselineRunId: 'run-base-0001' });
    expect(d.totals.requests).toBe(14 * 20);
    expect(d.totals.failed).toBe(d.timeline.reduce((n: number, p: { failed: number }) => n + p.failed, 0));
    expect(d.latency.p95).toBeGreaterThan(40);
    expect(d.latency.p50).toBeLessThanOrEqual(d.latency.p95);
    expect(d.endpoints).toHaveLength(3);
    expect(d.endpoints.map((e: { requests: number }) => e.requests).reduce((a: number, b: number) => a + b, 0)).toBe(d.totals.requests);
    expect(d.histograms).toBeUndefined();
  });

  it('answers 404 for an unknown run and 400 for an ambiguous prefix', async () => {
    app = await buildApp({ plugins: [runsRoutes({ store })] });
    const missing = await app.inject('/api/telltale/runs/zzz');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ status: 'error', errorType: 'not_found', code: 'TT_RUN_NOT_FOUND' });
    const ambiguous = await app.inject('/api/telltale/runs/run-');
    expect(ambiguous.statusCode).toBe(400);
    expect(ambiguous.json().code).toBe('TT_RUN_AMBIGUOUS');
    // errors of other routes still get the app's own envelope
    expect((await app.inject('/nowhere')).json()).toMatchObject({ errorType: 'not_found' });
  });

  it('compares two runs with the gate: the 40 ms slowdown is a p95 regression', async () => {
    app = await buildApp({ plugins: [runsRoutes({ store })] });
    const res = await app.inject('/api/telltale/runs/run-base-0001/compare/run-slow-0002');
    expect(res.statusCode).toBe(200);
    const g = res.json().data;
    expect(g).toMatchObject({ testName: 'checkout', baselineRunId: 'run-base-0001', currentRunId: 'run-slow-0002', passed: false });
    const overall = g.verdicts.find((v: { metric: string; endpoint: string | null }) => v.metric === 'p95' && v.endpoint === null);
    expect(overall.verdict).toBe('regression');
    expect(overall.change).toBeGreaterThan(0.5);
    // the other way round it is an improvement; rules come from the query string
    const back = (await app.inject('/api/telltale/runs/run-slow-0002/compare/run-base-0001?rule=p95+relative_increase+%3E+10%25')).json().data;
    expect(back.verdicts.filter((v: { endpoint: string | null }) => v.endpoint === null).map((v: { verdict: string }) => v.verdict)).toEqual(['improvement']);
  });

  it('refuses a comparison of different tests, of a run with itself, and bad rules', async () => {
    app = await buildApp({ plugins: [runsRoutes({ store })] });
    const other = await app.inject('/api/telltale/runs/run-base-0001/compare/other-0003');
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ code: 'TT_GATE_MISMATCH' });
    expect((await app.inject('/api/telltale/runs/run-base-0001/compare/run-base')).json().code).toBe('TT_GATE_MISMATCH');
    const bad = await app.inject('/api/telltale/runs/run-base-0001/compare/run-slow-0002?rule=p97+up');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'TT_USAGE', field: 'rule' });
    expect((await app.inject('/api/telltale/runs/run-base-0001/compare/run-slow-0002?alpha=2')).statusCode).toBe(400);
  });
});

describe('dashboard static files', () => {
  const dist = () => {
    const d = path.join(dir, 'dist');
    mkdirSync(path.join(d, 'assets'), { recursive: true });
    writeFileSync(path.join(d, 'index.html'), `<!doctype html><title>Telltale</title><script type="module" src="/assets/index-abc123.js"></script>${' '.repeat(600)}`);
    writeFileSync(path.join(d, 'assets', 'index-abc123.js'), `console.log(${JSON.stringify('x'.repeat(2000))});`);
    writeFileSync(path.join(d, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
    return d;
  };

  it('serves hashed assets with a year-long immutable cache and gzip when asked', async () => {
    app = await buildApp({ plugins: [dashboardRoutes({ dist: dist() })] });
    const js = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(js.rawPayload).toString()).toMatch(/^console\.log\("x{2000}"\);$/);
    const plain = await app.inject('/assets/index-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(2000);
    expect((await app.inject('/assets/missing.js')).statusCode).toBe(404);
    expect((await app.inject('/robots.txt')).headers['cache-control']).toBe('no-cache');
  });

  it('answers index.html, uncached and with a same-origin CSP, for every client route', async () => {
    app = await buildApp({ plugins: [dashboardRoutes({ dist: dist() })] });
    for (const url of ['/', '/services/shop', '/alerts', '/checks', '/runs', '/runs/abc/compare/def', '/explore?q=up']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(res.body).toMatch(/<title>Telltale<\/title>/);
    }
    // the API and the server's own routes are not swallowed by the fallback
    expect((await app.inject('/api/v1/query')).statusCode).toBe(404);
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
  });

  it('says how to build the dashboard when web/dist is missing', async () => {
    app = await buildApp({ plugins: [dashboardRoutes({ dist: path.join(dir, 'no-such-dist') })] });
    const res = await app.inject('/');
    expect(res.statusCode).toBe(503);
    expect(res.body).toMatch(/node web\/build\.ts/);
  });

  it('builds the real bundle when it is missing, once, and serves it', async () => {
    const out = path.join(dir, 'built');
    expect(await ensureDashboardBuilt(out)).toBe('built');
    expect(await ensureDashboardBuilt(out)).toBe('present');
    app = await buildApp({ plugins: [dashboardRoutes({ dist: out })] });
    const html = (await app.inject('/')).body;
    const script = /<script type="module" crossorigin src="(\/assets\/index-[\w-]+\.js)">/.exec(html);
    expect(script, html).not.toBeNull();
    const js = await app.inject({ url: script![1], headers: { 'accept-encoding': 'gzip' } });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toMatch(/immutable/);
    // nothing in the bundle loads from another origin at runtime
    expect(gunzipSync(js.rawPayload).toString()).not.toMatch(/https?:\/\/(fonts\.|cdn|unpkg)/);
  }, 60_000);
});
