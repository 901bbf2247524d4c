/**
 * One scheduled run of a check: attempts with the check's timeout each (an AbortSignal the probe must
 * honour; if it does not, the timeout still ends the attempt), and up to `retries` more attempts after a
 * failed one, `retryDelay` apart, before the run counts as failed. The result is the last attempt's.
 */
import type { Clock } from '../load/clock.ts';
import type { CheckDefinition, CheckType } from './check-types.ts';
import { runDnsCheck } from './dns-check.ts';
import { runHeartbeatCheck } from './heartbeat-check.ts';
import type { HeartbeatStore } from './heartbeat-store.ts';
import { runHttpCheck } from './http-check.ts';
import { runMultistepCheck, type RunTest } from './multistep-check.ts';
import type { CheckResult, ProbeOutcome } from './result-types.ts';
import { runTcpCheck } from './tcp-check.ts';
import { runTlsCheck } from './tls-check.ts';
import { describeError, verdict, type ProbeContext } from './verdict.ts';

export type Probe = (def: CheckDefinition, ctx: ProbeContext) => Promise<ProbeOutcome> | ProbeOutcome;

export interface RunCheckDeps {
  /** Wall clock and timer: timeouts and retry delays sleep on it, results are stamped with it. */
  readonly clock: Clock;
  /** Monotonic ms for measuring (performance.now by default). */
  readonly elapsed?: () => number;
  readonly heartbeats?: HeartbeatStore;
  /** The load engine's runTest, for multistep checks (replaceable in tests). */
  readonly runTest?: RunTest;
  /** Replaces the probe of a check type (tests; custom probes). */
  readonly probes?: Partial<Record<CheckType, Probe>>;
}

const defaultElapsed = () => performance.now();
/**
 * Reasons for aborting signals once an attempt is over. Preallocated: AbortController.abort() without a
 * reason builds a DOMException, whose construction costs more than the rest of a check's bookkeeping.
 */
const ATTEMPT_OVER = new Error('the attempt is over');

export function probeFor(type: CheckType, deps: RunCheckDeps): Probe {
  const custom = deps.probes?.[type];
  if (custom !== undefined) return custom;
  switch (type) {
    case 'http':
      return (def, ctx) => runHttpCheck(def as Extract<CheckDefinition, { type: 'http' }>, ctx);
    case 'tcp':
      return (def, ctx) => runTcpCheck(def as Extract<CheckDefinition, { type: 'tcp' }>, ctx);
    case 'dns':
      return (def, ctx) => runDnsCheck(def as Extract<CheckDefinition, { type: 'dns' }>, ctx);
    case 'tls':
      return (def, ctx) => runTlsCheck(def as Extract<CheckDefinition, { type: 'tls' }>, ctx);
    case 'multistep':
      return (def, ctx) => runMultistepCheck(def as Extract<CheckDefinition, { type: 'multistep' }>, ctx, deps.runTest);
    case 'heartbeat':
      return (def, ctx) => runHeartbeatCheck(def as Extract<CheckDefinition, { type: 'heartbeat' }>, deps.heartbeats, ctx);
    default:
      return (def) => verdict(def, { error: `no probe for check type ${String(type)}`, durationMs: 0, assertions: [] });
  }
}

/** Runs `def` once (with its retries); `signal` stops it early (the scheduler stopping or the check removed). */
export async function runCheck(def: CheckDefinition, deps: RunCheckDeps, signal?: AbortSignal): Promise<CheckResult> {
  const startedAt = deps.clock.now();
  const probe = probeFor(def.type, deps);
  let attempts = 0;
  let outcome: ProbeOutcome;
  for (;;) {
    attempts++;
    outcome = await attempt(def, probe, deps, signal);
    if (outcome.status !== 'failed' || attempts > def.retries || signal?.aborted) break;
    if (def.retryDelayMs > 0) {
      try {
        await deps.clock.sleep(def.retryDelayMs, signal);
      } catch {
        break;
      }
    }
  }
  return { ...outcome, check: def.name, type: def.type, startedAt, attempts };
}

async function attempt(def: CheckDefinition, probe: Probe, deps: RunCheckDeps, outer?: AbortSignal): Promise<ProbeOutcome> {
  const elapsed = deps.elapsed ?? defaultElapsed;
  const controller = new AbortController();
  const timer = new AbortController();
  const onOuter = () => controller.abort(new Error('the run was stopped'));
  if (outer?.aborted) onOuter();
  outer?.addEventListener('abort', onOuter, { once: true });
  deps.clock.sleep(def.timeoutMs, timer.signal).then(
    () => controller.abort(new Error(`timed out after ${def.timeoutMs}ms`)),
    () => undefined,
  );
  const t0 = elapsed();
  let probeDone = false;
  const ctx: ProbeContext = { signal: controller.signal, now: () => deps.clock.now(), elapsed };
  const failed = (err: unknown) => verdict(def, { error: describeError(err, controller.signal), durationMs: elapsed() - t0, assertions: [] });
  try {
    const cutShort = new Promise<ProbeOutcome>((resolve) => {
      // One event-loop turn for a probe that honours its signal to return its own outcome (with what it measured
      // so far); a probe that ignores the signal is cut short after it.
      const onAbort = () => deps.clock.defer(() => resolve(failed(undefined)));
      if (controller.signal.aborted) onAbort();
      else controller.signal.addEventListener('abort', onAbort, { once: true });
    });
    const run = (async () => {
      try {
        return await probe(def, ctx);
      } finally {
        probeDone = true;
      }
    })().catch(failed);
    return await Promise.race([run, cutShort]);
  } finally {
    timer.abort(ATTEMPT_OVER);
    outer?.removeEventListener('abort', onOuter);
    // Only a probe still running (cut short, ignoring its signal) needs telling; aborting a finished one's
    // signal would make node:http build an AbortError for a request that is already over.
    if (!probeDone && !controller.signal.aborted) controller.abort(ATTEMPT_OVER);
  }
}
