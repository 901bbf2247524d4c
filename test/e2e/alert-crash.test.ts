/**
 * kill -9 between evaluation and delivery: a real `telltale serve` whose rule fires is killed while the
 * notification waits out group_wait; restarted on the same data directory it delivers the alert once, and
 * a second restart does not send it again (the notification log is in the store, the alert state in the
 * data directory).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { api, startServe, until, type ServeProcess } from '../helpers/serve.ts';

let dir: string | undefined;
const started: ServeProcess[] = [];
const serve = async (args: string[]) => {
  const s = await startServe(args);
  started.push(s);
  return s;
};
afterEach(async () => {
  for (const s of started.splice(0)) await s.stop(1000);
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const GROUP_WAIT_S = 10;

async function alertNames(s: ServeProcess): Promise<string[]> {
  const res = await api(s.url, '/api/v2/alerts');
  return ((await res.json()) as Array<{ labels: Record<string, string> }>).map((a) => a.labels.alertname);
}

/** Waits `ms` of wall time: the only way to see that something does NOT happen. */
const quietFor = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('alert delivery across kill -9', () => {
  it('delivers a notification pending at the crash once after restart, and never again', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-crash-'));
    const received: Array<{ status: string; alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string> }> }> = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as (typeof received)[number]);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      writeFileSync(join(dir, 'rules.yml'), 'groups:\n  - name: crash\n    interval: 1s\n    rules:\n      - alert: CrashTest\n        expr: vector(1)\n        labels: { severity: page }\n');
      writeFileSync(join(dir, 'alertmanager.yml'), [
        'route:',
        '  receiver: hook',
        `  group_wait: ${GROUP_WAIT_S}s`,
        '  group_interval: 2s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: hook',
        '    webhook_configs:',
        `      - url: http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
        '',
      ].join('\n'));
      writeFileSync(join(dir, 'telltale.yaml'), 'rule_files: [rules.yml]\nalerting: { config_file: alertmanager.yml }\n');
      const args = ['--config', join(dir, 'telltale.yaml'), '--data', join(dir, 'data')];

      // 1. the rule fires and the dispatcher holds the alert, waiting out group_wait: kill -9 now
      const first = await serve(args);
      await until('the alert in the dispatcher', async () => ((await alertNames(first)).includes('CrashTest') ? true : undefined), 60_000);
      first.child.kill('SIGKILL');
      await first.exit;
      expect(received).toEqual([]);

      // 2. restarted on the same data: delivered once
      const second = await serve(args);
      await until('the notification after the restart', async () => (received.length > 0 ? true : undefined), 90_000);
      expect(received[0]).toMatchObject({ status: 'firing', alerts: [{ labels: { alertname: 'CrashTest', severity: 'page' } }] });
      // the context is computed in the server: vector(1) is 1 now and at this time on each of the last 7 days
      expect(received[0].alerts[0].annotations).toMatchObject({ telltale_context_value: '1', telltale_context_band_days: '7', telltale_context_outside_band: 'false' });
      // several group_interval flushes later, still once
      await quietFor(6_000);
      expect(received).toHaveLength(1);
      second.child.kill('SIGKILL');
      await second.exit;

      // 3. another restart: the alert is back in the dispatcher, its group flushes, and the log says it was sent
      const third = await serve(args);
      await until('the alert in the dispatcher again', async () => ((await alertNames(third)).includes('CrashTest') ? true : undefined), 90_000);
      await quietFor((GROUP_WAIT_S + 6) * 1000);
      expect(received).toHaveLength(1);
      third.child.kill('SIGTERM');
      expect(await third.exit).toBe(0);
    } finally {
      await new Promise<void>((r) => hook.close(() => r()));
    }
  }, 300_000);
});
