/**
 * Sending one notification reliably: each attempt has its own timeout; network errors, timeouts, 408, 429
 * and 5xx are retried with exponential backoff and jitter up to the receiver's max_attempts; any other 4xx
 * is final (sending the same body again cannot succeed). Sleeping and randomness are injected so tests run
 * on a fake clock.
 */
import { TelltaleError } from '../../errors.ts';

export interface DeliveryEnv {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export class NotifyError extends Error {
  readonly retryable: boolean;
  readonly status?: number;
  /** from a 429's Retry-After, in ms */
  readonly retryAfterMs?: number;
  constructor(message: string, retryable: boolean, status?: number, retryAfterMs?: number) {
    super(message);
    this.name = 'NotifyError';
    this.retryable = retryable;
    if (status !== undefined) this.status = status;
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

/** The wait before attempt `n + 1` (n ≥ 1): half fixed, half random, doubling each time up to 30 s. */
export function backoffDelay(n: number, random: () => number): number {
  const d = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (n - 1));
  return Math.round(d / 2 + (random() * d) / 2);
}

export interface AttemptResult {
  attempts: number;
}

export async function deliver(
  what: string,
  options: { timeoutMs: number; maxAttempts: number },
  env: DeliveryEnv,
  attempt: (signal: AbortSignal) => Promise<void>,
): Promise<AttemptResult> {
  let last: NotifyError | undefined;
  for (let n = 1; n <= options.maxAttempts; n++) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`timed out after ${options.timeoutMs} ms`)), options.timeoutMs);
    try {
      await attempt(controller.signal);
      return { attempts: n };
    } catch (err) {
      last = err instanceof NotifyError ? err : new NotifyError(controller.signal.aborted ? `timed out after ${options.timeoutMs} ms` : (err as Error).message, true);
      if (!last.retryable) break;
    } finally {
      clearTimeout(timer);
    }
    if (n < options.maxAttempts) await env.sleep(Math.min(MAX_DELAY_MS, Math.max(backoffDelay(n, env.random), last.retryAfterMs ?? 0)));
  }
  throw new TelltaleError('TT_ALERTING_NOTIFY', `${what}: ${last?.message ?? 'not sent'}`, { cause: last });
}

/** POSTs JSON and classifies the answer; the response body (a little of it) goes into the error message. */
export async function postJson(url: string, body: unknown, headers: Readonly<Record<string, string>>, signal: AbortSignal): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Telltale-Alerting', ...headers },
      body: JSON.stringify(body),
      signal,
      redirect: 'follow',
    });
  } catch (err) {
    const reason = signal.aborted ? (signal.reason as Error)?.message ?? 'aborted' : ((err as Error).cause as Error)?.message ?? (err as Error).message;
    throw new NotifyError(`POST ${redact(url)}: ${reason}`, true);
  }
  if (res.ok) {
    await res.body?.cancel().catch(() => undefined);
    return;
  }
  const text = (await res.text().catch(() => '')).slice(0, 200);
  const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
  const ra = Number(res.headers.get('retry-after'));
  throw new NotifyError(
    `POST ${redact(url)}: HTTP ${res.status}${text ? ` ${JSON.stringify(text)}` : ''}`,
    retryable,
    res.status,
    Number.isFinite(ra) && ra > 0 ? Math.min(ra * 1000, MAX_DELAY_MS) : undefined,
  );
}

/** URLs of Slack and PagerDuty hooks carry secrets in their path; messages keep only the origin. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname.length > 1 ? `${u.origin}/<redacted>` : u.origin;
  } catch {
    return '<invalid url>';
  }
}
