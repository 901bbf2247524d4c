/**
 * Slack incoming webhooks: a message with `text` (what notifications and old clients show) and one
 * attachment coloured by status (red while firing, green when resolved) holding Block Kit blocks: the
 * title, one section per alert (at most 20, Slack's practical limit) and a context line.
 */
import type { SlackConfig } from '../receiver-config.ts';
import { postJson } from './delivery.ts';
import { contextLines } from './context-text.ts';
import { alertLine, defaultTitle, templateData, type Notification, type Notifier } from './notification.ts';

const MAX_ALERT_BLOCKS = 20;

export function slackMessage(config: SlackConfig, n: Notification): Record<string, unknown> {
  const data = templateData(n);
  const title = config.title ?? defaultTitle(data);
  const color = config.color ?? (data.status === 'firing' ? 'danger' : 'good');
  const lines = data.alerts.map((a) => `${a.status === 'firing' ? ':red_circle:' : ':white_check_mark:'} ${alertLine(a)}`);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150), emoji: true } },
    ...lines.slice(0, MAX_ALERT_BLOCKS).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } })),
  ];
  if (lines.length > MAX_ALERT_BLOCKS) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${lines.length - MAX_ALERT_BLOCKS} more` }] });
  const context = contextLines(n, data.alerts.slice(0, MAX_ALERT_BLOCKS));
  if (context.length > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join('\n').slice(0, 3000) }] });
  if (config.text !== undefined) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: config.text.slice(0, 3000) } });
  const link = config.titleLink ?? data.externalURL;
  if (link) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${link}|Open in Telltale>` }] });
  return {
    text: `${title}\n${lines.join('\n')}`.slice(0, 4000),
    ...(config.channel !== undefined ? { channel: config.channel } : {}),
    ...(config.username !== undefined ? { username: config.username } : {}),
    ...(config.iconEmoji !== undefined ? { icon_emoji: config.iconEmoji } : {}),
    ...(config.iconUrl !== undefined ? { icon_url: config.iconUrl } : {}),
    attachments: [{ color, fallback: title, blocks }],
  };
}

export function slackNotifier(config: SlackConfig): Notifier {
  return { send: (n, signal) => postJson(config.apiUrl, slackMessage(config, n), config.headers, signal) };
}
