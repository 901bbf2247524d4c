/**
 * Cookie jars with the rules k6 gets from Go's net/http/cookiejar (RFC 6265): host-only and domain cookies,
 * path matching, Secure cookies only over https, expiry by Max-Age (which wins) or Expires, a cookie
 * replaced by one of the same name, domain and path, and cookies sent longest path first, then oldest.
 *
 * Public suffixes: k6 creates its jars without a public suffix list, so any Domain attribute the host
 * domain-matches is accepted. This jar adds one rule: a single-label Domain (`com`, `localhost`) is treated
 * as a public suffix, giving a host-only cookie when it is the host itself and being ignored otherwise.
 * Multi-label suffixes such as `co.uk` are not known.
 *
 * CookieStore holds the cookies; CookieJar is the object scripts see (`http.cookieJar()`,
 * `new http.CookieJar()`), with k6's methods and argument checks.
 */
import { isIP } from 'node:net';
import { checkCookieName, cookiePair, describe, parseCookieDate, putList, type RequestCookie, type SetCookie } from './cookies.ts';

interface Entry {
  readonly name: string;
  readonly value: string;
  readonly domain: string;
  readonly path: string;
  readonly hostOnly: boolean;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  /** Epoch ms; Infinity for a session cookie, which never expires while the jar lives. */
  readonly expires: number;
  /** Creation order, kept when a cookie is replaced: the tie-breaker between cookies of equal path length. */
  readonly seq: number;
}

/** A cookie as the jar hands it out. */
export interface StoredCookie {
  readonly name: string;
  readonly value: string;
}

/** Where a request goes, as far as cookies care. */
interface Place {
  host: string;
  path: string;
  https: boolean;
}

export class CookieStore {
  readonly #now: () => number;
  /** Entries by jar key (the host's last two labels, as Go's jar without a suffix list), then by id. */
  readonly #buckets = new Map<string, Map<string, Entry>>();
  #count = 0;
  #seq = 0;

  /** `now`: epoch milliseconds, for expiry. */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Cookies held, expired ones included until a lookup drops them. Zero means nothing can match. */
  get size(): number {
    return this.#count;
  }

  /** Stores what a response from `url` set; cookies Go's jar would refuse are dropped silently, as there. */
  setCookies(url: URL, cookies: readonly SetCookie[]): void {
    const place = placeOf(url);
    if (place === null) return;
    for (const c of cookies) this.#store(place, c);
  }

  /** Stores one cookie for `url`; returns why it was refused, or null. */
  store(url: URL, cookie: SetCookie): string | null {
    const place = placeOf(url);
    if (place === null) return `cookies apply to http and https URLs, not ${url.protocol.slice(0, -1)}`;
    return this.#store(place, cookie);
  }

  /** The cookies a request to `url` carries, in the order they are sent. */
  matching(url: URL): StoredCookie[] {
    const place = placeOf(url);
    if (place === null || this.#count === 0) return [];
    return this.#matching(place);
  }

  /** Removes the cookies a request to `url` would carry; only those named `name` when given. */
  remove(url: URL, name: string | null): void {
    const place = placeOf(url);
    if (place === null) return;
    const bucket = this.#buckets.get(jarKey(place.host));
    if (bucket === undefined) return;
    for (const [id, e] of bucket) {
      if ((name === null || e.name === name) && shouldSend(e, place)) {
        bucket.delete(id);
        this.#count--;
      }
    }
  }

  clear(): void {
    this.#buckets.clear();
    this.#count = 0;
  }

  #store(place: Place, c: SetCookie): string | null {
    const scope = domainAndType(place.host, c.domain);
    if (typeof scope === 'string') return scope;
    const path = c.path === '' || c.path.charCodeAt(0) !== 0x2f ? defaultPath(place.path) : c.path;
    const id = `${scope.domain};${path};${c.name}`;
    const key = jarKey(place.host);
    let bucket = this.#buckets.get(key);
    const old = bucket?.get(id);
    const now = this.#now();
    // Max-Age wins over Expires; either in the past deletes the cookie.
    let expires = Infinity;
    if (c.maxAge < 0) expires = -Infinity;
    else if (c.maxAge > 0) expires = now + c.maxAge * 1000;
    else if (c.expires !== null) expires = c.expires > now ? c.expires : -Infinity;
    if (expires === -Infinity) {
      if (old !== undefined) {
        bucket!.delete(id);
        this.#count--;
      }
      return null;
    }
    if (bucket === undefined) {
      bucket = new Map();
      this.#buckets.set(key, bucket);
    }
    if (old === undefined) this.#count++;
    bucket.set(id, {
      name: c.name, value: c.value, domain: scope.domain, path, hostOnly: scope.hostOnly, secure: c.secure,
      httpOnly: c.httpOnly, expires, seq: old === undefined ? this.#seq++ : old.seq,
    });
    return null;
  }

  #matching(place: Place): Entry[] {
    const bucket = this.#buckets.get(jarKey(place.host));
    if (bucket === undefined) return [];
    const now = this.#now();
    const out: Entry[] = [];
    for (const [id, e] of bucket) {
      if (e.expires <= now) {
        bucket.delete(id);
        this.#count--;
        continue;
      }
      if (shouldSend(e, place)) out.push(e);
    }
    if (out.length > 1) out.sort((a, b) => b.path.length - a.path.length || a.seq - b.seq);
    return out;
  }
}

/**
 * The Cookie header value for a request to `url`: the request's own cookies first, then the jar's, except
 * those a request cookie with `replace` stands in for (k6's SetRequestCookies). '' when there are none.
 */
export function cookieHeader(store: CookieStore, url: URL, own: readonly RequestCookie[] | null): string {
  let out = '';
  let replaced: Set<string> | null = null;
  if (own !== null) {
    for (const c of own) {
      out = out === '' ? cookiePair(c.name, c.value) : `${out}; ${cookiePair(c.name, c.value)}`;
      if (c.replace) (replaced ??= new Set()).add(c.name);
    }
  }
  if (store.size === 0) return out;
  for (const c of store.matching(url)) {
    if (replaced !== null && replaced.has(c.name)) continue;
    out = out === '' ? cookiePair(c.name, c.value) : `${out}; ${cookiePair(c.name, c.value)}`;
  }
  return out;
}

function placeOf(url: URL): Place | null {
  const https = url.protocol === 'https:';
  if (!https && url.protocol !== 'http:') return null;
  let host = url.hostname;
  if (host.charCodeAt(0) === 0x5b) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  return { host, path: url.pathname === '' ? '/' : url.pathname, https };
}

/** Go's jarKey without a public suffix list: an IP as is, otherwise the last two labels. */
function jarKey(host: string): string {
  if (isIP(host) !== 0) return host;
  const last = host.lastIndexOf('.');
  if (last <= 0) return host;
  const prev = host.lastIndexOf('.', last - 1);
  return host.slice(prev + 1);
}

/** RFC 6265 5.2.3 and Go's domainAndType: the cookie's domain and whether it is host-only, or why it is refused. */
function domainAndType(host: string, domain: string): { domain: string; hostOnly: boolean } | string {
  if (domain === '') return { domain: host, hostOnly: true };
  if (isIP(host) !== 0) {
    // An IP address takes no leading dot and matches only itself; such a cookie is host-only.
    if (host !== domain) return `cookie domain ${JSON.stringify(domain)} does not match the URL host ${JSON.stringify(host)}`;
    return { domain: host, hostOnly: true };
  }
  let d = domain.charCodeAt(0) === 0x2e ? domain.slice(1) : domain;
  if (d === '' || d.charCodeAt(0) === 0x2e || d.endsWith('.') || !/^[\x21-\x7e]*$/.test(d)) {
    return `cookie domain ${JSON.stringify(domain)} is malformed`;
  }
  d = d.toLowerCase();
  if (!d.includes('.')) {
    if (host === d) return { domain: host, hostOnly: true };
    return `cookie domain ${JSON.stringify(domain)} is a top-level domain; it can only name the host itself`;
  }
  if (host !== d && !host.endsWith(`.${d}`)) {
    return `cookie domain ${JSON.stringify(domain)} does not match the URL host ${JSON.stringify(host)}`;
  }
  return { domain: d, hostOnly: false };
}

/** RFC 6265 5.1.4: the directory of the request path. */
function defaultPath(path: string): string {
  if (path === '' || path.charCodeAt(0) !== 0x2f) return '/';
  const i = path.lastIndexOf('/');
  return i === 0 ? '/' : path.slice(0, i);
}

function shouldSend(e: Entry, place: Place): boolean {
  return domainMatch(e, place.host) && pathMatch(e.path, place.path) && (place.https || !e.secure);
}

function domainMatch(e: Entry, host: string): boolean {
  if (e.domain === host) return true;
  return !e.hostOnly && host.endsWith(e.domain) && host.charCodeAt(host.length - e.domain.length - 1) === 0x2e;
}

/** RFC 6265 5.1.4 path-match. */
function pathMatch(cookiePath: string, requestPath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charCodeAt(cookiePath.length) === 0x2f;
}

const SET_OPTIONS = new Set(['domain', 'path', 'expires', 'max_age', 'secure', 'http_only']);

let storeOfJar: (jar: CookieJar) => CookieStore;

/** `http.CookieJar`: what scripts hold. The VU's jar is one (`http.cookieJar()`); `new http.CookieJar()` makes more. */
export class CookieJar {
  readonly #store: CookieStore;

  static {
    storeOfJar = (jar) => jar.#store;
  }

  /** Scripts call `new http.CookieJar()`; anything they pass is ignored, as in k6. */
  constructor(store?: unknown) {
    this.#store = store instanceof CookieStore ? store : new CookieStore();
  }

  /** `{name: [value, ...]}` of the cookies a request to `url` would carry, in the order they are sent. */
  cookiesForURL(url: unknown): Record<string, string[]> {
    const u = jarUrl(url, 'cookiesForURL');
    const out: Record<string, string[]> = {};
    for (const c of this.#store.matching(u)) putList(out, c.name, c.value);
    return out;
  }

  /**
   * Stores a cookie as if a response from `url` had set it. Options: domain, path, expires (an RFC 1123 date
   * string or a Date), max_age (seconds; negative deletes), secure, http_only. Returns true, as k6 does.
   */
  set(url: unknown, name: unknown, value: unknown, options?: unknown): true {
    const u = jarUrl(url, 'set');
    if (typeof name !== 'string') throw new TypeError(`CookieJar.set: the cookie name must be a string, got ${describe(name)}`);
    checkCookieName(name, 'CookieJar.set');
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'bigint') {
      throw new TypeError(`CookieJar.set: the value of cookie "${name}" must be a string, number or boolean, got ${describe(value)}`);
    }
    const c: SetCookie = {
      name, value: String(value), domain: '', path: '', maxAge: 0, expires: null, secure: false, httpOnly: false,
    };
    if (options !== undefined && options !== null) applyOptions(c, options);
    const refused = this.#store.store(u, c);
    if (refused !== null) throw new Error(`CookieJar.set: ${refused}`);
    return true;
  }

  /** Removes the cookies named `name` that a request to `url` would carry. */
  delete(url: unknown, name: unknown): void {
    const u = jarUrl(url, 'delete');
    if (typeof name !== 'string' || name === '') {
      throw new TypeError(`CookieJar.delete: the cookie name must be a non-empty string, got ${describe(name)}`);
    }
    this.#store.remove(u, name);
  }

  /** Removes every cookie a request to `url` would carry. */
  clear(url: unknown): void {
    this.#store.remove(jarUrl(url, 'clear'), null);
  }
}

/** The cookies behind a jar a script handed over. */
export function storeOf(jar: CookieJar): CookieStore {
  return storeOfJar(jar);
}

function jarUrl(url: unknown, method: string): URL {
  if (typeof url !== 'string' && !(typeof url === 'object' && url !== null && typeof (url as { url?: unknown }).url === 'string')) {
    throw new TypeError(`CookieJar.${method}: the URL must be a string, got ${describe(url)}`);
  }
  const href = typeof url === 'string' ? url : (url as { url: string }).url;
  let u: URL;
  try {
    u = new URL(href);
  } catch {
    throw new TypeError(`CookieJar.${method}: invalid URL ${describe(href)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new TypeError(`CookieJar.${method}: cookies apply to http and https URLs, got ${describe(href)}`);
  }
  return u;
}

function applyOptions(c: SetCookie, options: unknown): void {
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`CookieJar.set: options must be an object, got ${describe(options)}`);
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    const v = o[key];
    const k = key.toLowerCase();
    if (!SET_OPTIONS.has(k)) {
      const hint = k === 'httponly' ? ' (did you mean http_only?)' : k === 'maxage' ? ' (did you mean max_age?)' : '';
      throw new TypeError(`CookieJar.set: unknown option "${key}"${hint}; expected domain, path, expires, max_age, secure or http_only`);
    }
    if (v === undefined || v === null) continue;
    switch (k) {
      case 'domain':
        if (typeof v !== 'string') throw new TypeError(`CookieJar.set: domain must be a string, got ${describe(v)}`);
        c.domain = v;
        break;
      case 'path':
        if (typeof v !== 'string') throw new TypeError(`CookieJar.set: path must be a string, got ${describe(v)}`);
        if (v !== '' && v.charCodeAt(0) !== 0x2f) throw new TypeError(`CookieJar.set: path must start with "/", got ${describe(v)}`);
        c.path = v;
        break;
      case 'expires':
        c.expires = expiresOption(v);
        break;
      case 'max_age':
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`CookieJar.set: max_age must be a number of seconds, got ${describe(v)}`);
        c.maxAge = Math.trunc(v) < 0 ? -1 : Math.trunc(v);
        break;
      case 'secure':
        if (typeof v !== 'boolean') throw new TypeError(`CookieJar.set: secure must be true or false, got ${describe(v)}`);
        c.secure = v;
        break;
      case 'http_only':
        if (typeof v !== 'boolean') throw new TypeError(`CookieJar.set: http_only must be true or false, got ${describe(v)}`);
        c.httpOnly = v;
        break;
    }
  }
}

function expiresOption(v: unknown): number | null {
  if (v instanceof Date) {
    const t = v.getTime();
    if (Number.isNaN(t)) throw new TypeError('CookieJar.set: expires is an invalid Date');
    return t;
  }
  if (typeof v !== 'string') throw new TypeError(`CookieJar.set: expires must be a date string or a Date, got ${describe(v)}`);
  if (v === '') return null;
  const t = parseCookieDate(v);
  if (t === null) {
    throw new TypeError(`CookieJar.set: unable to parse "expires" date string ${JSON.stringify(v)}: expected RFC 1123, e.g. "Mon, 02 Jan 2006 15:04:05 GMT"`);
  }
  return t;
}

/**
 * Header lists with a Cookie header added, remembered per base list: while a VU's cookies stay the same,
 * its requests get the same list each time, so their serialized head is reused (request-head.ts keys on the
 * list's identity). A Cookie header the script set is kept, the jar's cookies appended to it, as Go does.
 */
export class CookieHeaders {
  readonly #memo = new WeakMap<readonly string[], { value: string; headers: string[] }>();

  with(base: string[], value: string): string[] {
    const hit = this.#memo.get(base);
    if (hit !== undefined && hit.value === value) return hit.headers;
    const headers = base.slice();
    let merged = false;
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (headers[i] === 'Cookie') {
        headers[i + 1] = headers[i + 1] === '' ? value : `${headers[i + 1]}; ${value}`;
        merged = true;
        break;
      }
    }
    if (!merged) headers.push('Cookie', value);
    this.#memo.set(base, { value, headers });
    return headers;
  }
}
