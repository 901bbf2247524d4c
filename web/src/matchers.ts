/**
 * Alertmanager matchers as people type them in the silence form — `alertname="X", severity=~"crit.*"`,
 * optionally in braces — and back. Values are double-quoted with `\\`, `\"` and `\n` escapes, the way
 * amtool and the Alertmanager UI print them. Errors name the column where reading stopped.
 */
import type { Matcher } from './api.ts';

const NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const OPS = ['=~', '!~', '!=', '='] as const;

export class MatcherSyntaxError extends Error {
  readonly column: number;
  constructor(column: number, message: string) {
    super(`column ${column}: ${message}`);
    this.column = column;
  }
}

export function parseMatchers(text: string): Matcher[] {
  let s = text.trim();
  let offset = text.length - text.trimStart().length;
  if (s.startsWith('{') && s.endsWith('}')) {
    s = s.slice(1, -1);
    offset++;
  }
  const out: Matcher[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new MatcherSyntaxError(offset + i + 1, why);
  };
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i])) i++;
  };
  skipSpace();
  while (i < s.length) {
    NAME.lastIndex = i;
    const name = NAME.exec(s);
    if (name === null) fail('expected a label name');
    i += (name as RegExpExecArray)[0].length;
    skipSpace();
    const op = OPS.find((o) => s.startsWith(o, i));
    if (op === undefined) fail('expected one of =, !=, =~, !~');
    i += (op as string).length;
    skipSpace();
    if (s[i] !== '"') fail('expected a double-quoted value');
    i++;
    let value = '';
    for (;;) {
      if (i >= s.length) fail('unterminated value');
      const c = s[i];
      if (c === '"') break;
      if (c === '\\') {
        const n = s[i + 1];
        if (n === 'n') value += '\n';
        else if (n === '\\' || n === '"') value += n;
        else fail('unknown escape (use \\\\, \\" or \\n)');
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    i++;
    out.push({ name: (name as RegExpExecArray)[0], value, isRegex: (op as string).includes('~'), isEqual: !(op as string).startsWith('!') });
    skipSpace();
    if (i < s.length) {
      if (s[i] !== ',') fail('expected "," between matchers');
      i++;
      skipSpace();
    }
  }
  if (out.length === 0) throw new MatcherSyntaxError(offset + 1, 'a silence needs at least one matcher');
  return out;
}

const op = (m: Matcher) => (m.isRegex ? (m.isEqual === false ? '!~' : '=~') : m.isEqual === false ? '!=' : '=');
const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export function matchersText(ms: readonly Matcher[]): string {
  return ms.map((m) => `${m.name}${op(m)}${quote(m.value)}`).join(', ');
}
