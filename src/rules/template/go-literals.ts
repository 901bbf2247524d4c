/** strconv.Unquote and Go number literals as text/template reads them. Both throw a plain Error with Go's text. */
import type { NumberNode } from './ast.ts';

const SIMPLE: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

/** Unquotes a "..." , `...` or '...' literal. Returns the string (or, for a char literal, its one rune). */
export function unquote(q: string, options: { lenient?: boolean } = {}): string {
  const quote = q[0];
  if (q.length < 2 || q[q.length - 1] !== quote) throw new Error('invalid syntax');
  const body = q.slice(1, -1);
  if (quote === '`') {
    if (body.includes('`')) throw new Error('invalid syntax');
    return body.replace(/\r/g, '');
  }
  if (quote !== '"' && quote !== "'") throw new Error('invalid syntax');
  const bytes: number[] = [];
  const enc = new TextEncoder();
  let runes = 0;
  for (let i = 0; i < body.length;) {
    const c = body[i];
    if (c === quote && quote === "'") throw new Error('invalid syntax');
    if (c === '\n') throw new Error('invalid syntax');
    if (c !== '\\') {
      const ch = String.fromCodePoint(body.codePointAt(i) as number);
      bytes.push(...enc.encode(ch));
      i += ch.length;
      runes++;
      continue;
    }
    const e = body[i + 1];
    i += 2;
    runes++;
    if (e === undefined) throw new Error('invalid syntax');
    if (e in SIMPLE) bytes.push(SIMPLE[e]);
    else if (e === quote) bytes.push(quote.charCodeAt(0));
    else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i, i + n);
      if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) throw new Error('invalid syntax');
      i += n;
      const v = parseInt(hex, 16);
      if (e === 'x') {
        if (quote === "'" && v > 0x7f) bytes.push(...enc.encode(String.fromCodePoint(v)));
        else bytes.push(v);
      } else {
        if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) throw new Error('invalid syntax');
        bytes.push(...enc.encode(String.fromCodePoint(v)));
      }
    } else if (e >= '0' && e <= '7') {
      const oct = body.slice(i - 1, i + 2);
      if (!/^[0-7]{3}$/.test(oct)) throw new Error('invalid syntax');
      const v = parseInt(oct, 8);
      if (v > 255) throw new Error('invalid syntax');
      i += 2;
      bytes.push(v);
    } else throw new Error('invalid syntax');
  }
  if (quote === "'" && runes !== 1) throw new Error('invalid syntax');
  try {
    return new TextDecoder('utf-8', { fatal: !options.lenient }).decode(new Uint8Array(bytes));
  } catch {
    // Go strings may hold any bytes; JS strings cannot, so refuse rather than print something else
    throw new Error(`string literals with bytes that are not valid UTF-8 are not supported: ${q}`);
  }
}

const INT_RE = /^[+-]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/;

/** strconv's underscoreOK: `_` only between digits, or between a base prefix and a digit. */
export function underscoreOK(text: string): boolean {
  let s = text;
  if (s[0] === '-' || s[0] === '+') s = s.slice(1);
  let saw = '^';
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1])) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

function parseGoInt(text: string): bigint | undefined {
  if (!INT_RE.test(text)) return undefined;
  if (text.includes('_') && !underscoreOK(text)) return undefined;
  let t = text.replace(/_/g, '');
  let neg = false;
  if (t[0] === '+' || t[0] === '-') {
    neg = t[0] === '-';
    t = t.slice(1);
  }
  let v: bigint;
  if (/^0[oO]/.test(t)) v = BigInt(`0o${t.slice(2)}`);
  else if (/^0[0-7]+$/.test(t)) v = BigInt(`0o${t.slice(1)}`);
  else v = BigInt(t);
  return neg ? -v : v;
}

export function parseGoFloat(text: string): number | undefined {
  if (text.includes('_') && !underscoreOK(text)) return undefined;
  let t = text.replace(/_/g, '');
  if (/^[+-]?0[xX]/.test(t)) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(t);
    if (!m || (m[2] === '' && !m[3])) return undefined;
    const mant = parseInt(`${m[2] || '0'}${m[3] ?? ''}`, 16) / 16 ** (m[3]?.length ?? 0);
    const v = mant * 2 ** Number(m[4]);
    return m[1] === '-' ? -v : v;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  if (t[0] === '+') t = t.slice(1);
  return Number(t);
}

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);
const MAX_UINT64 = (1n << 64n) - 1n;

/** parse.NewNumber: what the literal can be (int, uint, float), or Go's error. */
export function parseNumber(pos: number, text: string, type: 'number' | 'charConstant' | 'complex'): NumberNode {
  const n: NumberNode = { kind: 'number', pos, text, isInt: false, isUint: false, isFloat: false, isComplex: false };
  if (type === 'charConstant') {
    const r = unquote(text);
    const cp = BigInt(r.codePointAt(0) as number);
    return { ...n, isInt: true, isUint: true, isFloat: true, int: cp, float: Number(cp) };
  }
  if (type === 'complex' || text.endsWith('i')) throw new Error(`complex numbers are not supported: ${JSON.stringify(text)}`);
  const i = parseGoInt(text);
  if (i !== undefined) {
    if (i >= 0n && i <= MAX_UINT64) n.isUint = true;
    if (i >= MIN_INT64 && i <= MAX_INT64) {
      n.isInt = true;
      n.int = i;
    }
    if (n.isInt || n.isUint) {
      n.isFloat = true;
      n.float = Number(i);
      return n;
    }
  }
  const f = parseGoFloat(text);
  // out of float64 range is an error to Go's ParseFloat, so not a number
  if (f !== undefined && Number.isFinite(f)) {
    if (!/[.eEpP]/.test(text)) throw new Error(`integer overflow: ${JSON.stringify(text)}`);
    n.isFloat = true;
    n.float = f;
    if (Number.isInteger(f) && Math.abs(f) <= Number.MAX_SAFE_INTEGER) {
      n.isInt = true;
      n.int = BigInt(f);
    }
    return n;
  }
  throw new Error(`illegal number syntax: ${JSON.stringify(text)}`);
}
