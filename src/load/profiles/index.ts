/**
 * Built-in load profiles: the test procedures of the team's performance runbook ("Performance Testing
 * Framework"), plus a soak test, expressed as raw k6 `options` fragments so they go through the same
 * validation and normalization as a script's own `options`.
 *
 *   baseline     5 min at 50 req/s
 *   progressive  15 min: 100, 250, 500, 750, 1000 req/s, 3 min each
 *   spike        10 min: 100 req/s for 5 min (warm-up), 2000 req/s for 2 min, 100 req/s for 3 min (recovery)
 *   sustained    30 min at 80% of --capacity
 *   soak         2 h at 60% of --capacity
 *
 * Soak is not in the runbook. It is meant to surface what only shows with time (leaks, pool exhaustion,
 * log/disk growth, GC drift), so it runs four times longer than sustained at a rate far enough below
 * capacity that queueing near saturation does not mask slow degradation.
 *
 * Steps are jumps, not ramps: a stage of duration 0s moves the rate to the next level at once and the
 * following stage holds it, so each level of the runbook is measured at its nominal rate.
 *
 * Rates are whole iterations per second (k6 reads `rate`, `startRate` and stage targets as integers):
 * scaled rates are rounded and never go below 1. Durations are rounded to whole milliseconds.
 *
 * VUs are derived from the peak rate: preAllocatedVUs = max(10, ceil(peak / 10)), enough while an
 * iteration takes up to ~100 ms; maxVUs = max(100, peak), enough while it takes up to 1 s (Little's law:
 * busy VUs = rate x iteration time). Slower iterations need `maxVUs`; the run then reports dropped
 * iterations instead of silently delivering a lower rate.
 */
import { TelltaleError } from '../../errors.ts';

export const PROFILE_NAMES = ['baseline', 'progressive', 'spike', 'sustained', 'soak'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface ProfileParams {
  /** Multiplies every duration (0.05 turns the 10-minute spike into 30 s). Default 1. */
  timeScale?: number;
  /** Multiplies every rate. Default 1. */
  rateScale?: number;
  /** Capacity of the system under test in req/s; required by sustained and soak. */
  capacity?: number;
  /** Overrides the derived maxVUs. */
  maxVUs?: number;
  /** Exported function the scenario runs (k6 `exec`); `default` when absent. */
  exec?: string;
}

/** One level of a profile, after scaling. */
export interface ProfilePhase {
  label: string;
  /** Offset from the start of the scenario. */
  startMs: number;
  durationMs: number;
  /** Iterations per second. */
  rate: number;
}

/** A phase has either an absolute `rate` (req/s) or a `capacityShare` (fraction of --capacity). */
type PhaseSpec = { label: string; minutes: number } & ({ rate: number } | { capacityShare: number });

interface ProfileSpec {
  summary: string;
  phases: PhaseSpec[];
}

const PROFILES: Record<ProfileName, ProfileSpec> = {
  baseline: {
    summary: 'Baseline test: establish baseline metrics and verify the environment (runbook: 5 min, 50 RPS).',
    phases: [{ label: 'baseline', minutes: 5, rate: 50 }],
  },
  progressive: {
    summary: 'Progressive load test: five 3-minute steps (runbook: 100/250/500/750/1000 RPS).',
    phases: [
      { label: 'step 1', minutes: 3, rate: 100 },
      { label: 'step 2', minutes: 3, rate: 250 },
      { label: 'step 3', minutes: 3, rate: 500 },
      { label: 'step 4', minutes: 3, rate: 750 },
      { label: 'step 5', minutes: 3, rate: 1000 },
    ],
  },
  spike: {
    summary: 'Spike test: warm-up, a 20x spike, then recovery (runbook: 100 / 2000 / 100 RPS over 10 min).',
    phases: [
      { label: 'warm-up', minutes: 5, rate: 100 },
      { label: 'spike', minutes: 2, rate: 2000 },
      { label: 'recovery', minutes: 3, rate: 100 },
    ],
  },
  sustained: {
    summary: 'Sustained load test: 30 min at 80% of capacity; watch for degradation, leaks, connection exhaustion.',
    phases: [{ label: 'sustained', minutes: 30, capacityShare: 0.8 }],
  },
  soak: {
    summary: 'Soak test: 2 h at 60% of capacity; surfaces slow leaks and resource exhaustion.',
    phases: [{ label: 'soak', minutes: 120, capacityShare: 0.6 }],
  },
};

const MIN_TOTAL_MS = 1000;

function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}

function resolveName(name: string): ProfileName {
  const key = String(name).trim().toLowerCase();
  if (!isProfileName(key)) {
    throw new TelltaleError('TT_PROFILE_UNKNOWN', `unknown profile "${name}"; valid profiles: ${PROFILE_NAMES.join(', ')}`, { field: 'profile' });
  }
  return key;
}

function positive(value: number | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TelltaleError('TT_PROFILE_UNKNOWN', `${flag} must be a positive number, got ${String(value)}`, { field: flag.replace(/^--/, '') });
  }
  return value;
}

function capacityShare(spec: ProfileSpec): number | undefined {
  for (const p of spec.phases) if ('capacityShare' in p) return p.capacityShare;
  return undefined;
}

function wholeRate(r: number): number {
  return Math.max(1, Math.round(r));
}

/** Every built-in profile with its one-line summary, for help text and listings. */
export function listProfiles(): { name: ProfileName; summary: string }[] {
  return PROFILE_NAMES.map((name) => ({ name, summary: PROFILES[name].summary }));
}

/** The scaled phases of a profile: what `buildProfile` turns into stages and `describeProfile` prints. */
export function profilePhases(name: string, params: ProfileParams = {}): ProfilePhase[] {
  const key = resolveName(name);
  const spec = PROFILES[key];
  const timeScale = positive(params.timeScale, '--time-scale', 1);
  const rateScale = positive(params.rateScale, '--rate-scale', 1);
  const share = capacityShare(spec);
  let capacity = 0;
  if (share !== undefined) {
    if (params.capacity === undefined) {
      throw new TelltaleError(
        'TT_PROFILE_UNKNOWN',
        `profile "${key}" runs at ${Math.round(share * 100)}% of capacity: pass --capacity <req/s> (measure it with a capacity search)`,
        { field: 'capacity' },
      );
    }
    capacity = positive(params.capacity, '--capacity', 0);
  }
  let startMs = 0;
  const phases = spec.phases.map((p) => {
    const durationMs = Math.round(p.minutes * 60_000 * timeScale);
    const nominal = 'rate' in p ? p.rate : p.capacityShare * capacity;
    const phase: ProfilePhase = { label: p.label, startMs, durationMs, rate: wholeRate(nominal * rateScale) };
    startMs += durationMs;
    return phase;
  });
  if (startMs < MIN_TOTAL_MS || phases.some((p) => p.durationMs === 0)) {
    throw new TelltaleError('TT_PROFILE_UNKNOWN', `--time-scale ${timeScale} makes profile "${key}" too short (every phase must last at least 1ms, the whole run at least 1s)`, {
      field: 'time-scale',
    });
  }
  return phases;
}

/** Total length of a profile in milliseconds, after scaling. */
export function profileDurationMs(name: string, params: ProfileParams = {}): number {
  return profilePhases(name, params).reduce((sum, p) => sum + p.durationMs, 0);
}

/** preAllocatedVUs and maxVUs for a peak rate, per the rule in the module comment. */
export function profileVus(peakRate: number, maxVUsOverride?: number): { preAllocatedVUs: number; maxVUs: number } {
  let maxVUs = Math.max(100, Math.ceil(peakRate));
  if (maxVUsOverride !== undefined) {
    if (!Number.isInteger(maxVUsOverride) || maxVUsOverride < 1) {
      throw new TelltaleError('TT_PROFILE_UNKNOWN', `--max-vus must be a positive integer, got ${String(maxVUsOverride)}`, { field: 'maxVUs' });
    }
    maxVUs = maxVUsOverride;
  }
  const preAllocatedVUs = Math.min(maxVUs, Math.max(10, Math.ceil(peakRate / 10)));
  return { preAllocatedVUs, maxVUs };
}

/**
 * Formats milliseconds as a Go/k6 duration that parses back to exactly the same value ("2m9s500ms");
 * config/duration's formatDuration rounds, which would make stage boundaries drift.
 */
export function k6Duration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  rest -= s * 1000;
  let out = '';
  if (h) out += `${h}h`;
  if (m) out += `${m}m`;
  if (s) out += `${s}s`;
  if (rest) out += `${rest}ms`;
  return out;
}

/**
 * The k6 `options` fragment of a built-in profile: `{ scenarios: { <name>: {...} } }`. Single-level
 * profiles use constant-arrival-rate; multi-level ones use ramping-arrival-rate with jump stages.
 * Throws TT_PROFILE_UNKNOWN for an unknown name, a missing --capacity, or a bad parameter.
 */
export function buildProfile(name: string, params: ProfileParams = {}): Record<string, unknown> {
  const key = resolveName(name);
  const phases = profilePhases(key, params);
  const peak = Math.max(...phases.map((p) => p.rate));
  const { preAllocatedVUs, maxVUs } = profileVus(peak, params.maxVUs);
  let scenario: Record<string, unknown>;
  if (phases.length === 1) {
    scenario = {
      executor: 'constant-arrival-rate',
      rate: phases[0].rate,
      timeUnit: '1s',
      duration: k6Duration(phases[0].durationMs),
      preAllocatedVUs,
      maxVUs,
    };
  } else {
    const stages: { duration: string; target: number }[] = [];
    phases.forEach((p, i) => {
      if (i > 0) stages.push({ duration: '0s', target: p.rate });
      stages.push({ duration: k6Duration(p.durationMs), target: p.rate });
    });
    scenario = {
      executor: 'ramping-arrival-rate',
      startRate: phases[0].rate,
      timeUnit: '1s',
      stages,
      preAllocatedVUs,
      maxVUs,
    };
  }
  if (params.exec !== undefined) {
    if (typeof params.exec !== 'string' || params.exec.trim() === '') {
      throw new TelltaleError('TT_PROFILE_UNKNOWN', `exec must name an exported function, got ${JSON.stringify(params.exec)}`, { field: 'exec' });
    }
    scenario.exec = params.exec;
  }
  return { scenarios: { [key]: scenario } };
}

/**
 * A human-readable plan of a profile (for `telltale run --profile X --dry-run`): one row per phase with
 * its start offset, duration and rate, then the total and the VU allocation.
 */
export function describeProfile(name: string, params: ProfileParams = {}): string {
  const key = resolveName(name);
  const phases = profilePhases(key, params);
  const peak = Math.max(...phases.map((p) => p.rate));
  const { preAllocatedVUs, maxVUs } = profileVus(peak, params.maxVUs);
  const total = phases.reduce((sum, p) => sum + p.durationMs, 0);
  const executor = phases.length === 1 ? 'constant-arrival-rate' : 'ramping-arrival-rate';

  const header = ['phase', 'start', 'duration', 'rate'];
  const rows = phases.map((p) => [p.label, k6Duration(p.startMs), k6Duration(p.durationMs), `${p.rate} req/s`]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();

  const out = [`profile ${key}: ${PROFILES[key].summary}`];
  const scaling: string[] = [];
  if (params.timeScale !== undefined && params.timeScale !== 1) scaling.push(`time x${params.timeScale}`);
  if (params.rateScale !== undefined && params.rateScale !== 1) scaling.push(`rate x${params.rateScale}`);
  const share = capacityShare(PROFILES[key]);
  if (share !== undefined) scaling.push(`${Math.round(share * 100)}% of capacity ${params.capacity} req/s`);
  if (scaling.length) out.push(`scaling: ${scaling.join(', ')}`);
  out.push('');
  out.push(line(header));
  out.push(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) out.push(line(r));
  out.push('');
  out.push(`total ${k6Duration(total)} · ${executor} · preAllocatedVUs ${preAllocatedVUs}, maxVUs ${maxVUs}`);
  return out.join('\n');
}
