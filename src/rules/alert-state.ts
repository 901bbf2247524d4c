/**
 * The state of one alerting rule, with Prometheus' semantics: each sample of the rule's expression is an
 * alert (its labels minus `__name__`, plus the rule's templated labels and `alertname`); a new alert is
 * pending, and fires once it has been active for `for`; an alert that leaves the result resolves — unless
 * `keep_firing_for` holds it — and a resolved alert is kept 15 minutes so its resolution is re-sent.
 * Every evaluation writes `ALERTS{alertstate}` and `ALERTS_FOR_STATE` (the active-since time) samples.
 */
import { labelsKey } from '../series/labels.ts';
import type { Labels } from '../series/types.ts';

export type AlertState = 'pending' | 'firing' | 'inactive';

/** Resolved alerts are kept (and re-sent) this long, as Prometheus' resolvedRetention. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

export interface ActiveAlert {
  labels: Labels;
  annotations: Labels;
  state: AlertState;
  value: number;
  activeAt: number;
  /** when it started firing (0: not yet) */
  firedAt: number;
  /** when it resolved (0: not resolved) */
  resolvedAt: number;
  /** when it was last sent to the dispatcher (0: never) */
  lastSentAt: number;
  /** when the expression stopped returning it while keep_firing_for held it firing (0: not so) */
  keepFiringSince: number;
  /** the endsAt sent with it while firing */
  validUntil: number;
}

/** One sample of the rule's expression, already turned into the alert's labels and annotations. */
export interface AlertCandidate {
  labels: Labels;
  annotations: Labels;
  value: number;
}

export interface AlertSample {
  labels: Labels;
  value: number;
}

export class AlertingRuleState {
  readonly name: string;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  /** by labelsKey of the alert's labels */
  readonly active = new Map<string, ActiveAlert>();

  constructor(name: string, forMs: number, keepFiringForMs: number) {
    this.name = name;
    this.forMs = forMs;
    this.keepFiringForMs = keepFiringForMs;
  }

  /**
   * Applies one evaluation's candidates at time `ts`. Throws (leaving the state unchanged) when two samples
   * map onto one label set, and (clearing the state, as Prometheus does) when the rule exceeds `limit`.
   * Returns the ALERTS and ALERTS_FOR_STATE samples to write.
   */
  apply(candidates: readonly AlertCandidate[], ts: number, limit = 0): AlertSample[] {
    const fresh = new Map<string, AlertCandidate>();
    for (const c of candidates) {
      const key = labelsKey(c.labels);
      if (fresh.has(key)) throw new Error('vector contains metrics with the same labelset after applying alert labels');
      fresh.set(key, c);
    }
    for (const [key, c] of fresh) {
      const existing = this.active.get(key);
      if (existing && existing.state !== 'inactive') {
        existing.value = c.value;
        existing.annotations = c.annotations;
        continue;
      }
      this.active.set(key, {
        labels: c.labels, annotations: c.annotations, state: 'pending', value: c.value, activeAt: ts, firedAt: 0, resolvedAt: 0,
        lastSentAt: 0, keepFiringSince: 0, validUntil: 0,
      });
    }
    const out: AlertSample[] = [];
    let activeCount = 0;
    for (const [key, a] of this.active) {
      if (!fresh.has(key)) {
        let keepFiring = false;
        if (a.state === 'firing' && this.keepFiringForMs > 0) {
          if (a.keepFiringSince === 0) a.keepFiringSince = ts;
          keepFiring = ts - a.keepFiringSince < this.keepFiringForMs;
        }
        if (a.state === 'pending' || (a.resolvedAt !== 0 && ts - a.resolvedAt > RESOLVED_RETENTION_MS)) this.active.delete(key);
        if (a.state !== 'inactive' && !keepFiring) {
          a.state = 'inactive';
          a.resolvedAt = ts;
        }
        if (!keepFiring) continue;
      } else {
        a.keepFiringSince = 0;
      }
      activeCount++;
      if (a.state === 'pending' && ts - a.activeAt >= this.forMs) {
        a.state = 'firing';
        a.firedAt = ts;
      }
      out.push({ labels: { ...a.labels, __name__: 'ALERTS', alertstate: a.state }, value: 1 });
      out.push({ labels: { ...a.labels, __name__: 'ALERTS_FOR_STATE' }, value: Math.floor(a.activeAt / 1000) });
    }
    if (limit > 0 && activeCount > limit) {
      this.active.clear();
      throw new Error(`exceeded limit of ${limit} with ${activeCount} alerts`);
    }
    return out;
  }

  /**
   * The alerts due to be sent at `ts`: firing ones not sent for `resendDelayMs`, and resolved ones whose
   * resolution has not been sent. Marks them sent. endsAt of a firing alert is 4 evaluation intervals (or
   * resend delays) ahead, so two missed evaluations or sends do not resolve it at the receiver.
   */
  due(ts: number, resendDelayMs: number, intervalMs: number): ActiveAlert[] {
    const out: ActiveAlert[] = [];
    for (const a of this.active.values()) {
      if (a.state === 'pending') continue;
      const resolvedSinceSend = a.resolvedAt > a.lastSentAt;
      if (!resolvedSinceSend && !(a.lastSentAt + resendDelayMs < ts)) continue;
      a.lastSentAt = ts;
      a.validUntil = ts + 4 * Math.max(resendDelayMs, intervalMs);
      out.push({ ...a });
    }
    return out;
  }

  /** Alerts in a given state, newest first (for the API and dashboard). */
  list(): ActiveAlert[] {
    return [...this.active.values()].sort((a, b) => b.activeAt - a.activeAt);
  }
}
