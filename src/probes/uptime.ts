/**
 * Uptime as Uptime Kuma reports it, over 24 hours, 7 days and 30 days:
 *   ratio     the share of successful runs among the runs in the window (degraded runs count as up)
 *   downtime  how long the check was down: from each failed run to the next run (whatever its result),
 *             capped at `maxGapMs` so a monitor that stopped does not count as an outage forever; a failed
 *             run just before the window counts from the window's start
 *   incidents the number of up→down transitions in the window
 * It is computed from the stored probe_success samples read through the Queryable seam (`queryUptime`), so
 * it covers everything the series store retains; `uptimeFromResults` computes the same from in-memory
 * results (the dashboard's recent history).
 */
import { isStaleNaN, type Matcher, type Queryable } from '../series/types.ts';
import type { CheckResult } from './result-types.ts';

export interface UptimeSample {
  /** Epoch ms. */
  readonly t: number;
  readonly up: boolean;
}

export interface UptimeWindow {
  readonly label: string;
  readonly ms: number;
}

export const UPTIME_WINDOWS: readonly UptimeWindow[] = [
  { label: '24h', ms: 86_400_000 },
  { label: '7d', ms: 7 * 86_400_000 },
  { label: '30d', ms: 30 * 86_400_000 },
];

export interface Uptime {
  readonly window: string;
  readonly from: number;
  readonly to: number;
  readonly runs: number;
  readonly successes: number;
  /** successes / runs, or null when the window holds no run. */
  readonly ratio: number | null;
  readonly downtimeMs: number;
  readonly incidents: number;
}

/** Uptime over [from, to] from samples sorted by time. */
export function computeUptime(samples: readonly UptimeSample[], from: number, to: number, maxGapMs = Infinity, window = ''): Uptime {
  let runs = 0;
  let successes = 0;
  let downtimeMs = 0;
  let incidents = 0;
  let prevUp: boolean | undefined;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    if (s.t > to) break;
    const nextT = i + 1 < samples.length ? samples[i + 1].t : Infinity;
    if (s.t < from) {
      // Only the last run before the window matters: it tells whether the window starts down.
      if (nextT >= from) {
        prevUp = s.up;
        if (!s.up) downtimeMs += Math.max(0, Math.min(nextT, to, s.t + maxGapMs) - from);
      }
      continue;
    }
    runs++;
    if (s.up) successes++;
    else {
      if (prevUp !== false) incidents++;
      downtimeMs += Math.max(0, Math.min(nextT, to, s.t + maxGapMs) - s.t);
    }
    prevUp = s.up;
  }
  return { window, from, to, runs, successes, ratio: runs === 0 ? null : successes / runs, downtimeMs, incidents };
}

export interface UptimeQuery {
  /** Epoch ms the windows end at. */
  readonly now: number;
  readonly windows?: readonly UptimeWindow[];
  /** The check's interval: a failed run counts as down for at most twice this long without a later run. */
  readonly intervalMs?: number;
  /** More matchers (e.g. a label of the check) to narrow the series. */
  readonly matchers?: readonly Matcher[];
}

/** Reads the check's probe_success samples from the store and computes each window's uptime. */
export async function queryUptime(queryable: Queryable, check: string, q: UptimeQuery): Promise<Uptime[]> {
  const windows = q.windows ?? UPTIME_WINDOWS;
  const maxGap = q.intervalMs === undefined ? Infinity : 2 * q.intervalMs;
  const longest = Math.max(...windows.map((w) => w.ms));
  // Reach back one gap before the longest window for the run that tells whether it starts down.
  const mint = q.now - longest - (Number.isFinite(maxGap) ? maxGap : 0);
  const matchers: Matcher[] = [
    { type: '=', name: '__name__', value: 'probe_success' },
    { type: '=', name: 'check', value: check },
    ...(q.matchers ?? []),
  ];
  const series = await queryable.select(matchers, mint, q.now);
  const samples: UptimeSample[] = [];
  for (const s of series) {
    const it = s.iterator();
    while (it.next()) {
      const v = it.v();
      // Staleness markers end a series; they are not runs.
      if (Number.isNaN(v) || isStaleNaN(v)) continue;
      samples.push({ t: it.t(), up: v > 0 });
    }
  }
  // A check whose labels changed has several series; its runs are their union.
  samples.sort((a, b) => a.t - b.t);
  return windows.map((w) => computeUptime(samples, q.now - w.ms, q.now, maxGap, w.label));
}

/** The same windows over in-memory results (any order). */
export function uptimeFromResults(results: readonly CheckResult[], now: number, intervalMs?: number, windows = UPTIME_WINDOWS): Uptime[] {
  const samples = results.map((r) => ({ t: r.startedAt, up: r.status !== 'failed' })).sort((a, b) => a.t - b.t);
  const maxGap = intervalMs === undefined ? Infinity : 2 * intervalMs;
  return windows.map((w) => computeUptime(samples, now - w.ms, now, maxGap, w.label));
}
