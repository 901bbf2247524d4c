/**
 * Alertmanager label matchers: the `matchers:` syntax of routes, inhibit rules and amtool
 * (`alertname="Down"`, `severity=~"page|critical"`, `{a="b", c!="d"}`, unquoted `team=db`), the older
 * `match`/`match_re` maps, and silence matchers. Regular expressions are fully anchored, as in Alertmanager;
 * a missing label matches as the empty string.
 */
import { TelltaleError } from '../errors.ts';
import { compileRegex } from '../series/matchers.ts';
import { goQuote, type Labels } from './alert.ts';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
  /** the value's test, anchored for regexes */
  readonly test: (value: string) => boolean;
}

/** Thrown (and caught by the config loader, which adds file and line) when a matcher does not parse. */
export class MatcherSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'MatcherSyntaxError';
    this.offset = offset;
  }
}

const NAME_START = /[A-Za-z_:]/;
const NAME_PART = /[A-Za-z0-9_:]/;

/** Builds a matcher; an invalid regular expression throws MatcherSyntaxError. */
export function makeMatcher(name: string, op: MatchOp, value: string): LabelMatcher {
  let test: (v: string) => boolean;
  if (op === '=') test = (v) => v === value;
  else if (op === '!=') test = (v) => v !== value;
  else {
    let re: RegExp;
    try {
      re = compileRegex(value);
    } catch (err) {
      throw new MatcherSyntaxError(`invalid regular expression ${JSON.stringify(value)}: ${(err as Error).message}`, 0);
    }
    test = op === '=~' ? (v) => re.test(v) : (v) => !re.test(v);
  }
  return { name, op, value, test };
}

/**
 * Parses one `matchers:` entry, which may hold several comma-separated matchers and optional braces.
 * Throws MatcherSyntaxError with the offset of the problem.
 */
export function parseMatchers(input: string): LabelMatcher[] {
  let pos = 0;
  const s = input;
  const skip = () => {
    while (pos < s.length && /\s/.test(s[pos])) pos++;
  };
  skip();
  let braced = false;
  if (s[pos] === '{') {
    braced = true;
    pos++;
  }
  const out: LabelMatcher[] = [];
  for (;;) {
    skip();
    if (pos >= s.length || (braced && s[pos] === '}')) break;
    out.push(parseOne());
    skip();
    if (s[pos] === ',') {
      pos++;
      continue;
    }
    break;
  }
  skip();
  if (braced) {
    if (s[pos] !== '}') throw new MatcherSyntaxError(`missing closing "}" in ${JSON.stringify(input)}`, pos);
    pos++;
    skip();
  }
  if (pos < s.length) throw new MatcherSyntaxError(`unexpected ${JSON.stringify(s[pos])} at offset ${pos} in ${JSON.stringify(input)}`, pos);
  return out;

  function parseOne(): LabelMatcher {
    const start = pos;
    if (!NAME_START.test(s[pos] ?? '')) {
      throw new MatcherSyntaxError(`expected a label name at offset ${pos} in ${JSON.stringify(input)}`, pos);
    }
    while (pos < s.length && NAME_PART.test(s[pos])) pos++;
    const name = s.slice(start, pos);
    skip();
    let op: MatchOp;
    if (s.startsWith('=~', pos)) op = '=~';
    else if (s.startsWith('!~', pos)) op = '!~';
    else if (s.startsWith('!=', pos)) op = '!=';
    else if (s[pos] === '=') op = '=';
    else throw new MatcherSyntaxError(`expected one of =, !=, =~, !~ after ${JSON.stringify(name)} in ${JSON.stringify(input)}`, pos);
    pos += op.length;
    skip();
    let value = '';
    if (s[pos] === '"') {
      pos++;
      let closed = false;
      while (pos < s.length) {
        const ch = s[pos];
        if (ch === '\\') {
          const next = s[pos + 1];
          if (next === undefined) break;
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          pos += 2;
          continue;
        }
        if (ch === '"') {
          closed = true;
          pos++;
          break;
        }
        value += ch;
        pos++;
      }
      if (!closed) throw new MatcherSyntaxError(`unterminated quoted value for ${JSON.stringify(name)} in ${JSON.stringify(input)}`, pos);
    } else {
      const vstart = pos;
      while (pos < s.length && s[pos] !== ',' && !(braced && s[pos] === '}')) {
        if (s[pos] === '"') throw new MatcherSyntaxError(`stray '"' in the unquoted value of ${JSON.stringify(name)}`, pos);
        pos++;
      }
      value = s.slice(vstart, pos).trim();
    }
    try {
      return makeMatcher(name, op, value);
    } catch (err) {
      if (err instanceof MatcherSyntaxError) throw new MatcherSyntaxError(err.message, start);
      throw err;
    }
  }
}

export function matchesAll(matchers: readonly LabelMatcher[], labels: Labels): boolean {
  for (const m of matchers) if (!m.test(labels[m.name] ?? '')) return false;
  return true;
}

/** `name="value"` as Alertmanager prints a matcher. */
export function formatMatcher(m: Pick<LabelMatcher, 'name' | 'op' | 'value'>): string {
  return `${m.name}${m.op}${goQuote(m.value)}`;
}

/** `{a="b",c=~"d"}` — Alertmanager's `Matchers.String()`, which appears in route keys and group keys. */
export function formatMatcherList(ms: readonly LabelMatcher[]): string {
  return `{${ms.map(formatMatcher).join(',')}}`;
}

/** Alertmanager sorts a route's matchers (by name, then value, then operator) before using them in keys. */
export function sortMatchers(ms: readonly LabelMatcher[]): LabelMatcher[] {
  return [...ms].sort((a, b) => (a.name !== b.name ? cmp(a.name, b.name) : a.value !== b.value ? cmp(a.value, b.value) : cmp(a.op, b.op)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Matchers for an API caller: a TelltaleError naming the field instead of a MatcherSyntaxError. */
export function parseMatchersForField(input: string, field: string): LabelMatcher[] {
  try {
    return parseMatchers(input);
  } catch (err) {
    if (err instanceof MatcherSyntaxError) throw new TelltaleError('TT_ALERTING_INPUT', `${field}: ${err.message}`, { field });
    throw err;
  }
}
