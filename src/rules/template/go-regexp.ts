/**
 * Go (RE2) regular expressions on JS RegExp: the syntax is translated where the two differ (`(?P<name>`,
 * leading `(?i)` flags, `\z`, `\A`, `\Q..\E`, POSIX classes, Go's ASCII `\s`, escaped punctuation), and what
 * RE2 rejects (lookaround, backreferences) is rejected with Go's message. Matching is leftmost-first in both.
 */

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7f', blank: '\\t ', cntrl: '\\x00-\\x1f\\x7f', digit: '0-9',
  graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z',
  word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};
const PERL_SPACE = '\\t\\n\\f\\r ';
const CATEGORIES = /^(L|Lu|Ll|Lt|Lm|Lo|M|Mn|Mc|Me|N|Nd|Nl|No|P|Pc|Pd|Ps|Pe|Pi|Pf|Po|S|Sm|Sc|Sk|So|Z|Zs|Zl|Zp|C|Cc|Cf|Co|Cs)$/;

const hex = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

function unsupported(what: string): never {
  throw new Error(`error parsing regexp: invalid or unsupported Perl syntax: \`${what}\``);
}

/** Translates a Go pattern; returns JS source and flags. Throws Go's "error parsing regexp" messages. */
export function translateGoRegexp(pattern: string): { source: string; flags: string } {
  let flags = 'u';
  let i = 0;
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  if (lead) {
    if (lead[1].includes('U')) unsupported('(?U');
    for (const f of lead[1]) if (!flags.includes(f)) flags += f;
    i = lead[0].length;
  }
  let out = '';
  let inClass = false;
  let depth = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') {
      const e = pattern[i + 1];
      if (e === undefined) throw new Error('error parsing regexp: trailing backslash at end of expression: ``');
      if (e === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const lit = pattern.slice(i + 2, end < 0 ? undefined : end);
        out += [...lit].map((ch) => (/[A-Za-z0-9]/.test(ch) ? ch : ch.charCodeAt(0) < 128 ? hex(ch) : ch)).join('');
        i = end < 0 ? pattern.length : end + 2;
        continue;
      }
      i += 2;
      if (e === 'z') { if (inClass) unsupported('\\z'); out += '(?![\\s\\S])'; continue; }
      if (e === 'A') { if (inClass) unsupported('\\A'); out += '(?<![\\s\\S])'; continue; }
      if (e === 's') { out += inClass ? PERL_SPACE : `[${PERL_SPACE}]`; continue; }
      if (e === 'S') { if (inClass) unsupported('\\S'); out += `[^${PERL_SPACE}]`; continue; }
      if (e === 'p' || e === 'P') {
        let name: string;
        if (pattern[i] === '{') {
          const close = pattern.indexOf('}', i);
          if (close < 0) throw new Error(`error parsing regexp: invalid character class range: \`${pattern.slice(i - 2)}\``);
          name = pattern.slice(i + 1, close);
          i = close + 1;
        } else {
          name = pattern[i] ?? '';
          i++;
        }
        const neg = name.startsWith('^');
        if (neg) name = name.slice(1);
        const body = CATEGORIES.test(name) ? name : name === 'Any' ? 'Any' : `Script=${name}`;
        out += `\\${(e === 'P') !== neg ? 'P' : 'p'}{${body}}`;
        continue;
      }
      if (/[1-9]/.test(e)) throw new Error(`error parsing regexp: invalid escape sequence: \`\\${e}\``);
      if (/[dDwWbBfnrtvx0]/.test(e)) {
        out += `\\${e}`;
        continue;
      }
      if (/[!-/:-@[-`{-~]/.test(e)) {
        out += hex(e);
        continue;
      }
      throw new Error(`error parsing regexp: invalid escape sequence: \`\\${e}\``);
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const close = pattern.indexOf(':]', i + 2);
        const name = close < 0 ? '' : pattern.slice(i + 2, close);
        if (name.startsWith('^')) unsupported(`[:${name}:]`);
        if (!(name in POSIX)) throw new Error(`error parsing regexp: invalid character class range: \`[:${name}:]\``);
        out += POSIX[name];
        i = close + 2;
        continue;
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += '[';
      i++;
      if (pattern[i] === '^') { out += '^'; i++; }
      // a ] right after [ or [^ is a literal in Go
      if (pattern[i] === ']') { out += '\\]'; i++; }
      continue;
    }
    if (c === '(') {
      depth++;
      if (pattern.startsWith('(?P<', i)) { out += '(?<'; i += 4; continue; }
      if (pattern.startsWith('(?=', i) || pattern.startsWith('(?!', i) || pattern.startsWith('(?<=', i) || pattern.startsWith('(?<!', i)) {
        unsupported(pattern.slice(i, pattern[i + 2] === '<' ? i + 4 : i + 3));
      }
      const fl = /^\(\?([imsU-]*)([:)])/.exec(pattern.slice(i));
      if (fl && pattern[i + 1] === '?') {
        if (fl[1].includes('U')) unsupported('(?U');
        if (fl[2] === ')') unsupported(fl[0]);
        out += fl[0];
        i += fl[0].length;
        continue;
      }
      out += c;
      i++;
      continue;
    }
    if (c === ')') {
      depth--;
      if (depth < 0) throw new Error(`error parsing regexp: unexpected ): \`${pattern}\``);
    }
    if (c === '{') {
      const rep = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (rep) {
        if (Number(rep[1]) > 1000 || (rep[3] && Number(rep[3]) > 1000)) throw new Error(`error parsing regexp: invalid repeat count: \`${rep[0]}\``);
        out += rep[0];
        i += rep[0].length;
        continue;
      }
      out += '\\{';
      i++;
      continue;
    }
    if (c === '}' || c === ']') {
      out += `\\${c}`;
      i++;
      continue;
    }
    out += c;
    i++;
  }
  if (inClass) throw new Error(`error parsing regexp: missing closing ]: \`${pattern.slice(pattern.lastIndexOf('['))}\``);
  if (depth > 0) throw new Error(`error parsing regexp: missing closing ): \`${pattern}\``);
  return { source: out, flags };
}

export function compileGoRegexp(pattern: string, global = false): RegExp {
  const { source, flags } = translateGoRegexp(pattern);
  try {
    return new RegExp(source, global ? `${flags}g` : flags);
  } catch (err) {
    throw new Error(`error parsing regexp: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`, { cause: err });
  }
}

/** regexp.MatchString: unanchored. */
export function goMatch(pattern: string, text: string): boolean {
  return compileGoRegexp(pattern).test(text);
}

function expand(template: string, m: RegExpExecArray): string {
  let out = '';
  let t = template;
  for (;;) {
    const d = t.indexOf('$');
    if (d < 0) break;
    out += t.slice(0, d);
    t = t.slice(d + 1);
    if (t[0] === '$') {
      out += '$';
      t = t.slice(1);
      continue;
    }
    const ex = /^(\{)?([\p{L}\p{Nd}_]+)/u.exec(t);
    if (!ex || (ex[1] && t[ex[0].length] !== '}')) {
      out += '$';
      continue;
    }
    const name = ex[2];
    t = t.slice(ex[0].length + (ex[1] ? 1 : 0));
    let num = -1;
    if (/^\d+$/.test(name) && !(name[0] === '0' && name.length > 1) && name.length <= 8) num = Number(name);
    if (num >= 0) out += m[num] ?? '';
    else out += m.groups?.[name] ?? '';
  }
  return out + t;
}

/** regexp.ReplaceAllString with Go's `$1` / `${name}` expansion and its empty-match rule. */
export function goReplaceAll(pattern: string, repl: string, text: string): string {
  const re = compileGoRegexp(pattern, true);
  let out = '';
  let lastEnd = 0;
  let search = 0;
  while (search <= text.length) {
    re.lastIndex = search;
    const m = re.exec(text);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    out += text.slice(lastEnd, start);
    if (end > lastEnd || start === 0) out += expand(repl, m);
    lastEnd = end;
    const cp = text.codePointAt(search);
    const width = cp === undefined ? 0 : cp > 0xffff ? 2 : 1;
    if (search + width > end) search += width;
    else if (search + 1 > end) search++;
    else search = end;
  }
  return out + text.slice(lastEnd);
}
