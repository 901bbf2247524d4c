/**
 * Request URLs: k6's `http.url` tagged template and a bounded cache of parsed URLs, so a VU hitting the same URL
 * string in a loop parses it once.
 */

/** What `http.url\`...\`` returns: the filled URL plus the template as the `name` tag (`/posts/${}`). */
export interface HttpUrl {
  readonly url: string;
  readonly name: string;
}

class TemplatedUrl implements HttpUrl {
  readonly url: string;
  readonly name: string;

  constructor(url: string, name: string) {
    this.url = url;
    this.name = name;
  }

  toString(): string {
    return this.url;
  }
}

export function urlTemplate(strings: TemplateStringsArray | readonly string[], ...values: unknown[]): HttpUrl {
  let url = strings[0];
  let name = strings[0];
  for (let i = 0; i < values.length; i++) {
    url += String(values[i]) + strings[i + 1];
    name += '${}' + strings[i + 1];
  }
  return new TemplatedUrl(url, name);
}

/** True for what urlTemplate returns. */
export function isTemplatedUrl(v: unknown): v is HttpUrl {
  return v instanceof TemplatedUrl;
}

/** True for urlTemplate's result or any object of the same shape (e.g. one built by another realm). */
export function isHttpUrl(v: unknown): v is HttpUrl {
  return v instanceof TemplatedUrl
    || (typeof v === 'object' && v !== null && typeof (v as HttpUrl).url === 'string' && typeof (v as HttpUrl).name === 'string');
}

/** A parsed absolute URL with everything a request needs precomputed. */
export interface Target {
  /** The URL as the script wrote it (k6 reports this as `res.request.url`). */
  readonly href: string;
  /** `href` with credentials masked as `****:****`: the url tag. */
  readonly clean: string;
  readonly protocol: string;
  /** `scheme://host[:port]`: one connection pool per origin. */
  readonly origin: string;
  /** Path plus query, as sent on the request line. */
  readonly path: string;
  /** host[:port] as in the URL: the key for batchPerHost. */
  readonly host: string;
  /** `Basic ...` from the URL's userinfo, or null. */
  readonly authorization: string | null;
  readonly parsed: URL;
}

export class InvalidUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidUrlError';
  }
}

const cache = new Map<string, Target>();
const CACHE_MAX = 2048;

/** Parses (or fetches from cache) an absolute URL; throws InvalidUrlError when it is not one. */
export function resolveTarget(href: string): Target {
  const hit = cache.get(href);
  if (hit !== undefined) return hit;
  const target = parseTarget(href);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(href, target);
  return target;
}

/** Resolves a redirect's Location against the URL that answered with it. */
export function resolveLocation(location: string, base: Target): Target {
  let next: URL;
  try {
    next = new URL(location, base.parsed);
  } catch {
    throw new InvalidUrlError(`invalid URL: failed to parse Location header "${location}"`);
  }
  return resolveTarget(next.href);
}

function parseTarget(href: string): Target {
  let u: URL;
  try {
    u = new URL(href);
  } catch {
    throw new InvalidUrlError(`invalid URL: parse "${href}": not a valid absolute URL`);
  }
  let authorization: string | null = null;
  let clean = href;
  if (u.username !== '' || u.password !== '') {
    const user = safeDecode(u.username);
    const pass = safeDecode(u.password);
    authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    clean = href.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/?#]*@/, u.password !== '' ? '$1****:****@' : '$1****@');
  }
  return {
    href,
    clean,
    protocol: u.protocol,
    origin: `${u.protocol}//${u.host}`,
    path: u.pathname + u.search,
    host: u.host,
    authorization,
    parsed: u,
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
