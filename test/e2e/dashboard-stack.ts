/**
 * What the dashboard's browser test runs against: a real `telltale serve` (assembleServer, as the CLI runs
 * it) with authentication on (user `admin` with `adminPassword`), its embedded store scraping the demo API
 * every second, its own rule evaluation and alert dispatch (Telltale's Alertmanager API with
 * acknowledgements), two synthetic checks (one that fails), and the run store the test records load runs in.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { telltaleConfigSchema } from '../../src/config/telltale-config.ts';
import { startDemoServer, type DemoServer } from '../../src/demo/server.ts';
import { startTraffic, type Traffic } from '../../src/demo/traffic.ts';
import { assembleServer, type AssembledServer } from '../../src/server/assemble.ts';

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

const ALERTING = `route:
  receiver: team
  group_by: [alertname]
  group_wait: 1s
receivers:
  - name: team
`;

const ADMIN_PASSWORD = 'dashboard-e2e-admin';

export interface DashboardStack {
  url: string;
  demo: DemoServer;
  server: AssembledServer;
  /** the `admin` user's password (the server has authentication on, as `telltale serve` does) */
  adminPassword: string;
  close(): Promise<void>;
}

export async function startDashboardStack(options: { dist: string; storeFile: string; trafficMs: number }): Promise<DashboardStack> {
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
    writeFileSync(path.join(dir, 'rules.yml'), RULES);
    writeFileSync(path.join(dir, 'alertmanager.yml'), ALERTING);
    const config = telltaleConfigSchema.parse({
      server: { store: options.storeFile, self_metrics_interval: 0 },
      global: { scrape_interval: '1s' },
      scrape_configs: [{ job_name: 'shop', static_configs: [{ targets: [`127.0.0.1:${demo.port}`] }] }],
      rule_files: ['rules.yml'],
      evaluation_interval: '1s',
      alerting: { config_file: 'alertmanager.yml' },
      checks: [
        { name: 'shop-health', type: 'http', interval: '10s', timeout: '2s', service: 'shop', request: { url: `${demo.url}/health` } },
        // a port nobody listens on: a check that fails
        { name: 'payments-api', type: 'http', interval: '10s', timeout: '2s', service: 'payments', request: { url: 'http://127.0.0.1:9/health' } },
      ],
      services: [
        { name: 'shop', selector: { job: 'shop' }, critical_endpoints: ['/api/orders'] },
        { name: 'payments', selector: { job: 'payments' }, targets: { p95: '300ms' } },
      ],
    });
    const server = await assembleServer({
      config,
      configFile: path.join(dir, 'telltale.yaml'),
      listen: '127.0.0.1:0',
      dataDir: path.join(dir, 'data'),
      dashboardDist: options.dist,
      env: { TELLTALE_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    closers.push(() => server.close());
    return { url: server.url, demo, server, adminPassword: ADMIN_PASSWORD, close };
  } catch (err) {
    await close();
    throw err;
  }
}
