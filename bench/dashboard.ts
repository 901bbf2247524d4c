/**
 * Dashboard bundle size and page-load time, with Prometheus' own web UI (a real Prometheus scraping the
 * same demo API, in the same run) as the peer. `node bench/dashboard.ts [--loads N]`.
 *
 * The stack is the browser test's (test/e2e/dashboard-stack.ts): the demo API under traffic, scraped every
 * second by a real `telltale serve` with the dashboard (logged in as admin: each
 * context gets the session cookie, so a load includes the dashboard's `/api/telltale/me`). Each cold load is a fresh
 * browser context (empty cache); warm loads reuse one context. Figures per load, from the browser's own
 * clocks: DOMContentLoaded, the load event, and for the dashboard "data" — when the shop tile shows its p95
 * (the services route and the tile's one combined PromQL query answered and rendered); for the service
 * page, when its five charts are drawn and the endpoints table has rows (eleven queries). Writes bench/results/dashboard.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { startDashboardStack } from '../test/e2e/dashboard-stack.ts';
import { startPrometheus } from '../test/helpers/prometheus.ts';
import { buildDashboard } from '../web/build.ts';

const loads = Number(process.argv[process.argv.indexOf('--loads') + 1]) || 10;
const CHROMIUM = process.env.TELLTALE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Timing {
  dcl: number;
  load: number;
  data?: number;
  bytes: number;
}

const TILE_FILLED = `/\\d (ms|s)$/.test(document.querySelector('[data-service="shop"] [data-signal="p95"]')?.textContent ?? '')`;
const SERVICE_DRAWN = `document.querySelectorAll('.chart canvas').length === 5 && document.querySelectorAll('[data-testid="endpoints"] tbody tr').length > 0`;

async function measure(context: BrowserContext, url: string, waitFor: string | undefined): Promise<Timing> {
  const page = await context.newPage();
  let bytes = 0;
  page.on('response', (r) => {
    const len = Number(r.headers()['content-length'] ?? 0);
    if (Number.isFinite(len)) bytes += len;
  });
  await page.goto(url, { waitUntil: 'load' });
  let data: number | undefined;
  if (waitFor !== undefined) {
    // browser-side code as strings: this file is type-checked without the DOM library
    await page.waitForFunction(waitFor, undefined, { timeout: 30_000, polling: 'raf' });
    data = await page.evaluate<number>('performance.now()');
  }
  const nav = await page.evaluate<{ dcl: number; load: number }>(
    `(() => { const n = performance.getEntriesByType('navigation')[0]; return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd }; })()`,
  );
  await page.close();
  return { ...nav, data, bytes };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const max = (xs: number[]) => Math.max(...xs);

/** The session cookie of a login to the Telltale server, set in every context that loads its pages. */
let session: { name: string; value: string; url: string } | undefined;

async function context(browser: Browser, url: string): Promise<BrowserContext> {
  const ctx = await browser.newContext({ bypassCSP: true });
  if (session && url.startsWith(session.url)) await ctx.addCookies([session]);
  return ctx;
}

async function series(browser: Browser, url: string, waitFor: string | undefined, warm: boolean): Promise<Timing[]> {
  const out: Timing[] = [];
  const shared = warm ? await context(browser, url) : undefined;
  if (shared) await measure(shared, url, waitFor);
  for (let i = 0; i < loads; i++) {
    const ctx = shared ?? (await context(browser, url));
    out.push(await measure(ctx, url, waitFor));
    if (!shared) await ctx.close();
  }
  await shared?.close();
  return out;
}

const dir = mkdtempSync(path.join(tmpdir(), 'tt-bench-dash-'));
const files = await buildDashboard({ outDir: path.join(dir, 'dist') });
const stack = await startDashboardStack({ dist: path.join(dir, 'dist'), storeFile: path.join(dir, 'runs.db'), trafficMs: 120_000 });
const prometheus = await startPrometheus({ config: `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: shop\n    static_configs: [{ targets: ['127.0.0.1:${stack.demo.port}'] }]\n` });
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
try {
  const login = await fetch(`${stack.url}/api/telltale/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: stack.adminPassword }) });
  const [name, value] = (login.headers.get('set-cookie') ?? '').split(';')[0].split('=');
  session = { name, value, url: stack.url };
  // let the servers collect a few scrapes so the tile's rate() queries have data
  await new Promise((r) => setTimeout(r, 6000));
  const rows = {
    'telltale overview, cold': await series(browser, `${stack.url}/`, TILE_FILLED, false),
    'telltale overview, warm': await series(browser, `${stack.url}/`, TILE_FILLED, true),
    'telltale service page (1h), cold': await series(browser, `${stack.url}/services/shop`, SERVICE_DRAWN, false),
    'prometheus /graph, cold': await series(browser, `${prometheus.url}/graph`, undefined, false),
    'prometheus /graph, warm': await series(browser, `${prometheus.url}/graph`, undefined, true),
  };
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const gz = files.reduce((a, f) => a + f.gzipBytes, 0);
  process.stdout.write(`bundle: ${files.map((f) => `${f.file} ${kb(f.bytes)} (gzip ${kb(f.gzipBytes)})`).join(', ')}; total gzip ${kb(gz)}\n`);
  process.stdout.write(`${loads} loads each, median / max in ms\n`);
  process.stdout.write('| page | DOMContentLoaded | load | data shown | transferred |\n|---|---|---|---|---|\n');
  for (const [name, xs] of Object.entries(rows)) {
    const f = (pick: (t: Timing) => number | undefined) => {
      const v = xs.map(pick).filter((x): x is number => x !== undefined);
      return v.length ? `${median(v).toFixed(0)} / ${max(v).toFixed(0)}` : '–';
    };
    process.stdout.write(`| ${name} | ${f((t) => t.dcl)} | ${f((t) => t.load)} | ${f((t) => t.data)} | ${kb(median(xs.map((t) => t.bytes)))} |\n`);
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/dashboard.json', `${JSON.stringify({ files, loads, rows, machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() } }, null, 2)}\n`);
} finally {
  await browser.close();
  await stack.close();
  await prometheus.stop();
  rmSync(dir, { recursive: true, force: true });
}
