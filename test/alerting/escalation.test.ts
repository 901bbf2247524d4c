/**
 * Escalation policies on a fake clock: each step notifies its receivers once while the group fires
 * unacknowledged; acknowledging stops escalation (and acknowledges the PagerDuty incident), unacknowledging
 * restarts it; acknowledgements and sent steps survive a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAlertStore } from '../../src/alerting/alert-store.ts';
import { AlertingApi } from '../../src/alerting/api.ts';
import { dedupKey } from '../../src/alerting/notifiers/pagerduty.ts';
import { advanceBy, FakeClock, harness, startCapture, type Capture } from './helpers.ts';

let hook: Capture;
beforeEach(async () => {
  hook = await startCapture();
});
afterEach(async () => {
  await hook.close();
});

const MIN = 60_000;
const config = () => `
route:
  receiver: oncall
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1m
  repeat_interval: 12h
  escalation_policy: seed
receivers:
  - name: oncall
    pagerduty_configs:
      - routing_key: key-1
        url: ${hook.url}/pd
  - name: lead
    webhook_configs: [{ url: "${hook.url}/lead" }]
  - name: major
    webhook_configs: [{ url: "${hook.url}/major" }]
  - name: vp
    webhook_configs: [{ url: "${hook.url}/vp" }]
escalation_policies:
  - name: seed
    steps:
      - receivers: [lead]
      - receivers: [major]
      - after: 45m
        receivers: [vp]
`;

const paths = () => hook.requests.map((r) => r.url);

describe('escalation', () => {
  it('escalates at 15, 30 and 45 minutes, each step once', async () => {
    const h = await harness(config());
    h.dispatcher.receive([{ labels: { alertname: 'Down' }, endsAt: h.clock.t + 24 * 3_600_000 }]);
    await advanceBy(h.dispatcher, h.clock, 1000);
    expect(paths()).toEqual(['/pd']);
    await advanceBy(h.dispatcher, h.clock, 14 * MIN);
    expect(paths()).toEqual(['/pd']);
    await advanceBy(h.dispatcher, h.clock, MIN);
    expect(paths()).toEqual(['/pd', '/lead']);
    await advanceBy(h.dispatcher, h.clock, 15 * MIN);
    expect(paths()).toEqual(['/pd', '/lead', '/major']);
    await advanceBy(h.dispatcher, h.clock, 60 * MIN);
    expect(paths()).toEqual(['/pd', '/lead', '/major', '/vp']);
    expect(h.events.filter((e) => e.type === 'escalated').map((e) => (e.type === 'escalated' ? e.step : -1))).toEqual([0, 1, 2]);
  });

  it('an acknowledgement stops escalation and acknowledges the PagerDuty incident; unacknowledging restarts it', async () => {
    const h = await harness(config());
    const api = new AlertingApi(h.dispatcher);
    const [a] = h.dispatcher.receive([{ labels: { alertname: 'Down' }, endsAt: h.clock.t + 24 * 3_600_000 }]);
    await advanceBy(h.dispatcher, h.clock, 16 * MIN);
    expect(paths()).toEqual(['/pd', '/lead']);
    await api.ack(a.fingerprint, 'alice', 'on it');
    const pdAck = hook.requests.at(-1)!;
    expect(pdAck.url).toBe('/pd');
    expect(pdAck.body).toMatchObject({ event_action: 'acknowledge', routing_key: 'key-1', dedup_key: dedupKey('{}:{alertname="Down"}') });
    expect(api.listGroups()[0].acknowledgement).toMatchObject({ by: 'alice', comment: 'on it' });
    await advanceBy(h.dispatcher, h.clock, 60 * MIN);
    expect(paths()).toEqual(['/pd', '/lead', '/pd']);

    await api.unack(a.fingerprint, 'alice');
    await advanceBy(h.dispatcher, h.clock, 14 * MIN);
    expect(paths()).toHaveLength(3);
    await advanceBy(h.dispatcher, h.clock, MIN);
    expect(paths().slice(3)).toEqual(['/lead']);
  });

  it('acknowledging the group by its key works the same', async () => {
    const h = await harness(config());
    const api = new AlertingApi(h.dispatcher);
    h.dispatcher.receive([{ labels: { alertname: 'Down', i: '1' } }, { labels: { alertname: 'Down', i: '2' } }].map((x) => ({ ...x, endsAt: h.clock.t + 24 * 3_600_000 })));
    await advanceBy(h.dispatcher, h.clock, 1000);
    await api.ack('{}:{alertname="Down"}', 'bob');
    await advanceBy(h.dispatcher, h.clock, 60 * MIN);
    expect(paths().filter((p) => p !== '/pd')).toEqual([]);
    await expect(api.ack('nope', 'bob')).rejects.toThrow(/no alert with fingerprint nope/);
  });

  it('acknowledging one alert of two does not stop the group\'s escalation', async () => {
    const h = await harness(config());
    const api = new AlertingApi(h.dispatcher);
    const [a] = h.dispatcher.receive([{ labels: { alertname: 'Down', i: '1' } }, { labels: { alertname: 'Down', i: '2' } }].map((x) => ({ ...x, endsAt: h.clock.t + 24 * 3_600_000 })));
    await api.ack(a.fingerprint, 'bob');
    await advanceBy(h.dispatcher, h.clock, 16 * MIN);
    expect(paths()).toContain('/lead');
  });

  it('does not repeat a step after a restart, and keeps acknowledgements', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tt-esc-'));
    const file = path.join(dir, 'a.db');
    try {
      const clock = new FakeClock();
      const alert = { labels: { alertname: 'Down' }, startsAt: clock.t, endsAt: clock.t + 24 * 3_600_000 };
      const one = await harness(config(), { clock, store: await openAlertStore(file) });
      one.dispatcher.receive([alert]);
      await advanceBy(one.dispatcher, clock, 16 * MIN);
      expect(paths()).toEqual(['/pd', '/lead']);
      await one.store.close();

      const two = await harness(config(), { clock, store: await openAlertStore(file) });
      two.dispatcher.receive([alert]);
      await advanceBy(two.dispatcher, clock, 5 * MIN);
      expect(paths()).toEqual(['/pd', '/lead']);
      await new AlertingApi(two.dispatcher).ack('{}:{alertname="Down"}', 'carol');
      await two.store.close();

      const three = await harness(config(), { clock, store: await openAlertStore(file) });
      three.dispatcher.receive([alert]);
      await advanceBy(three.dispatcher, clock, 60 * MIN);
      expect(paths().filter((p) => p !== '/pd')).toEqual(['/lead']);
      expect(three.dispatcher.escalation.ackOf('{}:{alertname="Down"}')).toMatchObject({ by: 'carol' });
      await three.store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('escalation that cannot be sent', () => {
  it('a failing step receiver is retried at the group interval, not in a busy loop', async () => {
    const h = await harness(config());
    hook.respond = (r) => ({ status: r.url === '/lead' ? 400 : 200 });
    h.dispatcher.receive([{ labels: { alertname: 'Down' }, endsAt: h.clock.t + 24 * 3_600_000 }]);
    await advanceBy(h.dispatcher, h.clock, 15 * MIN);
    expect(paths().filter((p) => p === '/lead')).toHaveLength(1);
    expect(h.dispatcher.nextDueAt()).toBe(h.clock.t + MIN);
    await advanceBy(h.dispatcher, h.clock, 5 * MIN);
    // one attempt per group_interval (1m), no retries for a 400
    expect(paths().filter((p) => p === '/lead')).toHaveLength(6);
    hook.respond = () => ({ status: 200 });
    await advanceBy(h.dispatcher, h.clock, MIN);
    expect(paths().filter((p) => p === '/lead')).toHaveLength(7);
    await advanceBy(h.dispatcher, h.clock, 5 * MIN);
    expect(paths().filter((p) => p === '/lead')).toHaveLength(7);
  });
});
