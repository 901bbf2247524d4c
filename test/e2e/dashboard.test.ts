/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) against a real `telltale
 * serve` with live data: the demo API under traffic, scraped into the embedded store, the server's own rules,
 * alert dispatch and checks (see dashboard-stack.ts), and a run store with two recorded load runs.
 * Screenshots land in test/e2e/artifacts/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type RunStore } from '../../src/store/index.ts';
import { buildDashboard } from '../../web/build.ts';
import { fixture, runCli } from '../helpers/cli.ts';
import { startDashboardStack, type DashboardStack } from './dashboard-stack.ts';

const CHROMIUM = process.env.TELLTALE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const ready = existsSync(CHROMIUM);

let dir: string;
let store: RunStore;
let stack: DashboardStack;
let context: BrowserContext;
let page: Page;
let runIds: string[];

/** Logs in through the login page, which every page shows until there is a session. */
async function logIn(password: string): Promise<void> {
  await page.goto(`${stack.url}/`);
  const form = page.getByRole('form', { name: 'Log in' });
  await form.waitFor();
  await form.getByLabel('User').fill('admin');
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('account').waitFor();
}

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

describe.skipIf(!ready)('dashboard in a browser', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(path.join(tmpdir(), 'tt-dash-e2e-'));
    const dist = path.join(dir, 'dist');
    await buildDashboard({ outDir: dist });
    const storeFile = path.join(dir, 'runs.db');
    store = await openStore({ spec: storeFile, env: {} });
    stack = await startDashboardStack({ dist, storeFile, trafficMs: 180_000 });
    // two real load runs against the demo API, recorded in the store: the second searches longer terms
    for (const term of ['p', 'product-catalogue-long-term']) {
      const r = await runCli(['run', '-q', '--no-summary', '--record', '--store', storeFile, '-e', `BASE_URL=${stack.demo.url}`, '-e', `TERM=${term}`, fixture('dashboard.ts')]);
      expect(r.code, r.stderr).toBe(0);
    }
    runIds = (await store.listRuns()).map((r) => r.id).reverse();
    context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1366, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    await logIn(stack.adminPassword);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await stack?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('overview: the shop tile fills with live golden signals against its targets', async () => {
    const offsite: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(stack.url) && !r.url().startsWith('data:')) offsite.push(r.url());
    });
    await page.goto(`${stack.url}/`);
    const tile = page.locator('[data-service="shop"]');
    await expect.poll(async () => tile.locator('[data-signal="rps"]').textContent(), { timeout: 30_000, interval: 500 }).toMatch(/^\d+(\.\d+)?\/s$/);
    await expect.poll(async () => tile.locator('[data-signal="p95"]').textContent(), { timeout: 30_000, interval: 500 }).toMatch(/\d (ms|s)$/);
    expect(await tile.locator('[data-signal="errors"]').textContent()).toMatch(/%$/);
    expect(await tile.locator('[data-signal="memory"]').textContent()).toMatch(/MiB$/);
    // availability from the shop's check (probe_success{service="shop"}), which always succeeds
    expect(await tile.locator('[data-signal="availability"]').textContent()).toBe('100.00%');
    expect(await page.getByTestId('overall').textContent()).toMatch(/^\s*Overall: Critical · \d critical/);
    expect(await tile.getAttribute('class')).toMatch(/\b(ok|warn|crit)\b/);
    expect(await tile.getByTestId('service-status').textContent()).toMatch(/Good|Degraded|Critical/);
    // payments has no HTTP series, but its one check fails: the tile is red, its availability 0%
    const payments = page.locator('[data-service="payments"]');
    expect(await payments.locator('[data-signal="p95"]').textContent()).toBe('–');
    await expect.poll(async () => payments.getByTestId('service-status').textContent()).toMatch(/Critical/);
    expect(await payments.locator('[data-signal="availability"]').textContent()).toBe('0.00%');
    await shot('overview');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('overview-phone');
    await page.setViewportSize({ width: 1366, height: 900 });
    expect(offsite).toEqual([]);
  });

  it('service page: charts and the endpoints table sorted by traffic', async () => {
    // a deployment recorded as CI would (`telltale annotate deploy` with a write token) marks the charts
    const { token } = await stack.server.auth.createToken({ name: 'deploys', scopes: ['write'] }, 'e2e');
    const posted = await fetch(`${stack.url}/api/telltale/annotations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'shop', kind: 'deploy', version: 'v9.9.9', time: Date.now() - 60_000 }),
    });
    expect(posted.status, await posted.text()).toBeLessThan(300);
    await page.goto(`${stack.url}/`);
    await page.locator('[data-service="shop"] header a').click();
    await page.waitForURL(/\/services\/shop$/);
    await page.locator('.chart canvas').first().waitFor();
    expect(await page.locator('.chart').count()).toBe(5);
    await expect.poll(async () => page.getByTestId('deploys').textContent(), { timeout: 20_000 }).toMatch(/deployments v9\.9\.9 at /);
    const table = page.getByTestId('endpoints');
    await expect.poll(async () => table.locator('tbody tr').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(4);
    const rows: string[][] = [];
    for (const tr of await table.locator('tbody tr').all()) rows.push(await tr.locator('td').allTextContents());
    const names = rows.map((r) => r[0].replace('★ ', ''));
    expect(names).toContain('/api/products');
    expect(names).toContain('/api/search');
    const rps = rows.map((r) => Number.parseFloat(r[1]));
    expect(rps).toEqual([...rps].sort((a, b) => b - a));
    // the service's checks and its alerts, from probe_success and the Alertmanager
    await expect.poll(async () => page.locator('.panel', { hasText: 'Checks' }).textContent(), { timeout: 20_000 }).toMatch(/shop-health up/);
    await expect.poll(async () => page.locator('.panel', { hasText: 'Alerts' }).textContent(), { timeout: 30_000 }).toMatch(/ShopTraffic/);
    expect(await page.getByTestId('service-signals').locator('[data-signal="rps"]').textContent()).toMatch(/\/s$/);
    await page.getByRole('button', { name: '15m' }).click();
    await page.waitForURL(/range=15m/);
    await page.locator('.chart canvas').first().waitFor();
    await shot('service');
    await page.setViewportSize({ width: 390, height: 844 });
    // the charts follow their box's width (ResizeObserver)
    await expect.poll(async () => (await page.locator('.chart canvas').first().boundingBox())?.width ?? Infinity).toBeLessThan(390);
    await shot('service-phone');
    await page.setViewportSize({ width: 1366, height: 900 });
    // every chart opens its query in Explore
    await page.locator('.chart', { hasText: 'Requests per second' }).getByRole('link', { name: 'Explore ↗' }).click();
    await page.waitForURL(/\/explore\?q=sum(\(|%28)rate(\(|%28)http_requests_total/);
    expect(await page.getByLabel('PromQL expression').inputValue()).toMatch(/^sum\(rate\(http_requests_total\{job="shop"\}\[\d+s\]\)\)$/);
    await page.getByTestId('result-table').locator('tbody tr').first().waitFor();
  });

  it('load runs: a run summary and two runs compared with the gate', async () => {
    await page.goto(`${stack.url}/runs`);
    await page.getByTestId('runs').locator('tbody tr').nth(1).waitFor();
    await page.locator('select[name="test"]').selectOption('dashboard e2e');
    await page.waitForURL(/\?test=dashboard/);
    expect(await page.getByTestId('runs').locator('tbody tr').count()).toBe(2);
    for (const id of runIds) await page.getByLabel(`select run ${id.slice(0, 8)}`).check();
    await page.getByRole('button', { name: /Compare selected/ }).click();
    await page.waitForURL(new RegExp(`/runs/${runIds[0]}/compare/${runIds[1]}$`));
    const verdicts = page.getByTestId('verdicts');
    await verdicts.locator('tbody tr').first().waitFor();
    const text = await verdicts.textContent();
    expect(text).toMatch(/p95 relative_increase > 10%/);
    expect(text).toMatch(/all requests/);
    expect(text).toMatch(/search/);
    // the longer search terms make the search endpoint slower: the gate sees a regression there
    const rows: string[][] = [];
    for (const tr of await verdicts.locator('tbody tr').all()) rows.push(await tr.locator('td').allTextContents());
    const search = rows.find((r) => r[0] === 'p95 relative_increase > 10%' && r[1] === 'search');
    expect(search?.[6], JSON.stringify(rows)).toBe('regression');
    expect(await page.getByTestId('gate-result').textContent()).toMatch(/^Gate fails for “dashboard e2e”: .*regression/);
    await shot('compare');

    await page.locator('h1 a').nth(1).click();
    await page.waitForURL(new RegExp(`/runs/${runIds[1]}$`));
    const summary = page.getByTestId('run-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toMatch(/Requests\d+/);
    await page.locator('.chart canvas').first().waitFor();
    await shot('run');
  });

  it('explore: a PromQL query as a graph and a table', async () => {
    await page.goto(`${stack.url}/explore`);
    await page.getByLabel('PromQL expression').fill('sum by (route) (rate(http_requests_total{job="shop"}[1m]))');
    await page.getByRole('button', { name: 'Execute' }).click();
    const table = page.getByTestId('result-table');
    await table.locator('tbody tr').first().waitFor();
    const cells = await table.locator('tbody tr td:first-child').allTextContents();
    expect(cells).toContain('{route="/api/products"}');
    expect(await page.locator('.chart canvas').count()).toBe(1);
    expect(page.url()).toMatch(/q=sum/);
    await shot('explore');
    await page.getByLabel('PromQL expression').fill('sum(rate(');
    await page.getByRole('button', { name: 'Execute' }).click();
    await expect.poll(async () => page.getByRole('alert').textContent()).toMatch(/parse error/);
  });

  it('checks: status, uptime and last results from probe_success', async () => {
    await page.goto(`${stack.url}/checks`);
    const table = page.getByTestId('checks');
    await table.locator('tbody tr').nth(1).waitFor();
    const rows = await table.locator('tbody tr').allTextContents();
    // failing checks sort first
    expect(rows[0]).toMatch(/^payments-api down.*0\.00%/);
    expect(rows[1]).toMatch(/^shop-health up.*100\.00%/);
    expect(await table.locator('tbody tr').nth(1).locator('.tick.ok').count()).toBeGreaterThan(2);
    await shot('checks');
  });

  it('alerts: firing and pending, acknowledge, silence for a duration, expire the silence', async () => {
    await page.goto(`${stack.url}/alerts`);
    const firing = page.getByTestId('firing');
    const traffic = firing.locator('.alert', { hasText: 'ShopTraffic' });
    await traffic.waitFor({ timeout: 30_000 });
    await expect.poll(async () => page.getByTestId('pending').textContent(), { timeout: 20_000 }).toMatch(/ShopSearchSlow/);

    await traffic.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(async () => traffic.getByTestId('acked').textContent()).toMatch(/acknowledged by admin: acknowledged from the dashboard/);

    await traffic.getByRole('button', { name: 'Silence…' }).click();
    const form = traffic.locator('form.silence-form');
    expect(await form.locator('input[name="matchers"]').inputValue()).toMatch(/alertname="ShopTraffic"/);
    await form.locator('select[name="duration"]').selectOption('4h');
    await form.locator('input[name="createdBy"]').fill('e2e');
    await form.locator('input[name="comment"]').fill('maintenance window');
    await form.getByRole('button', { name: 'Create silence' }).click();
    await page.getByTestId('silenced').locator('.alert', { hasText: 'ShopTraffic' }).waitFor();
    const active = page.getByTestId('silences').locator('tr[data-state="active"]');
    await active.first().waitFor();
    expect(await active.first().textContent()).toMatch(/e2e: maintenance window/);
    const [starts, ends] = (await active.first().locator('td').nth(2).textContent())!.split(' – ').map((s) => Date.parse(s.replace(' ', 'T')));
    expect(ends - starts).toBeGreaterThanOrEqual(4 * 3600_000 - 2000);
    expect(ends - starts).toBeLessThanOrEqual(4 * 3600_000 + 2000);
    await shot('alerts-silenced');

    await active.first().getByRole('button', { name: 'Expire' }).click();
    await page.getByTestId('silences').locator('tr[data-state="expired"]').first().waitFor();
    await firing.locator('.alert', { hasText: 'ShopTraffic' }).waitFor();
    expect(await page.getByTestId('silenced').locator('.alert').count()).toBe(0);
    await shot('alerts');
  });

  it('settings: an admin creates an API token (shown once), revokes it, and adds a user', async () => {
    await page.goto(`${stack.url}/`);
    await page.getByTestId('account').getByRole('link').click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    const form = page.getByRole('form', { name: 'New token' });
    await form.getByLabel('Name').fill('grafana e2e');
    await form.getByRole('button', { name: 'Create token' }).click();
    const shown = (await page.getByTestId('new-token').locator('code').textContent())!;
    expect(shown).toMatch(/^tt_[A-Za-z0-9_-]{43}$/);
    // the token works for an API client, without the browser's session
    const asToken = () => fetch(`${stack.url}/api/v1/query?query=1`, { headers: { authorization: `Bearer ${shown}` } }).then((r) => r.status);
    expect(await asToken()).toBe(200);
    const row = page.getByTestId('tokens').locator('tr', { hasText: 'grafana e2e' });
    expect(await row.textContent()).toMatch(/read/);
    await shot('settings');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByTestId('tokens').locator('tr[data-state="revoked"]', { hasText: 'grafana e2e' }).waitFor();
    expect(await asToken()).toBe(401);

    const users = page.getByRole('form', { name: 'New user' });
    await users.getByLabel('User').fill('vera');
    await users.getByLabel('Password').fill('vera-e2e-password');
    await users.getByRole('button', { name: 'Add user' }).click();
    await page.getByTestId('users').locator('tr', { hasText: 'vera' }).waitFor();
    expect(await page.getByLabel('role of vera').inputValue()).toBe('viewer');
  });

  it('login: logging out shows the login page, a wrong password is refused, the right one lets the user back in', async () => {
    await page.goto(`${stack.url}/checks`);
    expect(await page.getByTestId('account').textContent()).toMatch(/^admin · admin/);
    await page.getByRole('button', { name: 'Log out' }).click();
    const form = page.getByRole('form', { name: 'Log in' });
    await form.waitFor();
    // the session cookie is gone for the API too
    expect((await page.request.get(`${stack.url}/api/v1/query?query=1`)).status()).toBe(401);
    await form.getByLabel('Password').fill('not the password');
    await form.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(async () => page.getByTestId('login-error').textContent()).toMatch(/wrong user name or password/);
    await shot('login');
    await form.getByLabel('Password').fill(stack.adminPassword);
    await form.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('checks').waitFor();
    const cookie = (await context.cookies(stack.url)).find((c) => c.name === 'telltale_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });
});
