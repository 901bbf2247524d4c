/**
 * One aggregation group: the alerts one route holds for one set of group label values, and the timing
 * state machine Alertmanager runs for it — the first notification after group_wait (at once when an alert
 * has already been firing longer than that), then a flush every group_interval, where the notification log
 * decides whether anything is sent (new or resolved alerts, or repeat_interval passed).
 */
import type { Alert } from './alert.ts';
import type { Route } from './config.ts';

export class AggregationGroup {
  readonly route: Route;
  readonly key: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly alerts = new Map<string, Alert>();
  readonly createdAt: number;
  /** epoch ms of the next flush */
  nextFlushAt: number;
  hasFlushed = false;
  /** escalation: when the current firing episode started, and which steps have been sent in it */
  episodeStart: number | undefined;
  readonly stepsSent = new Set<number>();
  /** a step that could not be sent (a failure, a mute window) is tried again from this instant */
  escalationHoldUntil = 0;
  /** the group's work (flush, escalation) runs one piece at a time */
  busy: Promise<void> = Promise.resolve();

  constructor(route: Route, key: string, labels: Readonly<Record<string, string>>, now: number) {
    this.route = route;
    this.key = key;
    this.labels = labels;
    this.createdAt = now;
    this.nextFlushAt = now + route.groupWaitMs;
  }

  insert(alert: Alert, now: number): void {
    this.alerts.set(alert.fingerprint, alert);
    // an alert that has fired for longer than group_wait need not wait again (e.g. after a restart)
    if (!this.hasFlushed && alert.startsAt + this.route.groupWaitMs < now) this.nextFlushAt = Math.min(this.nextFlushAt, now);
  }

  /** Starts the next interval; called as a flush begins, so a slow receiver does not shift the schedule. */
  beginFlush(now: number): void {
    this.hasFlushed = true;
    this.nextFlushAt = now + this.route.groupIntervalMs;
  }

  /** After a successful notification: drops resolved alerts that have not been updated since the snapshot. */
  dropResolved(snapshot: readonly Alert[], now: number): Alert[] {
    const dropped: Alert[] = [];
    for (const a of snapshot) {
      if (a.endsAt <= now && this.alerts.get(a.fingerprint) === a) {
        this.alerts.delete(a.fingerprint);
        dropped.push(a);
      }
    }
    return dropped;
  }

  run(task: () => Promise<void>): Promise<void> {
    const next = this.busy.then(task, task);
    this.busy = next.catch(() => undefined);
    return next;
  }
}
