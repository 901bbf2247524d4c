import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { isTelltaleError, TelltaleError } from '../../src/errors.ts';
import { parseChecks, validateChecks } from '../../src/probes/parse-checks.ts';
import type { HttpCheck } from '../../src/probes/check-types.ts';
import { defineChecks } from '../../src/probes/define-checks.ts';
import { checks as tsChecks } from '../../examples/checks.ts';

function problemsOf(input: unknown): string[] {
  return validateChecks(input).problems.map((p) => {
    let out = '';
    for (const part of p.path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
    return `${out}: ${p.message}`;
  });
}

const http = (extra: Record<string, unknown> = {}) => ({ name: 'api', type: 'http', request: { url: 'http://127.0.0.1:1/health' }, ...extra });

describe('check definitions', () => {
  it('applies defaults and normalizes', () => {
    const [c] = parseChecks([http()]) as HttpCheck[];
    expect(c).toMatchObject({
      name: 'api', type: 'http', intervalMs: 60_000, timeoutMs: 10_000, retries: 0, retryDelayMs: 0, jitterMs: 60_000, labels: {}, assertions: [],
      request: { method: 'GET', url: 'http://127.0.0.1:1/health', followRedirects: true, maxRedirects: 10, ipFamily: 0, headers: {}, tls: { insecureSkipVerify: false } },
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.request)).toBe(true);
  });

  it('reads every option of every type', () => {
    const checks = parseChecks({
      checks: [
        http({ interval: '30s', timeout: '5s', retries: 2, retryDelay: '1s', jitter: '10s', labels: { team: 'payments' }, service: 'checkout', degradedResponseTime: 500, maxResponseTime: '2s',
          request: { method: 'post', url: 'https://api.example.com/x', headers: { 'X-Key': 'v' }, body: '{}', followRedirects: false, maxRedirects: 3, ipFamily: 6, tls: { insecureSkipVerify: true, servername: 'example.com' } },
          assertions: [
            { source: 'statusCode', comparison: 'equals', target: 200 },
            { source: 'jsonBody', property: '$.data.items[0].id', comparison: 'matches', target: '/^A/i' },
            { source: 'header', property: 'content-type', comparison: 'contains', target: 'json' },
          ] }),
        { name: 'flow', type: 'multistep', script: 'flows/login.ts', env: { USER: 'x' }, schedule: '5m' },
        { name: 'db', type: 'tcp', host: '127.0.0.1', port: 5432, send: 'PING\r\n', expect: '^\\+PONG' },
        { name: 'dns', type: 'dns', query: 'example.com', recordType: 'TXT', server: '127.0.0.1:5353' },
        { name: 'cert', type: 'tls', host: 'example.com', degradedDaysLeft: 20, failedDaysLeft: 5 },
        { name: 'nightly', type: 'heartbeat', token: 'nightly-backup-7f3a', period: '24h', grace: '1h', interval: '1m' },
      ],
    }, { baseDir: '/srv/checks' });
    expect(checks.map((c) => c.type)).toEqual(['http', 'multistep', 'tcp', 'dns', 'tls', 'heartbeat']);
    const h = checks[0] as HttpCheck;
    expect(h).toMatchObject({ intervalMs: 30_000, timeoutMs: 5000, retries: 2, retryDelayMs: 1000, jitterMs: 10_000, service: 'checkout', degradedResponseTimeMs: 500, maxResponseTimeMs: 2000 });
    expect(h.request.method).toBe('POST');
    expect(h.request.ipFamily).toBe(6);
    expect(h.assertions[1].regex!.flags).toBe('i');
    expect(h.assertions[1].path!.segments).toHaveLength(4);
    expect(checks[1]).toMatchObject({ script: '/srv/checks/flows/login.ts', intervalMs: 300_000 });
    expect(checks[2]).toMatchObject({ port: 5432, send: 'PING\r\n' });
    expect((checks[2] as { expect: RegExp }).expect.test('+PONG')).toBe(true);
    expect(checks[4]).toMatchObject({ port: 443, degradedDaysLeft: 20, failedDaysLeft: 5 });
    expect(checks[5]).toMatchObject({ periodMs: 86_400_000, graceMs: 3_600_000, intervalMs: 60_000 });
  });

  it('names the field path of every problem, all at once', () => {
    const problems = problemsOf([
      http(),
      { name: 'b', type: 'htp' },
      http({ name: 'c', assertions: [{ source: 'statusCode', comparison: 'lessThan', target: 'abc' }] }),
      http({ name: 'd', interval: '5s', timeout: '2m' }),
      http({ name: 'e', request: { url: 'ftp://x' }, labels: { check: 'x', 'bad-name': 'y' } }),
      http({ name: 'f', assertions: [{ source: 'jsonBody', property: '$.a[', comparison: 'equals', target: 1 }, { source: 'body', comparison: 'equals', target: 1 }] }),
      { name: 'g', type: 'tcp', host: 'x', port: 70000, colour: 'blue' },
      http({ name: 'api' }),
      { name: 'h', type: 'dns', query: 'x', server: 'dns.example.com:53' },
      http({ name: 'i', assertions: [{ source: 'textBody', comparison: 'matches', target: '(' }, { source: 'header', comparison: 'equals', target: 'x' }] }),
      { name: 'j', type: 'heartbeat', token: 'short', period: '1h' },
      http({ name: 'k', degradedResponseTime: '2s', maxResponseTime: '1s', jitter: '2m' }),
    ]);
    const joined = problems.join('\n');
    expect(joined).toContain('checks[1].type: expected one of http, multistep, tcp, dns, tls, heartbeat (got "htp")');
    expect(joined).toContain('checks[2].assertions[0].target: lessThan needs a number, got "abc"');
    expect(joined).toContain('checks[3].interval: "5s" is outside 10s..1d');
    expect(joined).toContain('checks[4].request.url: expected an http:// or https:// URL, got ftp:');
    expect(joined).toContain('checks[4].labels.check: is a label Telltale sets itself');
    expect(joined).toContain('checks[4].labels.bad-name: is not a valid label name');
    expect(joined).toContain('checks[5].assertions[0].property: JSON path "$.a[": expected an index, "*" or a quoted name at position 4');
    expect(joined).toContain('checks[5].assertions[1].source: a http check has no source "body" (expected statusCode, header, jsonBody, textBody, responseTime)');
    expect(joined).toContain('checks[6].port: expected an integer in 1..65535, got 70000');
    expect(joined).toContain('checks[6].colour: unknown option for a tcp check');
    expect(joined).toContain('checks[7].name: duplicate check name "api" (also checks[0])');
    expect(joined).toContain('checks[8].server: expected "host", "host:port" or "[ipv6]:port" with an IP address');
    expect(joined).toContain('checks[9].assertions[0].target: "(" is not a valid regular expression');
    expect(joined).toContain('checks[9].assertions[1].property: missing (expected a header name)');
    expect(joined).toContain('checks[10].token: expected a token of 8 to 128 letters');
    expect(joined).toContain('checks[11].degradedResponseTime: is longer than maxResponseTime');
    expect(joined).toContain('checks[11].jitter: the jitter (120000ms) is longer than the interval (60000ms)');
  });

  it('throws one TT_CHECK_INVALID (exit 104) naming the first field and the file', () => {
    let err: unknown;
    try {
      parseChecks([http(), http({ name: 'x', assertions: [{ source: 'statusCode', comparison: 'equals' }] })], { file: 'telltale.config.yaml' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TelltaleError);
    const e = err as TelltaleError;
    expect(e.code).toBe('TT_CHECK_INVALID');
    expect(e.exitCode).toBe(104);
    expect(e.field).toBe('checks[1].assertions[0].target');
    expect(e.format()).toMatch(/^telltale\.config\.yaml: invalid check definition:\n {2}checks\[1\]\.assertions\[0\]\.target: missing \(equals needs a target\) \[TT_CHECK_INVALID\]$/);
  });

  it('refuses what is not a list of check objects', () => {
    expect(problemsOf('checks')).toEqual(['checks: expected an array of checks']);
    expect(problemsOf([null, 3, []])).toEqual([
      'checks[0]: expected a check object { name, type, ... }',
      'checks[1]: expected a check object { name, type, ... }',
      'checks[2]: expected a check object { name, type, ... }',
    ]);
    expect(problemsOf([{ type: 'http', request: { url: 'http://x' } }])).toEqual(['checks[0].name: missing (expected a check name)']);
  });

  it('accepts the shipped example file', () => {
    const doc = parseYaml(readFileSync(new URL('../../examples/checks.yaml', import.meta.url), 'utf8')) as unknown;
    const checks = parseChecks(doc, { file: 'examples/checks.yaml' });
    expect(checks.length).toBeGreaterThanOrEqual(6);
    expect(new Set(checks.map((c) => c.type))).toEqual(new Set(['http', 'multistep', 'tcp', 'dns', 'tls', 'heartbeat']));
  });

  it('the TypeScript example defines the same checks as the YAML one', () => {
    const doc = parseYaml(readFileSync(new URL('../../examples/checks.yaml', import.meta.url), 'utf8')) as unknown;
    const fromYaml = parseChecks(doc, { baseDir: '/x' });
    const fromTs = parseChecks(tsChecks, { baseDir: '/x' });
    expect(fromTs.map((c) => [c.name, c.type, c.intervalMs])).toEqual(fromYaml.map((c) => [c.name, c.type, c.intervalMs]));
    // A misspelt option is a compile error in a TypeScript config (and a validation error at load).
    // @ts-expect-error `requst` is not an option of an http check
    const typo = defineChecks([{ name: 'x', type: 'http', requst: { url: 'http://x/' } }]);
    expect(problemsOf(typo).join('\n')).toContain('checks[0].request: missing');
  });

  it('never crashes on hostile definitions: a list of checks or TT_CHECK_INVALID naming a field', () => {
    const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('10s', '1m', '25h', '-1s', '$.a[0]', 'GET', 'http://127.0.0.1/'));
    const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 6 }), scalar, { maxKeys: 3 }));
    const assertion = fc.record({
      source: fc.oneof(fc.constantFrom('statusCode', 'header', 'jsonBody', 'textBody', 'responseTime', 'answers'), fc.string({ maxLength: 5 })),
      property: fc.oneof(fc.constantFrom('$.a', '$[0]', 'content-type', '$..', '$[?', ''), fc.string({ maxLength: 8 })),
      comparison: fc.oneof(fc.constantFrom('equals', 'lessThan', 'matches', 'contains', 'isEmpty'), fc.string({ maxLength: 5 })),
      target: value,
    }, { requiredKeys: [] });
    const check = fc.record({
      name: fc.oneof(fc.constantFrom('a', 'b'), scalar),
      type: fc.oneof(fc.constantFrom('http', 'multistep', 'tcp', 'dns', 'tls', 'heartbeat'), scalar),
      interval: value, timeout: value, retries: value, jitter: value, labels: value, port: value, host: value, query: value, token: value, period: value,
      request: fc.record({ url: fc.oneof(fc.constantFrom('http://127.0.0.1/', 'https://x/'), scalar), method: value, headers: value, tls: value }, { requiredKeys: [] }),
      assertions: fc.array(assertion, { maxLength: 3 }),
    }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(fc.array(check, { maxLength: 4 }), value), (input) => {
        try {
          const checks = parseChecks(input);
          for (const c of checks) expect(Object.isFrozen(c)).toBe(true);
        } catch (err) {
          if (!isTelltaleError(err) || err.code !== 'TT_CHECK_INVALID') throw err;
          expect(err.field).toMatch(/^checks(\[\d+\])?/);
          expect(err.message.split('\n').length).toBeGreaterThan(1);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
