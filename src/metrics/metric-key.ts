/**
 * Metric keys as thresholds write them: a metric name, optionally followed by a tag filter that selects a
 * sub-metric, e.g. `http_req_duration{status:200,method:GET}` or `checks{check:status is 200}`.
 */
import { TelltaleError } from '../errors.ts';
import { isValidMetricName } from './registry.ts';
import type { SubmetricSelector } from './types.ts';

function invalid(key: string, reason: string): TelltaleError {
  return new TelltaleError('TT_THRESHOLD_INVALID', `invalid metric key ${JSON.stringify(key)} in thresholds: ${reason}`, {
    field: `thresholds[${JSON.stringify(key)}]`,
  });
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/**
 * Reads a tag filter body (between the braces). Each entry is `name:value`; the split is on the first
 * colon, so values may hold colons and spaces. Names and values may be quoted with "..." or '...', which
 * also lets a value hold commas or braces.
 */
function parseTagFilter(key: string, body: string): Record<string, string> {
  const tags: Record<string, string> = Object.create(null);
  const n = body.length;
  let i = 0;
  const skipSpace = (): void => {
    while (i < n && isSpace(body[i])) i++;
  };
  const readQuoted = (what: string): string => {
    const q = body[i];
    const end = body.indexOf(q, i + 1);
    if (end === -1) throw invalid(key, `unterminated quote in tag ${what}`);
    const s = body.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  while (true) {
    skipSpace();
    let name: string;
    if (body[i] === '"' || body[i] === "'") {
      name = readQuoted('name');
      skipSpace();
    } else {
      const start = i;
      while (i < n && body[i] !== ':' && body[i] !== ',') i++;
      name = body.slice(start, i).trim();
      if (name.includes('{') || name.includes('}')) {
        throw invalid(key, 'unbalanced braces in a tag name (quote names that contain braces)');
      }
    }
    if (name === '') throw invalid(key, 'empty tag name in the tag filter (expected {name:value})');
    if (i >= n || body[i] !== ':') {
      throw invalid(key, `tag '${name}' has no value: expected '${name}:value'`);
    }
    i++;
    skipSpace();
    let value: string;
    if (body[i] === '"' || body[i] === "'") {
      value = readQuoted('value');
      skipSpace();
      if (i < n && body[i] !== ',') {
        throw invalid(key, `unexpected ${JSON.stringify(body.slice(i))} after the quoted value of tag '${name}'`);
      }
    } else {
      const start = i;
      while (i < n && body[i] !== ',') i++;
      value = body.slice(start, i).trim();
      if (value === '') throw invalid(key, `tag '${name}' has an empty value`);
      // k6 takes everything between the first '{' and the last '}' as the filter, so an unquoted value may
      // hold braces (URL templates like `${}`).
    }
    if (Object.prototype.hasOwnProperty.call(tags, name)) throw invalid(key, `tag '${name}' appears twice`);
    tags[name] = value;
    if (i >= n) break;
    i++; // the comma
  }
  return tags;
}

/**
 * Parses a threshold metric key into its metric name and tag filter. `key` in the result is the key as k6
 * names the sub-metric: the metric name and the filter text as written, trimmed (`http_req_duration{status:200}`);
 * a key without a filter gives an empty `tags`. Throws TT_THRESHOLD_INVALID naming the key when it is malformed.
 */
export function parseMetricKey(key: string): SubmetricSelector {
  if (typeof key !== 'string') throw invalid(String(key), 'a metric key must be a string');
  const trimmed = key.trim();
  const open = trimmed.indexOf('{');
  if (open === -1) {
    if (trimmed.includes('}')) throw invalid(key, "unbalanced braces: '}' without '{'");
    if (!isValidMetricName(trimmed)) throw invalid(key, badName(trimmed));
    return { key: trimmed, parent: trimmed, tags: Object.freeze({}) };
  }
  const parent = trimmed.slice(0, open).trim();
  if (!isValidMetricName(parent)) throw invalid(key, badName(parent));
  if (!trimmed.endsWith('}')) {
    throw invalid(
      key,
      trimmed.includes('}', open) ? "unexpected text after the closing '}'" : "unbalanced braces: missing the closing '}'",
    );
  }
  const body = trimmed.slice(open + 1, -1);
  if (body.trim() === '') throw invalid(key, 'empty tag filter (expected e.g. {status:200})');
  const tags = Object.freeze(parseTagFilter(key, body));
  return { key: `${parent}{${body.trim()}}`, parent, tags };
}

/**
 * What makes two selectors the same sub-metric: the metric and the set of tag pairs, whatever the spelling
 * (order, spaces, quotes) of the filter.
 */
export function selectorIdentity(sel: SubmetricSelector): string {
  const names = Object.keys(sel.tags).sort();
  return JSON.stringify([sel.parent, ...names.flatMap((n) => [n, sel.tags[n]])]);
}

/**
 * The sub-metric key each threshold key stands for. As in k6, a filter that selects the same tags as an
 * earlier one (spelled differently) is the same sub-metric, named as first written.
 */
export function submetricKeys(keys: Iterable<string>): Map<string, SubmetricSelector> {
  const byIdentity = new Map<string, SubmetricSelector>();
  const out = new Map<string, SubmetricSelector>();
  for (const raw of keys) {
    const sel = parseMetricKey(raw);
    const id = selectorIdentity(sel);
    const first = byIdentity.get(id);
    if (first === undefined) byIdentity.set(id, sel);
    out.set(raw, first ?? sel);
  }
  return out;
}

function badName(name: string): string {
  if (name === '') return 'missing metric name';
  return `'${name}' is not a valid metric name (1 to 128 ASCII letters, digits or underscores, not starting with a digit)`;
}

function quoteIfNeeded(v: string, special: RegExp): string {
  const needsQuotes = v === '' || special.test(v) || v.trim() !== v || v[0] === '"' || v[0] === "'";
  if (!needsQuotes) return v;
  if (!v.includes('"')) return `"${v}"`;
  if (!v.includes("'")) return `'${v}'`;
  return v;
}

/**
 * The canonical key of a sub-metric, the way k6 prints it: `parent{name:value,...}` with the tags in the
 * given order and no spaces around separators. Values that would not read back are quoted.
 */
export function formatSubmetricKey(parent: string, tags: Readonly<Record<string, string>>): string {
  const names = Object.keys(tags);
  if (names.length === 0) return parent;
  let out = `${parent}{`;
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ',';
    out += `${quoteIfNeeded(names[i], /[,{}:]/)}:${quoteIfNeeded(tags[names[i]], /[,{}]/)}`;
  }
  return `${out}}`;
}

/** True when every tag of the selector is present in `tags` with an equal value. */
export function matchesSelector(selector: SubmetricSelector, tags: Readonly<Record<string, string>>): boolean {
  for (const name in selector.tags) {
    if (tags[name] !== selector.tags[name]) return false;
  }
  return true;
}
