/**
 * The subset of gjson path syntax `res.json(selector)` supports, applied to an already parsed JSON value:
 *   a.b.0.c    object keys and array indexes, separated by dots
 *   a\.b       a backslash escapes the next character (a key containing a dot)
 *   a.*e?      `*` and `?` wildcards in a key match the first fitting key, in document order
 *   list.#     the length of an array
 *   list.#.id  the `id` of every element that has one, as an array
 * Anything else (modifiers, queries) is taken literally as a key, which normally finds nothing. A path that finds
 * nothing yields `undefined`, as in k6.
 */

interface Part {
  /** The key with escapes resolved. */
  key: string;
  /** The key as written, escapes kept: the glob pattern when the part has an unescaped wildcard. */
  raw: string;
  wildcard: boolean;
  /** A bare `#`: the array length / map operator. */
  hash: boolean;
}

const NOT_FOUND: unique symbol = Symbol('not found');
type Found = unknown | typeof NOT_FOUND;

export function selectJson(root: unknown, path: string): unknown {
  if (path === '') return undefined;
  const found = walk(root, parsePath(path), 0);
  return found === NOT_FOUND ? undefined : found;
}

function parsePath(path: string): Part[] {
  const parts: Part[] = [];
  let key = '';
  let raw = '';
  let wildcard = false;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '\\' && i + 1 < path.length) {
      key += path[i + 1];
      raw += c + path[i + 1];
      i++;
    } else if (c === '.') {
      parts.push({ key, raw, wildcard, hash: raw === '#' });
      key = '';
      raw = '';
      wildcard = false;
    } else {
      if (c === '*' || c === '?') wildcard = true;
      key += c;
      raw += c;
    }
  }
  parts.push({ key, raw, wildcard, hash: raw === '#' });
  return parts;
}

function walk(value: unknown, parts: readonly Part[], i: number): Found {
  if (i === parts.length) return value;
  const part = parts[i];
  if (Array.isArray(value)) {
    if (part.hash) {
      if (i === parts.length - 1) return value.length;
      const out: unknown[] = [];
      for (const el of value) {
        const r = walk(el, parts, i + 1);
        if (r !== NOT_FOUND) out.push(r);
      }
      return out;
    }
    if (part.wildcard || !/^\d+$/.test(part.key)) return NOT_FOUND;
    const idx = Number(part.key);
    return idx < value.length ? walk(value[idx], parts, i + 1) : NOT_FOUND;
  }
  if (value === null || typeof value !== 'object') return NOT_FOUND;
  const obj = value as Record<string, unknown>;
  if (part.wildcard) {
    for (const k of Object.keys(obj)) {
      if (globMatch(part.raw, k)) return walk(obj[k], parts, i + 1);
    }
    return NOT_FOUND;
  }
  return Object.hasOwn(obj, part.key) ? walk(obj[part.key], parts, i + 1) : NOT_FOUND;
}

/**
 * `*` matches any run of characters, `?` exactly one, a backslash makes the next character literal. Backtracks
 * only to the last star, so hostile patterns stay O(pattern x text).
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '\\' && p + 1 < pattern.length) {
      if (pattern[p + 1] === text[t]) {
        p += 2;
        t++;
        continue;
      }
    } else if (c === '*') {
      star = p++;
      mark = t;
      continue;
    } else if (p < pattern.length && (c === '?' || c === text[t])) {
      p++;
      t++;
      continue;
    }
    if (star === -1) return false;
    p = star + 1;
    t = ++mark;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
