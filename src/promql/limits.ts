/**
 * Limits that keep one query from taking the server down: the number of samples held at once, a deadline
 * (and the caller's AbortSignal), and the number of points per series of a range query.
 */
import { TelltaleError } from '../errors.ts';

export interface QueryLimits {
  /** Most samples a query may hold in memory at once (Prometheus' --query.max-samples, 50,000,000). */
  maxSamples: number;
  /** Milliseconds a query may run (Prometheus' --query.timeout, 2m). */
  timeout: number;
  /** Most steps a range query may have (Prometheus refuses more than 11,000). */
  maxPoints: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxSamples: 50_000_000, timeout: 120_000, maxPoints: 11_000 };

/** Tracks one query's deadline and sample count. */
export class QueryGuard {
  readonly limits: QueryLimits;
  private readonly deadline: number;
  private readonly now: () => number;
  private readonly signal: AbortSignal | undefined;
  private current = 0;
  peak = 0;
  total = 0;

  constructor(limits: QueryLimits, now: () => number, signal?: AbortSignal) {
    this.limits = limits;
    this.now = now;
    this.signal = signal;
    this.deadline = now() + limits.timeout;
  }

  /** Throws when the query ran out of time or the caller aborted it. */
  check(where: string): void {
    if (this.signal?.aborted) {
      throw new TelltaleError('TT_PROMQL_EXEC', `query was canceled in ${where}`, { field: 'canceled' });
    }
    if (this.now() > this.deadline) {
      throw new TelltaleError('TT_PROMQL_EXEC', `query timed out in ${where}`, { field: 'timeout' });
    }
  }

  /** Accounts for `n` more samples held; throws when the query holds more than maxSamples. */
  add(n: number): void {
    this.current += n;
    this.total += n;
    if (this.current > this.peak) this.peak = this.current;
    if (this.current > this.limits.maxSamples) {
      throw new TelltaleError(
        'TT_PROMQL_EXEC',
        'query processing would load too many samples into memory in query execution',
        { field: 'max_samples' },
      );
    }
  }

  release(n: number): void {
    this.current -= n;
  }
}

export function isTimeout(err: unknown): boolean {
  return err instanceof TelltaleError && err.code === 'TT_PROMQL_EXEC' && (err.field === 'timeout' || err.field === 'canceled');
}
