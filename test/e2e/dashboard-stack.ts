/**
 * What the dashboard's browser test runs against: the demo API with background traffic, a blackbox-style
 * probe exporter, a real Prometheus scraping both every second and evaluating alert rules, a real
 * Alertmanager receiving its alerts, and a Telltale server (`buildApp` with the dashboard, services, runs
 * and auth routes, authentication on as in `telltale serve`, user `admin` with `adminPassword`) that
 * forwards `/api/v1/*` to that Prometheus and `/api/v2/*` to that Alertmanager.
 *
 * Test-only stand-ins, until Telltale's own APIs are on this branch: the forwarding itself, and the
 * acknowledgement route `POST /api/v2/alerts/{fingerprint}/ack` (Telltale's addition to the Alertmanager
 * API), which here keeps acknowledgements in memory and adds them to `GET /api/v2/alerts` as
 * `status.acknowledged`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { telltaleConfigSchema } from '../../src/config/telltale-config.ts';
import { startDemoServer, type DemoServer } from '../../src/demo/server.ts';
import { startTraffic, type Traffic } from '../../src/demo/traffic.ts';
import { buildApp, type RoutePlugin } from '../../src/server/app.ts';
import { dashboardRoutes } from '../../src/server/routes/dashboard.ts';
import { Auth, authRoutes, openAuthStore, type Permission } from '../../src/server/auth/index.ts';
import { runsRoutes } from '../../src/server/routes/runs.ts';
import { servicesRoutes } from '../../src/server/routes/services.ts';
import type { RunStore } from '../../src/store/index.ts';
import { startAlertmanager, type RunningAlertmanager } from '../helpers/alertmanager.ts';
import { startPrometheus, type RunningPrometheus } from '../helpers/prometheus.ts';

/** Probes like the blackbox exporter's `/probe?check=NAME`: an HTTP GET of the check's URL per scrape. */
async function startProbeExporter(checks: Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').searchParams.get('check') ?? '';
    const target = checks[name];
    if (target === undefined) {
      res.writeHead(400).end(`unknown check ${name}\n`);
      return;
    }
    const started = performance.now();
    let ok: boolean;
    let status = 0;
    try {
      const r = await fetch(target, { signal: AbortSignal.timeout(2000) });
      status = r.status;
      await r.arrayBuffer();
      ok = r.status >= 200 && r.status < 300;
    } catch {
      ok = false;
    }
    const body = [
      '# TYPE probe_success gauge',
      `probe_success ${ok ? 1 : 0}`,
      '# TYPE probe_duration_seconds gauge',
      `probe_duration_seconds ${((performance.now() - started) / 1000).toFixed(6)}`,
      '# TYPE probe_http_status_code gauge',
      `probe_http_status_code ${status}`,
      '',
    ].join('\n');
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const RULES = `groups:
  - name: shop
    interval: 1s
    rules:
      - alert: ShopTraffic
        expr: sum(rate(http_requests_total{job="shop"}[30s])) > 1
        labels: { severity: warning, service: shop }
        annotations: { summary: 'shop serves more than 1 request/s' }
      - alert: ShopSearchSlow
        expr: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="shop",route="/api/search"}[30s]))) > 0.001
        for: 1h
        labels: { severity: critical, service: shop }
      - alert: PaymentsDown
        expr: probe_success{check="payments-api"} == 0
        labels: { severity: critical, service: payments }
        annotations: { summary: 'the payments API does not answer' }
`;

function prometheusConfig(demo: string, probes: string, am: string, rulesFile: string): string {
  const check = (name: string, service: string) => `  - job_name: check-${name}
    metrics_path: /probe
    params: { check: [${name}] }
    static_configs: [{ targets: ['${probes}'], labels: { check: ${name}, service: ${service} } }]
`;
  return `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ['${rulesFile}']
alerting:
  alertmanagers: [{ static_configs: [{ targets: ['${am}'] }] }]
scrape_configs:
  - job_name: shop
    static_configs: [{ targets: ['${demo}'] }]
${check('shop-health', 'shop')}${check('payments-api', 'payments')}`;
}

const ADMIN_PASSWORD = 'dashboard-e2e-admin';

/** Forwards a path prefix to another server, keeping method, query string and JSON body. */
function forward(prefix: string, upstream: string, changes: Permission, decorate?: (path: string, body: unknown) => unknown): RoutePlugin {
  return (app) => {
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const hasBody = request.body !== undefined && request.method !== 'GET' && request.method !== 'HEAD';
      const res = await fetch(`${upstream}${request.url}`, {
        method: request.method,
        headers: hasBody ? { 'content-type': 'application/json' } : {},
        body: hasBody ? JSON.stringify(request.body) : undefined,
      });
      const text = await res.text();
      const type = res.headers.get('content-type') ?? 'application/json';
      if (decorate !== undefined && res.ok && type.includes('json')) {
        return reply.status(res.status).header('content-type', type).send(JSON.stringify(decorate(request.url.split('?')[0], JSON.parse(text))));
      }
      return reply.status(res.status).header('content-type', type).send(text);
    };
    // what the forwarded APIs need: reads, and POST/DELETE as `changes` (Prometheus' POST queries are reads)
    app.route({ method: ['GET', 'HEAD'], url: `${prefix}*`, config: { permission: 'read' }, handler });
    app.route({ method: ['POST', 'DELETE'], url: `${prefix}*`, config: { permission: changes }, handler });
  };
}

interface Ack {
  by: string;
  comment: string;
  at: number;
}

function ackRoute(acks: Map<string, Ack>): RoutePlugin {
  return (app) => {
    app.post<{ Params: { fp: string }; Body: { by?: string; comment?: string } }>('/api/v2/alerts/:fp/ack', { config: { permission: 'write' } }, async (request) => {
      acks.set(request.params.fp, { by: request.body?.by ?? 'unknown', comment: request.body?.comment ?? '', at: Date.now() });
      return { fingerprint: request.params.fp, acknowledged: true };
    });
  };
}

export interface DashboardStack {
  url: string;
  demo: DemoServer;
  prometheus: RunningPrometheus;
  alertmanager: RunningAlertmanager;
  app: FastifyInstance;
  /** the `admin` user's password (the server has authentication on, as `telltale serve` does) */
  adminPassword: string;
  close(): Promise<void>;
}

export async function startDashboardStack(options: { dist: string; store: RunStore; trafficMs: number }): Promise<DashboardStack> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tt-dash-stack-'));
  const closers: Array<() => Promise<void>> = [async () => rmSync(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const demo = await startDemoServer({ delayMs: 3, orderErrorRate: 0.05 });
    closers.push(() => demo.close());
    const traffic: Traffic = startTraffic({ baseUrl: demo.url, rate: 25, durationMs: options.trafficMs, periodMs: 60_000 });
    closers.push(() => traffic.stop());
    // payments-api points at a port nobody listens on: a check that fails
    const probes = await startProbeExporter({ 'shop-health': `${demo.url}/health`, 'payments-api': 'http://127.0.0.1:9/health' });
    closers.push(() => probes.close());
    const alertmanager = await startAlertmanager();
    closers.push(() => alertmanager.stop());
    const rulesFile = path.join(dir, 'rules.yml');
    writeFileSync(rulesFile, RULES);
    const prometheus = await startPrometheus({ config: prometheusConfig(`127.0.0.1:${demo.port}`, probes.url, `127.0.0.1:${alertmanager.port}`, rulesFile) });
    closers.push(() => prometheus.stop());

    const config = telltaleConfigSchema.parse({
      services: [
        { name: 'shop', selector: { job: 'shop' }, critical_endpoints: ['/api/orders'] },
        { name: 'payments', selector: { job: 'payments' }, targets: { p95: '300ms' } },
      ],
    });
    const acks = new Map<string, Ack>();
    const withAcks = (p: string, body: unknown) =>
      p === '/api/v2/alerts' && Array.isArray(body)
        ? body.map((a: { fingerprint: string; status: Record<string, unknown> }) => (acks.has(a.fingerprint) ? { ...a, status: { ...a.status, acknowledged: acks.get(a.fingerprint) } } : a))
        : body;
    const auth = new Auth({ store: await openAuthStore(path.join(dir, 'auth.db')) });
    closers.push(() => auth.store.close());
    await auth.bootstrap({ env: { TELLTALE_ADMIN_PASSWORD: ADMIN_PASSWORD }, dataDir: dir });
    const app = await buildApp({
      auth,
      plugins: [
        authRoutes(auth),
        servicesRoutes(config.services),
        runsRoutes({ store: options.store }),
        ackRoute(acks),
        forward('/api/v1/', prometheus.url, 'read'),
        forward('/api/v2/', alertmanager.url, 'write', withAcks),
        dashboardRoutes({ dist: options.dist }),
      ],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    closers.push(() => app.close());
    const port = (app.server.address() as AddressInfo).port;
    return { url: `http://127.0.0.1:${port}`, demo, prometheus, alertmanager, app, adminPassword: ADMIN_PASSWORD, close };
  } catch (err) {
    await close();
    throw err;
  }
}
