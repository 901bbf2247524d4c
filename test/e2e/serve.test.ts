import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT } from '../helpers/cli.ts';
import { serve, stopServers, until } from '../helpers/serve.ts';

let dir: string | undefined;
const children: ChildProcess[] = [];
afterEach(() => {
  stopServers();
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function query(url: string, expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  expect(body.status).toBe('success');
  return body.data.result;
}

describe('telltale serve', () => {
  it('scrapes the demo service, answers PromQL, shuts down cleanly and keeps the data', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-serve-'));
    const data = join(dir, 'data');
    const first = await serve(['--demo', '--data', data]);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    const up = await until('the demo target to be up', async () => {
      const r = await query(first.url, 'up{job="demo"}');
      return r.length > 0 ? r : undefined;
    });
    expect(up[0].value[1]).toBe('1');
    expect(up[0].metric.instance).toMatch(/^127\.0\.0\.1:\d+$/);
    const rate = await until('two scrapes of request counters', async () => {
      const r = await query(first.url, 'sum(rate(http_requests_total{job="demo"}[1m]))');
      return r.length > 0 && Number(r[0].value[1]) > 0 ? r : undefined;
    });
    expect(Number(rate[0].value[1])).toBeGreaterThan(0);
    const p95 = await query(first.url, 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="demo"}[1m])))');
    expect(Number(p95[0].value[1])).toBeGreaterThan(0);
    const metrics = await (await fetch(`${first.url}/metrics`)).text();
    expect(metrics).toMatch(/^telltale_tsdb_head_series \d+$/m);

    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);

    const second = await serve(['--data', data]);
    const kept = await query(second.url, 'count(count_over_time(up{job="demo"}[10m]))');
    expect(kept[0].value[1]).toBe('1');
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
  }, 90_000);

  it('refuses a second server on the same data directory', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-serve-'));
    const data = join(dir, 'data');
    const first = await serve(['--data', data]);
    const child = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--data', data], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(3);
    expect(err).toMatch(/TT_TSDB_LOCKED/);
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
  }, 60_000);
});

describe('telltale serve with a bad config', () => {
  it('exits 104 naming the field, and does not hang on the demo API it started', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-serve-'));
    writeFileSync(join(dir, 'telltale.yaml'), 'checks:\n  - name: x\n    type: http\n    interval: 10s\n');
    const child = spawn(process.execPath, [BIN, 'serve', '--demo', '--listen', '127.0.0.1:0', '--config', join(dir, 'telltale.yaml'), '--data', join(dir, 'data')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(104);
    expect(err).toMatch(/checks\[0\]\.request/);
  }, 60_000);
});

describe('telltale serve watching and alerting', () => {
  it('turns a scraped condition into a webhook notification, and runs checks', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-serve-'));
    const received: Array<Record<string, unknown>> = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    try {
      writeFileSync(join(dir, 'rules.yml'), [
        'groups:',
        '  - name: demo',
        '    interval: 2s',
        '    rules:',
        '      - alert: DemoIsUp',
        '        expr: up{job="demo"} == 1',
        '        labels: { severity: page }',
        '        annotations: { summary: "{{ $labels.instance }} is up" }',
        '',
      ].join('\n'));
      writeFileSync(join(dir, 'alertmanager.yml'), [
        'route:',
        '  receiver: hook',
        '  group_wait: 0s',
        '  group_by: [alertname]',
        'receivers:',
        '  - name: hook',
        '    webhook_configs:',
        `      - url: ${hookUrl}`,
        '',
      ].join('\n'));
      writeFileSync(join(dir, 'telltale.yaml'), [
        'rule_files: [rules.yml]',
        'alerting: { config_file: alertmanager.yml }',
        'checks:',
        '  - name: demo-health',
        '    type: http',
        '    request: { url: "http://127.0.0.1:1/never" }',
        '    interval: 10s',
        '',
      ].join('\n'));
      const s = await serve(['--demo', '--config', join(dir, 'telltale.yaml'), '--data', join(dir, 'data')]);
      const note = await until('the webhook notification', async () => received[0], 60_000);
      expect(note).toMatchObject({ version: '4', status: 'firing', receiver: 'hook', groupLabels: { alertname: 'DemoIsUp' } });
      const alerts = note.alerts as Array<{ labels: Record<string, string>; annotations: Record<string, string> }>;
      expect(alerts[0].labels).toMatchObject({ alertname: 'DemoIsUp', job: 'demo', severity: 'page' });
      expect(alerts[0].annotations.summary).toMatch(/^127\.0\.0\.1:\d+ is up$/);
      const rules = (await (await fetch(`${s.url}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ health: string; state: string }> }> } };
      expect(rules.data.groups[0].rules[0]).toMatchObject({ health: 'ok', state: 'firing' });
      const am = (await (await fetch(`${s.url}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string> }>;
      expect(am.map((a) => a.labels.alertname)).toContain('DemoIsUp');
      const probe = await until('a failed check result', async () => {
        const r = await query(s.url, 'probe_success{check="demo-health"}');
        return r.length > 0 ? r : undefined;
      }, 30_000);
      expect(probe[0].value[1]).toBe('0');
      s.child.kill('SIGTERM');
      expect(await s.exit).toBe(0);
    } finally {
      await new Promise<void>((r) => hook.close(() => r()));
    }
  }, 120_000);
});
