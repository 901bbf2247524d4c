/**
 * The shape of alertmanager.yml, as zod schemas. Objects are strict, as Alertmanager's are (an unknown field
 * is an error, which catches typos like `group_wiat`). Durations, matchers and time ranges are only checked
 * for type here; config.ts parses them, so their messages can say what is wrong with the value.
 */
import { z } from 'zod';

const str = z.string();
const strList = z.array(z.string());
const labelMap = z.record(z.string(), z.string());

const basicAuth = z.strictObject({ username: str.optional(), password: str.optional(), password_file: str.optional() });
const authorization = z.strictObject({ type: str.optional(), credentials: str.optional(), credentials_file: str.optional() });
const tlsConfig = z.strictObject({
  ca_file: str.optional(), cert_file: str.optional(), key_file: str.optional(), server_name: str.optional(),
  insecure_skip_verify: z.boolean().optional(), min_version: str.optional(), ca: str.optional(), cert: str.optional(), key: str.optional(),
});
export const httpConfigSchema = z.strictObject({
  basic_auth: basicAuth.optional(),
  authorization: authorization.optional(),
  bearer_token: str.optional(),
  bearer_token_file: str.optional(),
  tls_config: tlsConfig.optional(),
  proxy_url: str.optional(),
  follow_redirects: z.boolean().optional(),
  enable_http2: z.boolean().optional(),
  oauth2: z.record(z.string(), z.unknown()).optional(),
});

/** Telltale's additions to every receiver config: how long one attempt may take and how many are made. */
const delivery = {
  send_resolved: z.boolean().optional(),
  http_config: httpConfigSchema.optional(),
  timeout: str.optional(),
  max_attempts: z.number().int().min(1).max(20).optional(),
};

export const webhookSchema = z.strictObject({
  ...delivery,
  url: str.optional(),
  url_file: str.optional(),
  max_alerts: z.number().int().min(0).optional(),
});

export const pagerdutySchema = z.strictObject({
  ...delivery,
  routing_key: str.optional(),
  routing_key_file: str.optional(),
  service_key: str.optional(),
  service_key_file: str.optional(),
  url: str.optional(),
  client: str.optional(),
  client_url: str.optional(),
  description: str.optional(),
  severity: str.optional(),
  class: str.optional(),
  component: str.optional(),
  group: str.optional(),
  source: str.optional(),
  details: labelMap.optional(),
  links: z.array(z.strictObject({ href: str, text: str.optional() })).optional(),
  images: z.array(z.strictObject({ src: str, alt: str.optional(), href: str.optional() })).optional(),
});

export const slackSchema = z.strictObject({
  ...delivery,
  api_url: str.optional(),
  api_url_file: str.optional(),
  channel: str.optional(),
  username: str.optional(),
  color: str.optional(),
  title: str.optional(),
  title_link: str.optional(),
  text: str.optional(),
  pretext: str.optional(),
  footer: str.optional(),
  fallback: str.optional(),
  icon_emoji: str.optional(),
  icon_url: str.optional(),
  link_names: z.boolean().optional(),
  short_fields: z.boolean().optional(),
  mrkdwn_in: strList.optional(),
  callback_id: str.optional(),
  fields: z.array(z.record(z.string(), z.unknown())).optional(),
  actions: z.array(z.record(z.string(), z.unknown())).optional(),
  image_url: str.optional(),
  thumb_url: str.optional(),
});

export const emailSchema = z.strictObject({
  ...delivery,
  to: str.optional(),
  from: str.optional(),
  smarthost: str.optional(),
  hello: str.optional(),
  auth_username: str.optional(),
  auth_password: str.optional(),
  auth_password_file: str.optional(),
  auth_secret: str.optional(),
  auth_identity: str.optional(),
  require_tls: z.boolean().optional(),
  tls_config: tlsConfig.optional(),
  headers: labelMap.optional(),
  html: str.optional(),
  text: str.optional(),
});

/** Telltale's receiver that forwards alerts to another Alertmanager's `POST /api/v2/alerts`. */
export const alertmanagerSchema = z.strictObject({
  ...delivery,
  url: str,
});

/** Receiver kinds Alertmanager has and Telltale does not send to; accepted so real files load, then reported. */
export const UNSUPPORTED_RECEIVER_KINDS = [
  'opsgenie_configs', 'victorops_configs', 'pushover_configs', 'wechat_configs', 'sns_configs', 'telegram_configs',
  'discord_configs', 'webex_configs', 'msteams_configs',
] as const;

const unsupported = Object.fromEntries(UNSUPPORTED_RECEIVER_KINDS.map((k) => [k, z.array(z.unknown()).optional()])) as Record<
  (typeof UNSUPPORTED_RECEIVER_KINDS)[number],
  z.ZodOptional<z.ZodArray<z.ZodUnknown>>
>;

export const receiverSchema = z.strictObject({
  name: str,
  webhook_configs: z.array(webhookSchema).optional(),
  pagerduty_configs: z.array(pagerdutySchema).optional(),
  slack_configs: z.array(slackSchema).optional(),
  email_configs: z.array(emailSchema).optional(),
  alertmanager_configs: z.array(alertmanagerSchema).optional(),
  ...unsupported,
});

export interface RawRoute {
  receiver?: string;
  group_by?: string[];
  continue?: boolean;
  match?: Record<string, string>;
  match_re?: Record<string, string>;
  matchers?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
  escalation_policy?: string;
  routes?: RawRoute[];
}

export const routeSchema: z.ZodType<RawRoute> = z.lazy(() =>
  z.strictObject({
    receiver: str.optional(),
    group_by: strList.optional(),
    continue: z.boolean().optional(),
    match: labelMap.optional(),
    match_re: labelMap.optional(),
    matchers: strList.optional(),
    group_wait: str.optional(),
    group_interval: str.optional(),
    repeat_interval: str.optional(),
    mute_time_intervals: strList.optional(),
    active_time_intervals: strList.optional(),
    escalation_policy: str.optional(),
    routes: z.array(routeSchema).optional(),
  }),
);

export const inhibitRuleSchema = z.strictObject({
  source_matchers: strList.optional(),
  target_matchers: strList.optional(),
  source_match: labelMap.optional(),
  source_match_re: labelMap.optional(),
  target_match: labelMap.optional(),
  target_match_re: labelMap.optional(),
  equal: strList.optional(),
});

const intervalSchema = z.strictObject({
  times: z.array(z.strictObject({ start_time: str, end_time: str })).optional(),
  weekdays: strList.optional(),
  days_of_month: strList.optional(),
  months: strList.optional(),
  years: strList.optional(),
  location: str.optional(),
});

export const namedIntervalSchema = z.strictObject({ name: str, time_intervals: z.array(intervalSchema) });

export const escalationPolicySchema = z.strictObject({
  name: str,
  steps: z.array(z.strictObject({ after: str.optional(), receivers: strList.min(1) })).min(1),
});

export const globalSchema = z.strictObject({
  resolve_timeout: str.optional(),
  http_config: httpConfigSchema.optional(),
  smtp_from: str.optional(),
  smtp_hello: str.optional(),
  smtp_smarthost: str.optional(),
  smtp_auth_username: str.optional(),
  smtp_auth_password: str.optional(),
  smtp_auth_password_file: str.optional(),
  smtp_auth_identity: str.optional(),
  smtp_auth_secret: str.optional(),
  smtp_require_tls: z.boolean().optional(),
  slack_api_url: str.optional(),
  slack_api_url_file: str.optional(),
  pagerduty_url: str.optional(),
  opsgenie_api_url: str.optional(),
  opsgenie_api_key: str.optional(),
  opsgenie_api_key_file: str.optional(),
  victorops_api_url: str.optional(),
  victorops_api_key: str.optional(),
  victorops_api_key_file: str.optional(),
  wechat_api_url: str.optional(),
  wechat_api_secret: str.optional(),
  wechat_api_corp_id: str.optional(),
  telegram_api_url: str.optional(),
  webex_api_url: str.optional(),
  /** Telltale: the URL people reach this server at, for notification links (Alertmanager's --web.external-url) */
  external_url: str.optional(),
});

export const configSchema = z.strictObject({
  global: globalSchema.optional(),
  route: routeSchema,
  inhibit_rules: z.array(inhibitRuleSchema).optional(),
  receivers: z.array(receiverSchema).optional(),
  templates: strList.optional(),
  time_intervals: z.array(namedIntervalSchema).optional(),
  mute_time_intervals: z.array(namedIntervalSchema).optional(),
  escalation_policies: z.array(escalationPolicySchema).optional(),
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawReceiver = z.infer<typeof receiverSchema>;
export type RawGlobal = z.infer<typeof globalSchema>;
export type RawHttpConfig = z.infer<typeof httpConfigSchema>;
