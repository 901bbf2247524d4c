/**
 * The Go value model templates compute with. Go's template semantics depend on dynamic types (an int literal
 * does not compare with a float64, `%d` rejects a float64, a missing map key yields the element's zero value),
 * so values keep their Go type: float64 is a JS number, int is a bigint, string/bool are themselves, nil is null
 * and "no value" (an invalid reflect.Value) is undefined.
 */

export type GoValue = string | number | bigint | boolean | null | undefined | GoMap | GoSlice | GoStruct | GoTime;

/** map[string]T. `elem` is T's Go name; it decides the zero value of a missing key and the type in messages. */
export class GoMap {
  readonly entries: Map<string, GoValue>;
  readonly elem: string;
  constructor(entries: Map<string, GoValue> | Record<string, GoValue>, elem = 'string') {
    this.entries = entries instanceof Map ? entries : new Map(Object.entries(entries));
    this.elem = elem;
  }
  get(key: string): GoValue {
    return this.entries.has(key) ? this.entries.get(key) : zeroOf(this.elem);
  }
  sortedKeys(): string[] {
    return [...this.entries.keys()].sort(compareGoStrings);
  }
}

/** []T, or a named slice type (`template.queryResult`) when `typeName` is set. */
export class GoSlice {
  readonly items: GoValue[];
  readonly elem: string;
  readonly typeName?: string;
  constructor(items: GoValue[], elem = 'interface {}', typeName?: string) {
    this.items = items;
    this.elem = elem;
    this.typeName = typeName;
  }
}

/** A struct (or a pointer to one, when `pointer`): fields in declaration order. */
export class GoStruct {
  readonly typeName: string;
  readonly fields: Map<string, GoValue>;
  readonly pointer: boolean;
  constructor(typeName: string, fields: Array<[string, GoValue]>, pointer = false) {
    this.typeName = typeName;
    this.fields = new Map(fields);
    this.pointer = pointer;
  }
}

/** *time.Time at millisecond precision (Prometheus builds times from model.Time, which is milliseconds). */
export class GoTime {
  readonly ms: number;
  constructor(ms: number) {
    this.ms = ms;
  }
  /** time.Time.String() in UTC: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
  toString(): string {
    const d = new Date(this.ms);
    if (Number.isNaN(d.getTime())) return 'invalid time';
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    const year = d.getUTCFullYear() < 0 ? `-${p(-d.getUTCFullYear(), 4)}` : p(d.getUTCFullYear(), 4);
    let frac = '';
    const msPart = ((this.ms % 1000) + 1000) % 1000;
    if (msPart) frac = `.${p(msPart, 3)}`.replace(/0+$/, '');
    return `${year}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac} +0000 UTC`;
  }
}

export function zeroOf(type: string): GoValue {
  switch (type) {
    case 'string': return '';
    case 'float64': return 0;
    case 'int': return 0n;
    case 'bool': return false;
    default: return null;
  }
}

/** Go compares strings bytewise (UTF-8); for UTF-16 JS strings code point order is the same. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const ca = [...a];
  const cb = [...b];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i].codePointAt(0) as number;
    const y = cb[i].codePointAt(0) as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return ca.length - cb.length;
}

/** The Go type name of a value, as fmt and template errors print it. */
export function goTypeName(v: GoValue): string {
  if (v === undefined || v === null) return 'interface {}';
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': return 'float64';
    case 'bigint': return 'int';
    case 'boolean': return 'bool';
  }
  if (v instanceof GoMap) return `map[string]${v.elem}`;
  if (v instanceof GoSlice) return v.typeName ?? `[]${v.elem}`;
  if (v instanceof GoTime) return '*time.Time';
  return v.pointer ? `*${v.typeName}` : v.typeName;
}

/** Go's template truth: false, 0, "", nil and empty maps/slices are false; structs are true. */
export function isTrue(v: GoValue): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case 'string': return v.length > 0;
    case 'number': return v !== 0;
    case 'bigint': return v !== 0n;
    case 'boolean': return v;
  }
  if (v instanceof GoMap) return v.entries.size > 0;
  if (v instanceof GoSlice) return v.items.length > 0;
  return true;
}

/** Converts plain JS data (as a caller hands it in) to Go values: objects become map[string]interface {}. */
export function fromJs(v: unknown): GoValue {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return v;
  if (v instanceof GoMap || v instanceof GoSlice || v instanceof GoStruct || v instanceof GoTime) return v;
  if (Array.isArray(v)) return new GoSlice(v.map(fromJs));
  if (v instanceof Date) return new GoTime(v.getTime());
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    const allStrings = entries.every(([, x]) => typeof x === 'string');
    return new GoMap(new Map(entries.map(([k, x]) => [k, fromJs(x)])), allStrings && entries.length > 0 ? 'string' : 'interface {}');
  }
  return String(v);
}

export function utf8Bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
