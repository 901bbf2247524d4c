/**
 * The dispatcher on a fake clock: Alertmanager's group_wait / group_interval / repeat_interval timing,
 * grouping and routing, dedup by fingerprint, resolution, inhibition, silences and mute time intervals.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAlertingConfig } from '../../src/alerting/config.ts';
import { advanceBy, harness, startCapture, type Capture } from './helpers.ts';

let hook: Capture;
beforeEach(async () => {
  hook = await startCapture();
});
afterEach(async () => {
  await hook.close();
});

const MIN = 60_000;

function yaml(extra = '', route = '') {
  return `
route:
  receiver: web
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 1h
${route}
receivers:
  - name: web
    webhook_configs:
      - url: ${hook.url}/hook
  - name: other
    webhook_configs:
      - url: ${hook.url}/other
        send_resolved: false
${extra}`;
}

const bodies = () => hook.requests.map((r) => r.body);

describe('group timing', () => {
  it('waits group_wait, batches what arrives meanwhile, then flushes every group_interval only on change', async () => {
    const { dispatcher: d, clock } = await harness(yaml());
    d.receive([{ labels: { alertname: 'Down', instance: 'a' }, endsAt: clock.t + 3 * 3_600_000 }]);
    await advanceBy(d, clock, 10_000);
    d.receive([{ labels: { alertname: 'Down', instance: 'b' }, endsAt: clock.t + 3 * 3_600_000 }]);
    await advanceBy(d, clock, 19_000);
    expect(hook.requests).toHaveLength(0);
    await advanceBy(d, clock, 1000); // 30 s after the first alert
    expect(hook.requests).toHaveLength(1);
    expect(bodies()[0].alerts.map((a: any) => a.labels.instance)).toEqual(['a', 'b']);

    // nothing new: the next flushes send nothing until repeat_interval
    await advanceBy(d, clock, 30 * MIN);
    expect(hook.requests).toHaveLength(1);
    // a new alert joins the group: sent at the next group_interval boundary, not at once
    d.receive([{ labels: { alertname: 'Down', instance: 'c' }, endsAt: clock.t + 3 * 3_600_000 }]);
    await advanceBy(d, clock, 4 * MIN);
    expect(hook.requests).toHaveLength(1);
    await advanceBy(d, clock, MIN);
    expect(hook.requests).toHaveLength(2);
    expect(bodies().at(-1).alerts).toHaveLength(3);
  });

  it('repeats after repeat_interval while alerts keep firing', async () => {
    const { dispatcher: d, clock } = await harness(yaml());
    d.receive([{ labels: { alertname: 'Down' }, endsAt: clock.t + 10 * 3_600_000 }]);
    await advanceBy(d, clock, 31_000);
    expect(hook.requests).toHaveLength(1);
    await advanceBy(d, clock, 55 * MIN);
    expect(hook.requests).toHaveLength(1);
    // the first flush at or after 1 h since the send (group_interval boundaries: 30s + k·5m)
    await advanceBy(d, clock, 10 * MIN);
    expect(hook.requests).toHaveLength(2);
  });

  it('flushes at once when the alert has fired longer than group_wait already', async () => {
    const { dispatcher: d, clock } = await harness(yaml());
    d.receive([{ labels: { alertname: 'Old' }, startsAt: clock.t - 10 * MIN }]);
    await d.runDue();
    expect(hook.requests).toHaveLength(1);
  });

  it('notifies resolution (send_resolved) and then forgets the group', async () => {
    const { dispatcher: d, clock } = await harness(yaml());
    const ends = clock.t + 2 * MIN;
    d.receive([{ labels: { alertname: 'Flap' }, endsAt: ends }]);
    await advanceBy(d, clock, 31_000);
    expect(bodies()[0].status).toBe('firing');
    await advanceBy(d, clock, 5 * MIN);
    expect(hook.requests).toHaveLength(2);
    expect(bodies()[1]).toMatchObject({ status: 'resolved', alerts: [{ status: 'resolved', endsAt: new Date(ends).toISOString().replace('.000Z', 'Z') }] });
    expect(d.groups.size).toBe(0);
  });

  it('times an alert out after resolve_timeout when the producer gives no end', async () => {
    const { dispatcher: d, clock } = await harness(`global: { resolve_timeout: 1m }\n${yaml()}`);
    d.receive([{ labels: { alertname: 'Quiet' } }]);
    await advanceBy(d, clock, 31_000);
    expect(bodies()[0].alerts[0].endsAt).toBe('0001-01-01T00:00:00Z');
    await advanceBy(d, clock, 5 * MIN);
    expect(bodies()[1].status).toBe('resolved');
  });

  it('deduplicates by fingerprint: the same label set in any order is one alert', async () => {
    const { dispatcher: d, clock } = await harness(yaml());
    d.receive([{ labels: { alertname: 'X', a: '1', b: '2' } }, { labels: { b: '2', alertname: 'X', a: '1' } }]);
    expect(d.alerts.size).toBe(1);
    await advanceBy(d, clock, 31_000);
    expect(bodies()[0].alerts).toHaveLength(1);
  });
});

describe('routing', () => {
  it('routes by matchers and match_re, continues when asked, groups by route and labels, and "..." groups per alert', async () => {
    const route = `  routes:
    - matchers: ['team="db"']
      receiver: other
      continue: true
    - match_re: { team: "d.*" }
      group_by: ['...']
      receiver: web`;
    const { dispatcher: d, clock } = await harness(yaml('', route));
    d.receive([
      { labels: { alertname: 'A', team: 'db', i: '1' } },
      { labels: { alertname: 'A', team: 'db', i: '2' } },
      { labels: { alertname: 'B', team: 'web' } },
    ]);
    await advanceBy(d, clock, 31_000);
    const keys = [...d.groups.keys()].sort();
    expect(keys).toEqual([
      '{}/{team="db"}:{alertname="A"}',
      '{}/{team=~"d.*"}:{alertname="A", i="1", team="db"}',
      '{}/{team=~"d.*"}:{alertname="A", i="2", team="db"}',
      '{}:{alertname="B"}',
    ]);
    expect(hook.requests.filter((r) => r.url === '/other')).toHaveLength(1);
    expect(hook.requests.filter((r) => r.url === '/hook')).toHaveLength(3);
  });
});

describe('muting', () => {
  it('inhibits targets while a source fires with equal labels, never the source itself', async () => {
    const extra = `inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity=~"warning|critical"]
    equal: [cluster]`;
    const { dispatcher: d, clock } = await harness(yaml(extra));
    d.receive([
      { labels: { alertname: 'Crit', severity: 'critical', cluster: 'eu' } },
      { labels: { alertname: 'Warn', severity: 'warning', cluster: 'eu' } },
      { labels: { alertname: 'Warn', severity: 'warning', cluster: 'us' } },
    ]);
    await advanceBy(d, clock, 31_000);
    const sent = bodies().flatMap((b) => b.alerts.map((a: any) => `${a.labels.alertname}/${a.labels.cluster}`)).sort();
    expect(sent).toEqual(['Crit/eu', 'Warn/us']);
    const warnEu = [...d.alerts.values()].find((a) => a.labels.alertname === 'Warn' && a.labels.cluster === 'eu')!;
    const crit = [...d.alerts.values()].find((a) => a.labels.alertname === 'Crit')!;
    expect(d.status(warnEu)).toEqual({ state: 'suppressed', silencedBy: [], inhibitedBy: [crit.fingerprint] });
    expect(d.status(crit).state).toBe('active');
  });

  it('two critical alerts matching both sides do not inhibit each other', async () => {
    const extra = `inhibit_rules:
  - source_match: { severity: critical }
    target_match: { severity: critical }`;
    const { dispatcher: d, clock } = await harness(yaml(extra));
    d.receive([{ labels: { alertname: 'A', severity: 'critical' } }, { labels: { alertname: 'B', severity: 'critical' } }]);
    await advanceBy(d, clock, 31_000);
    expect(hook.requests).toHaveLength(2);
  });

  it('silences mute matching alerts while active; expiry lets the next flush notify', async () => {
    const { dispatcher: d, clock } = await harness(yaml());
    const id = await d.silences.upsert({
      matchers: [{ name: 'alertname', value: 'Noisy|Other', isRegex: true, isEqual: true }],
      startsAt: clock.t, endsAt: clock.t + 20 * MIN, createdBy: 'ops', comment: 'known',
    });
    d.receive([{ labels: { alertname: 'Noisy' }, endsAt: clock.t + 3 * 3_600_000 }]);
    await advanceBy(d, clock, 31_000);
    expect(hook.requests).toHaveLength(0);
    expect(d.silences.mutedBy({ alertname: 'Noisy' })).toEqual([id]);
    await advanceBy(d, clock, 20 * MIN); // the silence ends; the flush after that notifies
    expect(hook.requests).toHaveLength(1);
  });

  it('mute_time_intervals hold notifications in a maintenance window; active_time_intervals only allow them inside', async () => {
    const route = `  routes:
    - matchers: [kind="maint"]
      mute_time_intervals: [window]
    - matchers: [kind="office"]
      active_time_intervals: [hours]`;
    const extra = `time_intervals:
  - name: window
    time_intervals: [{ times: [{ start_time: "10:00", end_time: "10:20" }] }]
  - name: hours
    time_intervals: [{ times: [{ start_time: "11:00", end_time: "12:00" }], weekdays: ['monday:friday'] }]`;
    const { dispatcher: d, clock } = await harness(yaml(extra, route)); // Monday 10:00 UTC
    d.receive([{ labels: { alertname: 'M', kind: 'maint' }, endsAt: clock.t + 5 * 3_600_000 }, { labels: { alertname: 'O', kind: 'office' }, endsAt: clock.t + 5 * 3_600_000 }]);
    await advanceBy(d, clock, 15 * MIN);
    expect(hook.requests).toHaveLength(0);
    await advanceBy(d, clock, 10 * MIN); // 10:25: window over
    expect(bodies().map((b) => b.commonLabels.kind)).toEqual(['maint']);
    await advanceBy(d, clock, 40 * MIN); // 11:05: office hours
    expect(bodies().map((b) => b.commonLabels.kind)).toEqual(['maint', 'office']);
  });
});

describe('reloading the configuration', () => {
  it('regroups held alerts under the new routes without re-sending what receivers already got', async () => {
    const { dispatcher: d, clock } = await harness(yaml());
    d.receive([{ labels: { alertname: 'A', team: 'db' }, endsAt: clock.t + 5 * 3_600_000 }]);
    await advanceBy(d, clock, 31_000);
    expect(hook.requests).toHaveLength(1);
    // same route: the notification log says it was sent
    await d.reload(loadAlertingConfig(yaml()));
    await advanceBy(d, clock, 10 * MIN);
    expect(hook.requests).toHaveLength(1);
    // a new route for team=db with another receiver: a new group, notified after its group_wait
    await d.reload(loadAlertingConfig(yaml('', `  routes:\n    - matchers: [team="db"]\n      receiver: other`)));
    expect([...d.groups.keys()]).toEqual(['{}/{team="db"}:{alertname="A"}']);
    await advanceBy(d, clock, 31_000);
    expect(hook.requests.map((r) => r.url)).toEqual(['/hook', '/other']);
  });
});
