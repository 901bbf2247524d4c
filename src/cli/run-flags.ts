/** The k6-compatible flags shared by `run` and `capacity`, and their translation to RunOptions. */
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { TelltaleError } from '../errors.ts';
import { parseDurationFlag } from '../config/duration.ts';
import { parseStageFlag, type CliOverrides } from '../load/options.ts';

export interface RunFlags {
  vus?: string;
  duration?: string;
  iterations?: string;
  stage: string[];
  env: string[];
  tag: string[];
  out: string[];
  summaryExport?: string;
  quiet?: boolean;
  color: boolean;
  summaryTrendStats?: string;
  summaryTimeUnit?: string;
  summaryMode?: string;
  summary: boolean;
  thresholds: boolean;
  workers?: string;
  includeSystemEnvVars?: boolean;
  profile?: string;
  profileTimeScale?: string;
  profileRateScale?: string;
  capacity?: string;
  maxVus?: string;
  scriptMode: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function addRunFlags(cmd: Command): Command {
  return cmd
    .option('-u, --vus <n>', 'number of VUs (shortcut for a constant-vus or shared-iterations scenario)')
    .option('-d, --duration <duration>', 'test duration, e.g. 30s, 1m30s')
    .option('-i, --iterations <n>', 'total iterations (shared between VUs)')
    .option('-s, --stage <duration:target>', 'a ramping stage, repeatable: -s 10s:20 -s 30s:20 -s 5s:0', collect, [])
    .option('-e, --env <KEY=VALUE>', 'set __ENV.KEY, repeatable', collect, [])
    .option('--tag <NAME=VALUE>', 'add a tag to every sample, repeatable', collect, [])
    .option('--include-system-env-vars', 'pass the process environment to __ENV')
    .option('-o, --out <spec>', 'write results: json=FILE[.gz], csv=FILE, html=FILE; repeatable', collect, [])
    .option('--summary-export <file>', 'write the end-of-test summary as JSON (k6 format)')
    .option('--summary-trend-stats <stats>', 'trend stats in the summary, e.g. avg,min,med,max,p(90),p(95),p(99)')
    .option('--summary-time-unit <unit>', 'show durations in the summary in s, ms or us')
    .option('--summary-mode <mode>', 'summary layout: compact, full or legacy', 'compact')
    .option('--no-summary', 'do not print the end-of-test summary')
    .option('--no-thresholds', 'do not evaluate thresholds')
    .option('-q, --quiet', 'no progress output')
    .option('--no-color', 'no colors in the output')
    .option('--script-mode <mode>', 'auto: detect synchronous k6 scripts and await their requests; k6: always; native: never', 'auto')
    .option('--workers <n>', `worker threads running VUs (default: one per core, ${availableParallelism()} here)`)
    .option('--profile <name>', 'use a built-in load profile: baseline, progressive, spike, sustained, soak')
    .option('--profile-time-scale <x>', 'multiply the profile durations (0.05 turns a 10-minute profile into 30 s)')
    .option('--profile-rate-scale <x>', 'multiply the profile rates')
    .option('--capacity <rps>', 'known capacity in requests/s (for the sustained and soak profiles)')
    .option('--max-vus <n>', 'maxVUs of the profile scenario');
}

export function parseKeyValues(values: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0) throw new TelltaleError('TT_USAGE', `${flag} ${JSON.stringify(v)}: expected KEY=VALUE`, { field: flag });
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

export function parseCount(value: string | undefined, flag: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) {
    throw new TelltaleError('TT_USAGE', `${flag} ${JSON.stringify(value)}: expected a whole number${min ? ` >= ${min}` : ''}`, { field: flag });
  }
  return Number(value);
}

export function parsePositive(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new TelltaleError('TT_USAGE', `${flag} ${JSON.stringify(value)}: expected a positive number`, { field: flag });
  return n;
}

export function cliOverrides(f: RunFlags): CliOverrides {
  const o: CliOverrides = {};
  const vus = parseCount(f.vus, '--vus');
  if (vus !== undefined) o.vus = vus;
  if (f.duration !== undefined) o.durationMs = parseDurationFlag(f.duration, '--duration');
  const iterations = parseCount(f.iterations, '--iterations', 1);
  if (iterations !== undefined) o.iterations = iterations;
  if (f.stage.length) o.stages = f.stage.map((s) => parseStageFlag(s));
  return o;
}

export function envFrom(f: Pick<RunFlags, 'env' | 'includeSystemEnvVars'>): Record<string, string> {
  const env: Record<string, string> = {};
  if (f.includeSystemEnvVars) {
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  }
  return { ...env, ...parseKeyValues(f.env, '--env') };
}

export function trendStatsFrom(f: RunFlags): string[] | undefined {
  return f.summaryTrendStats === undefined ? undefined : f.summaryTrendStats.split(',').map((s) => s.trim()).filter(Boolean);
}

export function scriptModeFrom(f: Pick<RunFlags, 'scriptMode'>): 'auto' | 'k6' | 'native' {
  const m = f.scriptMode ?? 'auto';
  if (m === 'auto' || m === 'k6' || m === 'native') return m;
  throw new TelltaleError('TT_USAGE', `--script-mode ${JSON.stringify(m)}: expected auto, k6 or native`, { field: '--script-mode' });
}

export function timeUnitFrom(f: RunFlags): 's' | 'ms' | 'us' | undefined {
  if (f.summaryTimeUnit === undefined) return undefined;
  if (f.summaryTimeUnit === 's' || f.summaryTimeUnit === 'ms' || f.summaryTimeUnit === 'us') return f.summaryTimeUnit;
  throw new TelltaleError('TT_USAGE', `--summary-time-unit ${JSON.stringify(f.summaryTimeUnit)}: expected s, ms or us`, { field: '--summary-time-unit' });
}
