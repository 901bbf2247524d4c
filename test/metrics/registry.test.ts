import { describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { BUILTIN_METRICS, MetricRegistry, isValidMetricName } from '../../src/metrics/index.ts';

describe('BUILTIN_METRICS', () => {
  it('has k6 names, types and value kinds', () => {
    const byName = Object.fromEntries(BUILTIN_METRICS.map((m) => [m.name, `${m.type}/${m.contains}`]));
    expect(byName).toEqual({
      vus: 'gauge/default',
      vus_max: 'gauge/default',
      iterations: 'counter/default',
      iteration_duration: 'trend/time',
      dropped_iterations: 'counter/default',
      checks: 'rate/default',
      group_duration: 'trend/time',
      http_reqs: 'counter/default',
      http_req_failed: 'rate/default',
      http_req_duration: 'trend/time',
      http_req_blocked: 'trend/time',
      http_req_connecting: 'trend/time',
      http_req_tls_handshaking: 'trend/time',
      http_req_sending: 'trend/time',
      http_req_waiting: 'trend/time',
      http_req_receiving: 'trend/time',
      http_req_corrected_duration: 'trend/time',
      data_sent: 'counter/data',
      data_received: 'counter/data',
    });
  });
});

describe('MetricRegistry', () => {
  it('starts with the built-ins', () => {
    const r = new MetricRegistry();
    expect(r.has('http_req_duration')).toBe(true);
    expect(r.get('checks')).toEqual({ name: 'checks', type: 'rate', contains: 'default' });
    expect(r.all()).toHaveLength(BUILTIN_METRICS.length);
  });

  it('defines metrics and returns the existing one when defined again the same way', () => {
    const r = new MetricRegistry();
    const a = r.define('my_trend', 'trend', 'time');
    expect(a).toEqual({ name: 'my_trend', type: 'trend', contains: 'time' });
    expect(r.define('my_trend', 'trend', 'time')).toBe(a);
    expect(r.define('c', 'counter')).toEqual({ name: 'c', type: 'counter', contains: 'default' });
    expect(r.all().map((m) => m.name).slice(-2)).toEqual(['my_trend', 'c']);
  });

  it('rejects a redefinition with another type, naming both', () => {
    const r = new MetricRegistry();
    r.define('errors', 'counter');
    expect(() => r.define('errors', 'rate')).toThrow(/'errors' already exists as a counter.*as a rate/);
    expect(() => r.define('http_reqs', 'trend')).toThrow(TelltaleError);
    expect(() => r.define('errors', 'counter', 'time')).toThrow(/value type default.*value type time/);
  });

  it('validates names like k6', () => {
    for (const ok of ['a', '_', 'A_1', 'x'.repeat(128), 'http_req_duration2']) expect(isValidMetricName(ok)).toBe(true);
    for (const bad of ['', '1abc', 'a-b', 'a b', 'é', 'x'.repeat(129), 'a.b', 'a{b}']) {
      expect(isValidMetricName(bad)).toBe(false);
      const r = new MetricRegistry();
      try {
        r.define(bad, 'counter');
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(TelltaleError);
        expect((err as TelltaleError).message).toContain('invalid metric name');
      }
    }
  });
});
