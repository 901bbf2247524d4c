/**
 * The multi-step check: a Telltale/k6 script run by the load engine for exactly one iteration of one VU
 * (a per-vu-iterations scenario replaces the script's own execution options; its thresholds stay). The run
 * passes when the iteration completed without throwing, every check() in it passed and every threshold
 * held. The response time is the iteration's duration (bundling and worker start-up are not counted).
 */
import { isTelltaleError } from '../errors.ts';
import { runTest, type RunOptions, type RunOutcome } from '../load/run.ts';
import type { SummaryGroup } from '../load/summary/types.ts';
import { evaluateAssertions, NOT_FOUND } from './assertions.ts';
import type { MultistepCheck } from './check-types.ts';
import type { ProbeOutcome, ScriptCheckSummary, ScriptDetails } from './result-types.ts';
import { verdict, type ProbeContext } from './verdict.ts';

export type RunTest = (options: RunOptions) => Promise<RunOutcome>;

/** Script errors kept per run: a loop that throws the same error is one finding. */
const MAX_SCRIPT_ERRORS = 10;

export async function runMultistepCheck(def: MultistepCheck, ctx: ProbeContext, run: RunTest = runTest): Promise<ProbeOutcome> {
  const start = ctx.elapsed();
  const scriptErrors: string[] = [];
  let outcome: RunOutcome;
  try {
    outcome = await run({
      script: def.script,
      env: { ...def.env },
      workers: 1,
      optionsOverride: {
        scenarios: {
          check: { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: `${Math.max(1, Math.round(def.timeoutMs))}ms`, gracefulStop: '0s' },
        },
      },
      signal: ctx.signal,
      noColor: true,
      observer: {
        onScriptError(message) {
          if (scriptErrors.length < MAX_SCRIPT_ERRORS) scriptErrors.push(message.split('\n')[0]);
        },
      },
    });
  } catch (err) {
    const message = isTelltaleError(err) ? err.format() : (err as Error).message;
    return verdict(def, { error: `the script could not run: ${message}`, durationMs: ctx.elapsed() - start, assertions: [] });
  }
  const metrics = outcome.report.summary.metrics;
  const iterations = metrics.iterations?.values.count ?? 0;
  const failedChecks: ScriptCheckSummary[] = [];
  let checksPassed = 0;
  let checksFailed = 0;
  walk(outcome.report.summary.root_group, (c) => {
    checksPassed += c.passes;
    checksFailed += c.fails;
    if (c.fails > 0) failedChecks.push(c);
  });
  const failedThresholds = outcome.thresholds.filter((t) => !t.ok).map((t) => `${t.metricKey}: ${t.expression}`);
  const details: ScriptDetails = { iterations, checksPassed, checksFailed, failedChecks, failedThresholds, scriptErrors };
  const iterationMs = metrics.iteration_duration?.values.max;
  const durationMs = typeof iterationMs === 'number' && Number.isFinite(iterationMs) ? iterationMs : ctx.elapsed() - start;

  const failures: string[] = [];
  if (ctx.signal.aborted) {
    const reason: unknown = ctx.signal.reason;
    failures.push(reason instanceof Error ? reason.message : 'aborted');
  } else if (outcome.report.meta.aborted === 'script') {
    failures.push(`the script aborted the test${outcome.report.meta.abortReason ? `: ${outcome.report.meta.abortReason}` : ''}`);
  }
  for (const e of scriptErrors) failures.push(`the iteration threw: ${e}`);
  if (iterations === 0 && scriptErrors.length === 0 && failures.length === 0) failures.push('the iteration did not complete');
  for (const c of failedChecks) failures.push(`check ${JSON.stringify(c.path)} failed ${c.fails} of ${c.passes + c.fails} times`);
  for (const t of failedThresholds) failures.push(`threshold ${t} failed`);
  const assertions = evaluateAssertions(def.assertions, (a) => (a.source === 'responseTime' ? { found: true, value: Math.round(durationMs) } : NOT_FOUND));
  return verdict(def, { durationMs, assertions, failures, script: details });
}

function walk(group: SummaryGroup, visit: (check: ScriptCheckSummary) => void): void {
  for (const c of group.checks) visit({ path: c.path, passes: c.passes, fails: c.fails });
  for (const g of group.groups) walk(g, visit);
}
