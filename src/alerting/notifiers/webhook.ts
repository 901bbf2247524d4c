/**
 * The Alertmanager webhook receiver: the same JSON body a real Alertmanager POSTs (version "4"), field for
 * field and in the same key order, so existing webhook consumers work unchanged. `max_alerts` keeps the
 * first N alerts and reports how many were left out in `truncatedAlerts`.
 */
import { sortedRecord } from '../alert.ts';
import type { WebhookConfig } from '../receiver-config.ts';
import { postJson } from './delivery.ts';
import { contextAnnotations, contextOf } from './context-text.ts';
import { templateData, type Notification, type Notifier, type TemplateData } from './notification.ts';

export interface WebhookMessage extends TemplateData {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
}

export function webhookMessage(n: Notification, maxAlerts: number): WebhookMessage {
  const kept = maxAlerts > 0 && n.alerts.length > maxAlerts ? n.alerts.slice(0, maxAlerts) : n.alerts;
  const data = templateData(n, kept);
  // the context rides in each alert's annotations, so the payload keeps Alertmanager's shape
  const alerts = data.alerts.map((a) => {
    const c = contextOf(n, a);
    return c ? { ...a, annotations: sortedRecord({ ...a.annotations, ...contextAnnotations(c, n.now) }) } : a;
  });
  return {
    receiver: data.receiver,
    status: data.status,
    alerts,
    groupLabels: data.groupLabels,
    commonLabels: data.commonLabels,
    commonAnnotations: data.commonAnnotations,
    externalURL: data.externalURL,
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: n.alerts.length - kept.length,
  };
}

export function webhookNotifier(config: WebhookConfig): Notifier {
  return {
    send: (n, signal) => postJson(config.url, webhookMessage(n, config.maxAlerts), { ...config.headers, 'idempotency-key': n.idempotencyKey }, signal),
  };
}
