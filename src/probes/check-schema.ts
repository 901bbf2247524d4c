/**
 * The input form of check definitions (telltale.config.ts `checks:` or a YAML file), as zod schemas. Durations
 * are k6/Go strings ("30s", "1m30s") or milliseconds. Unknown keys are errors, so a typo never silently
 * disables an option. parse-checks.ts runs these schemas and the checks that need more than one field.
 */
import { z } from 'zod';
import { parseDuration } from '../config/duration.ts';
import { COMPARISONS, type JsonValue } from './assertions.ts';
import { DNS_RECORD_TYPES } from './check-types.ts';

export const MIN_INTERVAL_MS = 10_000;
export const MAX_INTERVAL_MS = 86_400_000;

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  return String(v);
}

export function expected(what: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? `missing (expected ${what})` : `expected ${what}, got ${describe(issue.input)}`);
}

/** A duration between `min` and `max` ms, given as a string or a number of milliseconds. */
export function duration(min: number, max: number) {
  const what = 'a duration like "30s"';
  return z.union([z.string(), z.number()], { error: expected(what) }).transform((input, ctx) => {
    let ms: number;
    try {
      ms = parseDuration(input, 'duration');
    } catch {
      ctx.issues.push({ code: 'custom', input, message: `expected ${what}, got ${describe(input)}` });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.issues.push({ code: 'custom', input, message: `${describe(input)} is outside ${span(min)}..${span(max)}` });
      return z.NEVER;
    }
    return ms;
  });
}

function span(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

const text = (what = 'a string') => z.string({ error: expected(what) });
const nonEmpty = (what: string) => z.string({ error: expected(what) }).min(1, { error: `expected ${what}, got ""` });
const bool = z.boolean({ error: expected('true or false') });
const integer = (min: number, max: number) =>
  z.number({ error: expected(`an integer in ${min}..${max}`) }).int({ error: expected(`an integer in ${min}..${max}`) })
    .min(min, { error: expected(`an integer in ${min}..${max}`) }).max(max, { error: expected(`an integer in ${min}..${max}`) });
const stringMap = (what: string) => z.record(z.string(), z.string({ error: expected('a string value') }), { error: expected(what) });
const port = integer(1, 65535);
const ipFamily = z.union([z.literal(0), z.literal(4), z.literal(6), z.literal('any'), z.literal('ipv4'), z.literal('ipv6')], {
  error: expected('4, 6 or "any"'),
}).transform((v) => (v === 4 || v === 'ipv4' ? 4 : v === 6 || v === 'ipv6' ? 6 : 0));

const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number().refine(Number.isFinite), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)], {
    error: expected('a string, number, boolean, null, array or object'),
  }),
);

export const assertionSchema = z.strictObject({
  source: nonEmpty('an assertion source'),
  property: z.string({ error: expected('a string (header name, JSON path ...)') }).optional(),
  comparison: z.enum(COMPARISONS, { error: expected(COMPARISONS.join(', ')) }),
  target: jsonValue.optional(),
}, { error: expected('an assertion object { source, comparison, target }') });

export const tlsOptionsSchema = z.strictObject({
  insecureSkipVerify: bool.default(false),
  ca: text('PEM text').optional(),
  caFile: nonEmpty('a file path').optional(),
  servername: nonEmpty('a host name').optional(),
}, { error: expected('an object of TLS options') });

/** Fields every check type has. */
export const commonFields = {
  name: nonEmpty('a check name').max(200, { error: 'a check name is at most 200 characters' }),
  interval: duration(MIN_INTERVAL_MS, MAX_INTERVAL_MS).optional(),
  /** Same as interval (Checkly calls it frequency, Uptime Kuma heartbeat interval). */
  schedule: duration(MIN_INTERVAL_MS, MAX_INTERVAL_MS).optional(),
  timeout: duration(1, 10 * 60_000).optional(),
  retries: integer(0, 10).default(0),
  retryDelay: duration(0, 10 * 60_000).default(0),
  jitter: duration(0, MAX_INTERVAL_MS).optional(),
  labels: stringMap('an object of label values').default({}),
  service: nonEmpty('a service name').optional(),
  degradedResponseTime: duration(0, 10 * 60_000).optional(),
  maxResponseTime: duration(0, 10 * 60_000).optional(),
  assertions: z.array(assertionSchema, { error: expected('an array of assertions') }).default([]),
};

export const httpCheckSchema = z.strictObject({
  ...commonFields,
  type: z.literal('http'),
  request: z.strictObject({
    method: z.string({ error: expected('an HTTP method') }).regex(/^[A-Za-z]{1,20}$/, { error: expected('an HTTP method such as GET') }).default('GET'),
    url: nonEmpty('an http:// or https:// URL'),
    headers: stringMap('an object of header values').default({}),
    body: text().optional(),
    followRedirects: bool.default(true),
    maxRedirects: integer(0, 50).default(10),
    ipFamily: ipFamily.default(0),
    tls: tlsOptionsSchema.default({ insecureSkipVerify: false }),
    maxBodyBytes: integer(0, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  }, { error: expected('a request object { method, url, ... }') }),
});

export const multistepCheckSchema = z.strictObject({
  ...commonFields,
  type: z.literal('multistep'),
  script: nonEmpty('a script path'),
  env: stringMap('an object of environment values').default({}),
});

export const tcpCheckSchema = z.strictObject({
  ...commonFields,
  type: z.literal('tcp'),
  host: nonEmpty('a host name or IP address'),
  port,
  ipFamily: ipFamily.default(0),
  send: text().optional(),
  expect: text('a regular expression').optional(),
  tls: bool.default(false),
  tlsOptions: tlsOptionsSchema.default({ insecureSkipVerify: false }),
});

export const dnsCheckSchema = z.strictObject({
  ...commonFields,
  type: z.literal('dns'),
  query: nonEmpty('a domain name'),
  recordType: z.enum(DNS_RECORD_TYPES, { error: expected(DNS_RECORD_TYPES.join(', ')) }).default('A'),
  server: nonEmpty('a DNS server "host" or "host:port"').optional(),
});

export const tlsCheckSchema = z.strictObject({
  ...commonFields,
  type: z.literal('tls'),
  host: nonEmpty('a host name or IP address'),
  port: port.default(443),
  ipFamily: ipFamily.default(0),
  tlsOptions: tlsOptionsSchema.default({ insecureSkipVerify: false }),
  degradedDaysLeft: z.number({ error: expected('a number of days') }).min(0, { error: expected('a number of days') }).default(30),
  failedDaysLeft: z.number({ error: expected('a number of days') }).min(0, { error: expected('a number of days') }).default(7),
});

export const heartbeatCheckSchema = z.strictObject({
  ...commonFields,
  type: z.literal('heartbeat'),
  token: z.string({ error: expected('a token of 8 to 128 letters, digits, "-" or "_"') })
    .regex(/^[A-Za-z0-9_-]{8,128}$/, { error: expected('a token of 8 to 128 letters, digits, "-" or "_"') }),
  period: duration(1000, 31 * 86_400_000),
  grace: duration(0, 31 * 86_400_000).default(60_000),
});

export const CHECK_SCHEMAS = {
  http: httpCheckSchema,
  multistep: multistepCheckSchema,
  tcp: tcpCheckSchema,
  dns: dnsCheckSchema,
  tls: tlsCheckSchema,
  heartbeat: heartbeatCheckSchema,
} as const;

export type CheckInput = z.input<(typeof CHECK_SCHEMAS)[keyof typeof CHECK_SCHEMAS]>;

/** The sources an assertion of each check type may name, and whether the source needs a `property`. */
export const ASSERTION_SOURCES: Record<keyof typeof CHECK_SCHEMAS, Record<string, 'property' | 'none'>> = {
  http: { statusCode: 'none', header: 'property', jsonBody: 'property', textBody: 'none', responseTime: 'none' },
  multistep: { responseTime: 'none' },
  tcp: { responseTime: 'none', response: 'none' },
  dns: { responseCode: 'none', answers: 'none', answerCount: 'none', responseTime: 'none' },
  tls: { responseTime: 'none', daysLeft: 'none', subject: 'none', issuer: 'none' },
  heartbeat: {},
};
