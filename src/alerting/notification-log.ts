/**
 * Deciding from the notification log whether a flush must notify a receiver — Alertmanager's dedup stage:
 * notify when alerts fire that were not in the last notification, when everything that was firing has
 * resolved, when (with send_resolved) alerts resolved since, or when repeat_interval has passed. A group
 * that never notified and has only resolved alerts stays quiet: the receiver never heard of them.
 */
import { createHash } from 'node:crypto';
import type { NotificationLogEntry } from './alert-store.ts';

export function needsUpdate(
  entry: NotificationLogEntry | undefined,
  firing: readonly string[],
  resolved: readonly string[],
  sendResolved: boolean,
  repeatIntervalMs: number,
  now: number,
): boolean {
  if (entry === undefined) return firing.length > 0;
  const notified = new Set(entry.firing);
  if (!firing.every((f) => notified.has(f))) return true;
  if (firing.length === 0) return entry.firing.length > 0;
  if (sendResolved) {
    const known = new Set(entry.resolved);
    if (!resolved.every((r) => known.has(r))) return true;
  }
  return entry.sentAt <= now - repeatIntervalMs;
}

/** The same for every attempt at one notification (so a receiver can drop a retried duplicate). */
export function idempotencyKey(groupKey: string, receiver: string, firing: readonly string[], resolved: readonly string[], now: number): string {
  return createHash('sha256')
    .update(`${groupKey}\u0000${receiver}\u0000${[...firing].sort().join(',')}\u0000${[...resolved].sort().join(',')}\u0000${now}`)
    .digest('hex')
    .slice(0, 32);
}
