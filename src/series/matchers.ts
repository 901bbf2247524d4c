/**
 * Label matchers compiled to predicates with Prometheus' semantics: a missing label matches as the empty
 * string, regular expressions are fully anchored (`=~"a|b"` means `^(?:a|b)$`) and `.` matches any character,
 * newlines included (Prometheus 3). Prometheus uses Go's RE2 syntax; the few RE2 spellings JavaScript lacks
 * are translated, and a pattern JavaScript cannot take is an error naming the matcher.
 */
import { TelltaleError } from '../errors.ts';
import type { Labels, Matcher } from './types.ts';

export type ValuePredicate = (value: string) => boolean;

export interface CompiledMatcher {
  readonly matcher: Matcher;
  readonly name: string;
  /** Tests the label's value ('' when the series lacks the label). */
  readonly matches: ValuePredicate;
  /** True when the matcher also matches series that lack the label (it matches ''). */
  readonly matchesEmpty: boolean;
}

const cache = new Map<string, RegExp>();

/** Compiles a Prometheus (RE2) regular expression, fully anchored. Throws TT_PROMQL_PARSE when it is invalid. */
export function compileRegex(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  let source = pattern;
  let flags = 's';
  // RE2 allows flag groups at the start that apply to the whole pattern; JavaScript only has flags.
  for (;;) {
    const m = /^\(\?([imsU]+)\)/.exec(source);
    if (!m) break;
    if (m[1].includes('i') && !flags.includes('i')) flags += 'i';
    if (m[1].includes('m') && !flags.includes('m')) flags += 'm';
    source = source.slice(m[0].length);
  }
  source = source
    .replace(/\\Q([\s\S]*?)(?:\\E|$)/g, (_, lit: string) => lit.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))
    .replace(/\(\?P</g, '(?<')
    .replace(/\\z/g, '$');
  try {
    re = new RegExp(`^(?:${source})$`, flags);
  } catch (err) {
    throw new TelltaleError('TT_PROMQL_PARSE', `invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(pattern, re);
  return re;
}

export function compileMatcher(matcher: Matcher): CompiledMatcher {
  let matches: ValuePredicate;
  switch (matcher.type) {
    case '=': {
      const v = matcher.value;
      matches = (s) => s === v;
      break;
    }
    case '!=': {
      const v = matcher.value;
      matches = (s) => s !== v;
      break;
    }
    case '=~': {
      const re = compileRegex(matcher.value);
      matches = (s) => re.test(s);
      break;
    }
    case '!~': {
      const re = compileRegex(matcher.value);
      matches = (s) => !re.test(s);
      break;
    }
    default:
      throw new TelltaleError('TT_PROMQL_PARSE', `unknown matcher type ${JSON.stringify((matcher as Matcher).type)}`);
  }
  return { matcher, name: matcher.name, matches, matchesEmpty: matches('') };
}

export function compileMatchers(matchers: readonly Matcher[]): CompiledMatcher[] {
  return matchers.map(compileMatcher);
}

/** True when the label set satisfies every matcher. */
export function matchesAll(compiled: readonly CompiledMatcher[], labels: Labels): boolean {
  for (const m of compiled) {
    if (!m.matches(labels[m.name] ?? '')) return false;
  }
  return true;
}

/** Prometheus refuses selectors whose every matcher matches the empty string (`{foo=""}`, `{a=~".*"}`). */
export function selectsEverything(compiled: readonly CompiledMatcher[]): boolean {
  return compiled.every((m) => m.matchesEmpty);
}

/** `{a="1", b=~"x.*"}` — matchers as PromQL writes them. */
export function formatMatchers(matchers: readonly Matcher[]): string {
  return `{${matchers.map((m) => `${m.name}${m.type}${JSON.stringify(m.value)}`).join(', ')}}`;
}
