/** Time intervals evaluated in their time zone: times, weekdays, negative days of month, months, years. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadAlertingConfig } from '../../src/alerting/config.ts';
import { intervalContains, type TimeInterval } from '../../src/alerting/time-intervals.ts';
import { TelltaleError } from '../../src/errors.ts';

function interval(yaml: string): TimeInterval {
  const c = loadAlertingConfig(`route:\n  receiver: r\nreceivers:\n  - name: r\ntime_intervals:\n  - name: t\n    time_intervals:\n      - ${yaml}\n`);
  return c.timeIntervals.get('t')![0];
}
const at = (iso: string) => Date.parse(iso);

describe('time intervals', () => {
  it('times are start-inclusive and end-exclusive', () => {
    const i = interval(`times: [{ start_time: "09:00", end_time: "17:00" }]`);
    expect(intervalContains(i, at('2026-03-02T09:00:00Z'))).toBe(true);
    expect(intervalContains(i, at('2026-03-02T16:59:59Z'))).toBe(true);
    expect(intervalContains(i, at('2026-03-02T17:00:00Z'))).toBe(false);
    expect(intervalContains(i, at('2026-03-02T08:59:00Z'))).toBe(false);
  });

  it('weekdays, months and years as names, numbers and ranges', () => {
    const i = interval(`{ weekdays: ['monday:wednesday', friday], months: ['february:march', '12'], years: ['2026'] }`);
    expect(intervalContains(i, at('2026-03-02T12:00:00Z'))).toBe(true); // Monday, March 2026
    expect(intervalContains(i, at('2026-03-05T12:00:00Z'))).toBe(false); // Thursday
    expect(intervalContains(i, at('2026-03-06T12:00:00Z'))).toBe(true); // Friday
    expect(intervalContains(i, at('2026-04-06T12:00:00Z'))).toBe(false); // April
    expect(intervalContains(i, at('2026-12-07T12:00:00Z'))).toBe(true); // Monday in December
    expect(intervalContains(i, at('2027-03-01T12:00:00Z'))).toBe(false); // 2027
  });

  it('negative days of month count from the end of that month', () => {
    const last = interval(`days_of_month: ['-1']`);
    expect(intervalContains(last, at('2026-02-28T00:00:00Z'))).toBe(true);
    expect(intervalContains(last, at('2026-02-27T00:00:00Z'))).toBe(false);
    expect(intervalContains(last, at('2028-02-29T00:00:00Z'))).toBe(true); // leap year
    expect(intervalContains(last, at('2026-01-31T00:00:00Z'))).toBe(true);
    const firstToSecondLast = interval(`days_of_month: ['1:-2']`);
    expect(intervalContains(firstToSecondLast, at('2026-04-29T10:00:00Z'))).toBe(true);
    expect(intervalContains(firstToSecondLast, at('2026-04-30T10:00:00Z'))).toBe(false);
  });

  it('reads times in the location, through daylight saving', () => {
    const i = interval(`{ times: [{ start_time: "09:00", end_time: "10:00" }], location: Europe/Berlin }`);
    expect(intervalContains(i, at('2026-01-15T08:30:00Z'))).toBe(true); // 09:30 CET
    expect(intervalContains(i, at('2026-07-15T07:30:00Z'))).toBe(true); // 09:30 CEST
    expect(intervalContains(i, at('2026-07-15T08:30:00Z'))).toBe(false); // 10:30 CEST
    const tokyoWeekday = interval(`{ weekdays: [saturday], location: Asia/Tokyo }`);
    expect(intervalContains(tokyoWeekday, at('2026-03-06T16:00:00Z'))).toBe(true); // Saturday 01:00 in Tokyo
  });

  it('an interval with no fields holds always', () => {
    expect(intervalContains(interval('{}'), at('2026-03-06T16:00:00Z'))).toBe(true);
  });

  it('never crashes on arbitrary field values (property)', () => {
    const v = fc.string({ unit: fc.constantFrom('1', '3', '-', ':', 'a', 'monday', 'may', ' ', '0', '9'), maxLength: 8 });
    fc.assert(
      fc.property(fc.constantFrom('weekdays', 'days_of_month', 'months', 'years'), v, (field, value) => {
        try {
          interval(`{ ${field}: [${JSON.stringify(value)}] }`);
        } catch (err) {
          if (!(err instanceof TelltaleError)) throw err;
          expect(err.field).toBe(`time_intervals[0].time_intervals[0].${field}[0]`);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
