/**
 * Parse errors carry the position as Prometheus prints it (`line:column: parse error: ...`, columns counted
 * from 1) and are TelltaleErrors with code TT_PROMQL_PARSE.
 */
import { TelltaleError } from '../errors.ts';

export function positionOf(query: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lastBreak = -1;
  const end = Math.min(Math.max(offset, 0), query.length);
  for (let i = 0; i < end; i++) {
    if (query.charCodeAt(i) === 10) {
      line++;
      lastBreak = i;
    }
  }
  return { line, column: end - lastBreak };
}

export function parseError(query: string, offset: number, message: string, cause?: unknown): TelltaleError {
  const { line, column } = positionOf(query, offset);
  return new TelltaleError('TT_PROMQL_PARSE', `${line}:${column}: parse error: ${message}`, { line, column, cause });
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset']);

/** `(` or `[` left open at the end of the query, if any (string literals skipped). */
export function unclosed(query: string): string | undefined {
  const stack: string[] = [];
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < query.length && query[i] !== c; i++) if (query[i] === '\\' && c !== '`') i++;
    } else if (c === '#') {
      while (i < query.length && query[i] !== '\n') i++;
    } else if (c === '(' || c === '[' || c === '{') stack.push(c);
    else if (c === ')' || c === ']' || c === '}') stack.pop();
  }
  const top = stack[stack.length - 1];
  return top === '(' ? 'unclosed left parenthesis' : top === '[' ? 'unclosed left bracket' : undefined;
}

/** Names the token that starts at `offset` the way Prometheus' lexer items print. */
export function describeToken(query: string, offset: number): string {
  const rest = query.slice(offset).replace(/^\s+/, '');
  if (rest === '') return 'end of input';
  const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest);
  if (ident && KEYWORDS.has(ident[0].toLowerCase())) return `<${ident[0].toLowerCase()}>`;
  if (ident) return `identifier ${JSON.stringify(ident[0])}`;
  const num = /^(0x[0-9a-fA-F]+|\d[\d_]*(\.\d*)?([eE][+-]?\d+)?[a-z]*|\.\d+)/.exec(rest);
  if (num) return `number ${JSON.stringify(num[0])}`;
  if (/^["'`]/.test(rest)) return `string ${JSON.stringify(rest.slice(0, 20))}`;
  const op = /^(==|!=|>=|<=|=~|!~|[-+*/%^<>=@,(){}[\]:])/.exec(rest);
  if (op) {
    const c = op[0];
    const names: Record<string, string> = {
      ',': '","', '(': '"("', ')': "right parenthesis ')'", '{': '"{"', '}': "character: '}'", '[': '"["', ']': "right bracket ']'",
      ':': '":"', '=': '"="', '@': '"@"',
    };
    return names[c] ?? `<op:${c}>`;
  }
  return `character: ${JSON.stringify(rest[0])}`;
}
