/**
 * Receivers as the dispatcher uses them: each `*_configs` entry of alertmanager.yml becomes one integration
 * with its defaults filled in from `global` the way Alertmanager fills them (send_resolved is true for
 * webhook and PagerDuty, false for Slack and e-mail; PagerDuty severity `error`, client `Alertmanager`...).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePromDuration } from './duration.ts';
import { UNSUPPORTED_RECEIVER_KINDS, type RawGlobal, type RawHttpConfig, type RawReceiver } from './config-schema.ts';

export interface DeliveryOptions {
  sendResolved: boolean;
  /** per attempt */
  timeoutMs: number;
  maxAttempts: number;
  /** Authorization headers from http_config */
  headers: Readonly<Record<string, string>>;
}

export interface WebhookConfig extends DeliveryOptions { kind: 'webhook'; url: string; maxAlerts: number }
export interface PagerDutyConfig extends DeliveryOptions {
  kind: 'pagerduty';
  routingKey: string;
  url: string;
  client: string;
  clientUrl?: string;
  description?: string;
  severity: string;
  class?: string;
  component?: string;
  group?: string;
  source?: string;
  details?: Readonly<Record<string, string>>;
  links: ReadonlyArray<{ href: string; text?: string }>;
  images: ReadonlyArray<{ src: string; alt?: string; href?: string }>;
}
export interface SlackConfig extends DeliveryOptions {
  kind: 'slack';
  apiUrl: string;
  channel?: string;
  username?: string;
  color?: string;
  title?: string;
  titleLink?: string;
  text?: string;
  iconEmoji?: string;
  iconUrl?: string;
}
export interface EmailConfig extends DeliveryOptions {
  kind: 'email';
  to: string[];
  from: string;
  host: string;
  port: number;
  hello: string;
  authUsername?: string;
  authPassword?: string;
  authIdentity?: string;
  requireTls: boolean;
  /** accept any server certificate (tls_config.insecure_skip_verify) */
  insecureSkipVerify: boolean;
  /** PEM CA certificates to trust as well (tls_config.ca_file or ca) */
  ca?: string;
  headers: Readonly<Record<string, string>>;
}
export interface AlertmanagerForwardConfig extends DeliveryOptions { kind: 'alertmanager'; url: string }

export type IntegrationConfig = WebhookConfig | PagerDutyConfig | SlackConfig | EmailConfig | AlertmanagerForwardConfig;

export interface ReceiverConfig {
  readonly name: string;
  readonly integrations: readonly IntegrationConfig[];
}

export const DEFAULT_PAGERDUTY_URL = 'https://events.pagerduty.com/v2/enqueue';
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_ATTEMPTS = 5;

/** Reports a problem at a field path (the loader adds the file and line). */
export type Fail = (pathParts: ReadonlyArray<string | number>, message: string) => never;

export interface ReceiverContext {
  global: RawGlobal;
  /** directory `*_file` fields are relative to */
  baseDir: string;
  fail: Fail;
  warn: (message: string) => void;
}

function secret(value: string | undefined, file: string | undefined, at: ReadonlyArray<string | number>, ctx: ReceiverContext): string | undefined {
  if (value !== undefined && file !== undefined) ctx.fail(at, 'set either the value or its _file, not both');
  if (file === undefined) return value;
  try {
    return readFileSync(path.resolve(ctx.baseDir, file), 'utf8').trim();
  } catch (err) {
    return ctx.fail(at, `cannot read ${file}: ${(err as Error).message}`);
  }
}

function httpHeaders(http: RawHttpConfig | undefined, at: ReadonlyArray<string | number>, ctx: ReceiverContext): Record<string, string> {
  const h: Record<string, string> = {};
  if (!http) return h;
  if (http.basic_auth) {
    const pw = secret(http.basic_auth.password, http.basic_auth.password_file, [...at, 'basic_auth', 'password'], ctx) ?? '';
    h.authorization = `Basic ${Buffer.from(`${http.basic_auth.username ?? ''}:${pw}`).toString('base64')}`;
  }
  const bearer = secret(http.bearer_token, http.bearer_token_file, [...at, 'bearer_token'], ctx);
  if (bearer !== undefined) h.authorization = `Bearer ${bearer}`;
  if (http.authorization) {
    const cred = secret(http.authorization.credentials, http.authorization.credentials_file, [...at, 'authorization', 'credentials'], ctx) ?? '';
    h.authorization = `${http.authorization.type ?? 'Bearer'} ${cred}`;
  }
  if (http.proxy_url !== undefined || http.oauth2 !== undefined) ctx.warn(`${at.join('.')}: proxy_url and oauth2 are not supported and are ignored`);
  return h;
}

function delivery(
  raw: { send_resolved?: boolean; http_config?: RawHttpConfig; timeout?: string; max_attempts?: number },
  sendResolvedDefault: boolean,
  at: ReadonlyArray<string | number>,
  ctx: ReceiverContext,
): DeliveryOptions {
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (raw.timeout !== undefined) {
    const d = parsePromDuration(raw.timeout);
    if (d === undefined || d === 0) ctx.fail([...at, 'timeout'], `${JSON.stringify(raw.timeout)} is not a positive duration (e.g. "10s")`);
    timeoutMs = d;
  }
  return {
    sendResolved: raw.send_resolved ?? sendResolvedDefault,
    timeoutMs,
    maxAttempts: raw.max_attempts ?? DEFAULT_ATTEMPTS,
    headers: httpHeaders(raw.http_config ?? ctx.global.http_config, [...at, 'http_config'], ctx),
  };
}

function url(value: string | undefined, at: ReadonlyArray<string | number>, ctx: ReceiverContext): string {
  if (value === undefined || value === '') return ctx.fail(at, 'a URL is required');
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return ctx.fail(at, `${JSON.stringify(value)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') ctx.fail(at, `${JSON.stringify(value)} is not an http(s) URL`);
  return value;
}

export function compileReceiver(raw: RawReceiver, at: ReadonlyArray<string | number>, ctx: ReceiverContext): ReceiverConfig {
  const integrations: IntegrationConfig[] = [];
  const g = ctx.global;
  (raw.webhook_configs ?? []).forEach((w, i) => {
    const p = [...at, 'webhook_configs', i];
    if (w.url !== undefined && w.url_file !== undefined) ctx.fail([...p, 'url'], 'set either url or url_file, not both');
    const u = w.url ?? secret(undefined, w.url_file, [...p, 'url_file'], ctx);
    integrations.push({ kind: 'webhook', ...delivery(w, true, p, ctx), url: url(u, [...p, 'url'], ctx), maxAlerts: w.max_alerts ?? 0 });
  });
  (raw.pagerduty_configs ?? []).forEach((c, i) => {
    const p = [...at, 'pagerduty_configs', i];
    if (c.service_key !== undefined || c.service_key_file !== undefined) {
      ctx.fail([...p, 'service_key'], 'the PagerDuty Events API v1 (service_key) is not supported; use routing_key (Events API v2)');
    }
    const key = secret(c.routing_key, c.routing_key_file, [...p, 'routing_key'], ctx);
    if (key === undefined || key === '') ctx.fail([...p, 'routing_key'], 'routing_key is required');
    integrations.push({
      kind: 'pagerduty',
      ...delivery(c, true, p, ctx),
      routingKey: key,
      url: url(c.url ?? g.pagerduty_url ?? DEFAULT_PAGERDUTY_URL, [...p, 'url'], ctx),
      client: c.client ?? 'Alertmanager',
      ...(c.client_url !== undefined ? { clientUrl: c.client_url } : {}),
      ...(c.description !== undefined ? { description: c.description } : {}),
      severity: c.severity ?? 'error',
      ...(c.class !== undefined ? { class: c.class } : {}),
      ...(c.component !== undefined ? { component: c.component } : {}),
      ...(c.group !== undefined ? { group: c.group } : {}),
      ...(c.source !== undefined ? { source: c.source } : {}),
      ...(c.details !== undefined ? { details: c.details } : {}),
      links: c.links ?? [],
      images: c.images ?? [],
    });
  });
  (raw.slack_configs ?? []).forEach((c, i) => {
    const p = [...at, 'slack_configs', i];
    const apiUrl = secret(c.api_url, c.api_url_file, [...p, 'api_url'], ctx) ?? secret(g.slack_api_url, g.slack_api_url_file, ['global', 'slack_api_url'], ctx);
    integrations.push({
      kind: 'slack',
      ...delivery(c, false, p, ctx),
      apiUrl: url(apiUrl, [...p, 'api_url'], ctx),
      ...(c.channel !== undefined ? { channel: c.channel } : {}),
      ...(c.username !== undefined ? { username: c.username } : {}),
      ...(c.color !== undefined ? { color: c.color } : {}),
      ...(c.title !== undefined ? { title: c.title } : {}),
      ...(c.title_link !== undefined ? { titleLink: c.title_link } : {}),
      ...(c.text !== undefined ? { text: c.text } : {}),
      ...(c.icon_emoji !== undefined ? { iconEmoji: c.icon_emoji } : {}),
      ...(c.icon_url !== undefined ? { iconUrl: c.icon_url } : {}),
    });
  });
  (raw.email_configs ?? []).forEach((c, i) => {
    const p = [...at, 'email_configs', i];
    const to = c.to;
    if (to === undefined || to.trim() === '') ctx.fail([...p, 'to'], 'to is required');
    const from = c.from ?? g.smtp_from;
    if (from === undefined) ctx.fail([...p, 'from'], 'from is required (here or as global.smtp_from)');
    const smarthost = c.smarthost ?? g.smtp_smarthost;
    const m = /^(.*):(\d{1,5})$/.exec(smarthost ?? '');
    if (!m || m[1] === '') ctx.fail([...p, 'smarthost'], `smarthost must be host:port (here or as global.smtp_smarthost), got ${JSON.stringify(smarthost ?? '')}`);
    const user = c.auth_username ?? g.smtp_auth_username;
    const pass = secret(c.auth_password, c.auth_password_file, [...p, 'auth_password'], ctx)
      ?? secret(g.smtp_auth_password, g.smtp_auth_password_file, ['global', 'smtp_auth_password'], ctx);
    const identity = c.auth_identity ?? g.smtp_auth_identity;
    integrations.push({
      kind: 'email',
      ...delivery(c, false, p, ctx),
      to: to.split(',').map((s) => s.trim()).filter((s) => s !== ''),
      from,
      host: m[1].replace(/^\[(.*)\]$/, '$1'),
      port: Number(m[2]),
      hello: c.hello ?? g.smtp_hello ?? 'localhost',
      ...(user !== undefined ? { authUsername: user } : {}),
      ...(pass !== undefined ? { authPassword: pass } : {}),
      ...(identity !== undefined ? { authIdentity: identity } : {}),
      requireTls: c.require_tls ?? g.smtp_require_tls ?? true,
      insecureSkipVerify: c.tls_config?.insecure_skip_verify ?? false,
      ...(c.tls_config?.ca !== undefined || c.tls_config?.ca_file !== undefined
        ? { ca: secret(c.tls_config.ca, c.tls_config.ca_file, [...p, 'tls_config', 'ca_file'], ctx) }
        : {}),
      headers: c.headers ?? {},
    });
  });
  (raw.alertmanager_configs ?? []).forEach((c, i) => {
    const p = [...at, 'alertmanager_configs', i];
    integrations.push({ kind: 'alertmanager', ...delivery(c, true, p, ctx), url: url(c.url, [...p, 'url'], ctx) });
  });
  for (const kind of UNSUPPORTED_RECEIVER_KINDS) {
    if ((raw[kind]?.length ?? 0) > 0) ctx.warn(`receiver ${JSON.stringify(raw.name)}: ${kind} are not supported by Telltale and are not notified`);
  }
  return { name: raw.name, integrations };
}

/** `webhook[0]` — how Alertmanager names an integration in its notification log and metrics. */
export function integrationName(receiver: ReceiverConfig, index: number): string {
  const kind = receiver.integrations[index].kind;
  let n = 0;
  for (let i = 0; i < index; i++) if (receiver.integrations[i].kind === kind) n++;
  return `${kind}[${n}]`;
}
