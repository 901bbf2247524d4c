/**
 * Strict, position-aware reading of a YAML document into typed fields, as Go's yaml.UnmarshalStrict reads
 * promtool's test files: unknown fields and mistyped values are errors. Every error is a TelltaleError that
 * names file:line:column and the dotted field path (`tests[0].input_series[2].values`). As yaml.v2 does, only
 * the first document is read, aliases read as the node they name, a plain `<<` key merges a mapping (or a
 * list of them) into the one it is in, and a key written twice in one mapping is an error naming the field.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type YAMLMap } from 'yaml';
import { TelltaleError } from '../../errors.ts';
import { parsePromDuration } from '../template/prometheus-functions.ts';

export class FieldReader {
  readonly file: string;
  private readonly lc: LineCounter;
  private readonly doc: Document | undefined;
  constructor(file: string, lc: LineCounter, doc?: Document) {
    this.file = file;
    this.lc = lc;
    this.doc = doc;
  }

  /** The node an alias names (itself otherwise); an alias to nothing reads as null. */
  deref(node: unknown): unknown {
    if (!isAlias(node) || !this.doc) return node;
    return node.resolve(this.doc) ?? null;
  }

  /** Where a node starts (1-based); the file's start for a node without a position. */
  pos(node: unknown): { line: number; column: number } {
    const offset = (node as Node | null | undefined)?.range?.[0];
    const { line, col } = offset === undefined ? { line: 1, col: 1 } : this.lc.linePos(offset);
    return { line, column: col };
  }

  fail(node: unknown, field: string, message: string, cause?: unknown): never {
    const pos = this.pos(node);
    throw new TelltaleError('TT_RULES_INVALID', `${field === '' ? '' : `${field}: `}${message}`, {
      file: this.file, line: pos.line, column: pos.column, field: field === '' ? undefined : field, cause,
    });
  }

  /** The fields of a mapping, refusing any not in `known`; null reads as an empty mapping. */
  fields(node: unknown, field: string, what: string, known: readonly string[]): Map<string, { key: Node; value: unknown }> {
    const out = new Map<string, { key: Node; value: unknown }>();
    this.collectFields(this.deref(node), field, what, known, out);
    return out;
  }

  private collectFields(node: unknown, field: string, what: string, known: readonly string[], out: Map<string, { key: Node; value: unknown }>): void {
    this.eachPair(node, field, `cannot read ${kindName(node)} as ${what}`, (key) => (isScalar(key) ? String(key.value) : undefined), (key, name, value) => {
      const path = field === '' ? name : `${field}.${name}`;
      if (!known.includes(name)) this.fail(key, path, `field ${name} not found in ${what}`);
      out.set(name, { key, value });
    }, (key, name) => this.fail(key, field === '' ? name : `${field}.${name}`, `field ${name} already set in ${what}`), undefined);
  }

  /**
   * Visits the pairs of a mapping as yaml.v2's strict decoding does: aliases followed, `<<` merges keys in.
   * Into a struct (mapMode undefined), keys written in the mapping itself win over merged ones and only a key
   * written twice is an error; into a map, any key set twice, merged or not, is.
   */
  private eachPair(
    node: unknown, field: string, notMap: string, keyName: (key: Node) => string | undefined,
    visit: (key: Node, name: string, value: unknown) => void, twice: (key: Node, name: string) => never,
    mapMode: { written: Set<string> } | undefined, depth = 0,
  ): void {
    if (isNull(node)) return;
    if (!isMap(node)) this.fail(node, field, notMap);
    // a struct's own keys are checked per mapping; a map's keys, merged ones included, across all of it
    const written = mapMode?.written ?? new Set<string>();
    for (const pair of (node as YAMLMap).items) {
      const key = pair.key as Node;
      if (isScalar(key) && key.value === '<<' && key.type === 'PLAIN') {
        const at = field === '' ? '<<' : `${field}.<<`;
        if (depth > 32) this.fail(key, at, 'merge keys nested too deep');
        const v = this.deref(pair.value);
        // of a list of mappings, the earlier ones win: they are merged last
        const sources = isSeq(v) ? v.items.map((n) => this.deref(n)).reverse() : [v];
        for (const src of sources) {
          if (!isMap(src)) this.fail(pair.value ?? key, at, 'map merge requires map or sequence of maps as the value');
          if (mapMode) this.eachPair(src, field, notMap, keyName, visit, twice, mapMode, depth + 1);
          else {
            this.eachPair(src, field, notMap, keyName, (k, n, val) => {
              if (!written.has(n)) visit(k, n, val);
            }, twice, undefined, depth + 1);
          }
        }
        continue;
      }
      const name = keyName(key);
      if (name === undefined) this.fail(key, field, `a key must be a string, not ${kindName(key)}`);
      if (written.has(name)) twice(key, name);
      written.add(name);
      visit(key, name, this.deref(pair.value));
    }
  }

  string(node: unknown, field: string): string {
    if (isNull(node)) return '';
    if (!isScalar(node) || typeof node.value === 'object') this.fail(node, field, `cannot read ${kindName(node)} as a string`);
    const src = (node as { source?: unknown }).source;
    // a plain scalar reads as its source text, as Go's yaml decodes `1.0` or `true` into a string field
    return typeof src === 'string' && node.type === 'PLAIN' ? src : String(node.value);
  }

  /** A float64 field: a plain scalar (or one tagged !!int/!!float) that yaml.v2 resolves to a number. */
  float(node: unknown, field: string): number {
    if (isNull(node)) return 0;
    if (isScalar(node)) {
      const src = (node as { source?: unknown }).source;
      const tag = node.tag;
      const numericTag = tag === 'tag:yaml.org,2002:int' || tag === 'tag:yaml.org,2002:float';
      if (typeof src === 'string' && ((node.type === 'PLAIN' && tag === undefined) || numericTag)) {
        const v = goYamlNumber(src);
        if (v !== undefined) return v;
      }
    }
    return this.fail(node, field, `cannot read ${kindName(node)} ${isScalar(node) ? `\`${String(node.value)}\` ` : ''}as a float`);
  }

  /** A Prometheus duration; null (or absent) reads as 0, an empty string is an error as in model.Duration. */
  duration(node: unknown, field: string): number {
    if (isNull(node)) return 0;
    const s = this.string(node, field);
    if (s === '') this.fail(node, field, 'empty duration string');
    try {
      return parsePromDuration(s);
    } catch (err) {
      return this.fail(node, field, (err as Error).message);
    }
  }

  seq<T>(node: unknown, field: string, item: (n: unknown, path: string) => T): T[] {
    if (isNull(node)) return [];
    if (!isSeq(node)) this.fail(node, field, `cannot read ${kindName(node)} as a list`);
    return node.items.map((n, i) => item(this.deref(n), `${field}[${i}]`));
  }

  stringMap(node: unknown, field: string): Record<string, string> {
    const out: Record<string, string> = {};
    const n = this.deref(node);
    this.eachPair(n, field, `cannot read ${kindName(n)} as a map of strings`, (key) => (isScalar(key) ? this.string(key, field) : undefined), (_key, k, value) => {
      out[k] = this.string(value, `${field}.${k}`);
    }, (key, k) => this.fail(key, `${field}.${k}`, `key ${JSON.stringify(k)} already set in map`), { written: new Set() });
    return out;
  }

}

/**
 * The number yaml.v2 (YAML 1.1) reads from a plain scalar, or undefined for text it reads as a string:
 * text that starts with a sign, a dot or a digit has its underscores dropped, then Go's integer syntax (`0x1F`, `0o17`, `0b11`, `017` octal), then a decimal
 * float, then `.inf`/`-.inf`/`.nan`.
 */
export function goYamlNumber(text: string): number | undefined {
  const special = /^([-+]?)\.(?:(inf|Inf|INF)|(nan|NaN|NAN))$/.exec(text);
  if (special) {
    if (special[3] !== undefined) return special[1] === '' ? NaN : undefined;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  // yaml.v2 tries numbers only for text that starts like one
  if (!/^[-+.0-9]/.test(text)) return undefined;
  const plain = text.replace(/_/g, '');
  const int = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))$/.exec(plain);
  if (int) {
    const [, sign, hex, oct, bin, octLegacy, dec] = int;
    const digits = hex !== undefined ? `0x${hex}` : oct !== undefined ? `0o${oct}` : bin !== undefined ? `0b${bin}` : octLegacy !== undefined ? `0o${octLegacy || '0'}` : dec;
    const big = BigInt(digits) * (sign === '-' ? -1n : 1n);
    // what fits int64 (or, positive, uint64) is an integer; a longer decimal is still read as a float
    if (big >= -(2n ** 63n) && big < 2n ** 64n) return Number(big);
    if (dec === undefined) return undefined;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(plain)) return Number(plain);
  return undefined;
}

export function isNull(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

export function kindName(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (typeof node.value === 'number') return 'a number';
    if (typeof node.value === 'boolean') return 'a boolean';
    return 'a string';
  }
  return 'a value';
}

/** Parses YAML text (its first document); a syntax error is a TelltaleError at its line and column. */
export function parseYaml(text: string, file: string): { root: unknown; reader: FieldReader } {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false, strict: true });
  // a stream of no document (only comments) carries its own errors
  const doc = 'empty' in docs ? undefined : docs[0];
  const reader = new FieldReader(file, lc, doc);
  const first = 'empty' in docs ? docs.errors[0] : doc?.errors[0];
  if (first) {
    const { line, col } = lc.linePos(first.pos[0]);
    throw new TelltaleError('TT_RULES_INVALID', `yaml: ${first.message.split('\n')[0]}`, { file, line, column: col });
  }
  return { root: reader.deref(doc?.contents ?? null), reader };
}
