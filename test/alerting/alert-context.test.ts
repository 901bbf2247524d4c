/**
 * "Is this alert real?" context on real data: eight days of samples in the embedded series store, deploy
 * annotations in SQLite, the context computed through the PromQL engine, and how each receiver shows it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertContextSource, band, exprOfGeneratorURL, valueExpr, type AlertContext } from '../../src/alerting/alert-context.ts';
import { fingerprint } from '../../src/alerting/fingerprint.ts';
import { loadAlertingConfig } from '../../src/alerting/config.ts';
import type { Alert } from '../../src/alerting/alert.ts';
import { emailMessage } from '../../src/alerting/notifiers/email.ts';
import type { Notification } from '../../src/alerting/notifiers/notification.ts';
import { pagerdutyEvent } from '../../src/alerting/notifiers/pagerduty.ts';
import { slackMessage } from '../../src/alerting/notifiers/slack.ts';
import { webhookMessage } from '../../src/alerting/notifiers/webhook.ts';
import type { EmailConfig, PagerDutyConfig, SlackConfig } from '../../src/alerting/receiver-config.ts';
import { openAnnotationStore, type AnnotationStore } from '../../src/annotations/annotation-store.ts';
import { Engine } from '../../src/promql/engine.ts';
import { parseExpr } from '../../src/promql/parser.ts';
import { formatExpr } from '../../src/promql/format.ts';
import { openTsdb, type Tsdb } from '../../src/tsdb/db.ts';
import { advanceBy, FakeClock, harness, startCapture, type Capture } from './helpers.ts';

const NOW = Date.parse('2026-03-09T14:00:00Z');
const DAY = 86_400_000;
const MIN = 60_000;
const EXPR = 'shop_latency_p95_seconds > 0.5';

let dir: string;
let tsdb: Tsdb;
let notes: AnnotationStore;

/** p95 latency of shop and cart at every minute of 13:00–14:00 on each of the last 8 days. */
async function seed(): Promise<void> {
  const app = tsdb.appender();
  for (let k = 7; k >= 0; k--) {
    for (let m = 60; m >= 0; m--) {
      const t = NOW - k * DAY - m * MIN;
      app.append({ __name__: 'shop_latency_p95_seconds', job: 'shop' }, t, k === 0 ? 0.9 : 0.1 + 0.01 * k);
      app.append({ __name__: 'shop_latency_p95_seconds', job: 'cart' }, t, k === 0 ? 0.6 : 0.55 + 0.01 * k);
    }
  }
  await app.commit();
  const deploy = (service: string, version: string, time: number, kind = 'deploy') => notes.add({ time, service, kind, version, text: '', tags: [], labels: {} }, time);
  await deploy('shop', 'v1.4.2', NOW - 8 * MIN);
  await deploy('shop', 'v1.4.1', NOW - 2 * 3_600_000);
  await deploy('cart', 'v9', NOW - 5 * MIN);
  await deploy('shop', 'x', NOW - MIN, 'incident');
}

function alert(labels: Record<string, string>, expr = EXPR): Alert {
  return {
    fingerprint: fingerprint(labels), labels, annotations: { summary: 'p95 too high' }, startsAt: NOW - 5 * MIN, endsAt: NOW + 10 * MIN,
    generatorURL: `http://telltale:7070/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=1`, updatedAt: NOW, timeout: false,
  };
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tt-alert-context-'));
  tsdb = await openTsdb({ dir: path.join(dir, 'data'), clock: () => NOW });
  notes = await openAnnotationStore(path.join(dir, 'telltale.db'));
  await seed();
});
afterEach(async () => {
  await tsdb.close();
  await notes.close();
  await rm(dir, { recursive: true, force: true });
});

const source = () => alertContextSource({ engine: new Engine({ now: () => NOW }), queryable: tsdb, annotations: notes });

describe('alert context', () => {
  it('compares the value now with the same time on the previous 7 days, and lists recent deployments', async () => {
    const shop = alert({ alertname: 'HighLatency', job: 'shop', severity: 'page' });
    const cart = alert({ alertname: 'HighLatency', job: 'cart', severity: 'page' });
    const ctx = await source()([shop, cart], NOW);
    expect(ctx.get(shop.fingerprint)).toEqual({
      value: 0.9, band: { min: 0.11, median: 0.14, max: 0.17, days: 7 }, outside: true, service: 'shop',
      deploys: [{ service: 'shop', version: 'v1.4.2', text: '', time: NOW - 8 * MIN }],
    });
    const c = ctx.get(cart.fingerprint)!;
    expect(c.value).toBe(0.6);
    expect(c.band).toMatchObject({ min: 0.56, days: 7 });
    expect(c.band!.max).toBeCloseTo(0.62, 10);
    expect(c.outside).toBe(false);
    expect(c.deploys.map((d) => d.version)).toEqual(['v9']);
  });

  it('uses the service label before job, and copes with alerts it cannot place', async () => {
    const ctx = await source()([
      alert({ alertname: 'A', job: 'cart', service: 'shop' }),
      alert({ alertname: 'B', job: 'nothing-here' }),
      alert({ alertname: 'C', job: 'shop' }, 'this is not promql ((('),
      { ...alert({ alertname: 'D' }), generatorURL: '' },
    ], NOW);
    const [a, b, c, d] = [...ctx.values()];
    expect(a.service).toBe('shop');
    expect(a.deploys.map((x) => x.version)).toEqual(['v1.4.2']);
    expect(b).toEqual({ service: 'nothing-here', deploys: [] });
    expect(c).toEqual({ service: 'shop', deploys: [expect.objectContaining({ version: 'v1.4.2' })] });
    expect(d).toEqual({ deploys: [] });
    // resolved alerts get none
    expect((await source()([{ ...alert({ alertname: 'E', job: 'shop' }), endsAt: NOW - 1 }], NOW)).size).toBe(0);
  });

  it('takes the value side of a threshold expression', () => {
    const v = (e: string) => formatExpr(valueExpr(parseExpr(e)));
    expect(v('rate(x[5m]) > 0.1')).toBe('rate(x[5m])');
    expect(v('0.1 < rate(x[5m])')).toBe('rate(x[5m])');
    expect(v('(sum(a) / sum(b)) > 2 * 0.05 and on() hour() > 8')).toBe('sum(a) / sum(b)');
    expect(v('a > bool 1')).toBe('a > bool 1');
    expect(v('a > b')).toBe('a > b');
    expect(exprOfGeneratorURL('http://h/graph?g0.expr=up%20%3D%3D%200&g0.tab=1')).toBe('up == 0');
    expect(exprOfGeneratorURL('::')).toBeUndefined();
    expect(band([3, 1, 2, 4])).toEqual({ min: 1, median: 2.5, max: 4, days: 4 });
    expect(band([NaN])).toBeUndefined();
  });
});

describe('alert context in notifications', () => {
  let hook: Capture;
  beforeEach(async () => {
    hook = await startCapture();
  });
  afterEach(async () => {
    await hook.close();
  });
  const yaml = () => `
route:
  receiver: web
  group_by: [alertname]
  group_wait: 30s
receivers:
  - name: web
    webhook_configs:
      - url: ${hook.url}/hook
`;

  it('adds telltale_context_* annotations to the webhook payload, which keeps its shape', async () => {
    const clock = new FakeClock(NOW - 30_000);
    const { dispatcher: d } = await harness(yaml(), { clock, context: source() });
    const a = alert({ alertname: 'HighLatency', job: 'shop', severity: 'page' });
    d.receive([{ labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, endsAt: a.endsAt, generatorURL: a.generatorURL }]);
    await advanceBy(d, clock, 30_000);
    expect(hook.requests).toHaveLength(1);
    const body = hook.requests[0].body;
    expect(Object.keys(body)).toEqual(['receiver', 'status', 'alerts', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'version', 'groupKey', 'truncatedAlerts']);
    expect(Object.keys(body.alerts[0])).toEqual(['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint']);
    expect(body.alerts[0].annotations).toEqual({
      summary: 'p95 too high',
      telltale_context: 'Now 0.9, outside the last 7 days at this time (min 0.11, median 0.14, max 0.17). Deployed recently: shop v1.4.2 at 13:52 UTC (8 min before).',
      telltale_context_band_days: '7',
      telltale_context_band_max: '0.17',
      telltale_context_band_median: '0.14',
      telltale_context_band_min: '0.11',
      telltale_context_deploys: 'shop v1.4.2 2026-03-09T13:52:00Z',
      telltale_context_outside_band: 'true',
      telltale_context_value: '0.9',
    });
    expect(body.commonAnnotations).toEqual({ summary: 'p95 too high' });
  });

  it('sends without context when it fails or takes too long, and says so', async () => {
    for (const context of [async () => { throw new Error('query exploded'); }, () => new Promise<never>(() => undefined)]) {
      hook.requests.length = 0;
      const clock = new FakeClock(NOW - 30_000);
      const { dispatcher: d, events } = await harness(yaml(), { clock, context, contextTimeoutMs: 50 });
      d.receive([{ labels: { alertname: 'X', job: 'shop' }, endsAt: NOW + 3_600_000, generatorURL: `http://h/graph?g0.expr=${encodeURIComponent(EXPR)}` }]);
      await advanceBy(d, clock, 30_000);
      expect(hook.requests).toHaveLength(1);
      expect(Object.keys(hook.requests[0].body.alerts[0].annotations)).toEqual([]);
      expect(events.find((e) => e.type === 'context_failed')).toMatchObject({ error: expect.stringMatching(/query exploded|not computed within 50 ms/) });
    }
  });

  it('computes the context once per group for all of its integrations', async () => {
    let calls = 0;
    const counted = source();
    const clock = new FakeClock(NOW - 30_000);
    const { dispatcher: d } = await harness(`${yaml()}      - url: ${hook.url}/second\n`, { clock, context: (alerts, now) => { calls++; return counted(alerts, now); } });
    d.receive([{ labels: { alertname: 'X', job: 'shop' }, endsAt: NOW + 3_600_000, generatorURL: `http://h/graph?g0.expr=${encodeURIComponent(EXPR)}` }]);
    await advanceBy(d, clock, 30_000);
    expect(hook.requests.map((r) => r.url).sort()).toEqual(['/hook', '/second']);
    expect(calls).toBe(1);
  });

  it('gives Slack a context line, PagerDuty custom_details and e-mail a paragraph', async () => {
    const a = alert({ alertname: 'HighLatency', job: 'shop' });
    const ctx: AlertContext = (await source()([a], NOW)).get(a.fingerprint)!;
    const n: Notification = { receiver: 'r', groupKey: '{}:{alertname="HighLatency"}', groupLabels: { alertname: 'HighLatency' }, alerts: [a], externalURL: 'http://telltale', now: NOW, idempotencyKey: 'k', context: new Map([[a.fingerprint, ctx]]) };
    const config = loadAlertingConfig(`
route: { receiver: all }
receivers:
  - name: all
    slack_configs: [{ api_url: 'http://127.0.0.1:1/slack', channel: '#ops' }]
    pagerduty_configs: [{ routing_key: abc, url: 'http://127.0.0.1:1/pd' }]
    email_configs: [{ to: ops@example.com, from: tt@example.com, smarthost: '127.0.0.1:25' }]
`);
    const kinds = config.receivers.get('all')!.integrations;
    const [slack, pd, email] = ['slack', 'pagerduty', 'email'].map((k) => kinds.find((i) => i.kind === k)!);
    const line = 'HighLatency: Now 0.9, outside the last 7 days at this time (min 0.11, median 0.14, max 0.17). Deployed recently: shop v1.4.2 at 13:52 UTC (8 min before).';
    const blocks = (slackMessage(slack as SlackConfig, n).attachments as Array<{ blocks: Array<{ type: string; elements?: Array<{ text: string }> }> }>)[0].blocks;
    expect(blocks.filter((b) => b.type === 'context').map((b) => b.elements![0].text)).toContain(line);
    expect((pagerdutyEvent(pd as PagerDutyConfig, n).payload as { custom_details: Record<string, string> }).custom_details).toMatchObject({ telltale_context: line, num_firing: '1' });
    const parts = [...emailMessage(email as EmailConfig, n).matchAll(/base64\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--/g)].map((m) => Buffer.from(m[1].replace(/\r\n/g, ''), 'base64').toString('utf8'));
    expect(parts[0]).toContain(`Is this real?\r\n${line}`);
    expect(parts[1]).toContain('<p><strong>Is this real?</strong><br>HighLatency: Now 0.9, outside');
    // without context, nothing changes
    const { context: _omit, ...plain } = n;
    expect(JSON.stringify(webhookMessage(plain, 0))).not.toContain('telltale_context');
    expect(JSON.stringify(slackMessage(slack as SlackConfig, plain))).not.toContain('Now 0.9');
  });
});
