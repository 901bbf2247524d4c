/**
 * Alertmanager's API v2 on Telltale's fastify app, through app.inject; and the real Prometheus delivering
 * alerts from an alerting rule to it over HTTP.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertingApi } from '../../src/alerting/api.ts';
import { fingerprint } from '../../src/alerting/fingerprint.ts';
import { registerAlertmanagerApi } from '../../src/server/routes/alertmanager-api.ts';
import { harness, type Harness } from '../alerting/helpers.ts';
import { eventually } from '../alerting/real-alertmanager.ts';
import { hasPrometheus, startPrometheus } from '../helpers/prometheus.ts';

const CONFIG = `
route:
  receiver: blackhole
  group_by: [alertname]
receivers:
  - name: blackhole
`;

let apps: FastifyInstance[] = [];
let harnesses: Harness[] = [];
afterEach(async () => {
  for (const a of apps) await a.close();
  for (const h of harnesses) await h.store.close();
  apps = [];
  harnesses = [];
});

async function setup(yaml = CONFIG, clock?: Harness['clock']): Promise<{ app: FastifyInstance; h: Harness; api: AlertingApi }> {
  const h = await harness(yaml, clock ? { clock } : {});
  const api = new AlertingApi(h.dispatcher);
  const app = Fastify();
  await registerAlertmanagerApi(app, { api });
  apps.push(app);
  harnesses.push(h);
  return { app, h, api };
}

describe('POST /api/v2/alerts and GET /api/v2/alerts', () => {
  it('takes the array Prometheus sends and lists the alerts with Alertmanager fingerprints', async () => {
    const { app } = await setup();
    const body = [
      { labels: { alertname: 'Up', job: 'api' }, annotations: { summary: 's' }, startsAt: '2026-01-05T09:59:00.123Z', generatorURL: 'http://p/graph' },
      { labels: { alertname: 'Up', job: 'db' }, endsAt: '2026-01-05T11:00:00Z' },
    ];
    const res = await app.inject({ method: 'POST', url: '/api/v2/alerts', payload: body });
    expect(res.statusCode).toBe(200);
    const listed = (await app.inject({ method: 'GET', url: '/api/v2/alerts' })).json();
    expect(listed).toHaveLength(2);
    const api = listed.find((a: any) => a.labels.job === 'api');
    expect(api).toMatchObject({
      fingerprint: fingerprint({ alertname: 'Up', job: 'api' }),
      startsAt: '2026-01-05T09:59:00.123Z',
      endsAt: '2026-01-05T10:05:00.000Z', // received at 10:00 + resolve_timeout 5m
      generatorURL: 'http://p/graph',
      receivers: [{ name: 'blackhole' }],
      status: { state: 'active', silencedBy: [], inhibitedBy: [] },
    });
    const filtered = (await app.inject({ method: 'GET', url: '/api/v2/alerts?filter=job%3D~%22d.%2A%22' })).json();
    expect(filtered.map((a: any) => a.labels.job)).toEqual(['db']);
  });

  it('refuses malformed alerts with 400 naming the field, and takes the valid ones of the batch', async () => {
    const { app } = await setup();
    const cases: Array<[unknown, RegExp]> = [
      [{ labels: {} }, /body: expected a JSON array/],
      [[{ labels: {} }], /\[0\]\.labels: an alert needs at least one label/],
      [[{ labels: { a: 'b' } }, { labels: { '0bad': 'x' } }], /\[1\]\.labels\.0bad: .* not a valid label name/],
      [[{ labels: { a: 1 } }], /\[0\]\.labels\.a: expected a string/],
      [[{ labels: { a: 'b' }, startsAt: 'yesterday' }], /\[0\]\.startsAt: .* not an RFC 3339 time/],
      [[{ labels: { a: 'b' }, startsAt: '2026-01-05T10:00:00Z', endsAt: '2026-01-05T09:00:00Z' }], /\[0\]\.endsAt: is before startsAt/],
    ];
    for (const [payload, message] of cases) {
      const res = await app.inject({ method: 'POST', url: '/api/v2/alerts', payload: payload as object });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().message).toMatch(message);
      expect(res.json().code).toBe('TT_ALERTING_INPUT');
    }
    const broken = await app.inject({ method: 'POST', url: '/api/v2/alerts', headers: { 'content-type': 'application/json' }, payload: '[{"labels":' });
    expect(broken.statusCode).toBe(400);
    // only the one valid alert ({a="b"}) of all those batches was taken
    expect((await app.inject({ method: 'GET', url: '/api/v2/alerts' })).json().map((a: any) => a.labels)).toEqual([{ a: 'b' }]);
    const mixed = await app.inject({ method: 'POST', url: '/api/v2/alerts', payload: [{ labels: {} }, { labels: { c: 'd' } }, { labels: { e: 5 } }] });
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().message).toBe('[0].labels: an alert needs at least one label (and 1 more refused alert); 1 valid alert taken');
    expect((await app.inject({ method: 'GET', url: '/api/v2/alerts' })).json()).toHaveLength(2);
  });
});

describe('silences over HTTP', () => {
  it('creates, gets, lists, updates and expires a silence, which mutes matching alerts', async () => {
    const { app } = await setup();
    await app.inject({ method: 'POST', url: '/api/v2/alerts', payload: [{ labels: { alertname: 'Up', job: 'api' } }, { labels: { alertname: 'Up', job: 'web' } }] });
    const silence = {
      matchers: [{ name: 'job', value: 'a.*', isRegex: true, isEqual: true }],
      startsAt: '2026-01-05T10:00:00Z',
      endsAt: '2026-01-05T12:00:00Z',
      createdBy: 'ops@example.com',
      comment: 'deploy',
    };
    const created = await app.inject({ method: 'POST', url: '/api/v2/silences', payload: silence });
    expect(created.statusCode).toBe(200);
    const id = created.json().silenceID as string;
    const got = (await app.inject({ method: 'GET', url: `/api/v2/silence/${id}` })).json();
    expect(got).toMatchObject({ id, status: { state: 'active' }, createdBy: 'ops@example.com', comment: 'deploy', endsAt: '2026-01-05T12:00:00.000Z' });
    const alerts = (await app.inject({ method: 'GET', url: '/api/v2/alerts' })).json();
    expect(alerts.find((a: any) => a.labels.job === 'api').status).toEqual({ state: 'suppressed', silencedBy: [id], inhibitedBy: [] });
    expect(alerts.find((a: any) => a.labels.job === 'web').status.state).toBe('active');
    expect((await app.inject({ method: 'GET', url: '/api/v2/alerts?silenced=false' })).json()).toHaveLength(1);

    // extending an active silence keeps its id
    const updated = await app.inject({ method: 'POST', url: '/api/v2/silences', payload: { ...silence, id, endsAt: '2026-01-05T13:00:00Z' } });
    expect(updated.json().silenceID).toBe(id);
    expect((await app.inject({ method: 'GET', url: '/api/v2/silences?filter=job%3D%22a.%2A%22' })).json()).toHaveLength(1);

    expect((await app.inject({ method: 'DELETE', url: `/api/v2/silence/${id}` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/api/v2/silence/${id}` })).json().status.state).toBe('expired');
    expect((await app.inject({ method: 'GET', url: '/api/v2/alerts' })).json().every((a: any) => a.status.state === 'active')).toBe(true);
    const again = await app.inject({ method: 'DELETE', url: `/api/v2/silence/${id}` });
    expect(again.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/v2/silence/nope' })).statusCode).toBe(404);
  });

  it('refuses silences that would mute everything or are malformed', async () => {
    const { app } = await setup();
    const base = { startsAt: '2026-01-05T10:00:00Z', endsAt: '2026-01-05T12:00:00Z', createdBy: 'a', comment: 'c' };
    const cases: Array<[object, RegExp]> = [
      [{ ...base, matchers: [{ name: 'job', value: '.*', isRegex: true }] }, /matchers: at least one matcher must not match the empty string/],
      [{ ...base, matchers: [] }, /matchers: at least one matcher is required/],
      [{ ...base, matchers: [{ name: 'job', value: '(', isRegex: true }] }, /matchers\[0\]\.value: invalid regular expression/],
      [{ ...base, matchers: [{ name: 'job', value: 'x', isRegex: 'no' }] }, /matchers\[0\]\.isRegex/],
      [{ ...base, endsAt: 'soon', matchers: [{ name: 'job', value: 'x', isRegex: false }] }, /endsAt: expected an RFC 3339 time/],
      [{ ...base, createdBy: '', matchers: [{ name: 'job', value: 'x', isRegex: false }] }, /createdBy/],
    ];
    for (const [payload, message] of cases) {
      const res = await app.inject({ method: 'POST', url: '/api/v2/silences', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().message).toMatch(message);
    }
  });
});

describe('acknowledgement over HTTP and status', () => {
  it('acknowledges an alert by fingerprint and withdraws it', async () => {
    const { app } = await setup();
    await app.inject({ method: 'POST', url: '/api/v2/alerts', payload: [{ labels: { alertname: 'Up', job: 'api' } }] });
    const fp = fingerprint({ alertname: 'Up', job: 'api' });
    const acked = await app.inject({ method: 'POST', url: `/api/v2/alerts/${fp}/ack`, payload: { by: 'alice', comment: 'looking' } });
    expect(acked.statusCode).toBe(200);
    expect(acked.json()).toMatchObject({ target: fp, acknowledged: true, by: 'alice', comment: 'looking' });
    expect((await app.inject({ method: 'GET', url: '/api/v2/alerts' })).json()[0].acknowledgement).toMatchObject({ by: 'alice' });
    const groups = (await app.inject({ method: 'GET', url: '/api/v2/alerts/groups' })).json();
    expect(groups[0]).toMatchObject({ groupKey: '{}:{alertname="Up"}', receiver: { name: 'blackhole' }, acknowledgement: { by: 'alice' } });
    expect((await app.inject({ method: 'POST', url: `/api/v2/alerts/${fp}/unack`, payload: { by: 'alice' } })).json().acknowledged).toBe(false);
    expect((await app.inject({ method: 'GET', url: '/api/v2/alerts' })).json()[0].acknowledgement).toBeUndefined();
    expect((await app.inject({ method: 'POST', url: '/api/v2/alerts/0000000000000000/ack', payload: { by: 'x' } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/api/v2/alerts/${fp}/ack`, payload: {} })).json().message).toMatch(/^by: /);
    const g = await app.inject({ method: 'POST', url: '/api/v2/alerts/groups/ack', payload: { groupKey: '{}:{alertname="Up"}', by: 'bob' } });
    expect(g.json()).toMatchObject({ acknowledged: true, by: 'bob' });
  });

  it('reports status with the original config', async () => {
    const { app } = await setup();
    const s = (await app.inject({ method: 'GET', url: '/api/v2/status' })).json();
    expect(s.config.original).toBe(CONFIG);
    expect(s.cluster.status).toBe('disabled');
  });
});

describe.skipIf(!hasPrometheus())('the real Prometheus as the sender', () => {
  it('delivers the alerts of a vector(1) alerting rule to POST /api/v2/alerts', async () => {
    const h = await harness(CONFIG, { clock: { t: 0, now: () => Date.now() } as Harness['clock'] });
    harnesses.push(h);
    const api = new AlertingApi(h.dispatcher);
    const app = Fastify();
    apps.push(app);
    await registerAlertmanagerApi(app, { api });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address() as { port: number };
    const dir = mkdtempSync(join(tmpdir(), 'tt-rules-'));
    writeFileSync(join(dir, 'rules.yml'), `groups:
  - name: always
    interval: 1s
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: { severity: page }
        annotations: { summary: "it fires {{ $value }}" }
`);
    const prom = await startPrometheus({
      config: `global:
  evaluation_interval: 1s
rule_files: ['${join(dir, 'rules.yml')}']
alerting:
  alertmanagers:
    - api_version: v2
      static_configs: [{ targets: ['127.0.0.1:${addr.port}'] }]
`,
      // the first evaluation can come before the Alertmanager is discovered; that alert is dropped and only
      // resent after the resend delay (1m by default)
      args: ['--rules.alert.resend-delay=1s'],
    });
    try {
      const alerts = await eventually(() => {
        const l = api.listAlerts();
        return l.length > 0 ? l : undefined;
      }, 20_000).catch((e) => { throw new Error(`${e.message}\n${prom.log()}`); });
      expect(alerts[0].labels).toEqual({ alertname: 'AlwaysFiring', severity: 'page' });
      expect(alerts[0].annotations).toEqual({ summary: 'it fires 1' });
      expect(alerts[0].fingerprint).toBe(fingerprint({ alertname: 'AlwaysFiring', severity: 'page' }));
      expect(alerts[0].generatorURL).toMatch(/graph\?g0\.expr=vector%281%29/);
      // Prometheus sends an end (4 × the resend delay ahead), so the end is not a timeout guess
      expect(h.dispatcher.alerts.get(alerts[0].fingerprint)?.timeout).toBe(false);
    } finally {
      await prom.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
