/**
 * The k6 compatibility suite: every script under scripts/ is an unmodified k6 script, run through the
 * CLI against the local stand-in server, and its outcome is compared with NAME.expect.json, which holds
 * what k6's documented semantics give for that script (exit code, checks, threshold verdicts, counts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { startCompatServer, type CompatServer } from './server.ts';
import { readJsonOutput, readSummaryExport, type SummaryExportView, type Verdict } from './k6-formats.ts';

/**
 * Scripts that run but do not (yet) behave as k6 does, each with what is missing. The test asserts that
 * they still FAIL their expectation, so an entry has to be removed once the feature lands. An
 * `intermittent` gap depends on timing: its run is reported but its outcome is not asserted.
 */
const KNOWN_GAPS: Record<string, { reason: string; intermittent?: boolean }> = {
};

const SCRIPTS = fileURLToPath(new URL('./scripts/', import.meta.url));
const PARALLEL_RUNS = 4;
const RUN_TIMEOUT_MS = 90_000;

type Range = { min?: number; max?: number };

interface Expectation {
  description: string;
  exitCode: number;
  /** Extra CLI arguments; `{dir}` is the run's own temporary directory (also its working directory). */
  args?: string[];
  /** Extra -e KEY=VALUE pairs besides BASE_URL. */
  env?: Record<string, string>;
  /** The run must stop before it starts: no summary export is written. */
  noRun?: boolean;
  checks?: { passes?: number; fails?: number; byName?: Record<string, { passes: number; fails: number }> };
  thresholds?: Record<string, Record<string, Verdict>>;
  metrics?: Record<string, Record<string, number | Range>>;
  /** Regular expressions that must match stdout, stderr, or either. */
  stdout?: string[];
  stderr?: string[];
  output?: string[];
  stdoutExcludes?: string[];
  /** JSON files the script writes (handleSummary), relative to the working directory, matched as subsets. */
  files?: Record<string, unknown>;
  maxWallSeconds?: number;
  jsonOutput?: {
    file: string;
    metricTypes?: Record<string, string>;
    metricThresholds?: Record<string, string[]>;
    pointCounts?: Record<string, number>;
    pointSums?: Record<string, number>;
    taggedPoints?: { metric: string; tags: Record<string, string>; count: number }[];
    /** Counters whose Point values must add up to the summary export's count. */
    matchesSummary?: string[];
  };
}

interface Outcome {
  result: CliResult;
  dir: string;
  wallMs: number;
  summary?: SummaryExportView;
  summaryError?: string;
}

let server: CompatServer;
const runs = new Map<string, Promise<Outcome>>();
const dirs: string[] = [];

const names = (await readdir(SCRIPTS)).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();
const expectations = new Map<string, Expectation>();
/** Scripts whose expectation file is missing or not JSON: reported by the first test, not run. */
const unreadable = new Map<string, string>();
for (const name of names) {
  try {
    expectations.set(name, JSON.parse(await readFile(path.join(SCRIPTS, `${name}.expect.json`), 'utf8')) as Expectation);
  } catch (err) {
    unreadable.set(name, (err as Error).message);
  }
}
/** K6_COMPAT_ONLY=name,name runs just those scripts (while working on them); the full suite runs otherwise. */
const only = process.env.K6_COMPAT_ONLY?.split(',').map((s) => s.trim()).filter((s) => s !== '');
const runnable = names.filter((n) => expectations.has(n) && (only === undefined || only.length === 0 || only.includes(n)));

function withBase(s: string): string {
  return s.replaceAll('{{BASE_URL}}', server.url);
}

async function runScript(name: string): Promise<Outcome> {
  const exp = expectations.get(name)!;
  const dir = await mkdtemp(path.join(tmpdir(), `telltale-k6compat-${name}-`));
  dirs.push(dir);
  const exportFile = path.join(dir, 'summary-export.json');
  const env = Object.entries(exp.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const extra = (exp.args ?? []).map((a) => a.replaceAll('{dir}', dir));
  const args = ['run', '--quiet', '--summary-export', exportFile, '-e', `BASE_URL=${server.url}`, ...env, ...extra, path.join(SCRIPTS, `${name}.js`)];
  const started = Date.now();
  const result = await runCli(args, { cwd: dir, timeoutMs: RUN_TIMEOUT_MS });
  const outcome: Outcome = { result, dir, wallMs: Date.now() - started };
  try {
    outcome.summary = readSummaryExport(await readFile(exportFile, 'utf8'));
  } catch (err) {
    outcome.summaryError = (err as Error).message;
  }
  return outcome;
}

/** Starts every run, at most PARALLEL_RUNS at a time, in name order; one promise per script. */
function scheduleAll(): void {
  const waiting: (() => void)[] = [];
  let active = 0;
  const acquire = async () => {
    if (active < PARALLEL_RUNS) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
  };
  // A finished run hands its slot straight to the next one waiting.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  for (const name of runnable) {
    runs.set(name, (async () => {
      await acquire();
      try {
        return await runScript(name);
      } catch (err) {
        return failedRun(err);
      } finally {
        release();
      }
    })());
  }
}

function failedRun(err: unknown): Outcome {
  return { result: { code: null, stdout: '', stderr: String(err) }, dir: '', wallMs: 0, summaryError: 'the run could not be started' };
}

function inRange(actual: number | undefined, want: number | Range): boolean {
  if (actual === undefined) return false;
  if (typeof want === 'number') return Math.abs(actual - want) < 1e-9;
  return (want.min === undefined || actual >= want.min) && (want.max === undefined || actual <= want.max);
}

function show(v: unknown): string {
  return JSON.stringify(v);
}

/** Every way the outcome departs from the expectation; empty when the script behaves as k6 would. */
async function mismatches(name: string, o: Outcome): Promise<string[]> {
  const exp = expectations.get(name)!;
  const out: string[] = [];
  const { code, stdout, stderr } = o.result;
  if (code !== exp.exitCode) out.push(`exit code ${code}, expected ${exp.exitCode}`);

  for (const re of exp.stdout ?? []) if (!new RegExp(re).test(stdout)) out.push(`stdout does not match /${re}/`);
  for (const re of exp.stderr ?? []) if (!new RegExp(re).test(stderr)) out.push(`stderr does not match /${re}/`);
  for (const re of exp.output ?? []) if (!new RegExp(re).test(stdout + stderr)) out.push(`output does not match /${re}/`);
  for (const re of exp.stdoutExcludes ?? []) if (new RegExp(re).test(stdout)) out.push(`stdout matches /${re}/ and should not`);
  if (exp.maxWallSeconds !== undefined && o.wallMs > exp.maxWallSeconds * 1000) out.push(`took ${o.wallMs} ms, more than ${exp.maxWallSeconds} s`);

  if (exp.noRun) {
    if (o.summary) out.push('a summary export was written although the run should not have started');
    return out;
  }
  const s = o.summary;
  if (!s) {
    out.push(`no readable summary export: ${o.summaryError}`);
    return out;
  }

  if (exp.checks) {
    const total = s.metrics.checks ?? {};
    if (exp.checks.passes !== undefined && total.passes !== exp.checks.passes) out.push(`checks passes ${total.passes}, expected ${exp.checks.passes}`);
    if (exp.checks.fails !== undefined && total.fails !== exp.checks.fails) out.push(`checks fails ${total.fails}, expected ${exp.checks.fails}`);
    for (const [key, want] of Object.entries(exp.checks.byName ?? {})) {
      // A key starting with :: is a full check path; a bare name adds up that name across groups.
      const matching = s.checks.filter((c) => (key.startsWith('::') ? c.path === key : c.name === key));
      const got = { passes: matching.reduce((n, c) => n + c.passes, 0), fails: matching.reduce((n, c) => n + c.fails, 0) };
      if (matching.length === 0) out.push(`check "${key}" missing`);
      else if (got.passes !== want.passes || got.fails !== want.fails) out.push(`check "${key}" ${show(got)}, expected ${show(want)}`);
    }
  }

  for (const [metric, verdicts] of Object.entries(exp.thresholds ?? {})) {
    const got = s.thresholds[metric];
    if (!got) {
      out.push(`no thresholds reported for ${metric}`);
      continue;
    }
    for (const [expr, verdict] of Object.entries(verdicts)) {
      if (got[expr] !== verdict) out.push(`threshold ${metric} '${expr}' is ${got[expr] ?? 'missing'}, expected ${verdict}`);
    }
  }

  for (const [metric, stats] of Object.entries(exp.metrics ?? {})) {
    const got = s.metrics[metric];
    if (!got) {
      out.push(`metric ${metric} missing from the summary export`);
      continue;
    }
    for (const [stat, want] of Object.entries(stats)) {
      if (!inRange(got[stat], want)) out.push(`${metric}.${stat} is ${got[stat]}, expected ${show(want)}`);
    }
  }

  for (const [file, want] of Object.entries(exp.files ?? {})) {
    try {
      const got = JSON.parse(await readFile(path.join(o.dir, file), 'utf8')) as Record<string, unknown>;
      for (const [k, v] of Object.entries(want as Record<string, unknown>)) {
        if (show(got[k]) !== show(v)) out.push(`${file}: ${k} is ${show(got[k])}, expected ${show(v)}`);
      }
    } catch (err) {
      out.push(`${file} not readable: ${(err as Error).message}`);
    }
  }

  if (exp.jsonOutput) out.push(...(await jsonOutputMismatches(exp.jsonOutput, o, s)));
  return out;
}

async function jsonOutputMismatches(exp: NonNullable<Expectation['jsonOutput']>, o: Outcome, s: SummaryExportView): Promise<string[]> {
  const out: string[] = [];
  let view;
  try {
    view = readJsonOutput(await readFile(path.join(o.dir, exp.file)));
  } catch (err) {
    return [`--out json file ${exp.file} not readable as k6 JSON: ${(err as Error).message}`];
  }
  for (const [metric, type] of Object.entries(exp.metricTypes ?? {})) {
    if (view.metrics[metric]?.type !== type) out.push(`json: metric ${metric} has type ${view.metrics[metric]?.type}, expected ${type}`);
  }
  for (const [metric, thresholds] of Object.entries(exp.metricThresholds ?? {})) {
    if (show(view.metrics[metric]?.thresholds) !== show(thresholds)) out.push(`json: ${metric} thresholds ${show(view.metrics[metric]?.thresholds)}, expected ${show(thresholds)}`);
  }
  const pointsOf = (metric: string) => view.points.filter((p) => p.metric === metric);
  const sum = (metric: string) => pointsOf(metric).reduce((n, p) => n + p.value, 0);
  for (const [metric, n] of Object.entries(exp.pointCounts ?? {})) {
    if (pointsOf(metric).length !== n) out.push(`json: ${pointsOf(metric).length} points of ${metric}, expected ${n}`);
  }
  for (const [metric, n] of Object.entries(exp.pointSums ?? {})) {
    if (sum(metric) !== n) out.push(`json: points of ${metric} add up to ${sum(metric)}, expected ${n}`);
  }
  for (const { metric, tags, count } of exp.taggedPoints ?? []) {
    const want = Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, withBase(v)]));
    const n = pointsOf(metric).filter((p) => Object.entries(want).every(([k, v]) => p.tags[k] === v)).length;
    if (n !== count) out.push(`json: ${n} points of ${metric} tagged ${show(want)}, expected ${count}`);
  }
  for (const metric of exp.matchesSummary ?? []) {
    if (sum(metric) !== s.metrics[metric]?.count) out.push(`json: ${metric} points add up to ${sum(metric)}, the summary export says ${s.metrics[metric]?.count}`);
  }
  if (view.points.length > 1 && view.points.some((p, i) => i > 0 && p.time.getTime() + 5000 < view.points[i - 1].time.getTime())) {
    out.push('json: point timestamps go backwards by more than 5 s');
  }
  return out;
}

beforeAll(async () => {
  server = await startCompatServer();
  scheduleAll();
});

afterAll(async () => {
  // Every run has to be over before the server goes away, including ones whose test was skipped.
  await Promise.all(runs.values());
  await server?.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('k6 compatibility suite', () => {
  it('has at least 30 scripts, each with an expectation, and only real scripts in KNOWN_GAPS', async () => {
    expect(names.length).toBeGreaterThanOrEqual(30);
    expect(Object.fromEntries(unreadable)).toEqual({});
    const expectFiles = (await readdir(SCRIPTS)).filter((f) => f.endsWith('.expect.json')).map((f) => f.slice(0, -'.expect.json'.length));
    expect(expectFiles.sort()).toEqual(names);
    for (const gap of Object.keys(KNOWN_GAPS)) expect(names).toContain(gap);
  });

  for (const name of runnable) {
    const gap = KNOWN_GAPS[name];
    const title = gap ? `${name} (known gap${gap.intermittent ? ', intermittent' : ''}: ${gap.reason})` : `${name}: ${expectations.get(name)!.description}`;
    it(title, { timeout: RUN_TIMEOUT_MS * 2 }, async () => {
      const outcome = await runs.get(name)!;
      const found = await mismatches(name, outcome);
      const context = `\n--- stdout ---\n${outcome.result.stdout.slice(-3000)}\n--- stderr ---\n${outcome.result.stderr.slice(-3000)}`;
      if (gap?.intermittent) {
        if (found.length > 0) console.warn(`${name}, known intermittent gap, differed from k6 this time: ${found.join('; ')}`);
        expect(outcome.result.code, `${name} did not finish${context}`).not.toBeNull();
      } else if (gap) {
        expect(found.length, `${name} now behaves as k6 does: remove it from KNOWN_GAPS`).toBeGreaterThan(0);
      } else {
        expect(found, found.length > 0 ? context : undefined).toEqual([]);
      }
    });
  }
});

