/**
 * Turns what a probe measured into its verdict, the same way for every check type: an error or a failed
 * assertion fails the run, a response slower than maxResponseTime fails it, one slower than
 * degradedResponseTime (or a probe's own warning, like a certificate close to expiry) degrades it.
 */
import type { CheckDefinition } from './check-types.ts';
import type { ProbeOutcome } from './result-types.ts';

/** What every probe gets for one attempt. */
export interface ProbeContext {
  /** Aborted when the attempt times out or the scheduler stops: the probe must give up and return. */
  readonly signal: AbortSignal;
  /** Wall-clock epoch ms (certificate expiry, heartbeat deadlines): the scheduler's clock. */
  readonly now: () => number;
  /** A monotonic millisecond clock for measuring phases (performance.now in production). */
  readonly elapsed: () => number;
}

export type ProbeMeasurement = Omit<ProbeOutcome, 'status' | 'failures' | 'degradations'> & {
  /** Failures found by the probe itself, beyond the error and the assertions. */
  failures?: string[];
  degradations?: string[];
};

export function verdict(def: CheckDefinition, m: ProbeMeasurement): ProbeOutcome {
  const failures = m.error === undefined ? [] : [m.error];
  failures.push(...(m.failures ?? []));
  for (const a of m.assertions) if (!a.ok) failures.push(a.message);
  const degradations = [...(m.degradations ?? [])];
  // Response-time limits only mean something when there was a response.
  if (m.error === undefined) {
    const ms = Math.round(m.durationMs);
    if (def.maxResponseTimeMs !== undefined && m.durationMs > def.maxResponseTimeMs) {
      failures.push(`response time ${ms}ms is over maxResponseTime ${def.maxResponseTimeMs}ms`);
    } else if (def.degradedResponseTimeMs !== undefined && m.durationMs > def.degradedResponseTimeMs) {
      degradations.push(`response time ${ms}ms is over degradedResponseTime ${def.degradedResponseTimeMs}ms`);
    }
  }
  const status = failures.length > 0 ? 'failed' : degradations.length > 0 ? 'degraded' : 'passed';
  return { ...m, status, failures, degradations };
}

/** A message for an error thrown by a socket or resolver, with the abort reason when the attempt was cut short. */
export function describeError(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof Error ? reason.message : 'aborted';
  }
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== undefined && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}
