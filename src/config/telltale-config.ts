/**
 * `telltale.config.ts` / `telltale.yaml`: one file for the long-running server — where it listens and
 * stores, the services it watches and their targets, and (section by section, each validated by its own
 * domain's schema) scrapes, checks, rules and alert routing. Defaults are the seeds' numbers
 * (shared PRODUCT.md): p50 < 200 ms, p95 < 500 ms, p99 < 1 s, errors < 0.1%; warning/critical p95
 * 400/800 ms, errors 0.5/2%, CPU 75/90%, memory 80/95%.
 */
import { z } from 'zod';
import { parseDuration } from './duration.ts';

const duration = (what: string) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    try {
      return parseDuration(v, what);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^[^:]*: /, '') });
      return z.NEVER;
    }
  });

const percent = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const s = String(v).trim();
  const m = /^(\d+(?:\.\d+)?)\s*(%)?$/.exec(s);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `expected a ratio like 0.01 or a percentage like "1%", got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  const n = Number(m[1]);
  const ratio = m[2] ? n / 100 : n;
  if (ratio > 1) {
    ctx.addIssue({ code: 'custom', message: `a ratio must be at most 1 (100%), got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return ratio;
});

const bytes = z.union([z.number().int().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/i.exec(v.trim());
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `expected a size like "10GB" or "512MiB", got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  const unit = (m[2] ?? 'B').toLowerCase();
  const mult: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };
  return Math.round(Number(m[1]) * mult[unit]);
});

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name like "job"');

export const targetsSchema = z
  .strictObject({
    p50: duration('p50').default(200),
    p95: duration('p95').default(500),
    p99: duration('p99').default(1000),
    error_rate: percent.default(0.001),
    p95_warning: duration('p95_warning').default(400),
    p95_critical: duration('p95_critical').default(800),
    error_rate_warning: percent.default(0.005),
    error_rate_critical: percent.default(0.02),
    cpu_warning: percent.default(0.75),
    cpu_critical: percent.default(0.9),
    memory_warning: percent.default(0.8),
    memory_critical: percent.default(0.95),
  })
  .prefault({});

export const serviceSchema = z.strictObject({
  /** the service's name on the dashboard */
  name: z.string().min(1),
  /** label matchers that select the service's series, e.g. { job: "shop" } */
  selector: z.record(labelName, z.string()).refine((s) => Object.keys(s).length > 0, 'needs at least one label, e.g. { job: "shop" }'),
  /** the label that names an endpoint in its HTTP metrics (route, handler, path ...) */
  endpoint_label: labelName.default('route'),
  /** the endpoints that matter most (the seeds' "critical endpoints"); all are shown either way */
  critical_endpoints: z.array(z.string()).default([]),
  targets: targetsSchema,
});

export const serverSchema = z
  .strictObject({
    /** HOST:PORT to listen on (loopback by default) */
    listen: z.string().default('127.0.0.1:7070'),
    /** the series store directory */
    data: z.string().default('.telltale/data'),
    /** relational store: a SQLite file or a postgres:// URL */
    store: z.string().optional(),
    /** the URL users reach the server at, for links in notifications */
    external_url: z.string().url().optional(),
    /** how often the server's own metrics are written to its store (job="telltale"); 0 turns it off */
    self_metrics_interval: duration('self_metrics_interval').default(15_000),
    /** identical PromQL queries share one answer for a short time (src/server/query-cache.ts) */
    query_cache: z.boolean().default(true),
    /** logins, sessions and API tokens (docs/auth.md) */
    auth: z
      .strictObject({
        /** false serves every route to everyone without credentials */
        enabled: z.boolean().default(true),
        /** how long a dashboard login lasts */
        session_lifetime: duration('session_lifetime').default(7 * 86_400_000),
      })
      .prefault({}),
  })
  .prefault({});

export const storageSchema = z
  .strictObject({
    retention: duration('retention').default(15 * 86_400_000),
    retention_size: bytes.optional(),
    out_of_order_window: duration('out_of_order_window').default(0),
  })
  .prefault({});

export const telltaleConfigSchema = z.strictObject({
  server: serverSchema,
  /** Prometheus' `global` block (scrape_interval, scrape_timeout, external_labels), as in prometheus.yml */
  global: z.record(z.string(), z.unknown()).optional(),
  /** Prometheus' `scrape_configs`, unchanged (validated by the scrape manager's schema: src/ingest/scrape-config.ts) */
  scrape_configs: z.array(z.unknown()).default([]),
  /** Prometheus' `remote_write`, unchanged (validated by src/ingest/remote-write-config.ts): where the store mirrors to */
  remote_write: z.array(z.unknown()).default([]),
  /** Prometheus rule files, unchanged; paths relative to this file */
  rule_files: z.array(z.string().min(1)).default([]),
  /** how often rule groups without their own interval run (Prometheus' evaluation_interval) */
  evaluation_interval: duration('evaluation_interval').default(60_000),
  alerting: z
    .strictObject({
      /** an Alertmanager config file (alertmanager.yml), unchanged; relative to this file */
      config_file: z.string().min(1).optional(),
    })
    .prefault({}),
  /** synthetic checks (validated by the probes' schema: src/probes/check-schema.ts) */
  checks: z.array(z.unknown()).default([]),
  storage: storageSchema,
  services: z.array(serviceSchema).default([]).superRefine((services, ctx) => {
    const seen = new Set<string>();
    services.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate service name ${JSON.stringify(s.name)}` });
      seen.add(s.name);
    });
  }),
});

export type TelltaleConfigInput = z.input<typeof telltaleConfigSchema>;
export type TelltaleConfig = z.output<typeof telltaleConfigSchema>;
export type ServiceConfig = z.output<typeof serviceSchema>;
export type ServiceTargets = z.output<typeof targetsSchema>;

/** Types a config module's default export: `export default defineConfig({ ... })`. */
export function defineConfig(config: TelltaleConfigInput): TelltaleConfigInput {
  return config;
}
