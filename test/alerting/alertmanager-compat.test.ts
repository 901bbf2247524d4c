/**
 * Proven against the real Alertmanager: the same alerts posted to it and to Telltale give the same
 * fingerprints, and the webhook bodies both send are equal field by field (only externalURL differs: it is
 * each server's own address).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertingApi, type GettableAlert } from '../../src/alerting/api.ts';
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
  group_interval: 2s
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
      - url: ${hookUrl}-truncated
        max_alerts: 1
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

  it('sends webhook bodies equal to Alertmanager\'s, field by field, firing, truncated and resolved', async () => {
    const ourHook = await startCapture();
    try {
      const h = await harness(config(`${ourHook.url}/tt`, '1s'));
      h.clock.t = T0 + 120_000;
      const toPostable = (a: (typeof ALERTS)[number]) => ({
        labels: a.labels, annotations: a.annotations, startsAt: Date.parse(a.startsAt), generatorURL: a.generatorURL,
        ...(a.endsAt ? { endsAt: Date.parse(a.endsAt) } : {}),
      });
      h.dispatcher.receive(ALERTS.map(toPostable));
      await advanceBy(h.dispatcher, h.clock, 1000);
      // two groups notify, each to two webhooks
      await eventually(() => (amHook.requests.length >= 4 ? true : undefined));
      const norm = (b: any) => ({ ...b, externalURL: '<server>' });
      const byKey = (reqs: Capture['requests'], prefix: string) => new Map(reqs.map((r) => [`${r.url.slice(prefix.length)} ${r.body.groupKey as string}`, norm(r.body)]));
      const compare = () => {
        const a = byKey(amHook.requests, '/am');
        const b = byKey(ourHook.requests, '/tt');
        expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
        for (const [key, body] of a) {
          expect(b.get(key), key).toEqual(body);
          expect(JSON.stringify(Object.keys(b.get(key)!)), key).toBe(JSON.stringify(Object.keys(body)));
        }
        return a;
      };
      const first = compare();
      expect(first.size).toBe(4);
      expect([...first.values()].some((b) => b.truncatedAlerts === 2)).toBe(true);

      // db-1 resolves: the next flush of its group reports one resolved and two firing alerts
      const resolved = { ...ALERTS[0], endsAt: iso(T0 + 90_000) };
      // wait for the db group's next flush on both webhooks, from Alertmanager and from Telltale
      const dbGroup = '{}/{severity=~"page|critical",team="db"}:{alertname="HighLatency", team="db"}';
      const flushes = (reqs: Capture['requests'], prefix: string) =>
        ['', '-truncated'].map((suffix) => reqs.filter((r) => r.url === `${prefix}${suffix}` && r.body.groupKey === dbGroup).length);
      const amBefore = flushes(amHook.requests, '/am');
      const ttBefore = flushes(ourHook.requests, '/tt');
      const res = await fetch(`${am.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([resolved]) });
      expect(res.status).toBe(200);
      h.dispatcher.receive([toPostable(resolved)]);
      await advanceBy(h.dispatcher, h.clock, 2000);
      const flushedAgain = (reqs: Capture['requests'], prefix: string, before: number[]) => flushes(reqs, prefix).every((n, i) => n > before[i]);
      await eventually(() => (flushedAgain(amHook.requests, '/am', amBefore) && flushedAgain(ourHook.requests, '/tt', ttBefore) ? true : undefined));
      const second = compare();
      const latest = second.get(` {}/{severity=~"page|critical",team="db"}:{alertname="HighLatency", team="db"}`);
      expect(latest.alerts.map((x: any) => x.status)).toEqual(['firing', 'firing', 'resolved']);
      expect(latest.alerts[2].endsAt).toBe(iso(T0 + 90_000));
      await h.store.close();
    } finally {
      await ourHook.close();
    }
  });

  it('lists alerts in /api/v2/alerts in the same shape', async () => {
    const h = await harness(config('http://127.0.0.1:1/unused', '1s'));
    const api = new AlertingApi(h.dispatcher);
    h.clock.t = Date.now();
    api.postAlerts(ALERTS.slice(1, 4));
    const theirs = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as GettableAlert[];
    for (const ours of api.listAlerts()) {
      const t = theirs.find((x) => x.fingerprint === ours.fingerprint)!;
      expect(Object.keys(ours).sort()).toEqual(Object.keys(t).sort());
      // endsAt and updatedAt are each server's own receive time + resolve_timeout
      expect({ ...ours, endsAt: '', updatedAt: '' }).toEqual({ ...t, endsAt: '', updatedAt: '' });
    }
    await h.store.close();
  });
});
