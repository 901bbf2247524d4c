import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, startServe, until, type ServeProcess } from '../helpers/serve.ts';

let dir: string | undefined;
const servers: Server[] = [];
const served: ServeProcess[] = [];
afterEach(async () => {
  for (const s of served.splice(0)) await s.stop(5_000);
  for (const s of servers.splice(0)) s.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A scrape target on loopback exposing one gauge. */
async function exporter(metric: string): Promise<string> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(`# TYPE ${metric} gauge\n${metric} 1\n`);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface RuleView { name: string; type: string; state?: string; alerts?: Array<{ activeAt: string; state: string }> }
interface GroupView { name: string; rules: RuleView[] }

async function rules(url: string): Promise<RuleView[]> {
  const body = (await (await api(url, '/api/v1/rules')).json()) as { data: { groups: GroupView[] } };
  return body.data.groups.flatMap((g) => g.rules);
}

async function series(url: string, expr: string): Promise<Array<{ metric: Record<string, string> }>> {
  const body = (await (await api(url, `/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as { data: { result: Array<{ metric: Record<string, string> }> } };
  return body.data.result;
}

async function reloadMetric(url: string): Promise<{ ok: number; at: number }> {
  const text = await (await api(url, '/metrics')).text();
  const ok = /^telltale_config_last_reload_successful (\S+)$/m.exec(text);
  const at = /^telltale_config_last_reload_success_timestamp_seconds (\S+)$/m.exec(text);
  return { ok: Number(ok?.[1]), at: Number(at?.[1]) };
}

function config(targets: Record<string, string>, extra = ''): string {
  const jobs = Object.entries(targets).map(([job, t]) => `  - job_name: ${job}\n    static_configs:\n      - targets: ['${t}']\n`).join('');
  // one check that stays the same across every reload, against the first target
  const check = `checks:\n  - name: kept\n    type: http\n    interval: 10s\n    request: { url: "http://${Object.values(targets)[0]}/metrics" }\n`;
  return `global:\n  scrape_interval: 1s\nevaluation_interval: 1s\nrule_files: [rules.yml]\nalerting:\n  config_file: alertmanager.yml\n${check}scrape_configs:\n${jobs}${extra}`;
}

/** The oldest result the unchanged check still holds: a check that was restarted would have lost it. */
async function oldestCheckResult(url: string): Promise<{ startedAt: number; count: number } | undefined> {
  const body = (await (await api(url, '/api/v1/checks/kept/results')).json()) as { results?: Array<{ startedAt: number }> };
  const results = body.results ?? [];
  return results.length === 0 ? undefined : { startedAt: Math.min(...results.map((r) => r.startedAt)), count: results.length };
}

const RULES_V1 = `groups:
  - name: main
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: { severity: page }
      - record: job:up:v1
        expr: up
`;
const RULES_V2 = `groups:
  - name: main
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: { severity: page }
      - record: job:up:v2
        expr: up * 2
`;
const ALERTING = 'route:\n  receiver: default\nreceivers:\n  - name: default\n';

describe('telltale serve: config reload', () => {
  it('SIGHUP applies a changed rule file and scrape target, keeps alert state, refuses a broken config and keeps running the old one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-reload-'));
    const a = await exporter('reload_a');
    const b = await exporter('reload_b');
    const file = join(dir, 'telltale.yaml');
    writeFileSync(join(dir, 'rules.yml'), RULES_V1);
    writeFileSync(join(dir, 'alertmanager.yml'), ALERTING);
    writeFileSync(file, config({ a }));
    const server = await startServe(['--config', file, '--data', join(dir, 'data')]);
    served.push(server);
    const { url } = server;

    const firing = await until('the alert to fire', async () => {
      const r = (await rules(url)).find((x) => x.name === 'AlwaysFiring');
      return r?.alerts?.[0]?.state === 'firing' ? r.alerts[0] : undefined;
    });
    await until('target a scraped', async () => ((await series(url, 'reload_a')).length > 0 ? true : undefined));
    expect(await reloadMetric(url)).toMatchObject({ ok: 1 });
    const checkBefore = await until('a result of the check', () => oldestCheckResult(url));

    // change the rule file and add a target, then SIGHUP
    writeFileSync(join(dir, 'rules.yml'), RULES_V2);
    writeFileSync(file, config({ a, b }));
    server.child.kill('SIGHUP');
    await until('the new rule', async () => ((await rules(url)).some((r) => r.name === 'job:up:v2') ? true : undefined));
    expect((await rules(url)).map((r) => r.name)).toEqual(['AlwaysFiring', 'job:up:v2']);
    // the unchanged alerting rule kept its alert: same activeAt, still firing
    const after = (await rules(url)).find((r) => r.name === 'AlwaysFiring')!;
    expect(after.alerts?.[0]).toMatchObject({ state: 'firing', activeAt: firing.activeAt });
    await until('target b scraped', async () => ((await series(url, 'reload_b')).length > 0 ? true : undefined));
    await until('the new recording rule to record', async () => ((await series(url, 'job:up:v2')).length > 0 ? true : undefined));
    expect(server.stderr()).toMatch(/SIGHUP: config reloaded: targets \+1 -0, rules \+1 -1 \(1 kept\), checks \+0 -0/);
    // the unchanged check kept its history (and so its uptime) and goes on running
    await until('another run of the check', async () => {
      const now = await oldestCheckResult(url);
      return now && now.startedAt === checkBefore.startedAt && now.count > checkBefore.count ? true : undefined;
    });

    // a broken config: a bad rule expression and an unknown field — refused, the old config keeps running
    writeFileSync(join(dir, 'rules.yml'), RULES_V2.replace('expr: up * 2', 'expr: sum(up'));
    writeFileSync(file, config({ a }, 'bogus_field: 1\n'));
    server.child.kill('SIGHUP');
    await until('the refusal in the log', async () => (/SIGHUP: config reload refused/.test(server.stderr()) ? true : undefined));
    expect(server.stderr()).toMatch(/telltale\.yaml:\d+:\d+: bogus_field: unknown field/);
    expect((await reloadMetric(url)).ok).toBe(0);
    expect((await rules(url)).map((r) => r.name)).toEqual(['AlwaysFiring', 'job:up:v2']);

    // the same through the API: every problem, with file and line; nothing changes
    writeFileSync(file, config({ a }));
    for (const path of ['/api/telltale/reload', '/-/reload']) {
      const res = await api(url, path, { method: 'POST' });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { status: string; error: string; data: { status: string; problems: Array<{ file?: string; line?: number; message: string; code?: string }> } };
      expect(body.status).toBe('error');
      expect(body.data.status).toBe('refused');
      const problem = body.data.problems.find((p) => p.code === 'TT_RULES_INVALID');
      expect(problem?.file).toMatch(/rules\.yml$/);
      expect(problem?.line).toBe(8);
    }
    // b is still scraped: the refused config (without b) was not applied
    const bBefore = await series(url, 'reload_b');
    expect(bBefore.length).toBe(1);

    // fixed: applied through the API, with the settings that need a restart reported, not applied
    writeFileSync(join(dir, 'rules.yml'), RULES_V1);
    writeFileSync(file, config({ a }, 'storage:\n  retention: 1d\n'));
    const res = await api(url, '/-/reload', { method: 'POST' });
    const body = (await res.json()) as { status: string; data: { status: string; requiresRestart: Array<{ setting: string }>; changes: { targets: { removed: string[] }; rules: { kept: number; added: number; removed: number } } } };
    expect(res.status).toBe(200);
    expect(body.data.status).toBe('applied');
    expect(body.data.requiresRestart.map((s) => s.setting)).toEqual(['storage.retention']);
    expect(body.data.changes.targets.removed).toEqual([`b http://${b}/metrics`]);
    expect(body.data.changes.rules).toEqual({ kept: 1, added: 1, removed: 1 });
    const metric = await reloadMetric(url);
    expect(metric.ok).toBe(1);
    expect(metric.at).toBeGreaterThan(Date.now() / 1000 - 120);
    expect((await rules(url)).map((r) => r.name)).toEqual(['AlwaysFiring', 'job:up:v1']);
    // the removed target's series went stale
    await until('reload_b to go stale', async () => ((await series(url, 'reload_b')).length === 0 ? true : undefined));
    expect(await server.stop()).toBe(0);
  }, 180_000);
});
