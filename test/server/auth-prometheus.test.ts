/**
 * A real Prometheus talking to an authenticated Telltale server as a user would configure it:
 * `remote_write` with `basic_auth` (the token as password) and with `authorization` (Bearer), and
 * `alerting.alertmanagers` pushing alerts with a Bearer token. A Prometheus with a revoked token is refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telltaleConfigSchema } from '../../src/config/telltale-config.ts';
import { assembleServer, type AssembledServer } from '../../src/server/assemble.ts';
import { hasPrometheus, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.ts';

let dir: string;
let server: AssembledServer;
let prometheus: RunningPrometheus | undefined;
let read: string;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${prometheus?.log() ?? ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const get = async (url: string) => (await fetch(`${server.url}${url}`, { headers: { authorization: `Bearer ${read}` } })).json() as Promise<Record<string, unknown>>;

describe.skipIf(!hasPrometheus())('a real Prometheus with tokens', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tt-auth-prom-'));
    server = await assembleServer({ config: telltaleConfigSchema.parse({}), listen: '127.0.0.1:0', dataDir: path.join(dir, 'data'), env: { TELLTALE_ADMIN_PASSWORD: 'prometheus-test' }, buildDashboard: false });
    const ingest = (await server.auth.createToken({ name: 'prometheus', scopes: ['ingest'] }, 'test')).token;
    const ingest2 = (await server.auth.createToken({ name: 'prometheus bearer', scopes: ['ingest'] }, 'test')).token;
    const revoked = await server.auth.createToken({ name: 'old', scopes: ['ingest'] }, 'test');
    await server.auth.revokeToken(revoked.record.id);
    read = (await server.auth.createToken({ name: 'reader', scopes: ['read'] }, 'test')).token;
    const target = server.url.replace('http://', '');
    const rules = path.join(dir, 'rules.yml');
    writeFileSync(rules, 'groups:\n  - name: t\n    interval: 1s\n    rules:\n      - alert: AlwaysFiring\n        expr: vector(1)\n        labels: { severity: page }\n');
    prometheus = await startPrometheus({
      config: [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: [${JSON.stringify(rules)}]`,
        'scrape_configs:',
        '  - job_name: telltale',
        `    static_configs: [{ targets: ["${target}"] }]`,
        'remote_write:',
        `  - url: ${server.url}/api/v1/write`,
        '    name: basic',
        '    write_relabel_configs: [{ source_labels: [__name__], regex: up, action: keep }]',
        `    basic_auth: { username: prometheus, password: "${ingest}" }`,
        `  - url: ${server.url}/api/v1/write`,
        '    name: bearer',
        '    write_relabel_configs: [{ source_labels: [__name__], regex: scrape_duration_seconds, action: keep }]',
        `    authorization: { credentials: "${ingest2}" }`,
        `  - url: ${server.url}/api/v1/write`,
        '    name: revoked',
        '    write_relabel_configs: [{ source_labels: [__name__], regex: scrape_samples_scraped, action: keep }]',
        `    authorization: { credentials: "${revoked.token}" }`,
        'alerting:',
        '  alertmanagers:',
        '    - api_version: v2',
        `      authorization: { credentials: "${ingest}" }`,
        `      static_configs: [{ targets: ["${target}"] }]`,
        '',
      ].join('\n'),
      // the first evaluation can come before the Alertmanager is discovered; that alert is only resent after
      // the resend delay (1m by default)
      args: ['--rules.alert.resend-delay=1s'],
    });
  }, 90_000);

  afterAll(async () => {
    await prometheus?.stop();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('remote_write with basic_auth and with authorization lands in the store; a revoked token does not', async () => {
    const query = async (expr: string) => ((await get(`/api/v1/query?query=${encodeURIComponent(expr)}`)).data as { result: unknown[] }).result;
    await until('up over remote_write (basic_auth)', async () => ((await query('up{job="telltale"}')).length > 0 ? true : undefined));
    await until('scrape_duration_seconds over remote_write (authorization)', async () => ((await query('scrape_duration_seconds{job="telltale"}')).length > 0 ? true : undefined));
    expect(await query('scrape_samples_scraped')).toEqual([]);
    await until('Prometheus to report the refused writes', async () => (/401|Unauthorized/i.test(prometheus!.log()) ? true : undefined), 30_000);
  }, 90_000);

  it('alerts pushed by Prometheus with a Bearer token reach the Alertmanager API', async () => {
    const alerts = await until('the pushed alert', async () => {
      const list = (await (await fetch(`${server.url}/api/v2/alerts`, { headers: { authorization: `Bearer ${read}` } })).json()) as Array<{ labels: Record<string, string> }>;
      return list.some((a) => a.labels.alertname === 'AlwaysFiring') ? list : undefined;
    });
    expect(alerts.find((a) => a.labels.alertname === 'AlwaysFiring')?.labels.severity).toBe('page');
  }, 90_000);
});
