/**
 * Green / amber / red against a service's targets, like the "Current Performance Status" block of the
 * performance-tracking runbook: a value at or over its critical level is red, at or over its warning
 * level amber, else green; no value is grey.
 */
import type { Targets } from './api.ts';

export type Level = 'ok' | 'warn' | 'crit' | 'none';

export function level(value: number | null, warning: number, critical: number): Level {
  if (value === null || Number.isNaN(value)) return 'none';
  if (value >= critical) return 'crit';
  if (value >= warning) return 'warn';
  return 'ok';
}

export interface Signals {
  /** seconds */
  p95: number | null;
  p99: number | null;
  rps: number | null;
  /** ratio */
  errors: number | null;
  /** cores */
  cpu: number | null;
  /** bytes */
  memory: number | null;
  /** ratio of successful checks over 24 h; null without checks */
  availability: number | null;
  /** 1 while every check of the service succeeds, 0 while one fails; null without checks */
  checksUp: number | null;
}

export function signalLevels(s: Signals, t: Targets): Record<'p95' | 'errors' | 'cpu' | 'checks', Level> {
  return {
    // a failing check is the service (or a dependency) not answering: as bad as it gets
    checks: s.checksUp === null ? 'none' : s.checksUp < 1 ? 'crit' : 'ok',
    p95: level(s.p95 === null ? null : s.p95 * 1000, t.p95_warning, t.p95_critical),
    errors: level(s.errors, t.error_rate_warning, t.error_rate_critical),
    cpu: level(s.cpu, t.cpu_warning, t.cpu_critical),
  };
}

/** Whether a value is over its objective (p95, p99, error rate), short of the warning level or not. */
export function overTarget(value: number | null, target: number): boolean {
  return value !== null && value > target;
}

const RANK: Record<Level, number> = { none: 0, ok: 1, warn: 2, crit: 3 };

/** The worst of the levels; 'none' only when no signal has a value. */
export function worst(levels: Level[]): Level {
  return levels.reduce<Level>((a, b) => (RANK[b] > RANK[a] ? b : a), 'none');
}

export const LEVEL_TEXT: Record<Level, string> = { ok: 'Good', warn: 'Degraded', crit: 'Critical', none: 'No data' };
