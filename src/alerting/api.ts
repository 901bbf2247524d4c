/**
 * The alerting API as objects: what the HTTP routes (src/server/routes/alertmanager-api.ts), the CLI and
 * the rule evaluator call. Shapes follow Alertmanager's API v2 (GettableAlert, GettableSilence,
 * AlertGroup), with Telltale's acknowledgement added.
 */
import { TelltaleError } from '../errors.ts';
import { isResolved, sortedRecord, type Alert, type PostableAlert } from './alert.ts';
import { parsePostableAlerts } from './alert-intake.ts';
import type { AckRecord } from './alert-store.ts';
import type { Dispatcher } from './dispatcher.ts';
import { matchesAll, parseMatchersForField, type LabelMatcher } from './matchers.ts';
import type { Silence, SilenceInput, SilenceState } from './silence-model.ts';
import { VERSION } from '../version.ts';

/** Alertmanager's API prints times with milliseconds (`2026-01-05T09:00:00.000Z`), unlike its webhooks. */
export function formatApiTime(ms: number): string {
  return new Date(ms).toISOString();
}

export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  /** absent when the producer gave none, as in Alertmanager */
  generatorURL?: string;
  fingerprint: string;
  receivers: Array<{ name: string }>;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
  /** Telltale: who acknowledged the alert (itself or its whole group), when present */
  acknowledgement?: { by: string; at: string; comment: string };
}

export interface GettableSilence {
  id: string;
  matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual: boolean }>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  createdBy: string;
  comment: string;
  status: { state: SilenceState };
}

export interface AlertGroupView {
  groupKey: string;
  labels: Record<string, string>;
  receiver: { name: string };
  route: string;
  alerts: GettableAlert[];
  acknowledgement?: { by: string; at: string; comment: string };
  escalation?: { policy: string; nextStepAt?: string };
}

export interface AlertFilter {
  active?: boolean;
  silenced?: boolean;
  inhibited?: boolean;
  /** matcher strings, as in Alertmanager's `filter=` query parameter */
  filter?: readonly string[];
  /** a regular expression receivers must match */
  receiver?: string;
}

function compileFilter(filter: readonly string[] | undefined): LabelMatcher[] {
  return (filter ?? []).flatMap((f, i) => parseMatchersForField(f, `filter[${i}]`));
}

export class AlertingApi {
  readonly dispatcher: Dispatcher;
  private readonly startedAt: number;

  constructor(dispatcher: Dispatcher) {
    this.dispatcher = dispatcher;
    this.startedAt = dispatcher.clock.now();
  }

  /**
   * The body of `POST /api/v2/alerts`: the valid alerts are taken; when some were refused, a TT_ALERTING_INPUT
   * error naming the first (and counting the others) is thrown after the rest were taken.
   */
  postAlerts(body: unknown): Alert[] {
    const { alerts, errors } = parsePostableAlerts(body);
    const taken = this.dispatcher.receive(alerts);
    if (errors.length > 0) {
      const first = errors[0];
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more refused alert${errors.length > 2 ? 's' : ''})` : '';
      throw new TelltaleError('TT_ALERTING_INPUT', `${first.message}${more}; ${taken.length} valid alert${taken.length === 1 ? '' : 's'} taken`, {
        ...(first.field ? { field: first.field } : {}),
        hint: errors.slice(1, 10).map((e) => e.message).join('\n') || undefined,
      });
    }
    return taken;
  }

  /** Alerts from the rule evaluator, already as objects; refuses the whole call when one is malformed (a bug). */
  receive(alerts: readonly PostableAlert[]): Alert[] {
    const { alerts: parsed, errors } = parsePostableAlerts(alerts.map((a) => ({
      ...a,
      ...(a.startsAt !== undefined ? { startsAt: new Date(a.startsAt).toISOString() } : {}),
      ...(a.endsAt !== undefined ? { endsAt: new Date(a.endsAt).toISOString() } : {}),
    })));
    if (errors.length > 0) throw errors[0];
    return this.dispatcher.receive(parsed);
  }

  /** Group keys by alert fingerprint, built once per listing rather than searched per alert. */
  private groupsByAlert(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const g of this.dispatcher.groups.values()) {
      for (const fp of g.alerts.keys()) {
        const keys = out.get(fp);
        if (keys) keys.push(g.key);
        else out.set(fp, [g.key]);
      }
    }
    return out;
  }

  private view(a: Alert, groupsByAlert: Map<string, string[]>): GettableAlert {
    const d = this.dispatcher;
    const s = d.status(a);
    const ack = d.escalation.ackOf(a.fingerprint) ?? (groupsByAlert.get(a.fingerprint) ?? []).map((k) => d.escalation.ackOf(k)).find((x) => x);
    const out: GettableAlert = {
      labels: sortedRecord(a.labels),
      annotations: sortedRecord(a.annotations),
      startsAt: formatApiTime(a.startsAt),
      endsAt: formatApiTime(a.endsAt),
      updatedAt: formatApiTime(a.updatedAt),
      ...(a.generatorURL ? { generatorURL: a.generatorURL } : {}),
      fingerprint: a.fingerprint,
      receivers: d.receiversOf(a).map((name) => ({ name })),
      status: s,
    };
    if (ack) out.acknowledgement = { by: ack.by, at: formatApiTime(ack.at), comment: ack.comment };
    return out;
  }

  /** Alerts that have not resolved, as `GET /api/v2/alerts` lists them (filters default to true). */
  listAlerts(filter: AlertFilter = {}): GettableAlert[] {
    const now = this.dispatcher.clock.now();
    const matchers = compileFilter(filter.filter);
    let receiverRe: RegExp | undefined;
    if (filter.receiver !== undefined) {
      try {
        receiverRe = new RegExp(`^(?:${filter.receiver})$`);
      } catch (err) {
        throw new TelltaleError('TT_ALERTING_INPUT', `receiver: invalid regular expression: ${(err as Error).message}`, { field: 'receiver' });
      }
    }
    const out: GettableAlert[] = [];
    const byAlert = this.groupsByAlert();
    for (const a of this.dispatcher.alerts.values()) {
      if (isResolved(a, now) || !matchesAll(matchers, a.labels)) continue;
      const v = this.view(a, byAlert);
      if (v.status.state === 'active' && filter.active === false) continue;
      if (v.status.silencedBy.length > 0 && filter.silenced === false) continue;
      if (v.status.inhibitedBy.length > 0 && filter.inhibited === false) continue;
      if (receiverRe && !v.receivers.some((r) => receiverRe.test(r.name))) continue;
      out.push(v);
    }
    return out.sort((x, y) => (x.fingerprint < y.fingerprint ? -1 : 1));
  }

  listGroups(): AlertGroupView[] {
    const d = this.dispatcher;
    const now = d.clock.now();
    const byAlert = this.groupsByAlert();
    return [...d.groups.values()]
      .map((g) => {
        const v: AlertGroupView = {
          groupKey: g.key,
          labels: sortedRecord(g.labels),
          receiver: { name: g.route.receiver },
          route: g.route.path,
          alerts: [...g.alerts.values()].filter((a) => !isResolved(a, now)).map((a) => this.view(a, byAlert)),
        };
        const ack = d.escalation.groupAck(g, now);
        if (ack) v.acknowledgement = { by: ack.by, at: formatApiTime(ack.at), comment: ack.comment };
        if (g.route.escalationPolicy !== undefined) {
          const next = d.escalation.nextDueAt(g);
          v.escalation = { policy: g.route.escalationPolicy, ...(next !== undefined ? { nextStepAt: formatApiTime(next) } : {}) };
        }
        return v;
      })
      .sort((a, b) => (a.groupKey < b.groupKey ? -1 : 1));
  }

  /** Acknowledges an alert (by fingerprint) or a group (by group key): escalation stops. */
  ack(target: string, by: string, comment = ''): Promise<AckRecord> {
    return this.dispatcher.escalation.ack(target, by, comment);
  }

  /** Withdraws an acknowledgement: escalation restarts from now. */
  unack(target: string, by: string): Promise<AckRecord> {
    return this.dispatcher.escalation.unack(target, by);
  }

  readonly silences = {
    create: (input: SilenceInput): Promise<string> => this.dispatcher.silences.upsert(input),
    update: (id: string, input: Omit<SilenceInput, 'id'>): Promise<string> => this.dispatcher.silences.upsert({ ...input, id }),
    expire: (id: string): Promise<void> => this.dispatcher.silences.expire(id),
    list: (filter: readonly string[] = []): GettableSilence[] => {
      const ms = compileFilter(filter);
      return this.dispatcher.silences
        .list()
        .filter((s) => ms.every((m) => s.matchers.some((sm) => sm.name === m.name && m.test(sm.value))))
        .map(silenceView);
    },
    get: (id: string): GettableSilence => {
      const s = this.dispatcher.silences.get(id);
      if (!s) throw new TelltaleError('TT_ALERTING_NOT_FOUND', `no silence with id ${id}`);
      return silenceView(s);
    },
  };

  /** `GET /api/v2/status` */
  status(): Record<string, unknown> {
    const d = this.dispatcher;
    return {
      cluster: { status: 'disabled', peers: [] },
      config: { original: d.config.original },
      uptime: formatApiTime(this.startedAt),
      versionInfo: { version: VERSION, revision: '', branch: '', buildUser: '', buildDate: '', goVersion: `node ${process.versions.node}` },
    };
  }
}

export function silenceView(s: Silence & { state: SilenceState }): GettableSilence {
  return {
    id: s.id,
    matchers: s.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual })),
    startsAt: formatApiTime(s.startsAt),
    endsAt: formatApiTime(s.endsAt),
    updatedAt: formatApiTime(s.updatedAt),
    createdBy: s.createdBy,
    comment: s.comment,
    status: { state: s.state },
  };
}
