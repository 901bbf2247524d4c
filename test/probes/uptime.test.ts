import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/probes/result-types.ts';
import { writeSamples } from '../../src/probes/result-series.ts';
import { computeUptime, queryUptime, uptimeFromResults, type UptimeSample } from '../../src/probes/uptime.ts';
import { STALE_NAN } from '../../src/series/types.ts';
import { MemoryStorage } from './memory-storage.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = 1_700_000_000_000;

describe('uptime', () => {
  it('is the share of successful runs, with downtime from each failed run to the next run', () => {
    // Runs every minute for 10 minutes; minutes 3, 4 and 7 fail.
    const samples: UptimeSample[] = Array.from({ length: 10 }, (_, i) => ({ t: NOW - 10 * MIN + i * MIN, up: ![3, 4, 7].includes(i) }));
    const u = computeUptime(samples, NOW - HOUR, NOW, 2 * MIN, '1h');
    expect(u).toEqual({ window: '1h', from: NOW - HOUR, to: NOW, runs: 10, successes: 7, ratio: 0.7, downtimeMs: 3 * MIN, incidents: 2 });
  });

  it('caps a failed run without a successor, and counts a window that starts down', () => {
    const samples: UptimeSample[] = [{ t: NOW - 2 * HOUR, up: true }, { t: NOW - 70 * MIN, up: false }, { t: NOW - 50 * MIN, up: false }];
    // With a 30-minute cap, the failed run at -70m covers the window's start until the next run at -50m, which
    // has no successor and counts for the cap.
    const u = computeUptime(samples, NOW - HOUR, NOW, 30 * MIN);
    expect(u).toMatchObject({ runs: 1, successes: 0, ratio: 0, downtimeMs: 10 * MIN + 30 * MIN, incidents: 0 });
    // With a 2-minute cap, the run at -70m stopped counting before the window began.
    expect(computeUptime(samples, NOW - HOUR, NOW, 2 * MIN).downtimeMs).toBe(2 * MIN);
    const uncapped = computeUptime(samples, NOW - HOUR, NOW);
    expect(uncapped.downtimeMs).toBe(HOUR);
    expect(computeUptime([], NOW - HOUR, NOW)).toMatchObject({ runs: 0, ratio: null, downtimeMs: 0 });
  });

  it('never exceeds its window and stays within 0..1 (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ t: fc.integer({ min: NOW - 3 * DAY, max: NOW + HOUR }), up: fc.boolean() }), { maxLength: 60 }), fc.option(fc.integer({ min: 1, max: DAY }), { nil: undefined }), (raw, gap) => {
        const samples = [...raw].sort((a, b) => a.t - b.t);
        const u = computeUptime(samples, NOW - DAY, NOW, gap);
        expect(u.downtimeMs).toBeGreaterThanOrEqual(0);
        expect(u.downtimeMs).toBeLessThanOrEqual(DAY);
        expect(u.successes).toBeLessThanOrEqual(u.runs);
        if (u.ratio !== null) expect(u.ratio).toBeGreaterThanOrEqual(0);
        if (u.ratio !== null) expect(u.ratio).toBeLessThanOrEqual(1);
        if (samples.every((s) => s.up)) expect(u.downtimeMs).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('reads probe_success through the Queryable for 24h, 7d and 30d', async () => {
    const storage = new MemoryStorage();
    const labels = { __name__: 'probe_success', check: 'api', type: 'http' };
    const results: CheckResult[] = [];
    // One run per hour for 40 days; down for 3 runs two days ago and for 12 runs twenty days ago.
    for (let h = 40 * 24; h >= 1; h--) {
      const t = NOW - h * HOUR;
      const down = (h >= 48 && h < 51) || (h >= 480 && h < 492);
      await writeSamples(storage, [{ labels, value: down ? 0 : 1 }], t);
      results.push({ check: 'api', type: 'http', startedAt: t, attempts: 1, status: down ? 'failed' : 'passed', durationMs: 1, assertions: [], failures: [], degradations: [] });
    }
    // Another check, and a staleness marker, must not count.
    await writeSamples(storage, [{ labels: { ...labels, check: 'other' }, value: 0 }], NOW - HOUR);
    await writeSamples(storage, [{ labels, value: STALE_NAN }], NOW - 30 * MIN);
    const [day, week, month] = await queryUptime(storage, 'api', { now: NOW, intervalMs: HOUR });
    expect(day).toMatchObject({ window: '24h', runs: 24, successes: 24, ratio: 1, downtimeMs: 0, incidents: 0 });
    expect(week).toMatchObject({ window: '7d', runs: 168, successes: 165, downtimeMs: 3 * HOUR, incidents: 1 });
    expect(month).toMatchObject({ window: '30d', runs: 720, successes: 705, downtimeMs: 15 * HOUR, incidents: 2 });
    expect(month.ratio).toBeCloseTo(705 / 720, 12);
    expect(uptimeFromResults(results, NOW, HOUR)).toEqual([day, week, month]);
  });

  it('unions the series of a check whose labels changed', async () => {
    const storage = new MemoryStorage();
    await writeSamples(storage, [{ labels: { __name__: 'probe_success', check: 'api', type: 'http', team: 'a' }, value: 0 }], NOW - 3 * HOUR);
    await writeSamples(storage, [{ labels: { __name__: 'probe_success', check: 'api', type: 'http', team: 'b' }, value: 1 }], NOW - 2 * HOUR);
    const [day] = await queryUptime(storage, 'api', { now: NOW, intervalMs: 2 * HOUR });
    expect(day).toMatchObject({ runs: 2, successes: 1, downtimeMs: HOUR, incidents: 1 });
    const [teamB] = await queryUptime(storage, 'api', { now: NOW, matchers: [{ type: '=', name: 'team', value: 'b' }] });
    expect(teamB).toMatchObject({ runs: 1, successes: 1 });
  });
});
