/**
 * Cookies on the wire, the way k6 handles them through Go's net/http: Set-Cookie lines parsed as
 * http.ParseSetCookie does (a line it rejects is skipped, never an error), Cookie headers written as
 * Request.AddCookie does, and the shapes k6 gives scripts in `res.cookies` and `res.request.cookies`.
 */

/** One Set-Cookie line, attributes as received. */
export interface SetCookie {
  name: string;
  value: string;
  /** The Domain attribute as given (a leading dot kept); '' when absent. */
  domain: string;
  /** The Path attribute as given; '' when absent. */
  path: string;
  /** Seconds, as Go keeps it: 0 when absent, -1 for "delete now" (any value <= 0). */
  maxAge: number;
  /** Epoch milliseconds; null when absent or not a date Go would parse. */
  expires: number | null;
  secure: boolean;
  httpOnly: boolean;
}

/** A cookie given for one request only (`params.cookies`). */
export interface RequestCookie {
  readonly name: string;
  readonly value: string;
  /** Sent instead of the jar's cookies of the same name, rather than alongside them. */
  readonly replace: boolean;
}

/** An entry of `res.cookies`, with k6's field names. */
export interface ResponseCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  http_only: boolean;
  secure: boolean;
  max_age: number;
  /** Epoch milliseconds; 0 when the cookie has no (valid) Expires attribute. */
  expires: number;
}

/** An entry of `res.request.cookies`: what the request's Cookie header carried. */
export interface SentCookie {
  name: string;
  value: string;
  replace: boolean;
}

/** RFC 9110 tchar: the characters of a cookie name. */
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TOKEN[c.charCodeAt(0)] = 1;

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN[c] === 0) return false;
  }
  return true;
}

/** RFC 6265 cookie-octet plus space and comma, which Go accepts in values too. */
function validValueChar(c: number): boolean {
  return c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x3b && c !== 0x5c;
}

/** Go's textproto.TrimString: only ASCII space, tab, CR and LF. */
function trim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpace(s.charCodeAt(a))) a++;
  while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** A cookie or attribute value, without its surrounding quotes when they are allowed; null when invalid. */
function cookieValue(raw: string, allowQuotes: boolean): string | null {
  let v = raw;
  if (allowQuotes && v.length > 1 && v.charCodeAt(0) === 0x22 && v.charCodeAt(v.length - 1) === 0x22) v = v.slice(1, -1);
  for (let i = 0; i < v.length; i++) if (!validValueChar(v.charCodeAt(i))) return null;
  return v;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Max-Age as Go's strconv.Atoi reads it, with Go's extra rule against leading zeros; null when ignored. */
function parseMaxAge(v: string): number | null {
  if (!/^[+-]?[0-9]+$/.test(v)) return null;
  if (v.length > 18) {
    const big = BigInt(v);
    if (big > INT64_MAX || big < INT64_MIN) return null;
  }
  const secs = Number(v);
  if (secs !== 0 && v.charCodeAt(0) === 0x30) return null;
  return secs;
}

/**
 * A Set-Cookie header value, or null when Go would drop it: no `=` in the first part, a name that is not a
 * token, or a value with a character RFC 6265 forbids. Attributes Go cannot read are ignored one by one.
 */
export function parseSetCookie(line: string): SetCookie | null {
  const parts = trim(line).split(';');
  const first = trim(parts[0]);
  const eq = first.indexOf('=');
  if (eq < 0) return null;
  const name = trim(first.slice(0, eq));
  if (!isToken(name)) return null;
  const value = cookieValue(first.slice(eq + 1), true);
  if (value === null) return null;
  const c: SetCookie = { name, value, domain: '', path: '', maxAge: 0, expires: null, secure: false, httpOnly: false };
  for (let i = 1; i < parts.length; i++) {
    const part = trim(parts[i]);
    if (part === '') continue;
    const at = part.indexOf('=');
    const attr = at < 0 ? part : part.slice(0, at);
    if (!isAscii(attr)) continue;
    const val = cookieValue(at < 0 ? '' : part.slice(at + 1), false);
    if (val === null) continue;
    switch (attr.toLowerCase()) {
      case 'secure':
        c.secure = true;
        break;
      case 'httponly':
        c.httpOnly = true;
        break;
      case 'domain':
        c.domain = val;
        break;
      case 'path':
        c.path = val;
        break;
      case 'max-age': {
        const secs = parseMaxAge(val);
        if (secs !== null) c.maxAge = secs <= 0 ? -1 : secs;
        break;
      }
      case 'expires':
        c.expires = parseCookieDate(val);
        break;
    }
  }
  return c;
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
// Go's time.Parse with "Mon, 02 Jan 2006 15:04:05 MST" (RFC 1123) or "Mon, 02-Jan-2006 15:04:05 MST": the zone
// is an abbreviation, read as UTC (cookie dates are GMT).
const ZONE = '(?:[A-Z]{3}|[A-Z]{3,4}T)';
const RFC1123 = new RegExp(`^([A-Za-z]{3}), +([0-9]{2}) +([A-Za-z]{3}) +([0-9]{4}) +([0-9]{1,2}):([0-9]{2}):([0-9]{2}) +${ZONE}$`);
const RFC1123_DASHES = new RegExp(`^([A-Za-z]{3}), +([0-9]{2})-([A-Za-z]{3})-([0-9]{4}) +([0-9]{1,2}):([0-9]{2}):([0-9]{2}) +${ZONE}$`);

/** An Expires date (RFC 1123, or with dashes as Netscape wrote it) in epoch milliseconds; null when invalid. */
export function parseCookieDate(s: string): number | null {
  const m = RFC1123.exec(s) ?? RFC1123_DASHES.exec(s);
  if (m === null) return null;
  if (!DAYS.includes(m[1].toLowerCase())) return null;
  const month = MONTHS.indexOf(m[3].toLowerCase());
  if (month < 0) return null;
  const day = Number(m[2]);
  const year = Number(m[4]);
  const hour = Number(m[5]);
  const minute = Number(m[6]);
  const second = Number(m[7]);
  if (day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || second > 59) return null;
  const d = new Date(0);
  // setUTCFullYear rather than Date.UTC, which reads years below 100 as 19xx.
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

function daysIn(month: number, year: number): number {
  if (month === 1) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month];
}

/**
 * A cookie as one `name=value` pair of a Cookie header, as Go's Request.AddCookie writes it: characters a
 * cookie value may not hold are dropped, and a value with a space or comma is quoted.
 */
export function cookiePair(name: string, value: string): string {
  let v = value;
  for (let i = 0; i < v.length; i++) {
    if (!validValueChar(v.charCodeAt(i))) {
      v = dropInvalid(v);
      break;
    }
  }
  if (v.length !== 0 && (v.includes(' ') || v.includes(','))) v = `"${v}"`;
  return `${name}=${v}`;
}

function dropInvalid(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) if (validValueChar(v.charCodeAt(i))) out += v[i];
  return out;
}

/** Sets a key even when it is `__proto__`, which plain assignment would turn into a prototype change. */
export function putList<T>(obj: Record<string, T[]>, key: string, value: T): void {
  const prev = Object.hasOwn(obj, key) ? obj[key] : undefined;
  if (prev !== undefined) prev.push(value);
  else if (key === '__proto__') Object.defineProperty(obj, key, { value: [value], enumerable: true, writable: true, configurable: true });
  else obj[key] = [value];
}

/** k6's `res.cookies`: the response's Set-Cookie cookies by name, from raw [name, value, ...] header pairs. */
export function responseCookies(raw: ReadonlyArray<Buffer | string> | null): Record<string, ResponseCookie[]> {
  const out: Record<string, ResponseCookie[]> = {};
  if (raw === null) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i];
    if (k.length !== 10 || k.toString('latin1').toLowerCase() !== 'set-cookie') continue;
    const c = parseSetCookie(raw[i + 1].toString());
    if (c === null) continue;
    putList(out, c.name, {
      name: c.name, value: c.value, domain: c.domain, path: c.path, http_only: c.httpOnly, secure: c.secure,
      max_age: c.maxAge, expires: c.expires ?? 0,
    });
  }
  return out;
}

/** Every Set-Cookie cookie Go would keep, from raw [name, value, ...] header pairs. */
export function setCookiesOf(raw: ReadonlyArray<Buffer | string> | null): SetCookie[] {
  const out: SetCookie[] = [];
  if (raw === null) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i];
    if (k.length !== 10 || k.toString('latin1').toLowerCase() !== 'set-cookie') continue;
    const c = parseSetCookie(raw[i + 1].toString());
    if (c !== null) out.push(c);
  }
  return out;
}

/**
 * k6's `res.request.cookies`: the cookies of the request's Cookie headers (flat [name, value, ...] list of
 * canonical names), read as Go's Request.Cookies() does. `replace` is always false there, as in k6.
 */
export function sentCookies(headers: readonly string[]): Record<string, SentCookie[]> {
  const out: Record<string, SentCookie[]> = {};
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (headers[i] !== 'Cookie') continue;
    for (const piece of trim(headers[i + 1]).split(';')) {
      const part = trim(piece);
      if (part === '') continue;
      const eq = part.indexOf('=');
      const name = trim(eq < 0 ? part : part.slice(0, eq));
      if (!isToken(name)) continue;
      const value = cookieValue(eq < 0 ? '' : part.slice(eq + 1), true);
      if (value === null) continue;
      putList(out, name, { name, value, replace: false });
    }
  }
  return out;
}

/**
 * Checks `params.cookies`: `{name: value}` or `{name: {value, replace}}`, values being strings, numbers or
 * booleans (sent as their string form, as k6 does). Throws a TypeError naming the offending cookie.
 */
export function parseRequestCookies(cookies: unknown): RequestCookie[] {
  if (typeof cookies !== 'object' || cookies === null || Array.isArray(cookies)) {
    throw new TypeError(`http: params.cookies must be an object of cookie names to values, got ${describe(cookies)}`);
  }
  const out: RequestCookie[] = [];
  const record = cookies as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    const spec = record[name];
    if (spec === undefined || spec === null) continue;
    checkCookieName(name, `http: params.cookies["${printable(name)}"]`);
    if (isScalar(spec)) {
      out.push({ name, value: String(spec), replace: false });
      continue;
    }
    if (typeof spec !== 'object' || Array.isArray(spec)) {
      throw new TypeError(`http: params.cookies["${printable(name)}"] must be a string, number, boolean or {value, replace}, got ${describe(spec)}`);
    }
    const o = spec as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (key !== 'value' && key !== 'replace') {
        throw new TypeError(`http: params.cookies["${printable(name)}"] has an unknown field "${printable(key)}" (expected value and replace)`);
      }
    }
    const v = o.value;
    if (v !== undefined && v !== null && !isScalar(v)) {
      throw new TypeError(`http: params.cookies["${printable(name)}"].value must be a string, number or boolean, got ${describe(v)}`);
    }
    const r = o.replace;
    if (r !== undefined && r !== null && typeof r !== 'boolean') {
      throw new TypeError(`http: params.cookies["${printable(name)}"].replace must be true or false, got ${describe(r)}`);
    }
    out.push({ name, value: v === undefined || v === null ? '' : String(v), replace: r === true });
  }
  return out;
}

/**
 * A name the Cookie header can carry: not empty, no `=` or `;` (they would split it), no control characters.
 * Spaces and other characters Go passes through are allowed, as k6 accepts them.
 */
export function checkCookieName(name: string, what: string): void {
  if (name === '') throw new TypeError(`${what}: a cookie name cannot be empty`);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x3d || c === 0x3b) {
      throw new TypeError(`${what}: invalid cookie name ${JSON.stringify(name)} (no "=", ";" or control characters)`);
    }
  }
}

function isScalar(v: unknown): v is string | number | boolean | bigint {
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint';
}

/** A name safe to show inside an error message. */
function printable(s: string): string {
  const json = JSON.stringify(s);
  return json.slice(1, -1).slice(0, 100);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}...` : v);
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'function') return 'a function';
  return `${typeof v} ${String(v)}`;
}
