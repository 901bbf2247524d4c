/** The notifier for each kind of receiver integration. */
import type { IntegrationConfig } from '../receiver-config.ts';
import { alertmanagerNotifier } from './alertmanager.ts';
import { emailNotifier } from './email.ts';
import type { Notifier } from './notification.ts';
import { pagerdutyNotifier } from './pagerduty.ts';
import { slackNotifier } from './slack.ts';
import { webhookNotifier } from './webhook.ts';

export type { Notification, Notifier } from './notification.ts';

export function createNotifier(config: IntegrationConfig): Notifier {
  switch (config.kind) {
    case 'webhook':
      return webhookNotifier(config);
    case 'pagerduty':
      return pagerdutyNotifier(config);
    case 'slack':
      return slackNotifier(config);
    case 'alertmanager':
      return alertmanagerNotifier(config);
    case 'email':
      return emailNotifier(config);
  }
}
