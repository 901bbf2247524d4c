/** Alerts as received: validation of API bodies (property-tested against arbitrary JSON) and merging. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeAlert, parsePostableAlerts } from '../../src/alerting/alert-intake.ts';
import { fingerprint } from '../../src/alerting/fingerprint.ts';
import { TelltaleError } from '../../src/errors.ts';

describe('parsing POST /api/v2/alerts bodies', () => {
  it('never crashes on arbitrary JSON: alerts or errors naming their index (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.array(fc.record({ labels: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue()), startsAt: fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())) }, { requiredKeys: [] }))), (body) => {
        try {
          const { alerts, errors } = parsePostableAlerts(body);
          expect(alerts.length + errors.length).toBe((body as unknown[]).length);
          for (const e of errors) expect(e.field).toMatch(/^\[\d+\]/);
          for (const a of alerts) expect(Object.keys(a.labels).length).toBeGreaterThan(0);
        } catch (err) {
          if (!(err instanceof TelltaleError) || err.field !== 'body') throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('drops empty label values, as Prometheus does', () => {
    const { alerts } = parsePostableAlerts([{ labels: { a: 'x', b: '' } }]);
    expect(alerts[0].labels).toEqual({ a: 'x' });
  });
});

describe('merging', () => {
  const now = Date.parse('2026-01-05T10:00:00Z');
  it('fills start and a timed-out end, keeps the earlier start of an overlapping update, and starts anew after a gap', () => {
    const first = mergeAlert(undefined, { labels: { a: '1' } }, now, 300_000);
    expect(first).toMatchObject({ fingerprint: fingerprint({ a: '1' }), startsAt: now, endsAt: now + 300_000, timeout: true });
    const update = mergeAlert(first, { labels: { a: '1' }, startsAt: now + 60_000, endsAt: now + 600_000 }, now + 60_000, 300_000);
    expect(update).toMatchObject({ startsAt: now, endsAt: now + 600_000, timeout: false });
    const again = mergeAlert(update, { labels: { a: '1' }, startsAt: now + 3_600_000 }, now + 3_600_000, 300_000);
    expect(again.startsAt).toBe(now + 3_600_000);
  });
});
