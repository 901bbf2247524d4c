/**
 * PagerDuty Events API v2: one PagerDuty incident per alert group (dedup_key is the SHA-256 of the group
 * key, as Alertmanager computes it), triggered while anything fires, resolved when everything is resolved,
 * and acknowledged when the group is acknowledged in Telltale.
 */
import { createHash } from 'node:crypto';
import type { PagerDutyConfig } from '../receiver-config.ts';
import { postJson } from './delivery.ts';
import { alertLine, defaultTitle, templateData, type Notification, type Notifier } from './notification.ts';

/** Alertmanager's `hashKey`: hex SHA-256 of the group key. */
export function dedupKey(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex');
}

const SUMMARY_MAX = 1024;

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

export function pagerdutyEvent(config: PagerDutyConfig, n: Notification, action?: PagerDutyAction): Record<string, unknown> {
  const data = templateData(n);
  const eventAction: PagerDutyAction = action ?? (data.status === 'firing' ? 'trigger' : 'resolve');
  const firing = data.alerts.filter((a) => a.status === 'firing');
  const resolved = data.alerts.filter((a) => a.status === 'resolved');
  let summary = config.description ?? defaultTitle(data);
  if (summary.length > SUMMARY_MAX) summary = `${summary.slice(0, SUMMARY_MAX - 1)}…`;
  const clientUrl = config.clientUrl ?? data.externalURL;
  const event: Record<string, unknown> = {
    routing_key: config.routingKey,
    dedup_key: dedupKey(n.groupKey),
    event_action: eventAction,
  };
  if (eventAction === 'trigger') {
    event.payload = {
      summary,
      source: config.source ?? config.client,
      severity: config.severity,
      timestamp: new Date(n.now).toISOString(),
      ...(config.class !== undefined ? { class: config.class } : {}),
      ...(config.component !== undefined ? { component: config.component } : {}),
      ...(config.group !== undefined ? { group: config.group } : {}),
      custom_details: config.details ?? {
        firing: firing.map(alertLine).join('\n'),
        resolved: resolved.map(alertLine).join('\n'),
        num_firing: String(firing.length),
        num_resolved: String(resolved.length),
      },
    };
    if (config.links.length > 0) event.links = config.links;
    if (config.images.length > 0) event.images = config.images;
  }
  event.client = config.client;
  if (clientUrl) event.client_url = clientUrl;
  return event;
}

export function pagerdutyNotifier(config: PagerDutyConfig): Notifier {
  return {
    send: (n, signal) => postJson(config.url, pagerdutyEvent(config, n), config.headers, signal),
    acknowledge: (n, signal) => postJson(config.url, pagerdutyEvent(config, n, 'acknowledge'), config.headers, signal),
  };
}
