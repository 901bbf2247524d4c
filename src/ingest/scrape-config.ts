/**
 * The scrape configuration: a subset of Prometheus' `prometheus.yml` (`global` and `scrape_configs`) with
 * the same field names, defaults and checks. Unknown fields are errors (Prometheus refuses them too), and
 * every message names the field path, e.g. `scrape_configs[0].relabel_configs[1].regex`.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { TelltaleError } from '../errors.ts';
import { isValidLabelName } from '../series/labels.ts';
import { RELABEL_ACTIONS, relabelRule, type RelabelRule } from './relabel.ts';

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** A Prometheus duration (`15s`, `1m30s`, `500ms`, `1d`) in ms, or undefined when it is not one. */
export function parsePromDuration(s: string): number | undefined {
  const m = DURATION.exec(s);
  if (!m || s === '') return undefined;
  let ms = 0;
  for (let i = 1; i < m.length; i++) if (m[i] !== undefined) ms += Number(m[i]) * DURATION_MS[i - 1];
  return ms;
}

export const promDuration = z.string().transform((s, ctx) => {
  const ms = parsePromDuration(s);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${s}" is not a duration (expected e.g. "15s", "1m30s", "500ms")` });
    return z.NEVER;
  }
  return ms;
});

const labelName = z.string().refine(isValidLabelName, { error: (iss) => `"${String(iss.input)}" is not a valid label name` });
const labelSet = z.record(z.string(), z.string()).superRefine((set, ctx) => {
  for (const k of Object.keys(set)) if (!isValidLabelName(k)) ctx.addIssue({ code: 'custom', message: `"${k}" is not a valid label name`, path: [k] });
});

export const relabelConfig = z
  .strictObject({
    source_labels: z.array(labelName).optional(),
    separator: z.string().optional(),
    regex: z.string().optional(),
    modulus: z.number().int().positive().optional(),
    target_label: z.string().optional(),
    replacement: z.string().optional(),
    action: z.enum(RELABEL_ACTIONS).optional(),
  })
  .transform((r, ctx): RelabelRule => {
    const action = r.action ?? 'replace';
    const needsTarget = action === 'replace' || action === 'hashmod' || action === 'lowercase' || action === 'uppercase';
    if (needsTarget && !r.target_label) ctx.addIssue({ code: 'custom', message: `relabel action ${action} requires target_label`, path: ['target_label'] });
    if (action === 'hashmod' && r.modulus === undefined) ctx.addIssue({ code: 'custom', message: 'relabel action hashmod requires modulus', path: ['modulus'] });
    if ((action === 'keep' || action === 'drop') && (r.source_labels ?? []).length === 0) {
      ctx.addIssue({ code: 'custom', message: `relabel action ${action} requires source_labels`, path: ['source_labels'] });
    }
    if (r.target_label && action !== 'replace' && !isValidLabelName(r.target_label)) {
      ctx.addIssue({ code: 'custom', message: `"${r.target_label}" is not a valid label name`, path: ['target_label'] });
    }
    if (r.target_label && (action === 'labeldrop' || action === 'labelkeep' || action === 'labelmap' || action === 'keep' || action === 'drop')) {
      ctx.addIssue({ code: 'custom', message: `target_label is not allowed with action ${action}`, path: ['target_label'] });
    }
    try {
      return relabelRule({
        action,
        sourceLabels: r.source_labels,
        separator: r.separator,
        regex: r.regex,
        targetLabel: r.target_label,
        replacement: r.replacement,
        modulus: r.modulus,
      });
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message, path: ['regex'] });
      return z.NEVER;
    }
  });

const target = z.string().refine((t) => /^[^/\s]+:\d+$|^\[[0-9a-fA-F:.]+\]:\d+$/.test(t), {
  error: (iss) => `"${String(iss.input)}" is not a host:port address`,
});

const scrapeConfig = z.strictObject({
  job_name: z.string().min(1, 'job_name must not be empty'),
  scrape_interval: promDuration.optional(),
  scrape_timeout: promDuration.optional(),
  metrics_path: z.string().startsWith('/', 'metrics_path must start with "/"').default('/metrics'),
  scheme: z.enum(['http', 'https']).default('http'),
  honor_labels: z.boolean().default(false),
  honor_timestamps: z.boolean().default(true),
  params: z.record(z.string(), z.array(z.string())).default({}),
  basic_auth: z.strictObject({ username: z.string(), password: z.string().optional() }).optional(),
  bearer_token: z.string().optional(),
  sample_limit: z.number().int().nonnegative().default(0),
  static_configs: z.array(z.strictObject({ targets: z.array(target).default([]), labels: labelSet.default({}) })).default([]),
  relabel_configs: z.array(relabelConfig).default([]),
  metric_relabel_configs: z.array(relabelConfig).default([]),
});

// other top-level sections of prometheus.yml (remote_write, rule_files, alerting ...) are not this parser's
const fileSchema = z.object({
  global: z
    .strictObject({ scrape_interval: promDuration.optional(), scrape_timeout: promDuration.optional(), external_labels: labelSet.optional() })
    .default({}),
  scrape_configs: z.array(scrapeConfig).default([]),
});

export interface ScrapeJobConfig {
  jobName: string;
  intervalMs: number;
  timeoutMs: number;
  metricsPath: string;
  scheme: 'http' | 'https';
  honorLabels: boolean;
  honorTimestamps: boolean;
  params: Record<string, string[]>;
  basicAuth?: { username: string; password: string };
  bearerToken?: string;
  sampleLimit: number;
  staticConfigs: { targets: string[]; labels: Record<string, string> }[];
  relabelConfigs: RelabelRule[];
  metricRelabelConfigs: RelabelRule[];
}

export interface ScrapeConfigFile {
  externalLabels: Record<string, string>;
  scrapeConfigs: ScrapeJobConfig[];
}

export function pathString(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out === '' ? '' : '.'}${String(p)}`;
  return out;
}

/** Validates an already-parsed config object. Throws TT_SERVE_CONFIG naming the field path. */
export function parseScrapeConfig(input: unknown, file?: string): ScrapeConfigFile {
  const result = fileSchema.safeParse(input ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = pathString(issue.path);
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
    throw new TelltaleError('TT_SERVE_CONFIG', `${field || 'config'}: ${issue.message}${more}`, { field, file });
  }
  const global = result.data.global;
  const globalInterval = global.scrape_interval ?? 60_000;
  const globalTimeout = global.scrape_timeout ?? Math.min(10_000, globalInterval);
  const seen = new Set<string>();
  const scrapeConfigs = result.data.scrape_configs.map((c, i): ScrapeJobConfig => {
    const fail = (key: string, msg: string): never => {
      const field = `scrape_configs[${i}].${key}`;
      throw new TelltaleError('TT_SERVE_CONFIG', `${field}: ${msg}`, { field, file });
    };
    if (seen.has(c.job_name)) fail('job_name', `duplicate job name "${c.job_name}"`);
    seen.add(c.job_name);
    const intervalMs = c.scrape_interval ?? globalInterval;
    // as in Prometheus: the job's timeout defaults to the global one, capped by the job's interval
    const timeoutMs = c.scrape_timeout ?? Math.min(globalTimeout, intervalMs);
    if (intervalMs <= 0) fail('scrape_interval', 'must be greater than 0');
    if (timeoutMs <= 0) fail('scrape_timeout', 'must be greater than 0');
    if (timeoutMs > intervalMs) fail('scrape_timeout', `${timeoutMs}ms is greater than scrape_interval ${intervalMs}ms`);
    if (c.basic_auth && c.bearer_token) fail('bearer_token', 'basic_auth and bearer_token are mutually exclusive');
    return {
      jobName: c.job_name,
      intervalMs,
      timeoutMs,
      metricsPath: c.metrics_path,
      scheme: c.scheme,
      honorLabels: c.honor_labels,
      honorTimestamps: c.honor_timestamps,
      params: c.params,
      basicAuth: c.basic_auth ? { username: c.basic_auth.username, password: c.basic_auth.password ?? '' } : undefined,
      bearerToken: c.bearer_token,
      sampleLimit: c.sample_limit,
      staticConfigs: c.static_configs,
      relabelConfigs: c.relabel_configs,
      metricRelabelConfigs: c.metric_relabel_configs,
    };
  });
  return { externalLabels: global.external_labels ?? {}, scrapeConfigs };
}

/** Parses prometheus.yml-style YAML text. */
export function parseScrapeConfigYaml(text: string, file?: string): ScrapeConfigFile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new TelltaleError('TT_SERVE_CONFIG', `not valid YAML: ${(err as Error).message}`, { file, cause: err });
  }
  return parseScrapeConfig(doc, file);
}
