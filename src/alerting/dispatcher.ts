/**
 * The dispatcher: receives alerts, routes them into aggregation groups, and at each group's flush filters
 * out silenced, inhibited and time-muted alerts, consults the notification log, and notifies every
 * integration of the route's receiver (with retries). Time comes from an injected clock; `runDue()` does
 * whatever is due now, and `start()` drives it with timers for production use.
 */
import { TelltaleError } from '../errors.ts';
import { compareAlerts, isResolved, type Alert, type PostableAlert } from './alert.ts';
import type { AlertContext, ContextSource } from './alert-context.ts';
import type { AlertStore } from './alert-store.ts';
import { AggregationGroup } from './aggregation-group.ts';
import { mergeAlert } from './alert-intake.ts';
import type { AlertingConfig } from './config.ts';
import { Escalation } from './escalation.ts';
import { fingerprint } from './fingerprint.ts';
import { inhibitedBy } from './inhibitor.ts';
import { idempotencyKey, needsUpdate } from './notification-log.ts';
import { deliver, type DeliveryEnv } from './notifiers/delivery.ts';
import { createNotifier } from './notifiers/index.ts';
import type { Notification, Notifier } from './notifiers/notification.ts';
import { integrationName, type IntegrationConfig, type ReceiverConfig } from './receiver-config.ts';
import { groupKey, groupLabels, matchRoutes } from './routing.ts';
import { Silences, type Clock } from './silences.ts';
import { anyIntervalContains } from './time-intervals.ts';

export type DispatchEvent =
  | { type: 'notified'; groupKey: string; receiver: string; integration: string; alerts: number; attempts: number; at: number }
  | { type: 'notify_failed'; groupKey: string; receiver: string; integration: string; error: string; at: number }
  | { type: 'escalated'; groupKey: string; policy: string; step: number; receiver: string; at: number }
  /** a flush that could not run (the store is unreachable); it is tried again at the next interval */
  | { type: 'flush_failed'; groupKey: string; error: string; at: number }
  /** the alert context could not be computed in time; the notification went without it */
  | { type: 'context_failed'; groupKey: string; error: string; at: number };

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface DispatcherOptions {
  config: AlertingConfig;
  store: AlertStore;
  clock: Clock;
  /** backoff sleeps and jitter; real timers and Math.random by default */
  delivery?: Partial<DeliveryEnv>;
  /** builds the notifier of an integration (tests swap in their own) */
  notifierFor?: (config: IntegrationConfig) => Notifier;
  onEvent?: (event: DispatchEvent) => void;
  timers?: Timers;
  /** "is this alert real?" context for the firing alerts of each notification */
  context?: ContextSource;
  /** how long a notification waits for its context before it goes without (default 2 s) */
  contextTimeoutMs?: number;
}

export interface AlertStatus {
  state: 'active' | 'suppressed';
  silencedBy: string[];
  inhibitedBy: string[];
}

/** How long the notification log keeps entries (Alertmanager's default data retention). */
const NFLOG_RETENTION_MS = 120 * 3_600_000;
/** Resolved alerts stay listed this long after they are no longer in any group. */
const RESOLVED_RETENTION_MS = 15 * 60_000;
const MAX_TIMER_MS = 60_000;
/** A group's context is reused for this long while its firing alerts stay the same (integrations, escalation steps). */
const CONTEXT_TTL_MS = 60_000;

export class Dispatcher {
  config: AlertingConfig;
  readonly store: AlertStore;
  readonly clock: Clock;
  readonly silences: Silences;
  readonly escalation: Escalation;
  readonly alerts = new Map<string, Alert>();
  readonly groups = new Map<string, AggregationGroup>();
  private readonly env: DeliveryEnv;
  private readonly notifierFor: (config: IntegrationConfig) => Notifier;
  private readonly notifiers = new Map<IntegrationConfig, Notifier>();
  private readonly onEvent: (event: DispatchEvent) => void;
  private readonly timers: Timers;
  private timer: unknown;
  private running: Promise<void> | undefined;
  private started = false;
  private lastPrune = 0;
  private readonly contextSource: ContextSource | undefined;
  private readonly contextTimeoutMs: number;
  private readonly contextCache = new Map<string, { key: string; at: number; value: Promise<ReadonlyMap<string, AlertContext> | undefined> }>();

  private constructor(options: DispatcherOptions) {
    this.contextSource = options.context;
    this.contextTimeoutMs = options.contextTimeoutMs ?? 2000;
    this.config = options.config;
    this.store = options.store;
    this.clock = options.clock;
    this.silences = new Silences(options.store, options.clock);
    this.escalation = new Escalation(this);
    this.env = {
      sleep: options.delivery?.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      random: options.delivery?.random ?? Math.random,
    };
    this.notifierFor = options.notifierFor ?? createNotifier;
    this.onEvent = options.onEvent ?? (() => undefined);
    // work due now runs on the next turn of the event loop, not after setTimeout's 1 ms minimum
    this.timers = options.timers ?? {
      setTimeout: (fn, ms) => (ms <= 0 ? { immediate: setImmediate(fn) } : setTimeout(fn, ms)),
      clearTimeout: (h) => {
        if (h && typeof h === 'object' && 'immediate' in h) clearImmediate((h as { immediate: NodeJS.Immediate }).immediate);
        else clearTimeout(h as NodeJS.Timeout);
      },
    };
  }

  /** A dispatcher with its silences and acknowledgements loaded from the store. */
  static async create(options: DispatcherOptions): Promise<Dispatcher> {
    const d = new Dispatcher(options);
    await d.silences.load();
    await d.escalation.load();
    return d;
  }

  /**
   * Switches to a new configuration, as Alertmanager does on reload: groups start over from the alerts held
   * (so group_wait applies again), and the notification log keeps receivers from hearing twice about what
   * they already know.
   */
  async reload(config: AlertingConfig): Promise<void> {
    await Promise.all([...this.groups.values()].map((g) => g.busy));
    this.config = config;
    this.notifiers.clear();
    this.groups.clear();
    const now = this.clock.now();
    for (const alert of this.alerts.values()) if (!isResolved(alert, now)) this.route(alert, now);
    this.schedule();
  }

  private route(alert: Alert, now: number): void {
    for (const route of matchRoutes(this.config.route, alert.labels)) {
      const labels = groupLabels(route, alert.labels);
      const key = groupKey(route, labels);
      let g = this.groups.get(key);
      if (!g) {
        g = new AggregationGroup(route, key, labels, now);
        this.groups.set(key, g);
      }
      g.insert(alert, now);
    }
  }

  /** Takes alerts in (already validated); returns them as held after merging. */
  receive(incoming: readonly PostableAlert[]): Alert[] {
    const now = this.clock.now();
    const out: Alert[] = [];
    for (const p of incoming) {
      const held = this.alerts.get(fingerprint(p.labels));
      const alert = mergeAlert(held, p, now, this.config.resolveTimeoutMs);
      this.alerts.set(alert.fingerprint, alert);
      out.push(alert);
      this.route(alert, now);
    }
    this.schedule();
    return out;
  }

  status(alert: Alert): AlertStatus {
    const silencedBy = this.silences.mutedBy(alert.labels);
    const inhibited = inhibitedBy(alert, this.alerts.values(), this.config.inhibitRules, this.clock.now());
    return { state: silencedBy.length > 0 || inhibited.length > 0 ? 'suppressed' : 'active', silencedBy, inhibitedBy: inhibited };
  }

  /** Receivers an alert routes to. */
  receiversOf(alert: Alert): string[] {
    return [...new Set(matchRoutes(this.config.route, alert.labels).map((r) => r.receiver))];
  }

  /** The earliest instant something is due (a flush or an escalation step), if anything is. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const g of this.groups.values()) {
      for (const t of [g.nextFlushAt, this.escalation.nextDueAt(g)]) if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    return next;
  }

  /** Does everything that is due at the clock's current time. */
  async runDue(): Promise<void> {
    if (this.running) await this.running;
    const work = this.runOnce();
    this.running = work;
    try {
      await work;
    } finally {
      this.running = undefined;
    }
  }

  private async runOnce(): Promise<void> {
    const now = this.clock.now();
    const tasks: Promise<void>[] = [];
    for (const g of this.groups.values()) {
      const flush = g.nextFlushAt <= now;
      const escalate = (this.escalation.nextDueAt(g) ?? Infinity) <= now;
      if (flush || escalate) {
        tasks.push(
          g
            .run(async () => {
              if (flush) await this.flush(g, now);
              if (this.groups.get(g.key) === g) await this.escalation.run(g, now);
            })
            .catch((err: unknown) => this.onEvent({ type: 'flush_failed', groupKey: g.key, error: (err as Error).message, at: now })),
        );
      }
    }
    await Promise.all(tasks);
    const grouped = new Set<string>();
    for (const g of this.groups.values()) for (const fp of g.alerts.keys()) grouped.add(fp);
    for (const [fp, a] of this.alerts) {
      if (a.endsAt + RESOLVED_RETENTION_MS <= now && !grouped.has(fp)) this.alerts.delete(fp);
    }
    if (now - this.lastPrune > 3_600_000) {
      this.lastPrune = now;
      // a store that is away now is pruned on a later pass
      await this.store.pruneNotifications(now - NFLOG_RETENTION_MS).catch(() => undefined);
    }
  }

  /** Alerts of the group that would be notified now: not silenced, not inhibited. */
  unmuted(alerts: readonly Alert[]): Alert[] {
    return alerts.filter((a) => this.status(a).state === 'active');
  }

  /** True when the route's time intervals mute it at `now` (maintenance), or it is outside its active times. */
  timeMuted(g: AggregationGroup, now: number): boolean {
    const r = g.route;
    const sets = (names: readonly string[]) => names.flatMap((n) => this.config.timeIntervals.get(n) ?? []);
    if (r.muteTimeIntervals.length > 0 && anyIntervalContains(sets(r.muteTimeIntervals), now)) return true;
    if (r.activeTimeIntervals.length > 0 && !anyIntervalContains(sets(r.activeTimeIntervals), now)) return true;
    return false;
  }

  private async flush(g: AggregationGroup, now: number): Promise<void> {
    g.beginFlush(now);
    const snapshot = [...g.alerts.values()].sort(compareAlerts);
    const alerts = this.unmuted(snapshot);
    let ok = true;
    if (alerts.length > 0 && !this.timeMuted(g, now)) {
      const receiver = this.receiver(g.route.receiver);
      const results = await Promise.all(
        receiver.integrations.map((_, i) => this.notifyIntegration(g, receiver, i, alerts, now, `${receiver.name}/${integrationName(receiver, i)}`, 'flush')),
      );
      ok = results.every((r) => r !== 'failed');
    }
    if (!ok) return;
    for (const a of g.dropResolved(snapshot, now)) await this.escalation.forgetAlert(a.fingerprint);
    if (g.alerts.size === 0) {
      this.groups.delete(g.key);
      this.contextCache.delete(g.key);
      await this.escalation.forgetGroup(g.key);
    }
  }

  receiver(name: string): ReceiverConfig {
    const r = this.config.receivers.get(name);
    if (!r) throw new TelltaleError('TT_INTERNAL', `receiver ${name} vanished from the config`);
    return r;
  }

  notifier(config: IntegrationConfig): Notifier {
    let n = this.notifiers.get(config);
    if (!n) {
      n = this.notifierFor(config);
      this.notifiers.set(config, n);
    }
    return n;
  }

  /**
   * Notifies one integration when the log says so (`mode: 'flush'`) or when this escalation step has not
   * been sent in the current episode (`mode: 'once'`), and records the send.
   */
  async notifyIntegration(
    g: AggregationGroup, receiver: ReceiverConfig, index: number, alerts: readonly Alert[], now: number, logKey: string, mode: 'flush' | 'once', since = 0,
  ): Promise<'sent' | 'skipped' | 'failed'> {
    const config = receiver.integrations[index];
    const firing = alerts.filter((a) => !isResolved(a, now)).map((a) => a.fingerprint);
    const resolved = alerts.filter((a) => isResolved(a, now)).map((a) => a.fingerprint);
    const entry = await this.store.getNotification(g.key, logKey);
    if (mode === 'flush' ? !needsUpdate(entry, firing, resolved, config.sendResolved, g.route.repeatIntervalMs, now) : entry !== undefined && entry.sentAt >= since) {
      return 'skipped';
    }
    const toSend = config.sendResolved && mode === 'flush' ? alerts : alerts.filter((a) => !isResolved(a, now));
    const integration = integrationName(receiver, index);
    if (toSend.length > 0) {
      const context = await this.contextFor(g.key, toSend, now);
      const n: Notification = {
        receiver: receiver.name, groupKey: g.key, groupLabels: g.labels, alerts: toSend, externalURL: this.config.externalURL, now,
        idempotencyKey: idempotencyKey(g.key, logKey, firing, resolved, now),
        ...(context ? { context } : {}),
      };
      try {
        const notifier = this.notifier(config);
        const r = await deliver(`receiver ${receiver.name} (${integration})`, config, this.env, (signal) => notifier.send(n, signal));
        this.onEvent({ type: 'notified', groupKey: g.key, receiver: receiver.name, integration, alerts: toSend.length, attempts: r.attempts, at: now });
      } catch (err) {
        this.onEvent({ type: 'notify_failed', groupKey: g.key, receiver: receiver.name, integration, error: (err as Error).message, at: now });
        return 'failed';
      }
    }
    await this.store.putNotification({ groupKey: g.key, receiver: logKey, firing, resolved, sentAt: now });
    return toSend.length > 0 ? 'sent' : 'skipped';
  }

  /**
   * The context of a group's firing alerts: computed once and shared by every integration and escalation step
   * while the alerts stay the same; waited for at most contextTimeoutMs, and a failure only leaves it out.
   */
  private contextFor(groupKey: string, alerts: readonly Alert[], now: number): Promise<ReadonlyMap<string, AlertContext> | undefined> | undefined {
    const source = this.contextSource;
    if (!source) return undefined;
    const firing = alerts.filter((a) => !isResolved(a, now));
    if (firing.length === 0) return undefined;
    const key = firing.map((a) => a.fingerprint).sort().join(',');
    const hit = this.contextCache.get(groupKey);
    if (hit && hit.key === key && now - hit.at < CONTEXT_TTL_MS && hit.at <= now) return hit.value;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not computed within ${this.contextTimeoutMs} ms`)), this.contextTimeoutMs);
      timer.unref();
    });
    const value = Promise.race([Promise.resolve().then(() => source(firing, now)), timeout])
      .catch((err: unknown) => {
        this.onEvent({ type: 'context_failed', groupKey, error: (err as Error).message, at: now });
        // the next notification tries again
        if (this.contextCache.get(groupKey)?.value === value) this.contextCache.delete(groupKey);
        return undefined;
      })
      .finally(() => clearTimeout(timer));
    this.contextCache.set(groupKey, { key, at: now, value });
    return value;
  }

  emit(event: DispatchEvent): void {
    this.onEvent(event);
  }

  get deliveryEnv(): DeliveryEnv {
    return this.env;
  }

  /** Runs due work on real timers until stop(). */
  start(): void {
    this.started = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running) await this.running;
  }

  private schedule(): void {
    if (!this.started) return;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    const next = this.nextDueAt();
    const wait = next === undefined ? MAX_TIMER_MS : Math.min(MAX_TIMER_MS, Math.max(0, next - this.clock.now()));
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.runDue().then(() => this.schedule(), () => this.schedule());
    }, wait);
  }
}
