/**
 * Proven against the real Alertmanager: the same alerts posted to it and to Telltale give the same
 * fingerprints, and the webhook bodies both send are equal field by field (only externalURL differs: it is
 * each server's own address).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/alerting/fingerprint.ts';
import { eventually, hasAlertmanager, startAlertmanager, type RunningAlertmanager } from './real-alertmanager.ts';
import { advanceBy, harness, startCapture, type Capture } from './helpers.ts';

const T0 = Date.parse('2026-01-05T09:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Label sets chosen to exercise sorting, quoting and UTF-8 in fingerprints and group keys. */
const RAW: Array<{ labels: Record<string, string>; annotations: Record<string, string>; resolved?: boolean }> = [
  { labels: { alertname: 'HighLatency', severity: 'page', team: 'db', instance: 'db-1:9100', job: 'node' }, annotations: { summary: 'p95 over 2s' } },
  { labels: { alertname: 'HighLatency', severity: 'page', team: 'db', instance: 'db-0:9100', job: 'node' }, annotations: { summary: 'p95 over 2s' } },
  { labels: { alertname: 'HighLatency', severity: 'critical', team: 'db', job: 'api' }, annotations: { summary: 'x' } },
  { labels: { alertname: 'Disk"Full', severity: 'warning', path: 'C:\\data', note: 'grüße 🚀' }, annotations: {} },
  { labels: { alertname: 'Resolved', severity: 'warning' }, annotations: { description: 'gone' }, resolved: true },
];
const ALERTS = RAW.map((a, i) => ({
  labels: a.labels,
  annotations: a.annotations,
  startsAt: iso(T0 + i * 1000),
  ...(a.resolved ? { endsAt: iso(T0 + 60_000) } : {}),
  generatorURL: `http://prom.example:9090/graph?g0.expr=up&i=${i}`,
}));

function config(hookUrl: string, groupWait: string): string {
  return `
route:
  receiver: web
  group_by: [alertname]
  group_wait: ${groupWait}
  group_interval: 1h
  routes:
    - receiver: web
      matchers: ['team="db"', 'severity=~"page|critical"']
      group_by: [alertname, team]
    - receiver: web
      match: { severity: warning }
receivers:
  - name: web
    webhook_configs:
      - url: ${hookUrl}
        send_resolved: true
`;
}

describe.skipIf(!hasAlertmanager())('compatibility with the real Alertmanager', () => {
  let am: RunningAlertmanager;
  let amHook: Capture;

  beforeAll(async () => {
    amHook = await startCapture();
    am = await startAlertmanager(config(`${amHook.url}/am`, '1s'));
    const res = await fetch(`${am.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ALERTS) });
    expect(res.status).toBe(200);
  });

  afterAll(async () => {
    await am?.stop();
    await amHook?.close();
  });

  it('computes the fingerprints Alertmanager reports in /api/v2/alerts', async () => {
    const listed = await eventually(async () => {
      const body = (await (await fetch(`${am.url}/api/v2/alerts?active=true&silenced=true&inhibited=true`)).json()) as Array<{ labels: Record<string, string>; fingerprint: string }>;
      return body.length >= 4 ? body : undefined;
    });
    for (const a of listed) expect(a.fingerprint).toBe(fingerprint(a.labels));
    expect(listed.map((a) => a.fingerprint).sort()).toEqual(ALERTS.slice(0, 4).map((a) => fingerprint(a.labels)).sort());
  });

  it('sends webhook bodies equal to Alertmanager\'s, field by field', async () => {
    const ourHook = await startCapture();
    try {
      const h = await harness(config(`${ourHook.url}/tt`, '1s'));
      h.clock.t = T0 + 120_000;
      h.dispatcher.receive(
        ALERTS.map((a) => ({
          labels: a.labels, annotations: a.annotations, startsAt: Date.parse(a.startsAt), generatorURL: a.generatorURL,
          ...(a.endsAt ? { endsAt: Date.parse(a.endsAt) } : {}),
        })),
      );
      await advanceBy(h.dispatcher, h.clock, 2000);
      await eventually(() => (amHook.requests.length >= 2 ? amHook.requests : undefined));
      // let a late group arrive before comparing counts
      await new Promise((r) => setTimeout(r, 1500));
      const norm = (b: any) => ({ ...b, externalURL: '<server>' });
      const byKey = (reqs: Capture['requests']) => new Map(reqs.map((r) => [r.body.groupKey as string, norm(r.body)]));
      const a = byKey(amHook.requests);
      const b = byKey(ourHook.requests);
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      expect(a.size).toBe(2);
      for (const [key, body] of a) {
        expect(b.get(key), key).toEqual(body);
        expect(JSON.stringify(Object.keys(b.get(key)!))).toBe(JSON.stringify(Object.keys(body)));
      }
      await h.store.close();
    } finally {
      await ourHook.close();
    }
  });
});
