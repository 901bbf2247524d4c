import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/load/clock.ts';
import { ProbeService } from '../../src/probes/probe-service.ts';
import { checkLabels, resultSamples, writeResult } from '../../src/probes/result-series.ts';
import type { CheckResult } from '../../src/probes/result-types.ts';
import { verdict } from '../../src/probes/verdict.ts';
import { isStaleNaN } from '../../src/series/types.ts';
import { defineCheck, probe, startHttps, TLS_CERT, TLS_CERT_EXPIRY, type Closable } from './helpers.ts';
import { MemoryStorage } from './memory-storage.ts';

let server: Closable;
beforeAll(async () => {
  server = await startHttps((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' });
    res.end('{"ok":true}');
  });
});
afterAll(() => server.close());

const byName = (samples: { labels: Record<string, string>; value: number }[]) => {
  const out: Record<string, number> = {};
  for (const s of samples) out[s.labels.phase ? `${s.labels.__name__}{phase=${s.labels.phase}}` : s.labels.__name__] = s.value;
  return out;
};

describe('results as series', () => {
  it('an HTTPS check writes blackbox_exporter series with check, type, service and the check labels', async () => {
    const input = {
      name: 'api', type: 'http', labels: { team: 'shop', env: 'prod' }, service: 'catalogue',
      request: { url: `https://localhost:${server.port}/`, ipFamily: 4, tls: { ca: TLS_CERT } },
      assertions: [{ source: 'jsonBody', property: '$.ok', comparison: 'equals', target: false }],
    };
    const def = defineCheck(input);
    const result = await probe(input);
    const samples = resultSamples(def, result);
    for (const s of samples) expect(s.labels).toMatchObject({ check: 'api', type: 'http', service: 'catalogue', team: 'shop', env: 'prod' });
    const v = byName(samples);
    expect(v).toMatchObject({
      probe_success: 0, probe_degraded: 0, probe_assertion_failures: 1, probe_attempts: 1,
      probe_http_status_code: 200, probe_http_content_length: 11, probe_http_uncompressed_body_length: 11,
      probe_http_redirects: 0, probe_http_ssl: 1, probe_http_version: 1.1,
      probe_ssl_earliest_cert_expiry: TLS_CERT_EXPIRY / 1000,
    });
    expect(v.probe_duration_seconds).toBeCloseTo(result.durationMs / 1000, 9);
    expect(v.probe_dns_lookup_time_seconds).toBeGreaterThan(0);
    for (const phase of ['resolve', 'connect', 'tls', 'processing', 'transfer']) expect(v[`probe_http_duration_seconds{phase=${phase}}`]).toBeGreaterThanOrEqual(0);
    expect(v['probe_http_duration_seconds{phase=tls}']).toBeGreaterThan(0);
    const version = samples.find((s) => s.labels.__name__ === 'probe_tls_version_info')!;
    expect(version.labels.version).toMatch(/^TLS 1\.[23]$/);
    expect(Object.keys(checkLabels(def)).sort()).toEqual(['check', 'env', 'service', 'team', 'type']);
  });

  it('a failed connection still says probe_success 0 and status code 0', async () => {
    const input = { name: 'down', type: 'http', request: { url: 'http://127.0.0.1:1/' }, timeout: '2s' };
    const v = byName(resultSamples(defineCheck(input), await probe(input)));
    expect(v).toMatchObject({ probe_success: 0, probe_http_status_code: 0, probe_http_content_length: -1, probe_http_version: 0, 'probe_http_duration_seconds{phase=connect}': 0 });
  });

  it('type-specific series for dns, tls, heartbeat and multistep results', () => {
    const base = { startedAt: 1000, attempts: 1 };
    const dnsDef = defineCheck({ name: 'd', type: 'dns', query: 'x.test' });
    const dns: CheckResult = { ...verdict(dnsDef, { durationMs: 4, assertions: [], dns: { lookupMs: 4, responseCode: 'NOERROR', answers: ['1.2.3.4', '5.6.7.8'] } }), ...base, check: 'd', type: 'dns' };
    expect(byName(resultSamples(dnsDef, dns))).toMatchObject({ probe_success: 1, probe_dns_lookup_time_seconds: 0.004, probe_dns_answer_rrs: 2 });
    const tlsDef = defineCheck({ name: 'c', type: 'tls', host: 'x' });
    const cert = { earliestExpiry: 2e12, leafExpiry: 2e12, subject: '', issuer: '', chainTrusted: true, hostnameValid: false, tlsVersion: 'TLSv1.2', cipher: '', daysLeft: 20 };
    const tls: CheckResult = { ...verdict(tlsDef, { durationMs: 3, assertions: [], degradations: ['soon'], tls: cert }), ...base, check: 'c', type: 'tls' };
    expect(byName(resultSamples(tlsDef, tls))).toMatchObject({ probe_success: 1, probe_degraded: 1, probe_ssl_earliest_cert_expiry: 2e9, probe_tls_chain_trusted: 1, probe_tls_hostname_valid: 0 });
    expect(resultSamples(tlsDef, tls).find((s) => s.labels.__name__ === 'probe_tls_version_info')!.labels.version).toBe('TLS 1.2');
    const hbDef = defineCheck({ name: 'h', type: 'heartbeat', token: 'abcdefgh', period: '1h' });
    const hb: CheckResult = { ...verdict(hbDef, { durationMs: 0, assertions: [], heartbeat: { lastPingAt: 5000, reportedFailure: false, deadline: 9000 } }), ...base, check: 'h', type: 'heartbeat' };
    expect(byName(resultSamples(hbDef, hb))).toMatchObject({ probe_heartbeat_last_ping_timestamp_seconds: 5 });
    const msDef = defineCheck({ name: 'm', type: 'multistep', script: 'x.ts' });
    const script = { iterations: 1, checksPassed: 3, checksFailed: 1, failedChecks: [{ path: '::a', passes: 0, fails: 1 }], failedThresholds: ['http_req_duration: p(95)<1'], scriptErrors: [] };
    const ms: CheckResult = { ...verdict(msDef, { durationMs: 50, assertions: [], failures: ['x'], script }), ...base, check: 'm', type: 'multistep' };
    expect(byName(resultSamples(msDef, ms))).toMatchObject({ probe_success: 0, probe_assertion_failures: 2, probe_script_checks_passed: 3, probe_script_checks_failed: 1 });
  });

  it('writes through the Appender at the run start and reports refused samples', async () => {
    const storage = new MemoryStorage();
    const def = defineCheck({ name: 'w', type: 'tcp', host: '127.0.0.1', port: 1 });
    const r = (status: 'passed' | 'failed', startedAt: number): CheckResult => ({
      ...verdict(def, { durationMs: 1.5, assertions: [], ...(status === 'failed' ? { error: 'refused' } : {}) }), check: 'w', type: 'tcp', startedAt, attempts: 1,
    });
    const first = await writeResult(storage, def, r('passed', 10_000.4));
    expect(first).toEqual({ appended: 5, rejected: [] });
    expect(storage.samples('probe_success')).toEqual([{ labels: expect.objectContaining({ check: 'w', type: 'tcp' }), t: 10_000, v: 1 }]);
    const clash = await writeResult(storage, def, r('failed', 10_000));
    expect(clash.rejected.map((x) => `${x.labels.__name__}:${x.reason}`)).toEqual(['probe_success:duplicate_sample']);
    const older = await writeResult(storage, def, r('passed', 9000));
    expect(older.rejected.every((x) => x.reason === 'out_of_order')).toBe(true);
  });

  it('the probe service stores results, keeps a bounded history and marks removed checks stale', async () => {
    const clock = new FakeClock(1_700_000_000_000);
    const storage = new MemoryStorage();
    let n = 0;
    const service = new ProbeService({
      storage, clock, historySize: 3, elapsed: () => clock.now(),
      probes: { tcp: (def) => verdict(def, { durationMs: 2, assertions: [], ...(++n % 2 === 0 ? { error: `run ${n} refused` } : {}) }) },
    });
    const def = defineCheck({ name: 'db', type: 'tcp', host: '127.0.0.1', port: 5432, interval: '10s', jitter: '0s', labels: { tier: 'data' } });
    await service.start([def]);
    for (let i = 0; i < 5; i++) await clock.advance(10_000);
    const recent = service.history.recent('db');
    // Six runs (T0 and five intervals later); the ring keeps the newest three.
    expect(recent.map((r) => r.status)).toEqual(['failed', 'passed', 'failed']);
    expect(service.history.failures('db')[0].failures).toEqual(['run 6 refused']);
    expect(storage.samples('probe_success').map((s) => s.v)).toEqual([1, 0, 1, 0, 1, 0]);
    await service.setChecks([]);
    const last = storage.samples('probe_success').at(-1)!;
    expect(isStaleNaN(last.v)).toBe(true);
    expect(last.labels).toMatchObject({ check: 'db', tier: 'data' });
    expect(service.history.recent('db')).toEqual([]);
    await service.stop();
  });
});
