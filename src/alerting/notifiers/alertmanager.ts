/**
 * Forwarding to another Alertmanager: the group's alerts POSTed to its `/api/v2/alerts` as Prometheus posts
 * them (labels, annotations, startsAt, endsAt, generatorURL). A firing alert whose end was only a timeout
 * guess goes without endsAt, so the other Alertmanager applies its own resolve_timeout; a resolved one
 * carries its end so it resolves there too.
 */
import { formatTime, isResolved, sortedRecord, type Alert } from '../alert.ts';
import type { AlertmanagerForwardConfig } from '../receiver-config.ts';
import { postJson } from './delivery.ts';
import type { Notifier } from './notification.ts';

export function alertsUrl(base: string): string {
  const u = new URL(base);
  if (!/\/api\/v2\/alerts\/?$/.test(u.pathname)) u.pathname = `${u.pathname.replace(/\/$/, '')}/api/v2/alerts`;
  return u.toString();
}

export function postableAlerts(alerts: readonly Alert[], now: number): Array<Record<string, unknown>> {
  return alerts.map((a) => ({
    labels: sortedRecord(a.labels),
    annotations: sortedRecord(a.annotations),
    startsAt: formatTime(a.startsAt),
    ...(isResolved(a, now) || !a.timeout ? { endsAt: formatTime(a.endsAt) } : {}),
    ...(a.generatorURL ? { generatorURL: a.generatorURL } : {}),
  }));
}

export function alertmanagerNotifier(config: AlertmanagerForwardConfig): Notifier {
  const url = alertsUrl(config.url);
  return { send: (n, signal) => postJson(url, postableAlerts(n.alerts, n.now), { ...config.headers, 'idempotency-key': n.idempotencyKey }, signal) };
}
