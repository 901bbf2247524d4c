/**
 * Loading alertmanager.yml: YAML (the `yaml` package, keeping positions) → the zod shape → the dispatcher's
 * config with durations, matchers and time ranges parsed, defaults filled in and every reference checked
 * (receivers, time intervals, escalation policies). Every error is TT_ALERTING_CONFIG naming the file, the
 * line and the field path (`route.routes[1].matchers[0]`), as Alertmanager's `amtool check-config` would.
 */
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { TelltaleError } from '../errors.ts';
import { configSchema, type RawConfig } from './config-schema.ts';
import { compileReceiver, type Fail, type ReceiverConfig } from './receiver-config.ts';
import { compileRoute, compileInhibitRules, compileIntervals, compileEscalation, type Route, type InhibitRule, type EscalationPolicy } from './config-compile.ts';
import type { TimeInterval } from './time-intervals.ts';
import { parsePromDuration } from './duration.ts';

export type { Route, InhibitRule, EscalationPolicy } from './config-compile.ts';

export interface AlertingConfig {
  readonly resolveTimeoutMs: number;
  /** where people reach this server, for links in notifications */
  readonly externalURL: string;
  readonly route: Route;
  readonly inhibitRules: readonly InhibitRule[];
  readonly receivers: ReadonlyMap<string, ReceiverConfig>;
  readonly timeIntervals: ReadonlyMap<string, readonly TimeInterval[]>;
  readonly escalationPolicies: ReadonlyMap<string, EscalationPolicy>;
  /** things accepted but not acted on (unsupported receiver kinds, templates) */
  readonly warnings: readonly string[];
  /** the file as given with its secrets replaced by `<secret>`, for GET /api/v2/status */
  readonly original: string;
}

export interface LoadOptions {
  /** the file name for messages, and the base of relative `*_file` paths */
  file?: string;
  /** Alertmanager's --web.external-url; global.external_url overrides it */
  externalURL?: string;
}

export function formatPath(parts: ReadonlyArray<string | number | symbol>): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

export function loadAlertingConfig(text: string, options: LoadOptions = {}): AlertingConfig {
  const file = options.file ?? 'alertmanager.yml';
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const err = (message: string, at: { line?: number; column?: number; field?: string }, hint?: string): TelltaleError =>
    new TelltaleError('TT_ALERTING_CONFIG', at.field ? `${at.field}: ${message}` : message, {
      file, ...(at.line !== undefined ? { line: at.line } : {}), ...(at.column !== undefined ? { column: at.column } : {}),
      ...(at.field ? { field: at.field } : {}), ...(hint ? { hint } : {}),
    });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    throw err(`invalid YAML: ${e.message.split('\n')[0]}`, { line: pos?.line, column: pos?.col });
  }
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw err(`invalid YAML: ${(e as Error).message}`, {});
  }
  if (js === null || js === undefined) throw err('the file is empty; it needs at least a route with a receiver', { line: 1 });

  const locate = (parts: ReadonlyArray<string | number>, key?: string): { line?: number; column?: number } => {
    let node: unknown = doc.contents;
    let found: Node | undefined = doc.contents ?? undefined;
    for (const seg of [...parts, ...(key !== undefined ? [key] : [])]) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
        if (!pair) break;
        found = (key !== undefined && seg === key ? pair.key : pair.value ?? pair.key) as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
        node = node.items[seg];
        found = node as Node;
      } else break;
    }
    const offset = found?.range?.[0];
    if (offset === undefined) return {};
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };

  const parsed = configSchema.safeParse(js);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const describe = (i: (typeof issues)[number]) => {
      const p = i.path.filter((s): s is string | number => typeof s !== 'symbol');
      if (i.code === 'unrecognized_keys') {
        const key = i.keys[0];
        return { parts: p, key, message: `unknown field ${JSON.stringify(key)}${i.keys.length > 1 ? ` (and ${i.keys.slice(1).map((k) => JSON.stringify(k)).join(', ')})` : ''}` };
      }
      return { parts: p, key: undefined, message: i.message };
    };
    const first = describe(issues[0]);
    const field = formatPath(first.key !== undefined ? [...first.parts, first.key] : first.parts);
    const more = issues.slice(1, 6).map((i) => {
      const d = describe(i);
      const at = locate(d.parts, d.key);
      return `  line ${at.line ?? '?'}: ${formatPath(d.key !== undefined ? [...d.parts, d.key] : d.parts) || '(top level)'}: ${d.message}`;
    });
    throw err(first.message, { ...locate(first.parts, first.key), field: field || undefined }, more.length ? `also:\n${more.join('\n')}` : undefined);
  }
  const fail: Fail = (parts, message) => {
    throw err(message, { ...locate(parts), field: formatPath(parts) });
  };
  return compileConfig(parsed.data, redactSecrets(doc, text), fail, path.dirname(path.resolve(file)), options.externalURL);
}

/** Fields that hold credentials (or URLs that embed them, like Slack's and webhooks'), as Alertmanager masks them. */
const SECRET_KEYS = new Set([
  'password', 'auth_password', 'smtp_auth_password', 'auth_secret', 'smtp_auth_secret', 'credentials', 'bearer_token',
  'routing_key', 'service_key', 'api_key', 'opsgenie_api_key', 'victorops_api_key', 'api_secret', 'wechat_api_secret',
  'api_url', 'slack_api_url', 'token', 'bot_token', 'user_key',
]);

/** The text with every secret value replaced by `<secret>`, formatting and comments kept. */
function redactSecrets(doc: Document, text: string): string {
  const ranges: Array<[number, number]> = [];
  visit(doc, {
    Pair(_key, pair, path) {
      if (!isPair(pair) || !isScalar(pair.key) || !isScalar(pair.value) || !pair.value.range) return;
      const key = String(pair.key.value);
      const parent = path.at(-1);
      const inWebhook = path.some((n) => isPair(n) && isScalar(n.key) && n.key.value === 'webhook_configs');
      if (SECRET_KEYS.has(key) || (key === 'url' && inWebhook && isMap(parent))) ranges.push([pair.value.range[0], pair.value.range[1]]);
    },
  });
  let out = text;
  for (const [start, end] of ranges.sort((a, b) => b[0] - a[0])) out = `${out.slice(0, start)}<secret>${out.slice(end)}`;
  return out;
}

function compileConfig(raw: RawConfig, original: string, fail: Fail, baseDir: string, externalURL: string | undefined): AlertingConfig {
  const warnings: string[] = [];
  const g = raw.global ?? {};
  let resolveTimeoutMs = 5 * 60_000;
  if (g.resolve_timeout !== undefined) {
    const d = parsePromDuration(g.resolve_timeout);
    if (d === undefined || d === 0) fail(['global', 'resolve_timeout'], `${JSON.stringify(g.resolve_timeout)} is not a positive duration`);
    resolveTimeoutMs = d;
  }
  const receivers = new Map<string, ReceiverConfig>();
  (raw.receivers ?? []).forEach((r, i) => {
    if (r.name === '') fail(['receivers', i, 'name'], 'a receiver needs a name');
    if (receivers.has(r.name)) fail(['receivers', i, 'name'], `receiver ${JSON.stringify(r.name)} is defined twice`);
    receivers.set(r.name, compileReceiver(r, ['receivers', i], { global: g, baseDir, fail, warn: (m) => warnings.push(m) }));
  });
  if ((raw.templates?.length ?? 0) > 0) warnings.push('templates are not supported: notifications use Telltale\'s built-in texts');
  const timeIntervals = compileIntervals(raw, fail);
  const escalationPolicies = compileEscalation(raw, receivers, fail);
  const route = compileRoute(raw.route, undefined, ['route'], { receivers, timeIntervals, escalationPolicies, fail });
  const inhibitRules = compileInhibitRules(raw, fail);
  return {
    resolveTimeoutMs,
    externalURL: g.external_url ?? externalURL ?? 'http://localhost:9093',
    route,
    inhibitRules,
    receivers,
    timeIntervals,
    escalationPolicies,
    warnings,
    original,
  };
}

