/**
 * alertmanager.yml loading: a full, realistic file (also accepted by the real `amtool check-config`),
 * defaults and inheritance, and malformed files with errors naming file, line and field path. Property
 * tests feed the loader and the matcher parser hostile input: a TelltaleError or a result, never a crash.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadAlertingConfig } from '../../src/alerting/config.ts';
import { formatMatcherList, MatcherSyntaxError, parseMatchers } from '../../src/alerting/matchers.ts';
import { TelltaleError } from '../../src/errors.ts';

const AMTOOL = '/usr/bin/amtool';

export const FULL = `global:
  resolve_timeout: 2m
  smtp_smarthost: 'mail.example.com:587'
  smtp_from: 'alerts@example.com'
  smtp_auth_username: alerts
  smtp_auth_password: secret
  slack_api_url: 'https://hooks.slack.com/services/T000/B000/XXXX'
  pagerduty_url: 'https://events.pagerduty.com/v2/enqueue'

templates: []

route:
  receiver: default
  group_by: ['alertname', 'cluster']
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 3h
  routes:
    - matchers: ['severity="page"', 'team=~"db|api"']
      receiver: pager
      group_wait: 10s
      continue: true
    - match:
        service: billing
      match_re:
        env: prod|staging
      receiver: billing-slack
      mute_time_intervals: [weekends]
      routes:
        - matchers: [ 'alertname="Heartbeat"' ]
          receiver: default
          active_time_intervals: [business-hours]
    - matchers: ['{severity="info", team!="ops"}']
      group_by: ['...']
      receiver: default

inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [alertname, cluster]
  - source_match: { severity: page }
    target_match_re: { severity: 'warning|info' }

receivers:
  - name: default
    webhook_configs:
      - url: 'http://127.0.0.1:5001/hook'
        max_alerts: 10
        send_resolved: false
  - name: pager
    pagerduty_configs:
      - routing_key: 'abc123'
        severity: critical
        client: Telltale
        links: [{ href: 'https://runbooks.example.com', text: runbook }]
    email_configs:
      - to: 'oncall@example.com, lead@example.com'
  - name: billing-slack
    slack_configs:
      - channel: '#billing'
        username: telltale
        send_resolved: true

time_intervals:
  - name: weekends
    time_intervals:
      - weekdays: ['saturday', 'sunday']
  - name: business-hours
    time_intervals:
      - times: [{ start_time: '09:00', end_time: '17:30' }]
        weekdays: ['monday:friday']
        days_of_month: ['1:-2']
        months: ['january:march', '10']
        years: ['2025:2030']
        location: Europe/Berlin
`;

function failure(text: string): TelltaleError {
  try {
    loadAlertingConfig(text, { file: 'am.yml' });
  } catch (err) {
    expect(err).toBeInstanceOf(TelltaleError);
    return err as TelltaleError;
  }
  throw new Error('expected the config to be refused');
}

describe('a realistic alertmanager.yml', () => {
  it('loads with defaults and inheritance as Alertmanager applies them', () => {
    const c = loadAlertingConfig(FULL);
    expect(c.resolveTimeoutMs).toBe(120_000);
    const [pager, billing, info] = c.route.routes;
    expect(pager).toMatchObject({ receiver: 'pager', groupWaitMs: 10_000, groupIntervalMs: 300_000, repeatIntervalMs: 3 * 3_600_000, continue: true, groupBy: ['alertname', 'cluster'] });
    expect(pager.key).toBe('{}/{severity="page",team=~"db|api"}');
    expect(billing.key).toBe('{}/{env=~"prod|staging",service="billing"}');
    expect(billing.routes[0]).toMatchObject({ receiver: 'default', activeTimeIntervals: ['business-hours'], muteTimeIntervals: [] });
    expect(info).toMatchObject({ groupByAll: true, key: '{}/{severity="info",team!="ops"}' });
    expect(c.inhibitRules[1].targetMatchers.map((m) => `${m.name}${m.op}${m.value}`)).toEqual(['severity=~warning|info']);
    const receiver = c.receivers.get('pager')!;
    expect(receiver.integrations.map((i) => i.kind)).toEqual(['pagerduty', 'email']);
    expect(receiver.integrations[1]).toMatchObject({ to: ['oncall@example.com', 'lead@example.com'], host: 'mail.example.com', port: 587, from: 'alerts@example.com', sendResolved: false });
    expect(c.receivers.get('billing-slack')!.integrations[0]).toMatchObject({ apiUrl: 'https://hooks.slack.com/services/T000/B000/XXXX', sendResolved: true });
    expect(c.receivers.get('default')!.integrations[0]).toMatchObject({ maxAlerts: 10, sendResolved: false });
    expect(c.timeIntervals.get('business-hours')![0]).toMatchObject({ location: 'Europe/Berlin', daysOfMonth: [{ start: 1, end: -2 }], months: [{ start: 1, end: 3 }, { start: 10, end: 10 }] });
  });

  it.skipIf(!existsSync(AMTOOL))('is also valid for the real amtool check-config', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tt-amtool-'));
    try {
      writeFileSync(path.join(dir, 'am.yml'), FULL);
      const out = execFileSync(AMTOOL, ['check-config', path.join(dir, 'am.yml')], { encoding: 'utf8' });
      expect(out).toMatch(/SUCCESS/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const BASE = `route:\n  receiver: r\nreceivers:\n  - name: r\n`;

describe.skipIf(!existsSync(AMTOOL))('refused by both Telltale and the real amtool', () => {
  it.each([
    ['a typo', `route:\n  receiver: r\n  group_wiat: 30s\nreceivers:\n  - name: r\n`],
    ['a fractional duration', `route:\n  receiver: r\n  group_wait: 1.5m\nreceivers:\n  - name: r\n`],
    ['an unknown receiver', `route:\n  receiver: nope\nreceivers:\n  - name: r\n`],
    ['a reversed weekday range', `${BASE}time_intervals:\n  - name: t\n    time_intervals: [{ weekdays: ['saturday:sunday'] }]\n`],
    ['a bad matcher', `route:\n  receiver: r\n  routes:\n    - matchers: ['a=="y"']\nreceivers:\n  - name: r\n`],
    ['a duplicate receiver', `${BASE}  - name: r\n`],
  ])('%s', (_name, text) => {
    expect(() => loadAlertingConfig(text)).toThrow(TelltaleError);
    const dir = mkdtempSync(path.join(tmpdir(), 'tt-amtool-'));
    try {
      writeFileSync(path.join(dir, 'am.yml'), text);
      expect(() => execFileSync(AMTOOL, ['check-config', path.join(dir, 'am.yml')], { stdio: 'pipe' })).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('malformed configs', () => {
  const base = BASE;
  it.each([
    ['invalid YAML', 'route:\n  receiver: r: x\n', /invalid YAML/, 2, undefined],
    ['an unclosed list', 'route:\n  receiver: [unclosed\n', /invalid YAML/, 3, undefined],
    ['a duplicate key', 'route:\n  receiver: r\n  receiver: s\n', /invalid YAML: Map keys must be unique/, 3, undefined],
    ['an empty file', '', /empty/, 1, undefined],
    ['a typo in a field', `route:\n  receiver: r\n  group_wiat: 30s\nreceivers:\n  - name: r\n`, /unknown field "group_wiat"/, 3, 'route.group_wiat'],
    ['a bad duration', `route:\n  receiver: r\n  routes:\n    - group_wait: 1.5m\nreceivers:\n  - name: r\n`, /"1\.5m" is not a duration/, 4, 'route.routes[0].group_wait'],
    ['a bad matcher', `route:\n  receiver: r\n  routes:\n    - matchers: ['a=~"x"', 'b=="y"']\nreceivers:\n  - name: r\n`, /stray/, 4, 'route.routes[0].matchers[1]'],
    ['a bad regex', `route:\n  receiver: r\n  routes:\n    - matchers: ['a=~"("']\nreceivers:\n  - name: r\n`, /invalid regular expression/, 4, 'route.routes[0].matchers[0]'],
    ['an unknown receiver', `route:\n  receiver: r\n  routes:\n    - receiver: nope\nreceivers:\n  - name: r\n`, /undefined receiver "nope"/, 4, 'route.routes[0].receiver'],
    ['a duplicate receiver', `${base}  - name: r\n`, /defined twice/, 5, 'receivers[1].name'],
    ['an unknown time interval', `route:\n  receiver: r\n  routes:\n    - mute_time_intervals: [x]\nreceivers:\n  - name: r\n`, /undefined time interval "x"/, 4, 'route.routes[0].mute_time_intervals[0]'],
    ['a wrong type', `route:\n  receiver: r\n  group_by: alertname\nreceivers:\n  - name: r\n`, /expected array/, 3, 'route.group_by'],
    ['a root route with matchers', `route:\n  receiver: r\n  matchers: [a="b"]\nreceivers:\n  - name: r\n`, /root route must not have matchers/, 3, 'route.matchers'],
    ['no route', `receivers:\n  - name: r\n`, /expected object/, undefined, 'route'],
    ['a webhook without url', `${base}    webhook_configs: [{}]\n`, /a URL is required/, 5, 'receivers[0].webhook_configs[0].url'],
    ['a bad weekday', `${base}time_intervals:\n  - name: t\n    time_intervals: [{ weekdays: [funday] }]\n`, /"funday" is not a weekday/, 7, 'time_intervals[0].time_intervals[0].weekdays[0]'],
    ['a bad time zone', `${base}time_intervals:\n  - name: t\n    time_intervals: [{ location: Mars/Olympus }]\n`, /unknown time zone/, 7, 'time_intervals[0].time_intervals[0].location'],
    ['a bad day of month', `${base}time_intervals:\n  - name: t\n    time_intervals: [{ days_of_month: ['0'] }]\n`, /between 1 and 31/, 7, 'time_intervals[0].time_intervals[0].days_of_month[0]'],
    ['times out of order', `${base}time_intervals:\n  - name: t\n    time_intervals: [{ times: [{start_time: '10:00', end_time: '09:00'}] }]\n`, /not after start_time/, 7, 'time_intervals[0].time_intervals[0].times[0]'],
    ['group_by mixing ...', `route:\n  receiver: r\n  group_by: ['...', a]\nreceivers:\n  - name: r\n`, /cannot be combined/, 3, 'route.group_by'],
    ['an escalation step to nowhere', `${base}escalation_policies:\n  - name: p\n    steps: [{ receivers: [ghost] }]\n`, /undefined receiver "ghost"/, 7, 'escalation_policies[0].steps[0].receivers[0]'],
    ['PagerDuty v1', `${base}    pagerduty_configs: [{ service_key: x }]\n`, /Events API v1/, 5, 'receivers[0].pagerduty_configs[0].service_key'],
  ])('%s', (_name, text, message, line, field) => {
    const e = failure(text);
    expect(e.code).toBe('TT_ALERTING_CONFIG');
    expect(e.exitCode).toBe(104);
    expect(e.message).toMatch(message);
    expect(e.file).toBe('am.yml');
    if (line !== undefined) expect(e.line).toBe(line);
    if (field !== undefined) expect(e.field).toBe(field);
    expect(e.format()).toMatch(/^am\.yml(:\d+(:\d+)?)?: /);
  });

  it('lists further problems in the hint', () => {
    const e = failure(`route:\n  receiver: r\n  group_wiat: 1s\n  foo: 2\nreceivers:\n  - name: r\n    bogus: 1\n`);
    expect(e.message).toMatch(/unknown field "group_wiat" \(and "foo"\)/);
    expect(e.hint).toMatch(/line 7: receivers\[0\]\.bogus: unknown field "bogus"/);
  });

  it('reports unsupported receiver kinds and templates as warnings, not errors', () => {
    const c = loadAlertingConfig(`route:\n  receiver: r\nreceivers:\n  - name: r\n    opsgenie_configs: [{ api_key: x }]\ntemplates: ['/etc/am/*.tmpl']\n`);
    expect(c.warnings).toEqual([expect.stringMatching(/opsgenie_configs are not supported/), expect.stringMatching(/templates are not supported/)]);
  });
});

describe('matchers', () => {
  it('parses the matchers syntax: quoted, unquoted, braces, escapes, all four operators', () => {
    const ms = parseMatchers('{alertname="Disk \\"Full\\"", severity=~"warn.*", team != ops ,env!~"dev|test"}');
    expect(ms.map((m) => [m.name, m.op, m.value])).toEqual([
      ['alertname', '=', 'Disk "Full"'],
      ['severity', '=~', 'warn.*'],
      ['team', '!=', 'ops'],
      ['env', '!~', 'dev|test'],
    ]);
    expect(ms[1].test('warning')).toBe(true);
    expect(ms[1].test('a warning')).toBe(false); // anchored
    expect(ms[3].test('')).toBe(true);
    expect(formatMatcherList(ms)).toBe('{alertname="Disk \\"Full\\"",severity=~"warn.*",team!="ops",env!~"dev|test"}');
  });

  it.each(['', '=x', 'a', 'a~"x"', 'a="x', '{a="b"', 'a="b"}', 'a="b" c="d"', '1a="b"'])('refuses %j', (text) => {
    if (text === '') return expect(parseMatchers(text)).toEqual([]);
    expect(() => parseMatchers(text)).toThrow(MatcherSyntaxError);
  });

  it('never crashes on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '=', '~', '!', '"', '\\', ',', '{', '}', ' ', '.', '*', '(', ')', '|', 'é') }), (s) => {
        try {
          const ms = parseMatchers(s);
          for (const m of ms) m.test('abc');
        } catch (err) {
          if (!(err instanceof MatcherSyntaxError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips any matcher through its printed form (property)', () => {
    const name = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/);
    const value = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(name, fc.constantFrom('=', '!=') as fc.Arbitrary<'=' | '!='>, value, (n, op, v) => {
        const [m] = parseMatchers(formatMatcherList([{ name: n, op, value: v, test: () => true }]));
        expect([m.name, m.op, m.value]).toEqual([n, op, v]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the config loader under hostile input (property)', () => {
  it('returns a config or a TelltaleError naming the file for arbitrary YAML text', () => {
    const fragments = ['route:', '  receiver: r', '  group_by: [a]', '  routes:', '    - matchers: ["a=~\\"x\\""]', '      group_wait: 1m', 'receivers:', '  - name: r', '    webhook_configs: [{url: "http://x"}]', '  - :', '\t', '&a', '*a', '[', '{', '"', '- 1', 'time_intervals: [{name: t, time_intervals: [{}]}]'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 12 }), (lines) => {
        try {
          loadAlertingConfig(lines.join('\n'), { file: 'x.yml' });
        } catch (err) {
          if (!(err instanceof TelltaleError) || err.code !== 'TT_ALERTING_CONFIG' || err.file !== 'x.yml') throw err;
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('never crashes on arbitrary matcher strings inside a route', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (m) => {
        try {
          loadAlertingConfig(`route:\n  receiver: r\n  routes:\n    - matchers: [${JSON.stringify(m)}]\nreceivers:\n  - name: r\n`);
        } catch (err) {
          if (!(err instanceof TelltaleError)) throw err;
          expect(err.line).toBe(4);
        }
      }),
      { numRuns: 1500 },
    );
  });
});

describe('the config as GET /api/v2/status shows it', () => {
  it('masks secrets and keeps everything else as written', () => {
    const c = loadAlertingConfig(FULL);
    expect(c.original).not.toMatch(/secret\b(?!>)|abc123|XXXX|127\.0\.0\.1:5001/);
    expect(c.original).toMatch(/smtp_auth_password: <secret>/);
    expect(c.original).toMatch(/routing_key: <secret>/);
    expect(c.original).toMatch(/slack_api_url: <secret>/);
    expect(c.original).toMatch(/- url: <secret>/);
    expect(c.original).toMatch(/smtp_from: 'alerts@example.com'/);
    expect(c.original.split('\n')).toHaveLength(FULL.split('\n').length);
  });
});
