/**
 * The functions Prometheus adds to alert and console templates (template/template.go of Prometheus 2.x), with
 * their exact output: humanize* use Go's `%.4g`, times print as Go's time.Time, links are the /graph URLs.
 */
import type { GoFunction } from './exec.ts';
import { formatFloat } from './go-float.ts';
import { canBackquote, goQuote, sprintf } from './go-fmt.ts';
import { parseGoFloat as parseLiteralFloat } from './go-literals.ts';
import { goMatch, goReplaceAll } from './go-regexp.ts';
import { htmlEscape, queryEscape } from './builtins.ts';
import { compareGoStrings, GoMap, GoSlice, GoStruct, GoTime, goTypeName, type GoValue } from './values.ts';

/** One element of a query result, as templates see it. */
export interface QuerySample {
  labels: Record<string, string>;
  value: number;
}

/** Runs an instant query at `at` (milliseconds since the epoch); Prometheus' `query` template function calls it. */
export type TemplateQueryFn = (expr: string, at: number) => Promise<QuerySample[]>;

export interface PrometheusFunctionOptions {
  /** Absent: `query` fails with an error naming what is missing. */
  query?: TemplateQueryFn;
  /** Evaluation time of the rule, milliseconds since the epoch. */
  now: number;
  externalURL?: string;
}

export const SAMPLE_TYPE = '*template.sample';
export const QUERY_RESULT_TYPE = 'template.queryResult';

export function sampleValue(s: QuerySample): GoStruct {
  return new GoStruct('template.sample', [['Labels', new GoMap(new Map(Object.entries(s.labels)), 'string')], ['Value', s.value]], true);
}

export function queryResult(samples: GoStruct[]): GoSlice {
  return new GoSlice(samples, SAMPLE_TYPE, QUERY_RESULT_TYPE);
}

/** Go's strconv.ParseFloat error text for a string that is not a number. */
function parseGoFloat(s: string): number {
  // strconv's special values: a sign is allowed before inf/infinity, not before nan
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  const v = parseLiteralFloat(s);
  if (v !== undefined) {
    if (!Number.isFinite(v)) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: value out of range`);
    return v;
  }
  throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
}

function toFloat(v: GoValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return parseGoFloat(v);
  throw new Error(`can't convert ${v === undefined || v === null ? '<nil>' : goTypeName(v)} to float`);
}

const g4 = (v: number) => formatFloat(v, 'g', 4);

export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  if (Math.abs(v) >= 1) {
    let prefix = '';
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return g4(v) + prefix;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return g4(v) + prefix;
}

export function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
}

export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return `${g4(v)}s`;
  if (Math.abs(v) >= 1) {
    let sign = '';
    if (v < 0) {
      sign = '-';
      v = -v;
    }
    // int64(v) of an out-of-range float is the "integer indefinite" MinInt64 on amd64, which Go then prints
    const d = v >= 2 ** 63 ? -(2n ** 63n) : BigInt(Math.trunc(v));
    const seconds = d % 60n;
    const minutes = (d / 60n) % 60n;
    const hours = (d / 3600n) % 24n;
    const days = d / 86400n;
    if (days !== 0n) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0n) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0n) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(v)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
}

/** Prometheus' floatToTime: model.TimeFromUnixNano(int64(v*1e9)), truncated to whole milliseconds. */
function timeFromSeconds(v: number): GoTime {
  const ns = v * 1e9;
  // math.MaxInt64 as a float64 is 2^63
  if (ns > 2 ** 63 || ns < -(2 ** 63)) {
    throw new Error(`${formatFloat(v, 'g', -1)} cannot be represented as a nanoseconds timestamp since it overflows int64`);
  }
  return new GoTime(Number(BigInt(Math.trunc(ns)) / 1_000_000n));
}

/** net.SplitHostPort, returning undefined where Go returns an error. */
function splitHostPort(hp: string): [string, string] | undefined {
  const i = hp.lastIndexOf(':');
  if (i < 0) return undefined;
  if (hp[0] === '[') {
    const end = hp.indexOf(']');
    if (end < 0 || end + 1 !== i) return undefined;
    const host = hp.slice(1, end);
    if (hp.slice(i + 1).includes('[') || hp.slice(i + 1).includes(']')) return undefined;
    return [host, hp.slice(i + 1)];
  }
  const host = hp.slice(0, i);
  if (host.includes(':') || host.includes('[') || host.includes(']') || hp.slice(i + 1).includes(']')) return undefined;
  return [host, hp.slice(i + 1)];
}

function isIP(s: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s)) return s.split('.').every((o) => Number(o) <= 255 && !(o.length > 1 && o[0] === '0'));
  return s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s) && (s.match(/::/g) ?? []).length <= 1;
}

function stripDomain(hostPort: string): string {
  const split = splitHostPort(hostPort);
  const host = split ? split[0] : hostPort;
  const port = split ? split[1] : '';
  if (isIP(host)) return hostPort;
  const first = host.split('.')[0];
  if (port !== '') return first.includes(':') ? `[${first}]:${port}` : `${first}:${port}`;
  return first;
}

/** strings.Title: upper-cases the first letter of each word (words split at anything but letters, digits, _). */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    const sep = !(/^[\p{L}\p{Nd}_]$/u.test(prev)) && (prev.charCodeAt(0) < 0x80 || /^\s$/u.test(prev));
    out += sep ? titleRune(ch) : ch;
    prev = ch;
  }
  return out;
}

/** unicode.ToTitle: as upper case, except the Latin digraphs, whose title case is their own letter (ǅ). */
function titleRune(ch: string): string {
  const c = ch.codePointAt(0) as number;
  for (const first of [0x1c4, 0x1c7, 0x1ca, 0x1f1]) if (c >= first && c <= first + 2) return String.fromCodePoint(first + 1);
  return upperRune(ch);
}

/** unicode.ToUpper: one rune to one rune (JS's full mapping may turn ß into SS; Go keeps ß). */
function upperRune(ch: string): string {
  const u = ch.toUpperCase();
  return [...u].length === 1 ? u : ch;
}
function lowerRune(ch: string): string {
  const l = ch.toLowerCase();
  return [...l].length === 1 ? l : ch;
}

function asSample(v: GoValue, fnName: string): GoStruct {
  if (!(v instanceof GoStruct) || v.typeName !== 'template.sample') throw new Error(`${fnName}: not a sample`);
  return v;
}

function sampleLabel(s: GoStruct, name: string): string {
  const labels = s.fields.get('Labels');
  return labels instanceof GoMap ? String(labels.get(name) ?? '') : '';
}

/** Go's regexp quote(): backquoted when strconv.CanBackquote, else strconv.Quote. */
function backquote(s: string): string {
  return canBackquote(s) ? `\`${s}\`` : goQuote(s);
}

const fn = (params: string[], call: GoFunction['call'], variadic?: string): GoFunction => ({ params, call, variadic });

/** The Prometheus template functions, bound to one evaluation (its time, query function and external URL). */
export function prometheusFunctions(opts: PrometheusFunctionOptions): Map<string, GoFunction> {
  const external = opts.externalURL ?? '';
  return new Map<string, GoFunction>([
    ['query', fn(['string'], async ([q]) => {
      if (!opts.query) throw new Error('no query engine is available to this template');
      const samples = await opts.query(q as string, opts.now);
      return queryResult(samples.map(sampleValue));
    })],
    ['first', fn([QUERY_RESULT_TYPE], ([v]) => {
      const items = (v as GoSlice | null)?.items ?? [];
      if (items.length > 0) return items[0];
      throw new Error('first() called on vector with no elements');
    })],
    ['label', fn(['string', SAMPLE_TYPE], ([name, s]) => {
      if (s === null) throw new Error('runtime error: invalid memory address or nil pointer dereference');
      return sampleLabel(asSample(s, 'label'), name as string);
    })],
    ['value', fn([SAMPLE_TYPE], ([s]) => {
      if (s === null) throw new Error('runtime error: invalid memory address or nil pointer dereference');
      return asSample(s, 'value').fields.get('Value') as number;
    })],
    ['strvalue', fn([SAMPLE_TYPE], ([s]) => {
      if (s === null) throw new Error('runtime error: invalid memory address or nil pointer dereference');
      return sampleLabel(asSample(s, 'strvalue'), '__value__');
    })],
    ['args', fn([], (a) => new GoMap(new Map(a.map((x, i) => [`arg${i}`, x])), 'interface {}'), 'any')],
    ['reReplaceAll', fn(['string', 'string', 'string'], ([p, r, t]) => {
      try {
        return goReplaceAll(p as string, r as string, t as string);
      } catch (err) {
        // Prometheus compiles with regexp.MustCompile, whose panic message wraps the parse error
        throw new Error(`regexp: Compile(${backquote(p as string)}): ${(err as Error).message}`, { cause: err });
      }
    })],
    ['safeHtml', fn(['string'], ([s]) => s)],
    ['match', fn(['string', 'string'], ([p, t]) => goMatch(p as string, t as string))],
    ['title', fn(['string'], ([s]) => title(s as string))],
    ['toUpper', fn(['string'], ([s]) => [...(s as string)].map(upperRune).join(''))],
    ['toLower', fn(['string'], ([s]) => [...(s as string)].map(lowerRune).join(''))],
    ['graphLink', fn(['string'], ([e]) => `/graph?g0.expr=${queryEscape(e as string)}&g0.tab=0`)],
    ['tableLink', fn(['string'], ([e]) => `/graph?g0.expr=${queryEscape(e as string)}&g0.tab=1`)],
    ['sortByLabel', fn(['string', QUERY_RESULT_TYPE], ([l, v]) => {
      const items = [...((v as GoSlice | null)?.items ?? [])] as GoStruct[];
      // a stable sort, as Prometheus' sort.Stable
      items.sort((a, b) => compareGoStrings(sampleLabel(a, l as string), sampleLabel(b, l as string)));
      return queryResult(items);
    })],
    ['humanize', fn(['any'], ([v]) => humanize(toFloat(v)))],
    ['humanize1024', fn(['any'], ([v]) => humanize1024(toFloat(v)))],
    ['humanizeDuration', fn(['any'], ([v]) => humanizeDuration(toFloat(v)))],
    ['humanizePercentage', fn(['any'], ([v]) => sprintf('%.4g%%', [toFloat(v) * 100]))],
    ['humanizeTimestamp', fn(['any'], ([v]) => {
      const f = toFloat(v);
      if (!Number.isFinite(f)) return g4(f);
      return timeFromSeconds(f).toString();
    })],
    ['toTime', fn(['any'], ([v]) => {
      const f = toFloat(v);
      if (!Number.isFinite(f)) throw new Error('value is NaN or Inf');
      return timeFromSeconds(f);
    })],
    ['pathPrefix', fn([], () => {
      try {
        return new URL(external).pathname.replace(/^\/$/, external.endsWith('/') ? '/' : '');
      } catch {
        return '';
      }
    })],
    ['externalURL', fn([], () => external)],
    ['parseDuration', fn(['string'], ([d]) => parsePromDuration(d as string) / 1000)],
    ['stripPort', fn(['string'], ([hp]) => splitHostPort(hp as string)?.[0] ?? hp)],
    ['stripDomain', fn(['string'], ([hp]) => stripDomain(hp as string))],
  ]);
}

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** Prometheus' model.ParseDuration (`1h30m`, `5m`, `1w`, `0`): milliseconds. Throws Prometheus' message. */
export function parsePromDuration(s: string): number {
  if (s === '') throw new Error('empty duration string');
  if (s === '0') return 0;
  const m = DURATION_RE.exec(s);
  if (!m) throw new Error(`not a valid duration string: ${JSON.stringify(s)}`);
  let total = 0;
  for (let i = 1; i <= 7; i++) if (m[i] !== undefined) total += Number(m[i]) * UNIT_MS[i - 1];
  if (!Number.isSafeInteger(total) || total > 9_223_372_036_854) throw new Error(`not a valid duration string: ${JSON.stringify(s)}`);
  return total;
}

export { htmlEscape };
