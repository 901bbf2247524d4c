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

/** Names the token that starts at `offset` the way Prometheus' lexer items print. */
export function describeToken(query: string, offset: number): string {
  const rest = query.slice(offset).replace(/^\s+/, '');
  if (rest === '') return 'end of input';
  const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest);
  if (ident) return `identifier ${JSON.stringify(ident[0])}`;
  const num = /^(0x[0-9a-fA-F]+|\d[\d_]*(\.\d*)?([eE][+-]?\d+)?[a-z]*|\.\d+)/.exec(rest);
  if (num) return `number ${JSON.stringify(num[0])}`;
  if (/^["'`]/.test(rest)) return `string ${JSON.stringify(rest.slice(0, 20))}`;
  const op = /^(==|!=|>=|<=|=~|!~|[-+*/%^<>=@,(){}[\]:])/.exec(rest);
  if (op) {
    const c = op[0];
    const names: Record<string, string> = {
      ',': '","', '(': '"("', ')': '")"', '{': '"{"', '}': '"}"', '[': '"["', ']': '"]"', ':': '":"', '=': '"="', '@': '"@"',
    };
    return names[c] ?? `<op:${c}>`;
  }
  return `character: ${JSON.stringify(rest[0])}`;
}
