/**
 * Lexical pieces of PromQL the grammar leaves as raw text: Go-style string literals, number literals
 * (decimal, hex, Inf/NaN) and durations (`1h30m`, `500ms`).
 */

const UNITS: Record<string, number> = { y: 365 * 24 * 3600_000, w: 7 * 24 * 3600_000, d: 24 * 3600_000, h: 3600_000, m: 60_000, s: 1000, ms: 1 };
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNITS = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

/** Milliseconds of a Prometheus duration (`5m`, `1h30m`), or undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  if (text === '' || text === '0') return text === '0' ? 0 : undefined;
  const m = DURATION_RE.exec(text);
  if (!m) return undefined;
  let ms = 0;
  let any = false;
  for (let i = 0; i < DURATION_UNITS.length; i++) {
    if (m[i + 1] !== undefined) {
      any = true;
      ms += Number(m[i + 1]) * UNITS[DURATION_UNITS[i]];
    }
  }
  return any ? ms : undefined;
}

/** Prometheus' model.Duration String(): `1h30m`, `5m`, `0s`, `1y2w`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let out = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  for (const unit of DURATION_UNITS) {
    const size = UNITS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/** A PromQL number literal: decimal or hex, `Inf`/`NaN` in any case, `_` digit separators, durations as seconds. */
export function parseNumber(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return NaN;
  if (text[0] === '-' || text[0] === '+') {
    const v = parseNumber(text.slice(1).trimStart());
    return v === undefined ? undefined : text[0] === '-' ? -v : v;
  }
  const clean = text.replace(/_/g, '');
  if (/^0x[0-9a-f]+$/i.test(clean)) return parseInt(clean.slice(2), 16);
  if (/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(clean)) return Number(clean);
  // Octal like Go's strconv.ParseFloat does not apply: "010" is 10.
  const d = parseDuration(text);
  return d === undefined ? undefined : d / 1000;
}

/** Unquotes a PromQL string literal (Go rules: `"..."` and `'...'` with escapes, `` `...` `` raw). */
export function unquoteString(raw: string): string | { error: string } {
  const q = raw[0];
  if (raw.length < 2 || raw[raw.length - 1] !== q) return { error: 'unterminated quoted string' };
  const body = raw.slice(1, -1);
  if (q === '`') return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      if (c === q) return { error: `unexpected ${q} in string` };
      out += c;
      continue;
    }
    const e = body[++i];
    switch (e) {
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case '"': case "'":
        if (e !== q) return { error: 'unknown escape sequence' };
        out += e;
        break;
      case 'x': case 'u': case 'U': {
        const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = body.slice(i + 1, i + 1 + n);
        if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) return { error: 'invalid escape sequence' };
        const cp = parseInt(hex, 16);
        if (e !== 'x' && (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))) return { error: 'invalid unicode code point in escape sequence' };
        out += e === 'x' ? String.fromCharCode(cp) : String.fromCodePoint(cp);
        i += n;
        break;
      }
      default: {
        if (e !== undefined && e >= '0' && e <= '7') {
          const oct = body.slice(i, i + 3);
          if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) return { error: 'invalid escape sequence' };
          out += String.fromCharCode(parseInt(oct, 8));
          i += 2;
          break;
        }
        return { error: 'unknown escape sequence' };
      }
    }
  }
  return out;
}

/** A string literal as PromQL prints it (Go's strconv.Quote, double quotes). */
export function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0xd800 && cp < 0xe000) out += `\\ufffd`;
    else out += ch;
  }
  return out + '"';
}
