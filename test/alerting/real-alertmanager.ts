/**
 * The real Alertmanager for the alerting compatibility tests: the shared helper (test/helpers/alertmanager.ts)
 * with the config given directly, plus a polling helper.
 */
import { startAlertmanager as start, type RunningAlertmanager } from '../helpers/alertmanager.ts';

export { ALERTMANAGER_BIN, hasAlertmanager, type RunningAlertmanager } from '../helpers/alertmanager.ts';

export function startAlertmanager(config: string, args: string[] = []): Promise<RunningAlertmanager> {
  return start({ config, args });
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
