/** Turns the outcome of a run into its run record. */
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import type { RunOutcome } from '../load/run.ts';
import type { RunEnvironment } from './environment.ts';
import { serializeTrend } from './histogram-codec.ts';
import { toJson, validateRecord } from './json.ts';
import { RECORD_FORMAT, RECORD_VERSION, type RunRecord } from './schema.ts';

export interface BuildRecordInput {
  outcome: Pick<RunOutcome, 'report' | 'thresholds' | 'thresholdsOk' | 'exitCode' | 'options' | 'scriptOptions'>;
  /** the script path as given on the command line */
  script: string;
  /** the script file's bytes, for its hash */
  scriptSource: Uint8Array | string;
  environment: RunEnvironment;
  /** --test-name */
  testName?: string;
  /** defaults to a random UUID */
  id?: string;
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function field(obj: unknown, ...keys: string[]): unknown {
  let v = obj;
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/**
 * The test name runs are grouped by: `--test-name`, else the script's k6 metadata (`options.cloud.name`, or the
 * older `options.ext.loadimpact.name`), else the script's file name without its extension.
 */
export function testNameOf(cliName: string | undefined, scriptOptions: Record<string, unknown>, script: string): string {
  return (
    nonEmpty(cliName) ??
    nonEmpty(field(scriptOptions, 'cloud', 'name')) ??
    nonEmpty(field(scriptOptions, 'ext', 'loadimpact', 'name')) ??
    path.basename(script).replace(/\.[^.]+$/, '')
  ).slice(0, 200);
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function buildRunRecord(input: BuildRecordInput): RunRecord {
  const { outcome, environment } = input;
  const { report } = outcome;
  // the parsed per-metric thresholds are derived from thresholdsRaw, which is kept
  const { thresholds: _parsed, ...options } = outcome.options;
  const status: Record<string, unknown> = { exitCode: outcome.exitCode, thresholdsPassed: outcome.thresholdsOk };
  if (report.meta.aborted !== undefined) status.aborted = report.meta.aborted;
  if (report.meta.abortReason !== undefined) status.abortReason = report.meta.abortReason;
  const record = {
    format: RECORD_FORMAT,
    version: RECORD_VERSION,
    id: input.id ?? randomUUID(),
    testName: testNameOf(input.testName, outcome.scriptOptions, input.script),
    script: { path: input.script, sha256: sha256(input.scriptSource) },
    startTime: report.meta.startTime,
    endTime: report.meta.endTime,
    status,
    git: environment.git,
    ci: environment.ci,
    telltale: { version: report.meta.version, workers: report.meta.workers },
    options,
    thresholds: outcome.thresholds.map((t) => ({ metricKey: t.metricKey, expression: t.expression, ok: t.ok })),
    summary: report.summary,
    histograms: Object.fromEntries(Object.entries(report.histograms ?? {}).map(([k, v]) => [k, serializeTrend(v)])),
    intervalMs: 1000,
    timeline: report.timeline,
    endpoints: (report.endpoints ?? []).map((e) => ({ ...e, durations: e.durations === null ? null : serializeTrend(e.durations) })),
    errors: report.errors,
  };
  // through JSON and the schema: the record in its canonical form, exactly as an export and re-import gives it
  return validateRecord(JSON.parse(toJson(record)), `run of ${input.script}`);
}
