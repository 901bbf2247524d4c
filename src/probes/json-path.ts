/**
 * The JSON path subset HTTP check assertions use. It is small on purpose, so that every path means one thing:
 *
 *   $                 the whole document
 *   .name             an object member whose name is an identifier ([A-Za-z_$][A-Za-z0-9_$-]*)
 *   ['any key']       an object member by any name ("..." too; backslash escapes the next character)
 *   [3]  [-1]         an array element; negative indexes count from the end
 *   [*]  .*           every element of an array (or every member value of an object)
 *
 * A path without a wildcard selects at most one value; a path with one selects the list of every match (so
 * `$.items[*].id` is the array of ids and `contains` asks whether one of them is the target). Filters,
 * recursive descent (`..`), slices and functions are not supported and are refused when the path is parsed,
 * rather than silently matching nothing.
 */

export type PathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' };

export interface JsonPath {
  readonly source: string;
  readonly segments: readonly PathSegment[];
  /** True when a segment is a wildcard: the path selects a list of matches. */
  readonly multiple: boolean;
}

/** A path that does not parse; `position` is the 0-based offset of the problem in the path. */
export class JsonPathError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.name = 'JsonPathError';
    this.position = position;
  }
}

/** Longest path accepted: a longer one is a mistake or an attack, not an assertion. */
const MAX_PATH_LENGTH = 1024;
const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$-]/;

export function parseJsonPath(source: string): JsonPath {
  if (typeof source !== 'string') throw new JsonPathError('a JSON path must be a string', 0);
  if (source.length > MAX_PATH_LENGTH) throw new JsonPathError(`a JSON path is at most ${MAX_PATH_LENGTH} characters`, MAX_PATH_LENGTH);
  if (source[0] !== '$') throw new JsonPathError('a JSON path starts with "$" (e.g. "$.data.items[0].id")', 0);
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < source.length) {
    const c = source[i];
    if (c === '.') {
      if (source[i + 1] === '.') throw new JsonPathError('recursive descent ("..") is not supported', i);
      if (source[i + 1] === '*') {
        segments.push({ kind: 'wildcard' });
        i += 2;
        continue;
      }
      const start = i + 1;
      if (start >= source.length || !IDENT_START.test(source[start])) {
        throw new JsonPathError(`expected a member name after "." at position ${start} (use ['...'] for other names)`, start);
      }
      let end = start + 1;
      while (end < source.length && IDENT_PART.test(source[end])) end++;
      segments.push({ kind: 'key', key: source.slice(start, end) });
      i = end;
    } else if (c === '[') {
      i = parseBracket(source, i, segments);
    } else {
      throw new JsonPathError(`unexpected ${JSON.stringify(c)} at position ${i} (expected "." or "[")`, i);
    }
  }
  return { source, segments, multiple: segments.some((s) => s.kind === 'wildcard') };
}

/** Parses `[...]` starting at `open`; returns the position after `]`. */
function parseBracket(source: string, open: number, segments: PathSegment[]): number {
  let i = open + 1;
  const c = source[i];
  if (c === '*') {
    if (source[i + 1] !== ']') throw new JsonPathError(`expected "]" at position ${i + 1}`, i + 1);
    segments.push({ kind: 'wildcard' });
    return i + 2;
  }
  if (c === "'" || c === '"') {
    let key = '';
    i++;
    for (;;) {
      if (i >= source.length) throw new JsonPathError(`unterminated quoted name starting at position ${open + 1}`, open + 1);
      const ch = source[i];
      if (ch === '\\') {
        if (i + 1 >= source.length) throw new JsonPathError(`unterminated quoted name starting at position ${open + 1}`, open + 1);
        key += source[i + 1];
        i += 2;
        continue;
      }
      if (ch === c) break;
      key += ch;
      i++;
    }
    if (source[i + 1] !== ']') throw new JsonPathError(`expected "]" at position ${i + 1}`, i + 1);
    segments.push({ kind: 'key', key });
    return i + 2;
  }
  const m = /^-?\d{1,9}/.exec(source.slice(i, i + 11));
  if (!m) {
    throw new JsonPathError(`expected an index, "*" or a quoted name at position ${i} (filters and slices are not supported)`, i);
  }
  i += m[0].length;
  if (source[i] !== ']') throw new JsonPathError(`expected "]" at position ${i}`, i);
  segments.push({ kind: 'index', index: Number(m[0]) });
  return i + 1;
}

/** What a path selected: `found` is false when a single-value path leads nowhere. */
export interface PathMatch {
  readonly found: boolean;
  /** The value; for a wildcard path, the array of every match (possibly empty). */
  readonly value: unknown;
}

export function evaluateJsonPath(path: JsonPath, document: unknown): PathMatch {
  let current: unknown[] = [document];
  for (const seg of path.segments) {
    const next: unknown[] = [];
    for (const v of current) step(v, seg, next);
    current = next;
  }
  if (path.multiple) return { found: true, value: current };
  return current.length === 0 ? { found: false, value: undefined } : { found: true, value: current[0] };
}

function step(value: unknown, seg: PathSegment, out: unknown[]): void {
  if (value === null || typeof value !== 'object') return;
  if (seg.kind === 'wildcard') {
    if (Array.isArray(value)) out.push(...value);
    else for (const k of Object.keys(value)) out.push((value as Record<string, unknown>)[k]);
    return;
  }
  if (seg.kind === 'index') {
    if (!Array.isArray(value)) return;
    const i = seg.index < 0 ? value.length + seg.index : seg.index;
    if (i >= 0 && i < value.length) out.push(value[i]);
    return;
  }
  // Own members only: "__proto__" or "constructor" in a path must not reach Object.prototype.
  if (!Array.isArray(value) && Object.hasOwn(value, seg.key)) out.push((value as Record<string, unknown>)[seg.key]);
}
