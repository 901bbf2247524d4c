/**
 * Go's fmt.Sprintf / Sprint / Sprintln over template values: verbs, flags, width, precision, argument indexes,
 * and the `%!verb(type=value)` / `%!s(MISSING)` / `%!(EXTRA ...)` forms for mistakes, as Go prints them.
 */
import { formatFloat } from './go-float.ts';
import { GoMap, GoSlice, GoStruct, GoTime, goTypeName, utf8Bytes, type GoValue } from './values.ts';

interface Spec {
  /** %+v: structs print their field names. */
  plusV?: boolean;
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

const NO_FLAGS: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, f: Spec, zeroAllowed = true): string {
  if (f.width === undefined) return s;
  const n = f.width - runeCount(s);
  if (n <= 0) return s;
  if (f.minus) return s + ' '.repeat(n);
  if (f.zero && zeroAllowed) {
    // zero padding goes after the sign
    if (s[0] === '-' || s[0] === '+' || s[0] === ' ') return s[0] + '0'.repeat(n) + s.slice(1);
    return '0'.repeat(n) + s;
  }
  return ' '.repeat(n) + s;
}

/** strconv.CanBackquote: no backquote, no control character but tab, no BOM. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '`' || c === 0xfeff || c === 0x7f || (c < 0x20 && c !== 9)) return false;
  }
  return true;
}

/** strconv.Quote: printable runes stay, the rest are escaped. */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (c === 0x20 || (c > 0x20 && c < 0x7f) || (!asciiOnly && c >= 0xa0 && /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch))) out += ch;
    else if (c < 0x80) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

function fmtInt(v: bigint, verb: string, f: Spec): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  let digits: string;
  switch (verb) {
    case 'd': case 'v': digits = abs.toString(10); break;
    case 'x': digits = abs.toString(16); break;
    case 'X': digits = abs.toString(16).toUpperCase(); break;
    case 'o': case 'O': digits = abs.toString(8); break;
    case 'b': digits = abs.toString(2); break;
    case 'c': return pad(String.fromCodePoint(Number(v)), f);
    case 'q': return pad(`'${goQuote(String.fromCodePoint(Number(v))).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`, f);
    case 'U': {
      let u = `${neg ? '-' : ''}U+${abs.toString(16).toUpperCase().padStart(4, '0')}`;
      // %#U adds the character when it is printable
      if (f.sharp && !neg && abs <= 0x10ffffn && /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(String.fromCodePoint(Number(abs)))) u += ` '${String.fromCodePoint(Number(abs))}'`;
      return pad(u, f);
    }
    default: return badVerb(verb, v, f);
  }
  if (f.prec !== undefined) {
    digits = f.prec === 0 && abs === 0n ? '' : digits.padStart(f.prec, '0');
  }
  let prefix = '';
  if (f.sharp) {
    if (verb === 'x') prefix = '0x';
    else if (verb === 'X') prefix = '0X';
    else if (verb === 'o' && !digits.startsWith('0')) prefix = '0';
    else if (verb === 'b') prefix = '0b';
  }
  if (verb === 'O') prefix = '0o';
  const sign = neg ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  if (f.zero && !f.minus && f.prec === undefined && f.width !== undefined) {
    const n = f.width - sign.length - prefix.length - digits.length;
    if (n > 0) digits = '0'.repeat(n) + digits;
    return sign + prefix + digits;
  }
  return pad(sign + prefix + digits, { ...f, zero: false });
}

/** The # flag on floats: always a decimal point; %g keeps its trailing zeros (Go's fmtFloat). */
function sharpFloat(num: string, verb: string, prec: number | undefined): string {
  let digits = verb === 'g' || verb === 'G' ? (prec ?? 6) : 0;
  const sign = num[0] === '-' ? '-' : '';
  let body = sign ? num.slice(1) : num;
  let tail = '';
  const e = body.search(/[eE]/);
  if (e >= 0) {
    tail = body.slice(e);
    body = body.slice(0, e);
  }
  let sawNonzero = false;
  for (const ch of body) {
    if (ch === '.') continue;
    if (ch !== '0') sawNonzero = true;
    if (sawNonzero) digits--;
  }
  if (!body.includes('.')) {
    if (body === '0') digits--;
    body += '.';
  }
  if (digits > 0) body += '0'.repeat(digits);
  return sign + body + tail;
}

function fmtFloatVerb(v: number, verb: string, f: Spec): string {
  let s: string;
  switch (verb) {
    case 'v': s = formatFloat(v, 'g', f.prec ?? -1); break;
    case 'g': case 'G': s = formatFloat(v, verb, f.prec ?? -1); break;
    case 'e': case 'E': s = formatFloat(v, verb, f.prec ?? 6); break;
    case 'f': case 'F': s = formatFloat(v, 'f', f.prec ?? 6); break;
    case 'x': case 'X':
      if (f.prec !== undefined) throw new Error(`%${verb} with a precision is not supported for floats`);
      s = hexFloat(v, verb === 'X');
      break;
    default: return badVerb(verb, v, f);
  }
  if (f.sharp && verb !== 'x' && verb !== 'X' && Number.isFinite(v)) s = sharpFloat(s, verb, f.prec);
  if (s === 'NaN' || s === '+Inf' || s === '-Inf') {
    if (s === 'NaN') s = f.plus ? '+NaN' : f.space ? ' NaN' : 'NaN';
    else if (s === '+Inf' && f.space && !f.plus) s = ' Inf';
    return pad(s, f, false);
  }
  if (s[0] !== '-') s = f.plus ? `+${s}` : f.space ? ` ${s}` : s;
  return pad(s, f);
}

function fmtStr(s: string, verb: string, f: Spec): string {
  switch (verb) {
    case 'v': case 's':
      if (f.prec !== undefined) s = [...s].slice(0, f.prec).join('');
      return pad(s, f);
    case 'q':
      if (f.prec !== undefined) s = [...s].slice(0, f.prec).join('');
      if (f.sharp && canBackquote(s)) return pad(`\`${s}\``, f);
      return pad(goQuote(s, f.plus), f);
    case 'x': case 'X': {
      let bytes = [...utf8Bytes(s)];
      if (f.prec !== undefined) bytes = bytes.slice(0, f.prec);
      const hex = bytes.map((b) => b.toString(16).padStart(2, '0'));
      const h = (x: string) => (verb === 'X' ? x.toUpperCase() : x);
      const pre = f.sharp ? (verb === 'X' ? '0X' : '0x') : '';
      if (f.space) return pad(hex.map((b) => pre + h(b)).join(' '), f);
      return pad(pre + h(hex.join('')), f);
    }
    default: return badVerb(verb, s, f);
  }
}

/** `%!d(string=x)`: Go prints the value with %v under the same flags (so `%.2f` of "abc" shows `ab`). */
function badVerb(verb: string, v: GoValue, f: Spec = NO_FLAGS): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(v)}=${formatArg(v, 'v', f, 0)})`;
}

/** strconv's 'x' format at shortest precision: 0x1.cp+01. */
function hexFloat(v: number, upper: boolean): string {
  let s: string;
  if (Number.isNaN(v)) s = 'NaN';
  else if (!Number.isFinite(v)) s = v > 0 ? '+Inf' : '-Inf';
  else if (v === 0) s = `${Object.is(v, -0) ? '-' : ''}0x0p+00`;
  else {
    const neg = v < 0;
    const a = Math.abs(v);
    let exp = Math.floor(Math.log2(a));
    // correct log2 rounding at the edges
    while (a / 2 ** exp >= 2) exp++;
    while (a / 2 ** exp < 1) exp--;
    let frac = a / 2 ** exp - 1;
    let digits = '';
    for (let i = 0; i < 13 && frac > 0; i++) {
      frac *= 16;
      const d = Math.floor(frac);
      digits += d.toString(16);
      frac -= d;
    }
    const e = Math.abs(exp);
    s = `${neg ? '-' : ''}0x1${digits ? `.${digits}` : ''}p${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return upper ? s.toUpperCase() : s;
}

/** One argument under one verb. `depth` > 0 inside a map, slice or struct (where pointers print as &{...} only at the top). */
function formatArg(v: GoValue, verb: string, f: Spec, depth: number): string {
  // for %v, + and # ask for field names and Go syntax, not for a sign
  if (verb === 'v' && f.plus) f = { ...f, plus: false, plusV: true };
  if (verb === 'v' && f.sharp) throw new Error('the %#v verb is not supported');
  if (verb === 'T') return pad(v === null || v === undefined ? '<nil>' : goTypeName(v), f);
  if (v === null || v === undefined) return verb === 'v' ? pad('<nil>', f) : badVerb(verb, v);
  switch (typeof v) {
    case 'string': return fmtStr(v, verb, f);
    case 'number': return fmtFloatVerb(v, verb, f);
    case 'bigint': return fmtInt(v, verb, f);
    case 'boolean': return verb === 'v' || verb === 't' ? pad(String(v), f) : badVerb(verb, v, f);
  }
  if (v instanceof GoTime) {
    if (verb === 'v' || verb === 's' || verb === 'q' || verb === 'x' || verb === 'X') return fmtStr(v.toString(), verb, f);
    throw new Error(`the %${verb} verb is not supported for time values`);
  }
  if (v instanceof GoMap) {
    const parts = v.sortedKeys().map((k) => `${formatArg(k, verb, f, depth + 1)}:${formatArg(v.entries.get(k), verb, f, depth + 1)}`);
    return `map[${parts.join(' ')}]`;
  }
  if (v instanceof GoSlice) return `[${v.items.map((x) => formatArg(x, verb, f, depth + 1)).join(' ')}]`;
  if (v instanceof GoStruct) {
    if (v.pointer && depth > 0) {
      // Go prints a nested pointer's address for %v and the integer verbs; other verbs are bad verbs on it
      if ('vpbodxX'.includes(verb)) throw new Error('printing a pointer nested in a value is not supported (Go prints its address)');
      return `%!${verb}(*${v.typeName}=&{${[...v.fields.values()].map((x) => formatArg(x, 'v', f, 1)).join(' ')}})`;
    }
    const body = `{${[...v.fields].map(([k, x]) => `${f.plusV ? `${k}:` : ''}${formatArg(x, verb, f, depth + 1)}`).join(' ')}}`;
    return v.pointer ? `&${body}` : body;
  }
  throw new Error(`cannot format ${String(v)}`);
}

/** fmt.Sprintf. Throws (a plain Error) only for the few verb/value pairs it does not implement. */
export function sprintf(format: string, args: GoValue[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  let i = 0;
  const n = format.length;
  const parseNum = (): number | undefined => {
    const start = i;
    while (i < n && format[i] >= '0' && format[i] <= '9') i++;
    return i > start ? Number(format.slice(start, i)) : undefined;
  };
  // `[n]` argument index: returns false on a bad index
  const argIndex = (): boolean => {
    if (format[i] !== '[') return true;
    reordered = true;
    const close = format.indexOf(']', i);
    const idx = close < 0 ? NaN : Number(format.slice(i + 1, close));
    if (!Number.isInteger(idx) || idx < 1 || idx > args.length || close < 0) {
      i = close < 0 ? n : close + 1;
      return false;
    }
    argNum = idx - 1;
    i = close + 1;
    return true;
  };
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const f: Spec = { ...NO_FLAGS };
    for (; i < n; i++) {
      const c = format[i];
      if (c === '-') { f.minus = true; f.zero = false; }
      else if (c === '+') f.plus = true;
      else if (c === '#') f.sharp = true;
      else if (c === ' ') f.space = true;
      else if (c === '0') f.zero = !f.minus;
      else break;
    }
    let goodIndex = argIndex();
    if (format[i] === '*') {
      i++;
      const w = args[argNum];
      argNum++;
      if (typeof w !== 'bigint') out += '%!(BADWIDTH)';
      else {
        f.width = Number(w < 0n ? -w : w);
        if (w < 0n) { f.minus = true; f.zero = false; }
      }
    } else {
      f.width = parseNum();
    }
    if (format[i] === '.') {
      i++;
      goodIndex = argIndex() && goodIndex;
      if (format[i] === '*') {
        i++;
        const p = args[argNum];
        argNum++;
        if (typeof p !== 'bigint' || p < 0n) out += '%!(BADPREC)';
        else f.prec = Number(p);
      } else {
        f.prec = parseNum() ?? 0;
      }
    }
    goodIndex = argIndex() && goodIndex;
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!goodIndex) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatArg(args[argNum], verb, f, 0);
    argNum++;
  }
  if (!reordered && argNum < args.length) {
    out += `%!(EXTRA ${args.slice(argNum).map((a) => (a === null || a === undefined ? '<nil>' : `${goTypeName(a)}=${formatArg(a, 'v', NO_FLAGS, 0)}`)).join(', ')})`;
  }
  return out;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: GoValue[]): string {
  let out = '';
  for (let k = 0; k < args.length; k++) {
    const isString = typeof args[k] === 'string';
    if (k > 0 && !isString && typeof args[k - 1] !== 'string') out += ' ';
    out += formatArg(args[k], 'v', NO_FLAGS, 0);
  }
  return out;
}

/** fmt.Sprintln: always spaces, then a newline. */
export function sprintln(args: GoValue[]): string {
  return `${args.map((a) => formatArg(a, 'v', NO_FLAGS, 0)).join(' ')}\n`;
}

/** How `{{ x }}` prints a value. */
export function printValue(v: GoValue): string {
  // a nil interface out of a pipeline is an invalid value to Go: it prints as <no value>
  if (v === undefined || v === null) return '<no value>';
  // printing dereferences a pointer first, so a *sample prints as {...}, not &{...}
  if (v instanceof GoStruct && v.pointer) return formatArg(new GoStruct(v.typeName, [...v.fields], false), 'v', NO_FLAGS, 0);
  return formatArg(v, 'v', NO_FLAGS, 0);
}
