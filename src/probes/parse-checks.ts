/**
 * Validates check definitions into frozen CheckDefinitions. Every problem of every check is collected (a
 * config with three mistakes gets three lines, each naming its field path, e.g.
 * `checks[2].assertions[0].target`), then reported as one TT_CHECK_INVALID error.
 */
import path from 'node:path';
import net from 'node:net';
import { TelltaleError } from '../errors.ts';
import { isValidLabelName, isValidLabelValue } from '../series/labels.ts';
import {
  NUMERIC_COMPARISONS, REGEX_COMPARISONS, UNARY_COMPARISONS, toNumber,
  type Assertion, type CompiledAssertion,
} from './assertions.ts';
import { ASSERTION_SOURCES, CHECK_SCHEMAS } from './check-schema.ts';
import { CHECK_TYPES, type CheckDefinition, type CheckType } from './check-types.ts';
import { JsonPathError, parseJsonPath, type JsonPath } from './json-path.ts';

export type FieldPath = readonly (string | number)[];

export interface Problem {
  readonly path: FieldPath;
  readonly message: string;
}

export interface ParseChecksOptions {
  /** The config file, for the error. */
  file?: string;
  /** Where relative script paths of multistep checks start; the config file's directory by default. */
  baseDir?: string;
  /** The path of the list in the config (default `checks`). */
  base?: FieldPath;
}

/** Labels Telltale sets itself on probe series. */
export const RESERVED_LABELS: ReadonlySet<string> = new Set(['check', 'type', 'phase', 'job', 'instance']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const DEFAULT_INTERVAL_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;

export function formatPath(p: FieldPath): string {
  let out = '';
  for (const part of p) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out || 'checks';
}

/** Parses and validates a list of checks (or `{ checks: [...] }`); throws TT_CHECK_INVALID listing every problem. */
export function parseChecks(input: unknown, options: ParseChecksOptions = {}): CheckDefinition[] {
  const { checks, problems } = validateChecks(input, options);
  if (problems.length > 0) {
    const lines = problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
    const head = problems.length === 1 ? 'invalid check definition' : `${problems.length} problems in check definitions`;
    throw new TelltaleError('TT_CHECK_INVALID', `${head}:\n  ${lines.join('\n  ')}`, { file: options.file, field: formatPath(problems[0].path) });
  }
  return checks;
}

/** Like parseChecks, but returns the problems instead of throwing (the valid checks are returned too). */
export function validateChecks(input: unknown, options: ParseChecksOptions = {}): { checks: CheckDefinition[]; problems: Problem[] } {
  const base = options.base ?? ['checks'];
  let list = input;
  if (list !== null && typeof list === 'object' && !Array.isArray(list) && 'checks' in list) list = (list as { checks: unknown }).checks;
  if (!Array.isArray(list)) return { checks: [], problems: [{ path: base, message: 'expected an array of checks' }] };
  const problems: Problem[] = [];
  const checks: CheckDefinition[] = [];
  const names = new Map<string, number>();
  const tokens = new Map<string, number>();
  list.forEach((raw, i) => {
    const at = [...base, i];
    const before = problems.length;
    const def = parseCheck(raw, at, options, problems);
    if (def === undefined || problems.length > before) return;
    const seen = names.get(def.name);
    if (seen !== undefined) {
      problems.push({ path: [...at, 'name'], message: `duplicate check name ${JSON.stringify(def.name)} (also ${formatPath([...base, seen])})` });
      return;
    }
    names.set(def.name, i);
    if (def.type === 'heartbeat') {
      const other = tokens.get(def.token);
      if (other !== undefined) {
        problems.push({ path: [...at, 'token'], message: `the token is already used by ${formatPath([...base, other])}` });
        return;
      }
      tokens.set(def.token, i);
    }
    checks.push(deepFreeze(def));
  });
  return { checks, problems };
}

function parseCheck(raw: unknown, at: FieldPath, options: ParseChecksOptions, problems: Problem[]): CheckDefinition | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({ path: at, message: 'expected a check object { name, type, ... }' });
    return undefined;
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string' || !(CHECK_TYPES as readonly string[]).includes(type)) {
    const got = type === undefined ? 'missing' : `got ${JSON.stringify(type) ?? String(type)}`;
    problems.push({ path: [...at, 'type'], message: `expected one of ${CHECK_TYPES.join(', ')} (${got})` });
    return undefined;
  }
  const checkType = type as CheckType;
  const parsed = CHECK_SCHEMAS[checkType].safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const p = [...at, ...(issue.path as (string | number)[])];
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) problems.push({ path: [...p, key], message: `unknown option for a ${checkType} check` });
      } else {
        problems.push({ path: p, message: issue.message });
      }
    }
    return undefined;
  }
  const v = parsed.data;
  const problem = (p: FieldPath, message: string) => problems.push({ path: [...at, ...p], message });

  if (v.interval !== undefined && v.schedule !== undefined) problem(['schedule'], 'give interval or schedule, not both');
  const intervalMs = v.interval ?? v.schedule ?? DEFAULT_INTERVAL_MS;
  const timeoutMs = v.timeout ?? Math.min(DEFAULT_TIMEOUT_MS, intervalMs);
  if (timeoutMs > intervalMs) problem(['timeout'], `the timeout (${timeoutMs}ms) is longer than the interval (${intervalMs}ms)`);
  const jitterMs = v.jitter ?? intervalMs;
  if (jitterMs > intervalMs) problem(['jitter'], `the jitter (${jitterMs}ms) is longer than the interval (${intervalMs}ms)`);
  if (v.degradedResponseTime !== undefined && v.maxResponseTime !== undefined && v.degradedResponseTime > v.maxResponseTime) {
    problem(['degradedResponseTime'], 'is longer than maxResponseTime: the check could never be degraded');
  }
  for (const [key, value] of Object.entries(v.labels)) {
    if (!isValidLabelName(key) || key.startsWith('__')) problem(['labels', key], 'is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__")');
    else if (RESERVED_LABELS.has(key) || (key === 'service' && v.service !== undefined)) problem(['labels', key], 'is a label Telltale sets itself');
    else if (!isValidLabelValue(value)) problem(['labels', key], 'is not valid UTF-8');
  }
  const assertions = compileAssertions(v.assertions, checkType, [...at, 'assertions'], problems);
  const common = {
    name: v.name,
    intervalMs,
    timeoutMs,
    retries: v.retries,
    retryDelayMs: v.retryDelay,
    jitterMs,
    labels: v.labels,
    ...(v.service === undefined ? {} : { service: v.service }),
    ...(v.degradedResponseTime === undefined ? {} : { degradedResponseTimeMs: v.degradedResponseTime }),
    ...(v.maxResponseTime === undefined ? {} : { maxResponseTimeMs: v.maxResponseTime }),
    assertions,
  };

  switch (v.type) {
    case 'http': {
      const r = v.request;
      let url: URL | undefined;
      try {
        url = new URL(r.url);
      } catch {
        problem(['request', 'url'], `${JSON.stringify(r.url)} is not a URL`);
      }
      if (url !== undefined && url.protocol !== 'http:' && url.protocol !== 'https:') problem(['request', 'url'], `expected an http:// or https:// URL, got ${url.protocol}`);
      for (const [name, value] of Object.entries(r.headers)) {
        if (!HEADER_NAME.test(name)) problem(['request', 'headers', name], 'is not a valid header name');
        else if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) problem(['request', 'headers', name], 'holds a control character or a character outside Latin-1 (encode it)');
      }
      return { ...common, type: 'http', request: { ...r, method: r.method.toUpperCase(), url: url?.href ?? r.url } };
    }
    case 'multistep': {
      const baseDir = options.baseDir ?? (options.file ? path.dirname(options.file) : process.cwd());
      return { ...common, type: 'multistep', script: path.resolve(baseDir, v.script), env: v.env };
    }
    case 'tcp': {
      const expect = v.expect === undefined ? undefined : compileRegex(v.expect, (m) => problem(['expect'], m));
      return {
        ...common, type: 'tcp', host: v.host, port: v.port, ipFamily: v.ipFamily, tls: v.tls, tlsOptions: v.tlsOptions,
        ...(v.send === undefined ? {} : { send: v.send }),
        ...(expect === undefined ? {} : { expect }),
      };
    }
    case 'dns': {
      if (v.query.length > 253 || /[\s/]/.test(v.query)) problem(['query'], `${JSON.stringify(v.query)} is not a domain name`);
      if (v.server !== undefined && !validServer(v.server)) problem(['server'], `expected "host", "host:port" or "[ipv6]:port" with an IP address, got ${JSON.stringify(v.server)}`);
      return { ...common, type: 'dns', query: v.query, recordType: v.recordType, ...(v.server === undefined ? {} : { server: v.server }) };
    }
    case 'tls':
      if (v.failedDaysLeft > v.degradedDaysLeft) problem(['failedDaysLeft'], 'is more than degradedDaysLeft: the check could never be degraded');
      return {
        ...common, type: 'tls', host: v.host, port: v.port, ipFamily: v.ipFamily, tlsOptions: v.tlsOptions,
        degradedDaysLeft: v.degradedDaysLeft, failedDaysLeft: v.failedDaysLeft,
      };
    case 'heartbeat':
      return { ...common, type: 'heartbeat', token: v.token, periodMs: v.period, graceMs: v.grace };
    default:
      return undefined;
  }
}

/** A DNS server as node:dns' setServers takes it, restricted to IP addresses (no name to resolve a resolver). */
function validServer(s: string): boolean {
  const bracket = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s);
  if (bracket) return net.isIPv6(bracket[1]) && (bracket[2] === undefined || Number(bracket[2]) <= 65535);
  if (net.isIP(s) !== 0) return true;
  const m = /^([^:]+):(\d{1,5})$/.exec(s);
  return m !== null && net.isIPv4(m[1]) && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
}

function compileAssertions(list: readonly Assertion[], type: CheckType, at: FieldPath, problems: Problem[]): CompiledAssertion[] {
  const sources = ASSERTION_SOURCES[type];
  const out: CompiledAssertion[] = [];
  list.forEach((a, j) => {
    const p = (field: string, message: string) => problems.push({ path: [...at, j, field], message });
    const need = Object.hasOwn(sources, a.source) ? sources[a.source] : undefined;
    if (need === undefined) {
      const names = Object.keys(sources);
      p('source', names.length ? `a ${type} check has no source ${JSON.stringify(a.source)} (expected ${names.join(', ')})` : `a ${type} check takes no assertions`);
      return;
    }
    let jsonPath: JsonPath | undefined;
    if (need === 'property') {
      if (a.property === undefined || a.property === '') {
        p('property', a.source === 'jsonBody' ? 'missing (expected a JSON path such as "$.data.items[0].id")' : 'missing (expected a header name)');
      } else if (a.source === 'jsonBody') {
        try {
          jsonPath = parseJsonPath(a.property);
        } catch (err) {
          p('property', err instanceof JsonPathError ? `JSON path ${JSON.stringify(a.property)}: ${err.message}` : String(err));
        }
      } else if (a.source === 'header' && !HEADER_NAME.test(a.property)) {
        p('property', `${JSON.stringify(a.property)} is not a header name`);
      }
    } else if (a.property !== undefined) {
      p('property', `the ${a.source} source takes no property`);
    }
    let regex: RegExp | undefined;
    if (UNARY_COMPARISONS.has(a.comparison)) {
      if (a.target !== undefined) p('target', `${a.comparison} takes no target`);
    } else if (a.target === undefined) {
      p('target', `missing (${a.comparison} needs a target)`);
    } else if (NUMERIC_COMPARISONS.has(a.comparison) && toNumber(a.target) === undefined) {
      p('target', `${a.comparison} needs a number, got ${JSON.stringify(a.target)}`);
    } else if (REGEX_COMPARISONS.has(a.comparison)) {
      if (typeof a.target !== 'string') p('target', `${a.comparison} needs a regular expression string, got ${JSON.stringify(a.target)}`);
      else regex = compileRegex(a.target, (m) => p('target', m));
    } else if ((a.source === 'statusCode' || a.source === 'responseTime' || a.source === 'answerCount' || a.source === 'daysLeft')
      && (a.comparison === 'equals' || a.comparison === 'notEquals') && toNumber(a.target) === undefined) {
      p('target', `${a.source} is a number, got ${JSON.stringify(a.target)}`);
    }
    out.push({
      source: a.source,
      ...(a.property === undefined ? {} : { property: a.property }),
      comparison: a.comparison,
      ...(a.target === undefined ? {} : { target: a.target as CompiledAssertion['target'] }),
      ...(regex === undefined ? {} : { regex }),
      ...(jsonPath === undefined ? {} : { path: jsonPath }),
    });
  });
  return out;
}

/** `pattern` or `/pattern/flags` (flags i, m, s, u). */
function compileRegex(source: string, report: (message: string) => void): RegExp | undefined {
  const literal = /^\/(.*)\/([imsu]*)$/s.exec(source);
  try {
    return literal ? new RegExp(literal[1], literal[2]) : new RegExp(source);
  } catch (err) {
    report(`${JSON.stringify(source)} is not a valid regular expression: ${(err as Error).message}`);
    return undefined;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !(value instanceof RegExp) && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
