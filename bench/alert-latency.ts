/**
 * Notification latency: from `POST /api/v2/alerts` to the webhook request arriving, with group_wait 0, for
 * Telltale's dispatcher (fastify + the Alertmanager API plugin, real clock) and the real Alertmanager
 * side by side in the same run. Alerts are sent one at a time, alternating between the two, each a new
 * group (group_by the alert's `id`), so every one is a first notification.
 *
 *   node bench/alert-latency.ts [--alerts 200]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { openAlertStore } from '../src/alerting/alert-store.ts';
import { AlertingApi } from '../src/alerting/api.ts';
import { loadAlertingConfig } from '../src/alerting/config.ts';
import { Dispatcher } from '../src/alerting/dispatcher.ts';
import { registerAlertmanagerApi } from '../src/server/routes/alertmanager-api.ts';
import { hasAlertmanager, startAlertmanager } from '../test/alerting/real-alertmanager.ts';
import { fmt, machineInfo, numberFlag, parseFlags, table, warnIfBusy, writeResult } from './lib/util.ts';

const flags = parseFlags(process.argv.slice(2));
const N = Math.min(5000, numberFlag(flags, 'alerts', 200));

const waiting = new Map<string, (t: number) => void>();
const hook = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const t = performance.now();
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alerts: Array<{ labels: Record<string, string> }> };
    for (const a of body.alerts) waiting.get(`${req.url}:${a.labels.id}`)?.(t);
    res.end();
  });
});
await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;

const config = (path: string) => `
route:
  receiver: web
  group_by: [id]
  group_wait: 0s
  group_interval: 1h
receivers:
  - name: web
    webhook_configs: [{ url: "${hookUrl}${path}" }]
`;

const store = await openAlertStore(':memory:');
const dispatcher = await Dispatcher.create({ config: loadAlertingConfig(config('/telltale')), store, clock: { now: () => Date.now() } });
dispatcher.start();
const app = Fastify();
await registerAlertmanagerApi(app, { api: new AlertingApi(dispatcher) });
await app.listen({ host: '127.0.0.1', port: 0 });
const telltaleUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

if (!hasAlertmanager()) throw new Error('the real Alertmanager (/usr/bin/prometheus-alertmanager) is needed as the peer');
const am = await startAlertmanager(config('/alertmanager'));

async function once(target: 'telltale' | 'alertmanager', base: string, id: string): Promise<number> {
  const arrived = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${target}: no webhook for alert ${id} within 10 s`)), 10_000);
    waiting.set(`/${target}:${id}`, (t) => {
      clearTimeout(timer);
      resolve(t);
    });
  });
  const t0 = performance.now();
  const res = await fetch(`${base}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ labels: { alertname: 'Latency', id }, annotations: { summary: 'bench' } }]),
  });
  if (!res.ok) throw new Error(`${target}: POST /api/v2/alerts answered ${res.status}`);
  const t1 = await arrived;
  waiting.delete(`/${target}:${id}`);
  return t1 - t0;
}

warnIfBusy();
const samples: Record<'telltale' | 'alertmanager', number[]> = { telltale: [], alertmanager: [] };
try {
  // warm-up: JIT, connection pools
  for (let i = 0; i < 20; i++) {
    await once('telltale', telltaleUrl, `w${i}`);
    await once('alertmanager', am.url, `w${i}`);
  }
  for (let i = 0; i < N; i++) {
    const order: Array<['telltale' | 'alertmanager', string]> = [['telltale', telltaleUrl], ['alertmanager', am.url]];
    if (i % 2 === 1) order.reverse();
    for (const [target, base] of order) samples[target].push(await once(target, base, String(i)));
  }
} finally {
  await am.stop();
  await dispatcher.stop();
  await app.close();
  await store.close();
  hook.closeAllConnections();
  hook.close();
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const rows = (['telltale', 'alertmanager'] as const).map((t) => {
  const xs = samples[t];
  return { target: t, n: xs.length, p50: q(xs, 0.5), p90: q(xs, 0.9), p99: q(xs, 0.99), max: Math.max(...xs), mean: xs.reduce((a, b) => a + b, 0) / xs.length };
});
console.log(table(['target', 'alerts', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'mean ms'], rows.map((r) => [r.target, String(r.n), fmt(r.p50, 2), fmt(r.p90, 2), fmt(r.p99, 2), fmt(r.max, 2), fmt(r.mean, 2)])));
const file = writeResult('alert-latency', { alerts: N, rows, machine: machineInfo(), alertmanagerVersion: '0.25.0 (Debian)' });
console.log(`\nwritten to ${file}`);
