/**
 * PagerDuty Events API v2: one PagerDuty incident per alert group (dedup_key is the SHA-256 of the group
 * key, as Alertmanager computes it), triggered while anything fires, resolved when everything is resolved,
 * and acknowledged when the group is acknowledged in Telltale.
 */
import { createHash } from 'node:crypto';
import type { PagerDutyConfig } from '../receiver-config.ts';
import { postJson } from './delivery.ts';
import { contextLines } from './context-text.ts';
import { defaultTitle, templateData, type Notification, type Notifier, type TemplateAlert } from './notification.ts';

/** Alertmanager's `hashKey`: hex SHA-256 of the group key. */
export function dedupKey(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex');
}

const SUMMARY_MAX = 1024;

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

/** Alertmanager's `__text_alert_list`: labels, annotations and source of each alert, one block per alert. */
export function alertList(alerts: readonly TemplateAlert[]): string {
  return alerts
    .map((a) => {
      const labels = Object.entries(a.labels).map(([k, v]) => ` - ${k} = ${v}\n`).join('');
      const annotations = Object.entries(a.annotations).map(([k, v]) => ` - ${k} = ${v}\n`).join('');
      return `Labels:\n${labels}Annotations:\n${annotations}Source: ${a.generatorURL}\n`;
    })
    .join('');
}

/** Go's url.QueryEscape: everything but letters, digits and -_.~ is escaped, spaces become +. */
function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

export function pagerdutyEvent(config: PagerDutyConfig, n: Notification, action?: PagerDutyAction): Record<string, unknown> {
  const data = templateData(n);
  const eventAction: PagerDutyAction = action ?? (data.status === 'firing' ? 'trigger' : 'resolve');
  const firing = data.alerts.filter((a) => a.status === 'firing');
  const resolved = data.alerts.filter((a) => a.status === 'resolved');
  const context = contextLines(n, firing);
  let summary = config.description ?? defaultTitle(data);
  if (summary.length > SUMMARY_MAX) summary = `${summary.slice(0, SUMMARY_MAX - 1)}…`;
  // Alertmanager's default client URL: its alert list filtered to this receiver
  const clientUrl = config.clientUrl ?? `${data.externalURL}/#/alerts?receiver=${queryEscape(n.receiver)}`;
  const event: Record<string, unknown> = {
    routing_key: config.routingKey,
    dedup_key: dedupKey(n.groupKey),
    event_action: eventAction,
    // sent with every action, as Alertmanager does (PagerDuty only reads it on trigger)
    payload: {
      summary,
      source: config.source ?? config.client,
      severity: config.severity,
      timestamp: new Date(n.now).toISOString(),
      ...(config.class !== undefined ? { class: config.class } : {}),
      ...(config.component !== undefined ? { component: config.component } : {}),
      ...(config.group !== undefined ? { group: config.group } : {}),
      custom_details: {
        ...(config.details ?? {
          firing: alertList(firing),
          num_firing: String(firing.length),
          num_resolved: String(resolved.length),
          resolved: alertList(resolved),
        }),
        ...(context.length > 0 ? { telltale_context: context.join('\n') } : {}),
      },
    },
  };
  event.client = config.client;
  event.client_url = clientUrl;
  if (config.images.length > 0) event.images = config.images;
  if (config.links.length > 0) event.links = config.links;
  return event;
}

export function pagerdutyNotifier(config: PagerDutyConfig): Notifier {
  return {
    send: (n, signal) => postJson(config.url, pagerdutyEvent(config, n), config.headers, signal),
    acknowledge: (n, signal) => postJson(config.url, pagerdutyEvent(config, n, 'acknowledge'), config.headers, signal),
  };
}
