/**
 * What every receiver is handed for one notification, and the data Alertmanager's templates see
 * (`.Status`, `.GroupLabels`, `.CommonLabels`, `.CommonAnnotations`, `.ExternalURL`, `.Alerts`).
 */
import type { AlertContext } from '../alert-context.ts';
import { commonLabels, formatTime, isResolved, sortedRecord, ZERO_TIME, type Alert } from '../alert.ts';

export interface Notification {
  receiver: string;
  groupKey: string;
  groupLabels: Readonly<Record<string, string>>;
  /** already filtered for send_resolved, in Alertmanager's order */
  alerts: readonly Alert[];
  externalURL: string;
  now: number;
  /** the same for every attempt at this notification, different for the next one */
  idempotencyKey: string;
  /** "is this alert real?" context of the firing alerts, by fingerprint, when it could be computed in time */
  context?: ReadonlyMap<string, AlertContext>;
}

export interface TemplateAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface TemplateData {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: TemplateAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
}

export function templateAlert(a: Alert, now: number): TemplateAlert {
  const resolved = isResolved(a, now);
  return {
    status: resolved ? 'resolved' : 'firing',
    labels: sortedRecord(a.labels),
    annotations: sortedRecord(a.annotations),
    startsAt: formatTime(a.startsAt),
    // Alertmanager hides the end of a firing alert (it is only a timeout guess), printing Go's zero time
    endsAt: resolved ? formatTime(a.endsAt) : ZERO_TIME,
    generatorURL: a.generatorURL,
    fingerprint: a.fingerprint,
  };
}

export function templateData(n: Notification, alerts: readonly Alert[] = n.alerts): TemplateData {
  const items = alerts.map((a) => templateAlert(a, n.now));
  return {
    receiver: n.receiver,
    status: items.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts: items,
    groupLabels: sortedRecord(n.groupLabels),
    commonLabels: commonLabels(alerts.map((a) => a.labels)),
    commonAnnotations: commonLabels(alerts.map((a) => a.annotations)),
    externalURL: n.externalURL,
  };
}

/** `[FIRING:2] HighLatency (api prod)` — Alertmanager's default title: status, count and group label values. */
export function defaultTitle(data: TemplateData): string {
  const firing = data.alerts.filter((a) => a.status === 'firing').length;
  const count = data.status === 'firing' ? `:${firing}` : '';
  const values = Object.keys(data.groupLabels).map((k) => data.groupLabels[k]);
  const common = Object.keys(data.commonLabels).filter((k) => !(k in data.groupLabels)).map((k) => data.commonLabels[k]);
  return `[${data.status.toUpperCase()}${count}] ${values.join(' ')}${common.length ? ` (${common.join(' ')})` : ''}`.trim();
}

/** One line per alert: its summary or description annotation, else its labels. */
export function alertLine(a: TemplateAlert): string {
  const text = a.annotations.summary ?? a.annotations.description ?? a.annotations.message;
  const labels = Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(' ');
  return text ? `${text} (${labels})` : labels;
}

export interface Notifier {
  /** sends once; throws NotifyError (retryable or not) */
  send(n: Notification, signal: AbortSignal): Promise<void>;
  /** sends an acknowledgement of the group where the service has one (PagerDuty) */
  acknowledge?(n: Notification, signal: AbortSignal): Promise<void>;
}
