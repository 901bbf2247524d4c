/** text/template's predefined functions: and or not len index slice print printf println eq ne lt le gt ge html js urlquery call. */
import type { GoFunction } from './exec.ts';
import { goQuote, sprint, sprintf, sprintln } from './go-fmt.ts';
import { compareGoStrings, GoMap, GoSlice, GoStruct, GoTime, goTypeName, isTrue, utf8Bytes, type GoValue } from './values.ts';

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid';

function basicKind(v: GoValue): Kind {
  switch (typeof v) {
    case 'boolean': return 'bool';
    case 'bigint': return 'int';
    case 'number': return 'float';
    case 'string': return 'string';
  }
  return 'invalid';
}

const BAD_COMPARISON = 'incompatible types for comparison';
const BAD_COMPARISON_TYPE = 'invalid type for comparison';

function eq(a: GoValue, rest: GoValue[]): boolean {
  if (rest.length === 0) throw new Error('missing argument for comparison');
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    let truth = false;
    if (k1 !== k2) {
      if (a !== undefined && a !== null && b !== undefined && b !== null) throw new Error(BAD_COMPARISON);
    } else if (k1 === 'invalid') {
      const nilA = a === undefined || a === null;
      const nilB = b === undefined || b === null;
      if (nilA || nilB) truth = nilA === nilB;
      else if (a instanceof GoMap || a instanceof GoSlice) throw new Error(`non-comparable type ${sprint([a])}: ${goTypeName(a)}`);
      else if (b instanceof GoMap || b instanceof GoSlice) throw new Error(`non-comparable type ${sprint([b])}: ${goTypeName(b)}`);
      else if (a instanceof GoTime && b instanceof GoTime) truth = a === b;
      else truth = a === b;
    } else truth = a === b;
    if (truth) return true;
  }
  return false;
}

function lt(a: GoValue, b: GoValue): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'invalid' || k2 === 'invalid') throw new Error(BAD_COMPARISON_TYPE);
  if (k1 !== k2) throw new Error(BAD_COMPARISON);
  if (k1 === 'bool') throw new Error(BAD_COMPARISON_TYPE);
  if (k1 === 'string') return compareGoStrings(a as string, b as string) < 0;
  return (a as number) < (b as number);
}

function indexArg(index: GoValue, cap: number): number {
  if (typeof index !== 'bigint') {
    if (index === undefined || index === null) throw new Error('cannot index slice/array with nil');
    throw new Error(`cannot index slice/array with type ${goTypeName(index)}`);
  }
  if (index < 0n || index > BigInt(cap)) throw new Error(`index out of range: ${index}`);
  return Number(index);
}

function index(item: GoValue, indexes: GoValue[]): GoValue {
  if (item === undefined || item === null) throw new Error('index of untyped nil');
  let cur: GoValue = item;
  for (const ix of indexes) {
    if (cur === null) throw new Error('index of nil pointer');
    if (typeof cur === 'string') {
      const bytes = utf8Bytes(cur);
      const x = indexArg(ix, bytes.length);
      if (x >= bytes.length) throw new Error('reflect: string index out of range');
      cur = BigInt(bytes[x]);
    } else if (cur instanceof GoSlice) {
      const x = indexArg(ix, cur.items.length);
      if (x >= cur.items.length) throw new Error('reflect: slice index out of range');
      cur = cur.items[x];
    } else if (cur instanceof GoMap) {
      if (ix === undefined || ix === null) throw new Error('value is nil; should be of type string');
      if (typeof ix !== 'string') throw new Error(`value has type ${goTypeName(ix)}; should be string`);
      cur = cur.get(ix);
    } else {
      throw new Error(`can't index item of type ${goTypeName(cur)}`);
    }
  }
  return cur;
}

function slice(item: GoValue, indexes: GoValue[]): GoValue {
  if (item === undefined || item === null) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let len: number;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    len = utf8Bytes(item).length;
  } else if (item instanceof GoSlice) len = item.items.length;
  else throw new Error(`can't slice item of type ${goTypeName(item)}`);
  const idx = [0, len, len];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(ix, len);
  });
  if (idx[0] > idx[1]) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1] > idx[2]) throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (typeof item === 'string') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(utf8Bytes(item).slice(idx[0], idx[1]));
    } catch {
      // Go would hand out the broken bytes; a JS string cannot hold them
      throw new Error(`slicing a string inside a multi-byte character is not supported: [${idx[0]}:${idx[1]}]`);
    }
  }
  return new GoSlice((item as GoSlice).items.slice(idx[0], idx[1]), (item as GoSlice).elem, (item as GoSlice).typeName);
}

function length(item: GoValue): bigint {
  if (typeof item === 'string') return BigInt(utf8Bytes(item).length);
  if (item instanceof GoSlice) return BigInt(item.items.length);
  if (item instanceof GoMap) return BigInt(item.entries.size);
  // a nil argument reaches Go's len as a zero reflect.Value
  if (item === null || item === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  if (item instanceof GoStruct && item.pointer) throw new Error(`len of type ${goTypeName(item).slice(1)}`);
  throw new Error(`len of type ${goTypeName(item)}`);
}

/** evalArgs of text/template: one string argument as is, else fmt.Sprint of them all. */
function argsText(args: GoValue[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  // Go's printableValue turns a nil argument into an invalid value, printed as <no value>
  return sprint(args.map((a) => (a === undefined || a === null ? '<no value>' : a)));
}

export function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => ({ '\0': '\uFFFD', '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string);
}

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    switch (ch) {
      case '\\': out += '\\\\'; continue;
      case "'": out += "\\'"; continue;
      case '"': out += '\\"'; continue;
      case '<': out += '\\u003C'; continue;
      case '>': out += '\\u003E'; continue;
      case '&': out += '\\u0026'; continue;
      case '=': out += '\\u003D'; continue;
    }
    if (c < 0x20) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else if (c < 0x80 || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch)) out += ch;
    else out += c < 0x10000 ? `\\u${c.toString(16).toUpperCase().padStart(4, '0')}` : goQuote(ch).slice(1, -1);
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of utf8Bytes(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const fn = (params: string[], call: GoFunction['call'], variadic?: string): GoFunction => ({ params, call, variadic });

export const BUILTINS: ReadonlyMap<string, GoFunction> = new Map<string, GoFunction>([
  // and/or are evaluated lazily by the executor; these entries give their arity
  ['and', fn(['any'], ([a]) => a, 'any')],
  ['or', fn(['any'], ([a]) => a, 'any')],
  ['not', fn(['any'], ([a]) => !isTrue(a))],
  ['len', fn(['any'], ([a]) => length(a))],
  ['index', fn(['any'], ([a, ...ix]) => index(a, ix), 'any')],
  ['slice', fn(['any'], ([a, ...ix]) => slice(a, ix), 'any')],
  ['print', fn([], (a) => sprint(a), 'any')],
  ['printf', fn(['string'], ([f, ...a]) => sprintf(f as string, a), 'any')],
  ['println', fn([], (a) => sprintln(a), 'any')],
  ['eq', fn(['any'], ([a, ...b]) => eq(a, b), 'any')],
  ['ne', fn(['any', 'any'], ([a, b]) => !eq(a, [b]))],
  ['lt', fn(['any', 'any'], ([a, b]) => lt(a, b))],
  ['le', fn(['any', 'any'], ([a, b]) => lt(a, b) || eq(a, [b]))],
  ['gt', fn(['any', 'any'], ([a, b]) => !(lt(a, b) || eq(a, [b])))],
  ['ge', fn(['any', 'any'], ([a, b]) => !lt(a, b))],
  ['html', fn([], (a) => htmlEscape(argsText(a)), 'any')],
  ['js', fn([], (a) => jsEscape(argsText(a)), 'any')],
  ['urlquery', fn([], (a) => queryEscape(argsText(a)), 'any')],
  ['call', fn(['any'], ([f]) => {
    if (f === undefined || f === null) throw new Error('call of nil');
    throw new Error(`non-function of type ${goTypeName(f)}`);
  }, 'any')],
]);
