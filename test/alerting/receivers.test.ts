/**
 * What each receiver sends, captured by a local server: PagerDuty Events v2, Slack, the webhook's
 * max_alerts and send_resolved, and forwarding to a real Alertmanager (same labels, same fingerprints).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PostableAlert } from '../../src/alerting/alert.ts';
import { fingerprint } from '../../src/alerting/fingerprint.ts';
import { dedupKey } from '../../src/alerting/notifiers/pagerduty.ts';
import { eventually, hasAlertmanager, startAlertmanager } from './real-alertmanager.ts';
import { advanceBy, harness, startCapture, type Capture } from './helpers.ts';

let hook: Capture;
beforeEach(async () => {
  hook = await startCapture();
});
afterEach(async () => {
  await hook.close();
});
const MIN = 60_000;
const route = `route:\n  receiver: r\n  group_by: [alertname]\n  group_wait: 10s\n  group_interval: 1m\n`;

describe('PagerDuty Events API v2', () => {
  it('triggers with the group key hash as dedup_key, then resolves', async () => {
    const h = await harness(`${route}receivers:
  - name: r
    pagerduty_configs:
      - routing_key: R0UT1NG
        url: ${hook.url}/v2/enqueue
        severity: critical
        client: Telltale
        client_url: https://telltale.example.com
        component: db
        links: [{ href: "https://runbooks.example.com/db", text: runbook }]
`);
    const ends = h.clock.t + 3 * MIN;
    h.dispatcher.receive([{ labels: { alertname: 'DbDown', instance: 'db-1' }, annotations: { summary: 'db-1 is down' }, endsAt: ends }]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    const trigger = hook.requests[0].body;
    expect(trigger).toEqual({
      routing_key: 'R0UT1NG',
      dedup_key: dedupKey('{}:{alertname="DbDown"}'),
      event_action: 'trigger',
      payload: {
        summary: '[FIRING:1] DbDown (db-1)',
        source: 'Telltale',
        severity: 'critical',
        timestamp: '2026-01-05T10:00:10.000Z', // the flush, group_wait after the alert came
        component: 'db',
        custom_details: {
          firing: 'Labels:\n - alertname = DbDown\n - instance = db-1\nAnnotations:\n - summary = db-1 is down\nSource: \n',
          num_firing: '1',
          num_resolved: '0',
          resolved: '',
        },
      },
      client: 'Telltale',
      client_url: 'https://telltale.example.com',
      links: [{ href: 'https://runbooks.example.com/db', text: 'runbook' }],
    });
    expect(trigger.dedup_key).toMatch(/^[0-9a-f]{64}$/);
    await advanceBy(h.dispatcher, h.clock, 3 * MIN);
    expect(hook.requests.at(-1)!.body).toMatchObject({ event_action: 'resolve', dedup_key: trigger.dedup_key, routing_key: 'R0UT1NG' });
    expect(hook.requests.at(-1)!.body.payload.summary).toBe('[RESOLVED] DbDown (db-1)');
  });
});

describe.skipIf(!hasAlertmanager())('PagerDuty events equal to the real Alertmanager\'s', () => {
  it('trigger and resolve, field by field (Telltale adds payload.timestamp)', async () => {
    const cfg = (url: string) => `route:\n  receiver: 'on call'\n  group_by: [alertname]\n  group_wait: 1s\n  group_interval: 2s\nreceivers:
  - name: 'on call'
    pagerduty_configs:
      - routing_key: KEY
        url: ${url}
`;
    const am = await startAlertmanager(cfg(`${hook.url}/am`), ['--web.external-url=http://telltale.test']);
    try {
      const h = await harness(cfg(`${hook.url}/tt`), { externalURL: 'http://telltale.test' });
      const alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; generatorURL?: string }> = [
        { labels: { alertname: 'DbDown', instance: 'db-1', job: 'node' }, annotations: { summary: 'db-1 down', runbook: 'https://r/x' }, startsAt: '2026-01-05T09:00:00Z', generatorURL: 'http://prom/graph' },
        { labels: { alertname: 'DbDown', instance: 'db-2', job: 'node' }, annotations: { summary: 'db-2 down' }, startsAt: '2026-01-05T09:00:01Z' },
      ];
      const post = (body: unknown) => fetch(`${am.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      await post(alerts);
      h.clock.t = Date.parse('2026-01-05T09:10:00Z');
      h.dispatcher.receive(alerts.map((a) => ({ ...a, startsAt: Date.parse(a.startsAt) })));
      await advanceBy(h.dispatcher, h.clock, 1000);
      const resolvedAt = '2026-01-05T09:05:00Z';
      await eventually(() => (hook.requests.some((r) => r.url === '/am') ? true : undefined));
      await post(alerts.map((a) => ({ ...a, endsAt: resolvedAt })));
      h.dispatcher.receive(alerts.map((a) => ({ ...a, startsAt: Date.parse(a.startsAt), endsAt: Date.parse(resolvedAt) })));
      await advanceBy(h.dispatcher, h.clock, 2000);
      await eventually(() => (hook.requests.filter((r) => r.url === '/am').length >= 2 ? true : undefined));
      const strip = (b: any) => ({ ...b, payload: { ...b.payload, timestamp: undefined } });
      const theirs = hook.requests.filter((r) => r.url === '/am').map((r) => r.body);
      const ours = hook.requests.filter((r) => r.url === '/tt').map((r) => strip(r.body));
      expect(theirs.map((b) => b.event_action)).toEqual(['trigger', 'resolve']);
      expect(ours).toEqual(theirs.map((b) => ({ ...b, payload: { ...b.payload, timestamp: undefined } })));
      expect(JSON.stringify(Object.keys(ours[0]))).toBe(JSON.stringify(Object.keys(theirs[0])));
      await h.store.close();
    } finally {
      await am.stop();
    }
  });
});

describe('Slack', () => {
  it('sends text, blocks and a colour by status to the incoming webhook', async () => {
    const h = await harness(`global:\n  slack_api_url: ${hook.url}/services/T/B/X\n${route}receivers:
  - name: r
    slack_configs:
      - channel: '#ops'
        username: telltale
        send_resolved: true
`);
    h.dispatcher.receive([{ labels: { alertname: 'Slow', job: 'api' }, annotations: { summary: 'p95 is 2.5s' }, endsAt: h.clock.t + 2 * MIN }]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    const msg = hook.requests[0].body;
    expect(hook.requests[0].url).toBe('/services/T/B/X');
    expect(msg).toMatchObject({ channel: '#ops', username: 'telltale', text: expect.stringContaining('[FIRING:1] Slow (api)') });
    expect(msg.text).toContain('p95 is 2.5s');
    expect(msg.attachments[0].color).toBe('danger');
    expect(msg.attachments[0].blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '[FIRING:1] Slow (api)', emoji: true } });
    expect(msg.attachments[0].blocks[1].text.text).toMatch(/:red_circle: p95 is 2\.5s/);
    await advanceBy(h.dispatcher, h.clock, 2 * MIN);
    expect(hook.requests.at(-1)!.body.attachments[0].color).toBe('good');
    expect(hook.requests.at(-1)!.body.text).toMatch(/^\[RESOLVED\] Slow/);
  });
});

describe('webhook options', () => {
  it('max_alerts truncates and counts what it left out', async () => {
    const h = await harness(`${route}receivers:\n  - name: r\n    webhook_configs: [{ url: "${hook.url}/h", max_alerts: 2 }]\n`);
    h.dispatcher.receive(['a', 'b', 'c', 'd', 'e'].map((i) => ({ labels: { alertname: 'Many', instance: i } })));
    await advanceBy(h.dispatcher, h.clock, 11_000);
    expect(hook.requests[0].body.alerts.map((a: any) => a.labels.instance)).toEqual(['a', 'b']);
    expect(hook.requests[0].body.truncatedAlerts).toBe(3);
  });

  it('send_resolved: false leaves resolved alerts out and never sends an all-resolved notification', async () => {
    const h = await harness(`${route}receivers:\n  - name: r\n    webhook_configs: [{ url: "${hook.url}/h", send_resolved: false }]\n`);
    h.dispatcher.receive([{ labels: { alertname: 'X', i: '1' }, endsAt: h.clock.t + 30_000 }, { labels: { alertname: 'X', i: '2' }, endsAt: h.clock.t + 10 * MIN }]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    expect(hook.requests[0].body.alerts).toHaveLength(2);
    h.dispatcher.receive([{ labels: { alertname: 'X', i: '3' }, endsAt: h.clock.t + 10 * MIN }]);
    await advanceBy(h.dispatcher, h.clock, MIN);
    expect(hook.requests[1].body.alerts.map((a: any) => a.labels.i)).toEqual(['2', '3']);
    await advanceBy(h.dispatcher, h.clock, 20 * MIN);
    expect(hook.requests).toHaveLength(2);
    expect(h.dispatcher.groups.size).toBe(0);
  });

  it('sends the receiver\'s basic auth and an idempotency key', async () => {
    const h = await harness(`${route}receivers:\n  - name: r\n    webhook_configs:\n      - url: "${hook.url}/h"\n        http_config: { basic_auth: { username: u, password: p } }\n`);
    h.dispatcher.receive([{ labels: { alertname: 'X' } }]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    expect(hook.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(hook.requests[0].headers['idempotency-key']).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe.skipIf(!hasAlertmanager())('forwarding to a real Alertmanager', () => {
  it('the alerts show up in its /api/v2/alerts with the same labels and fingerprints, and resolve there', async () => {
    const am = await startAlertmanager('route:\n  receiver: none\nreceivers:\n  - name: none\n');
    try {
      const h = await harness(`${route}receivers:\n  - name: r\n    alertmanager_configs: [{ url: "${am.url}" }]\n`, { clock: { t: 0, now: () => Date.now() } as never });
      const sent: PostableAlert[] = [
        { labels: { alertname: 'Fwd', job: 'api', note: 'ünïcode ✓' }, annotations: { summary: 'forwarded' }, generatorURL: 'http://prom/graph' },
        { labels: { alertname: 'Fwd', job: 'db' }, endsAt: Date.now() + 10 * MIN },
      ];
      h.dispatcher.receive(sent);
      await h.dispatcher.runDue(); // group_wait 10s has not passed on the real clock…
      const g = [...h.dispatcher.groups.values()][0];
      g.nextFlushAt = Date.now(); // …so flush now
      await h.dispatcher.runDue();
      expect(h.events).toEqual([expect.objectContaining({ type: 'notified', integration: 'alertmanager[0]' })]);
      const listed = await eventually(async () => {
        const r = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string>; fingerprint: string; annotations: Record<string, string>; generatorURL: string }>;
        return r.length === 2 ? r : undefined;
      });
      for (const s of sent) {
        const there = listed.find((a) => a.fingerprint === fingerprint(s.labels));
        expect(there, JSON.stringify(s.labels)).toBeDefined();
        expect(there!.labels).toEqual(s.labels);
      }
      expect(listed.find((a) => a.labels.job === 'api')).toMatchObject({ annotations: { summary: 'forwarded' }, generatorURL: 'http://prom/graph' });

      // the db alert resolves: forwarded with its end, it leaves the other Alertmanager's active list
      h.dispatcher.receive([{ labels: sent[1].labels, startsAt: Date.now() - MIN, endsAt: Date.now() - 1000 }]);
      g.nextFlushAt = Date.now();
      await h.dispatcher.runDue();
      const after = await eventually(async () => {
        const r = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string> }>;
        return r.length === 1 ? r : undefined;
      });
      expect(after[0].labels.job).toBe('api');
      await h.store.close();
    } finally {
      await am.stop();
    }
  });
});
