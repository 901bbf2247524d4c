/**
 * Header names the way k6 shows them: Go's textproto.CanonicalMIMEHeaderKey (`content-type` -> `Content-Type`),
 * and repeated response headers joined with ", " as k6 does with Go's http.Header.
 */

/** RFC 9110 tchar: the bytes Go accepts in a header name; anything else leaves the name untouched. */
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TOKEN[c.charCodeAt(0)] = 1;

const cache = new Map<string, string>();
const CACHE_MAX = 1024;

/** `x-request-id` -> `X-Request-Id`. Names holding a byte outside the token set are returned unchanged, as Go does. */
export function canonicalHeaderKey(name: string): string {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const out = canonicalize(name);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(name, out);
  return out;
}

function canonicalize(name: string): string {
  let upper = true;
  let changed = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || TOKEN[c] === 0) return name;
    if ((upper && c >= 97 && c <= 122) || (!upper && c >= 65 && c <= 90)) changed = true;
    upper = c === 45;
  }
  if (!changed) return name;
  let out = '';
  upper = true;
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i);
    if (upper && c >= 97 && c <= 122) c -= 32;
    else if (!upper && c >= 65 && c <= 90) c += 32;
    out += String.fromCharCode(c);
    upper = c === 45;
  }
  return out;
}

/** Sets a key even when it is `__proto__`, which plain assignment would turn into a prototype change. */
function put<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * Response headers from a raw [name, value, name, value...] list. Names are ASCII tokens (the parser rejects
 * anything else); Buffer values are decoded as UTF-8 like Go strings reach JavaScript in k6.
 */
export function responseHeaders(raw: ReadonlyArray<Buffer | string> | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === null) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = canonicalHeaderKey(raw[i].toString('latin1'));
    const value = raw[i + 1].toString();
    const prev = Object.hasOwn(out, key) ? out[key] : undefined;
    put(out, key, prev === undefined ? value : `${prev}, ${value}`);
  }
  return out;
}

/** Request headers as k6's `res.request.headers`: canonical names, each with its values. */
export function requestHeaderMap(flat: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const key = canonicalHeaderKey(flat[i]);
    const prev = Object.hasOwn(out, key) ? out[key] : undefined;
    if (prev === undefined) put(out, key, [flat[i + 1]]);
    else prev.push(flat[i + 1]);
  }
  return out;
}

/** Sets a header in a flat [name, value, ...] list of canonical names, replacing an existing one. */
export function setHeader(flat: string[], name: string, value: string): void {
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i] === name) {
      flat[i + 1] = value;
      return;
    }
  }
  flat.push(name, value);
}

export function hasHeader(flat: readonly string[], name: string): boolean {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return true;
  return false;
}

export function withoutHeaders(flat: readonly string[], names: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) if (!names.has(flat[i])) out.push(flat[i], flat[i + 1]);
  return out;
}
