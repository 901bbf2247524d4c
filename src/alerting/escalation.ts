/**
 * Escalation and acknowledgement (Telltale's addition to Alertmanager's model). A route may name an
 * escalation policy; while its group has alerts firing (not silenced, not inhibited) and not acknowledged,
 * each step notifies its receivers once, `after` the episode began: the earliest start of those alerts, or
 * the last unacknowledgement when that is later. Acknowledging an alert (by fingerprint) or a whole group
 * (by group key) stops escalation; unacknowledging restarts it from that moment. Steps sent are recorded in
 * the notification log, so a restart never repeats one.
 */
import { TelltaleError } from '../errors.ts';
import { isResolved, type Alert } from './alert.ts';
import type { AckRecord } from './alert-store.ts';
import type { AggregationGroup } from './aggregation-group.ts';
import type { Dispatcher } from './dispatcher.ts';
import { deliver } from './notifiers/delivery.ts';
import type { Notification } from './notifiers/notification.ts';
import { integrationName } from './receiver-config.ts';

export interface AckState {
  by: string;
  at: number;
  comment: string;
}

export class Escalation {
  private readonly d: Dispatcher;
  private readonly acks = new Map<string, AckRecord>();

  constructor(d: Dispatcher) {
    this.d = d;
  }

  async load(): Promise<void> {
    for (const a of await this.d.store.listAcks()) this.acks.set(a.target, a);
  }

  /** The acknowledgement of an alert or group, if it is acknowledged. */
  ackOf(target: string): AckState | undefined {
    const a = this.acks.get(target);
    return a?.acknowledged ? { by: a.by, at: a.at, comment: a.comment } : undefined;
  }

  private firing(g: AggregationGroup, now: number): Alert[] {
    return this.d.unmuted([...g.alerts.values()].filter((a) => !isResolved(a, now)));
  }

  /** A group is acknowledged when it is, or when every alert of it that fires is. */
  groupAck(g: AggregationGroup, now: number): AckState | undefined {
    const own = this.ackOf(g.key);
    if (own) return own;
    const firing = this.firing(g, now);
    if (firing.length === 0) return undefined;
    const each = firing.map((a) => this.ackOf(a.fingerprint));
    if (each.some((a) => a === undefined)) return undefined;
    return each.reduce((latest, a) => (a!.at > latest!.at ? a : latest));
  }

  private episodeStart(g: AggregationGroup, now: number): number | undefined {
    const firing = this.firing(g, now);
    if (firing.length === 0) return undefined;
    let start = Math.min(...firing.map((a) => a.startsAt));
    for (const target of [g.key, ...firing.map((a) => a.fingerprint)]) {
      const rec = this.acks.get(target);
      if (rec && !rec.acknowledged && rec.at > start) start = rec.at;
    }
    return start;
  }

  private policy(g: AggregationGroup) {
    return g.route.escalationPolicy === undefined ? undefined : this.d.config.escalationPolicies.get(g.route.escalationPolicy);
  }

  /** When the group's next escalation step is due, or undefined (no policy, nothing firing, acknowledged, all sent). */
  nextDueAt(g: AggregationGroup): number | undefined {
    const policy = this.policy(g);
    if (!policy) return undefined;
    const now = this.d.clock.now();
    const start = this.episodeStart(g, now);
    if (start === undefined || this.groupAck(g, now)) return undefined;
    if (g.episodeStart !== start) return Math.max(start + policy.steps[0].afterMs, g.escalationHoldUntil);
    const next = policy.steps.findIndex((_, i) => !g.stepsSent.has(i));
    return next < 0 ? undefined : Math.max(start + policy.steps[next].afterMs, g.escalationHoldUntil);
  }

  async run(g: AggregationGroup, now: number): Promise<void> {
    const policy = this.policy(g);
    if (!policy) return;
    const start = this.episodeStart(g, now);
    if (start === undefined || this.groupAck(g, now)) return;
    // in a mute window, or after a failed send, the step waits for the group's next interval
    const hold = () => {
      g.escalationHoldUntil = now + g.route.groupIntervalMs;
    };
    if (this.d.timeMuted(g, now)) return hold();
    if (g.episodeStart !== start) {
      g.episodeStart = start;
      g.stepsSent.clear();
    }
    const alerts = this.firing(g, now);
    for (const [i, step] of policy.steps.entries()) {
      if (g.stepsSent.has(i) || start + step.afterMs > now) continue;
      let ok = true;
      for (const name of step.receivers) {
        const receiver = this.d.receiver(name);
        let sent = false;
        for (let k = 0; k < receiver.integrations.length; k++) {
          const logKey = `escalation/${policy.name}/${i}/${name}/${integrationName(receiver, k)}`;
          const r = await this.d.notifyIntegration(g, receiver, k, alerts, now, logKey, 'once', start);
          if (r === 'failed') ok = false;
          if (r === 'sent') sent = true;
        }
        if (sent) this.d.emit({ type: 'escalated', groupKey: g.key, policy: policy.name, step: i, receiver: name, at: now });
      }
      if (ok) g.stepsSent.add(i);
      else hold();
    }
  }

  /** Resolves a target: a group key of a current group, or the fingerprint of a known alert. */
  private resolveTarget(target: string): { kind: 'group'; group: AggregationGroup } | { kind: 'alert'; alert: Alert } {
    const g = this.d.groups.get(target);
    if (g) return { kind: 'group', group: g };
    const a = this.d.alerts.get(target);
    if (a) return { kind: 'alert', alert: a };
    throw new TelltaleError('TT_ALERTING_NOT_FOUND', `no alert with fingerprint ${target} and no group with key ${target}`);
  }

  async ack(target: string, by: string, comment = ''): Promise<AckRecord> {
    if (by.trim() === '') throw new TelltaleError('TT_ALERTING_INPUT', 'by: who acknowledges is required', { field: 'by' });
    const t = this.resolveTarget(target);
    const now = this.d.clock.now();
    const rec: AckRecord = { target, acknowledged: true, by, comment, at: now };
    await this.d.store.putAck(rec);
    this.acks.set(target, rec);
    const groups = t.kind === 'group' ? [t.group] : [...this.d.groups.values()].filter((g) => g.alerts.has(target));
    for (const g of groups) if (this.groupAck(g, now)) await this.acknowledgeUpstream(g, now);
    return rec;
  }

  async unack(target: string, by: string): Promise<AckRecord> {
    if (by.trim() === '') throw new TelltaleError('TT_ALERTING_INPUT', 'by: who unacknowledges is required', { field: 'by' });
    this.resolveTarget(target);
    const rec: AckRecord = { target, acknowledged: false, by, comment: '', at: this.d.clock.now() };
    await this.d.store.putAck(rec);
    this.acks.set(target, rec);
    return rec;
  }

  /** Tells services with an acknowledgement of their own (PagerDuty) that the group is acknowledged. */
  private async acknowledgeUpstream(g: AggregationGroup, now: number): Promise<void> {
    const receiver = this.d.receiver(g.route.receiver);
    const alerts = this.firing(g, now);
    await Promise.all(receiver.integrations.map(async (config, i) => {
      const notifier = this.d.notifier(config);
      if (!notifier.acknowledge || alerts.length === 0) return;
      const n: Notification = { receiver: receiver.name, groupKey: g.key, groupLabels: g.labels, alerts, externalURL: this.d.config.externalURL, now, idempotencyKey: `ack-${g.key}-${now}` };
      const integration = integrationName(receiver, i);
      try {
        await deliver(`receiver ${receiver.name} (${integration}) acknowledge`, config, this.d.deliveryEnv, (signal) => notifier.acknowledge!(n, signal));
      } catch (err) {
        this.d.emit({ type: 'notify_failed', groupKey: g.key, receiver: receiver.name, integration, error: (err as Error).message, at: now });
      }
    }));
  }

  async forgetAlert(fingerprint: string): Promise<void> {
    if (this.acks.delete(fingerprint)) await this.d.store.deleteAck(fingerprint);
  }

  async forgetGroup(key: string): Promise<void> {
    if (this.acks.delete(key)) await this.d.store.deleteAck(key);
  }
}
