/**
 * Go's filepath.Glob, which promtool applies to `rule_files`: `*` and `?` never match `/` (and do match a
 * leading dot), `[a-z]` / `[^a-z]` classes, `\` escapes; no `**` and no `{a,b}`. A malformed pattern (an
 * unclosed class, an empty one, a trailing `\`) is an error, `syntax error in pattern`, as Go's
 * ErrBadPattern. Matches come sorted per directory; a pattern without any of `*?[\` is returned as is when
 * the file exists.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

export class BadPatternError extends Error {
  constructor() {
    super('syntax error in pattern');
  }
}

function hasMeta(path: string): boolean {
  return /[*?[\\]/.test(path);
}

const reChar = (c: string) => c.replace(/[\\\]^-]/g, '\\$&');
const reLiteral = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The pattern as a RegExp over one path; throws BadPatternError where Go's Match returns ErrBadPattern. */
export function goPatternRegExp(pattern: string): RegExp {
  let re = '';
  let i = 0;
  /** One character of a class: an escape, or anything but `-` and `]`. */
  const classChar = (): string => {
    if (i >= pattern.length || pattern[i] === '-' || pattern[i] === ']') throw new BadPatternError();
    if (pattern[i] === '\\') {
      i++;
      if (i >= pattern.length) throw new BadPatternError();
    }
    const c = String.fromCodePoint(pattern.codePointAt(i)!);
    i += c.length;
    return c;
  };
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '*') {
      re += '[^/]*';
      i++;
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '\\') {
      if (i + 1 >= pattern.length) throw new BadPatternError();
      const lit = String.fromCodePoint(pattern.codePointAt(i + 1)!);
      re += reLiteral(lit);
      i += 1 + lit.length;
    } else if (c === '[') {
      i++;
      let negate = false;
      if (pattern[i] === '^') {
        negate = true;
        i++;
      }
      const parts: string[] = [];
      for (;;) {
        if (pattern[i] === ']' && parts.length > 0) {
          i++;
          break;
        }
        const lo = classChar();
        let hi = lo;
        if (pattern[i] === '-') {
          i++;
          hi = classChar();
        }
        // Go compares code points; a range upside down matches nothing
        parts.push(lo === hi ? reChar(lo) : lo.codePointAt(0)! <= hi.codePointAt(0)! ? `${reChar(lo)}-${reChar(hi)}` : '');
      }
      const body = parts.join('');
      re += negate ? `[^/${body}]` : body === '' ? '(?!)' : `[${body}]`;
    } else {
      const lit = String.fromCodePoint(pattern.codePointAt(i)!);
      re += reLiteral(lit);
      i += lit.length;
    }
  }
  return new RegExp(`^${re}$`, 'su');
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function matchIn(dir: string, re: RegExp): Promise<string[]> {
  try {
    if (!(await stat(dir)).isDirectory()) return [];
    const names = (await readdir(dir)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return names.filter((n) => re.test(n)).map((n) => join(dir, n));
  } catch {
    // Go's Glob ignores I/O errors such as an unreadable directory
    return [];
  }
}

/** filepath.Glob(pattern). Throws BadPatternError for a malformed pattern. */
export async function goGlob(pattern: string, depth = 0): Promise<string[]> {
  goPatternRegExp(pattern);
  if (!hasMeta(pattern)) return (await exists(pattern)) ? [pattern] : [];
  let dir = dirname(pattern);
  const file = basename(pattern);
  if (pattern.endsWith('/')) return [];
  if (dir.length > 1 && dir.endsWith('/')) dir = dir.slice(0, -1);
  const re = goPatternRegExp(file);
  if (!hasMeta(dir)) return matchIn(dir, re);
  if (dir === pattern || depth > 64) throw new BadPatternError();
  const out: string[] = [];
  for (const d of await goGlob(dir, depth + 1)) out.push(...(await matchIn(d, re)));
  return out;
}
