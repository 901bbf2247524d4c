/** `telltale run SCRIPT` — runs a load test with k6's flags and outputs. */
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { TelltaleError } from '../../errors.ts';
import { runTest, type RunObserver, type RunOutcome, type RunOptions } from '../../load/run.ts';
import { progressReporter } from '../../load/reporters/progress.ts';
import { addRunFlags, cliOverrides, scriptModeFrom, envFrom, parseKeyValues, parsePositive, parseCount, timeUnitFrom, trendStatsFrom, type RunFlags } from '../run-flags.ts';
import { parseOutputSpecs, NdjsonOutput, CsvOutput, renderHtmlReport, type OutputSpec } from '../../load/outputs/index.ts';
import { renderTextSummary, toSummaryExport } from '../../load/summary/index.ts';
import { buildProfile } from '../../load/profiles/index.ts';
import { recordingEnabled, recordRun } from '../../runs/recorder.ts';

export type SetExit = (code: number) => void;

/** Run history flags, on `run` only. */
export interface RecordFlags {
  record?: boolean;
  store?: string;
  recordOut?: string;
  push?: string;
  testName?: string;
}

export function registerRun(program: Command, setExit: SetExit): void {
  addRunFlags(program.command('run').argument('<script>', 'test script (.ts or .js)').description('run a load test (k6-compatible)'))
    .option('--record', 'write a run record to the store (the default inside CI)')
    .option('--no-record', 'do not write a run record, even inside CI')
    .option('--store <url|path>', 'run store: a SQLite file (default .telltale/telltale.db) or a postgres:// URL; env TELLTALE_STORE')
    .option('--record-out <file>', 'also write the run record as one JSON file (for CI artifacts)')
    .option('--push <url>', 'also send the run record to a telltale serve at this URL (token from env TELLTALE_TOKEN)')
    .option('--test-name <name>', 'name runs are grouped by for baselines (default: options.cloud.name, else the script file name)')
    .action(async (script: string, flags: RunFlags & RecordFlags) => {
      setExit(await runCommand(script, flags));
    });
}

interface SampleWriter {
  defineMetrics(defs: import('../../metrics/types.ts').MetricDef[], thresholds: Record<string, string[]>): void;
  addSamples(samples: import('../../metrics/types.ts').Sample[]): void;
  close(): Promise<void>;
}

export function profileOverride(flags: RunFlags): Record<string, unknown> | undefined {
  if (!flags.profile) return undefined;
  return buildProfile(flags.profile, {
    timeScale: parsePositive(flags.profileTimeScale, '--profile-time-scale'),
    rateScale: parsePositive(flags.profileRateScale, '--profile-rate-scale'),
    capacity: parsePositive(flags.capacity, '--capacity'),
    maxVUs: parseCount(flags.maxVus, '--max-vus', 1),
  });
}

export async function runCommand(script: string, flags: RunFlags & RecordFlags): Promise<number> {
  const specs = parseOutputSpecs(flags.out);
  const mode = flags.summaryMode ?? 'compact';
  if (mode !== 'compact' && mode !== 'full' && mode !== 'legacy') {
    throw new TelltaleError('TT_USAGE', `--summary-mode ${JSON.stringify(mode)}: expected compact, full or legacy`, { field: '--summary-mode' });
  }
  const tags = parseKeyValues(flags.tag, '--tag');
  const optionsOverride = { ...profileOverride(flags), ...(Object.keys(tags).length ? { tags } : {}) };
  const color = flags.color && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const writers = await openSampleWriters(specs);
  const stderr = (s: string) => process.stderr.write(s);
  const progress = flags.quiet ? undefined : progressReporter({ tty: Boolean(process.stderr.isTTY) && !process.env.CI, write: stderr });

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      stderr('\nstopping the test (Ctrl-C again to quit at once)...\n');
      controller.abort();
    } else {
      process.exit(105);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  const observer: RunObserver = {
    onStart(info) {
      for (const w of writers) w.defineMetrics(info.metrics, info.thresholds);
      if (!flags.quiet) {
        const names = info.scenarios.map((s) => `${s.name} (${s.executor})`).join(', ');
        stderr(`telltale: ${info.script}: ${info.scenarios.length} scenario${info.scenarios.length === 1 ? '' : 's'}: ${names}; up to ${info.vusMax} VUs on ${info.workers} worker${info.workers === 1 ? '' : 's'}\n`);
      }
    },
    onProgress: progress?.onProgress,
    onScriptError(message, n) {
      progress?.finish();
      stderr(n > 1 ? `ERRO ${message.split('\n')[0]} (repeated ${n} more times)\n` : `ERRO ${message}\n`);
    },
    onWarning(message) {
      progress?.finish();
      stderr(`WARN ${message}\n`);
    },
    onSamples: writers.length ? (samples) => { for (const w of writers) w.addSamples(samples); } : undefined,
  };

  let outcome: RunOutcome;
  try {
    const runOptions: RunOptions = {
      script,
      scriptMode: scriptModeFrom(flags),
      env: envFrom(flags),
      cli: cliOverrides(flags),
      optionsOverride: Object.keys(optionsOverride).length ? optionsOverride : undefined,
      workers: parseCount(flags.workers, '--workers', 1),
      summaryTrendStats: trendStatsFrom(flags),
      summaryTimeUnit: timeUnitFrom(flags),
      noThresholds: !flags.thresholds,
      collectSamples: writers.length > 0,
      observer,
      signal: controller.signal,
      isStdOutTTY: Boolean(process.stdout.isTTY),
      isStdErrTTY: Boolean(process.stderr.isTTY),
      noColor: !color,
    };
    outcome = await runTest(runOptions);
  } finally {
    progress?.finish();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await Promise.all(writers.map((w) => w.close()));
  }

  await writeArtifacts(outcome, specs, flags.summaryExport);
  if (outcome.handleSummary) {
    await writeHandleSummary(outcome.handleSummary);
  } else if (flags.summary) {
    process.stdout.write(`${renderTextSummary(outcome.report.summary, { color, mode })}\n`);
  }
  const failed = outcome.thresholds.filter((t) => !t.ok);
  if (failed.length) {
    const metrics = [...new Set(failed.map((t) => t.metricKey))].map((m) => `'${m}'`).join(', ');
    stderr(`ERRO thresholds on metrics ${metrics} have been crossed\n`);
  }
  if (outcome.report.meta.aborted === 'threshold') stderr('ERRO the test was aborted because a threshold with abortOnFail was crossed\n');
  if (outcome.report.meta.aborted === 'script') {
    const reason = outcome.report.meta.abortReason;
    stderr(`ERRO the test was aborted by the script (exec.test.abort)${reason ? `: ${reason}` : ''}\n`);
  }
  const recordCode = await writeRecord(outcome, script, flags, stderr);
  return outcome.exitCode !== 0 ? outcome.exitCode : recordCode;
}

/** Writes the run record where asked; a failure is reported and gives the exit code, the run's output stands. */
async function writeRecord(outcome: RunOutcome, script: string, flags: RecordFlags & { quiet?: boolean }, stderr: (s: string) => void): Promise<number> {
  const toStore = recordingEnabled(flags.record, process.env);
  if (!toStore && flags.recordOut === undefined && flags.push === undefined) return 0;
  try {
    const r = await recordRun({ outcome, script, testName: flags.testName, toStore, storeSpec: flags.store, outFile: flags.recordOut, pushUrl: flags.push, env: process.env, cwd: process.cwd() });
    if (!flags.quiet) {
      const where = [r.stored ? r.stored.store : undefined, r.file, r.pushed?.url].filter(Boolean).join(' and ');
      stderr(`telltale: run ${r.record.id} (test "${r.record.testName}") recorded to ${where}\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof TelltaleError) {
      stderr(`error: the run record was not written: ${err.format()}\n`);
      return err.exitCode;
    }
    stderr(`internal error: the run record was not written: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 103;
  }
}

async function openSampleWriters(specs: OutputSpec[]): Promise<SampleWriter[]> {
  const writers: SampleWriter[] = [];
  for (const s of specs) {
    if (s.kind === 'json') writers.push(await NdjsonOutput.open(s.path));
    else if (s.kind === 'csv') writers.push(await CsvOutput.open(s.path));
  }
  return writers;
}

async function writeArtifacts(outcome: RunOutcome, specs: OutputSpec[], summaryExport: string | undefined): Promise<void> {
  if (summaryExport) await writeOrFail(summaryExport, `${JSON.stringify(toSummaryExport(outcome.report.summary), null, 2)}\n`, '--summary-export');
  for (const s of specs) {
    if (s.kind === 'html') await writeOrFail(s.path, renderHtmlReport(outcome.report), '--out html');
  }
}

async function writeHandleSummary(result: Record<string, unknown>): Promise<void> {
  for (const [key, value] of Object.entries(result)) {
    const content = typeof value === 'string' ? value : value instanceof ArrayBuffer ? Buffer.from(value) : JSON.stringify(value);
    if (key === 'stdout') process.stdout.write(content);
    else if (key === 'stderr') process.stderr.write(content);
    else await writeOrFail(key, content, 'handleSummary()');
  }
}

async function writeOrFail(path: string, content: string | Buffer, what: string): Promise<void> {
  try {
    await writeFile(path, content);
  } catch (err) {
    throw new TelltaleError('TT_OUTPUT_INVALID', `${what}: cannot write ${path}: ${(err as Error).message}`, { file: path, cause: err });
  }
}
