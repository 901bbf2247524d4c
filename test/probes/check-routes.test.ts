import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, systemClock } from '../../src/load/clock.ts';
import { registerCheckRoutes } from '../../src/probes/check-routes.ts';
import { renderExposition } from '../../src/probes/exposition.ts';
import { ProbeService } from '../../src/probes/probe-service.ts';
import { verdict } from '../../src/probes/verdict.ts';
import { hasPrometheus, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.ts';
import { defineCheck, startHttp, type Closable } from './helpers.ts';
import { MemoryStorage } from './memory-storage.ts';

const T0 = 1_700_000_000_000;

describe('exposition format', () => {
  it('renders gauge families with escaped label values and special floats', () => {
    const text = renderExposition([
      { labels: { __name__: 'probe_success', check: 'a "quoted"\\name\n', type: 'http' }, value: 1 },
      { labels: { __name__: 'probe_success', check: 'b', type: 'http', empty: '' }, value: 0 },
      { labels: { __name__: 'probe_duration_seconds', check: 'b', type: 'http' }, value: NaN },
      { labels: { __name__: 'probe_http_content_length', check: 'b', type: 'http' }, value: -1 },
    ]);
    expect(text).toBe([
      '# HELP probe_success Whether the check passed (degraded counts as passed).',
      '# TYPE probe_success gauge',
      'probe_success{check="a \\"quoted\\"\\\\name\\n",type="http"} 1',
      'probe_success{check="b",type="http"} 0',
      '# HELP probe_duration_seconds How long the check took, in seconds.',
      '# TYPE probe_duration_seconds gauge',
      'probe_duration_seconds{check="b",type="http"} NaN',
      '# HELP probe_http_content_length Length of the HTTP response as its Content-Length header says (-1 when absent).',
      '# TYPE probe_http_content_length gauge',
      'probe_http_content_length{check="b",type="http"} -1',
      '',
    ].join('\n'));
  });
});

describe('check routes', () => {
  async function setup() {
    const clock = new FakeClock(T0);
    const storage = new MemoryStorage();
    let n = 0;
    const service = new ProbeService({
      storage, clock, elapsed: () => clock.now(),
      probes: { tcp: (def) => verdict(def, { durationMs: 3, assertions: [], ...(++n === 2 ? { error: 'refused' } : {}) }) },
    });
    await service.start([defineCheck({ name: 'db', type: 'tcp', host: '127.0.0.1', port: 1, interval: '10s', jitter: '0s' })]);
    const app = Fastify();
    await app.register(registerCheckRoutes, { service, queryable: storage, now: () => clock.now() });
    await app.ready();
    return { clock, storage, service, app };
  }

  it('lists checks with their latest result and schedule, and their recent results', async () => {
    const { clock, service, app } = await setup();
    await clock.advance(10_000);
    const list = (await app.inject('/api/v1/checks')).json();
    expect(list.checks).toEqual([{
      name: 'db', type: 'tcp', labels: { check: 'db', type: 'tcp' }, intervalMs: 10_000, status: 'failed',
      lastRunAt: T0 + 10_000, lastDurationMs: 3, failures: ['refused'], degradations: [], nextRunAt: T0 + 20_000, skippedRuns: 0,
    }]);
    const results = (await app.inject('/api/v1/checks/db/results?limit=1')).json();
    expect(results.results).toHaveLength(1);
    expect(results.results[0]).toMatchObject({ check: 'db', status: 'failed', error: 'refused' });
    expect((await app.inject('/api/v1/checks/db/results?limit=0')).statusCode).toBe(400);
    expect((await app.inject('/api/v1/checks/nope/results')).statusCode).toBe(404);
    await service.stop();
    await app.close();
  });

  it('answers uptime from the stored series', async () => {
    const { clock, service, app } = await setup();
    for (let i = 0; i < 3; i++) await clock.advance(10_000);
    const body = (await app.inject('/api/v1/checks/db/uptime')).json();
    expect(body.source).toBe('series');
    // Four runs (T0 .. T0+30s), the second failed: down from T0+10s to T0+20s.
    expect(body.uptime[0]).toMatchObject({ window: '24h', runs: 4, successes: 3, ratio: 0.75, downtimeMs: 10_000, incidents: 1 });
    await service.stop();
    await app.close();
  });

  it('/probe runs the check and answers the exposition format; bad names are 400', async () => {
    const { service, app } = await setup();
    const res = await app.inject('/probe?check=db');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.body).toContain('probe_success{check="db",type="tcp"} ');
    expect((await app.inject('/probe?module=db')).statusCode).toBe(200);
    expect((await app.inject('/probe')).statusCode).toBe(400);
    expect((await app.inject('/probe?check=nope')).body).toBe('unknown check "nope"\n');
    await service.stop();
    await app.close();
  });
});

describe.runIf(hasPrometheus())('the real Prometheus scrapes /probe as it scrapes blackbox_exporter', () => {
  let target: Closable;
  let app: FastifyInstance;
  let service: ProbeService;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    target = await startHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    });
    service = new ProbeService({ storage: new MemoryStorage(), clock: systemClock });
    // Added but not started: only Prometheus' scrapes run it.
    await service.setChecks([defineCheck({
      name: 'api', type: 'http', labels: { team: 'shop' }, request: { url: `http://127.0.0.1:${target.port}/health` },
      assertions: [{ source: 'jsonBody', property: '$.status', comparison: 'equals', target: 'ok' }],
    })]);
    app = Fastify();
    await app.register(registerCheckRoutes, { service, now: () => Date.now() });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    prometheus = await startPrometheus({
      config: [
        'global:', '  scrape_interval: 1s', '  scrape_timeout: 1s',
        'scrape_configs:', '  - job_name: telltale-probes', '    metrics_path: /probe', '    params:', '      module: [api]',
        '    static_configs:', `      - targets: ['127.0.0.1:${port}']`, '',
      ].join('\n'),
    });
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    await app?.close();
    await service?.stop();
    await target?.close();
  });

  it('stores probe_success and the HTTP phases under the blackbox names', async () => {
    const query = async (q: string) => {
      const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(q)}`);
      return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
    };
    let success: Awaited<ReturnType<typeof query>> = [];
    // Bounded wait for the first scrapes (1s interval).
    for (let i = 0; i < 100 && success.length === 0; i++) {
      success = await query('probe_success{job="telltale-probes"}');
      if (success.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(success).toHaveLength(1);
    expect(success[0].metric).toMatchObject({ check: 'api', type: 'http', team: 'shop', job: 'telltale-probes' });
    expect(success[0].value[1]).toBe('1');
    const phases = await query('probe_http_duration_seconds{check="api"}');
    expect(phases.map((p) => p.metric.phase).sort()).toEqual(['connect', 'processing', 'resolve', 'tls', 'transfer']);
    const status = await query('probe_http_status_code{check="api"} == 200');
    expect(status).toHaveLength(1);
    const up = await query('up{job="telltale-probes"}');
    expect(up[0].value[1]).toBe('1');
  }, 60_000);
});
