/**
 * Turns `http.request()` arguments into what every hop of the request needs, applying k6's rules: the
 * User-Agent option, header names canonicalized (last spelling wins, as with Go's Header.Set), Content-Length
 * always from the body, form bodies typed, params defaulting to the test options.
 */
import { parseDuration } from '../../config/duration.ts';
import { encodeBody, type EncodedBody } from './body.ts';
import { compress, parseCompression } from './compression.ts';
import { CookieJar, storeOf, type CookieStore } from './cookie-jar.ts';
import { describe, parseRequestCookies, type RequestCookie } from './cookies.ts';
import type { ExpectedStatuses } from './expected-statuses.ts';
import { canonicalHeaderKey, hasHeader, setHeader } from './headers.ts';
import { K6Response } from './response.ts';
import type { HttpDefaults, ParamValue, Params, RequestBody, ResponseType } from './types.ts';
import { InvalidUrlError, isHttpUrl, resolveTarget, type HttpUrl, type Target } from './url.ts';

const NO_PARAMS: Params = {};
const RESPONSE_TYPES = new Set<string>(['text', 'binary', 'none']);

/** A request after its arguments are checked: what every hop needs. */
export interface Prepared {
  method: string;
  target: Target;
  templateName: string | null;
  /** Flat [name, value, ...] with canonical names; Authorization from URL userinfo is added per hop. */
  headers: string[];
  hasUserAuth: boolean;
  body: EncodedBody | null;
  timeoutMs: number;
  maxRedirects: number;
  responseType: ResponseType;
  callback: ExpectedStatuses | null;
  tags: Readonly<Record<string, ParamValue>> | undefined;
  /** params.cookies: sent on every hop, never stored; null when not given. */
  cookies: RequestCookie[] | null;
  /** params.jar's cookies; null for the VU's jar. */
  jar: CookieStore | null;
  /** auth: 'digest' with the URL's credentials; null for basic (or no) authentication. */
  digest: DigestCredentials | null;
}

export interface DigestCredentials {
  username: string;
  password: string;
}

interface PreparedHeaders {
  headers: string[];
  hasUserAuth: boolean;
}

export class RequestPreparer {
  readonly #defaults: HttpDefaults;
  readonly #baseHeaders: string[];
  readonly #plainHeaders: PreparedHeaders;
  /**
   * The last params.headers object, what it held, and the list made from it. Scripts often pass the same
   * params object on every call; handing out the same list then lets the serialized request head be reused
   * (request-head.ts keys on the list). The contents are compared too, as a script may change the object.
   */
  #lastUser: object | null = null;
  #lastContentType: string | null = null;
  #lastKeys: string[] = [];
  #lastValues: unknown[] = [];
  #lastHeaders: PreparedHeaders = { headers: [], hasUserAuth: false };

  constructor(defaults: HttpDefaults) {
    this.#defaults = defaults;
    this.#baseHeaders = defaults.userAgent === '' ? [] : ['User-Agent', defaults.userAgent];
    this.#plainHeaders = { headers: this.#baseHeaders, hasUserAuth: false };
  }

  /** The prepared request, or (invalid URL) the 1020 response k6 gives without sending anything. */
  prepare(
    method: string,
    url: string | HttpUrl,
    body: RequestBody | null | undefined,
    params: Params | null | undefined,
    defaultCallback: ExpectedStatuses | null,
  ): Prepared | K6Response {
    const p = params ?? NO_PARAMS;
    let href: string;
    let templateName: string | null = null;
    if (typeof url === 'string') {
      href = url;
    } else if (isHttpUrl(url)) {
      href = url.url;
      templateName = url.name;
    } else {
      href = String(url);
    }
    const encoded = compressed(encodeBody(body), p.compression);
    const { headers: fromParams, hasUserAuth } = this.#headers(p.headers, encoded);
    const headers = withContentEncoding(fromParams, encoded);
    let target: Target;
    try {
      target = resolveTarget(href);
    } catch (err) {
      if (!(err instanceof InvalidUrlError)) throw err;
      return K6Response.failed({ method, url: href, headers, body: encoded }, 1020, err.message);
    }
    if (templateName === target.clean) templateName = null;
    const digest = p.auth == null || p.auth === '' || p.auth === 'basic' ? null : digestCredentials(p.auth, target);
    const prepared: Prepared = {
      method,
      target,
      templateName,
      headers,
      hasUserAuth,
      body: encoded,
      // Scripts pass null as often as undefined for "not set"; only responseCallback gives null a meaning.
      timeoutMs: p.timeout == null ? this.#defaults.timeoutMs : parseDuration(p.timeout, 'params.timeout'),
      maxRedirects: p.redirects ?? this.#defaults.maxRedirects,
      responseType: responseTypeOf(p.responseType ?? undefined, this.#defaults.discardResponseBodies),
      callback: p.responseCallback === undefined ? defaultCallback : p.responseCallback,
      tags: p.tags ?? undefined,
      cookies: p.cookies == null ? null : parseRequestCookies(p.cookies),
      jar: p.jar == null ? null : jarStore(p.jar),
      digest,
    };
    return prepared;
  }

  #headers(user: Params['headers'], body: EncodedBody | null): PreparedHeaders {
    const contentType = body === null ? null : body.contentType;
    if (user === undefined || user === null) {
      if (contentType === null) return this.#plainHeaders;
      return { headers: [...this.#baseHeaders, 'Content-Type', contentType], hasUserAuth: false };
    }
    const keys = Object.keys(user);
    if (user === this.#lastUser && contentType === this.#lastContentType && this.#unchanged(user, keys)) return this.#lastHeaders;
    const prepared = this.#build(user, keys, contentType);
    this.#lastUser = user;
    this.#lastContentType = contentType;
    this.#lastKeys = keys;
    this.#lastValues = keys.map((k) => user[k]);
    this.#lastHeaders = prepared;
    return prepared;
  }

  #unchanged(user: Readonly<Record<string, unknown>>, keys: string[]): boolean {
    const lastKeys = this.#lastKeys;
    const lastValues = this.#lastValues;
    if (keys.length !== lastKeys.length) return false;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== lastKeys[i] || user[keys[i]] !== lastValues[i]) return false;
    }
    return true;
  }

  #build(user: Readonly<Record<string, unknown>>, keys: string[], contentType: string | null): PreparedHeaders {
    const out = this.#baseHeaders.slice();
    if (contentType !== null) out.push('Content-Type', contentType);
    let hasUserAuth = false;
    for (const key of keys) {
      const value = user[key];
      if (value === undefined || value === null) continue;
      const name = canonicalHeaderKey(key);
      // As in k6: the length always comes from the actual body.
      if (name === 'Content-Length') continue;
      if (name === 'Authorization') hasUserAuth = true;
      setHeader(out, name, String(value));
    }
    return { headers: out, hasUserAuth };
  }
}

/** The credentials of `auth: 'digest'`, from the URL's userinfo (empty when there is none, as in k6). */
function digestCredentials(auth: unknown, target: Target): DigestCredentials {
  if (auth === 'digest') return { username: decode(target.parsed.username), password: decode(target.parsed.password) };
  if (auth === 'ntlm') throw new Error('http: params.auth "ntlm" is not supported: Telltale has no NTLM authentication');
  throw new TypeError(`http: params.auth ${describe(auth)} is not supported (expected "basic" or "digest")`);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function jarStore(jar: unknown): CookieStore {
  if (!(jar instanceof CookieJar)) {
    throw new TypeError(`http: params.jar must be a cookie jar (http.cookieJar() or new http.CookieJar()), got ${describe(jar)}`);
  }
  return storeOf(jar);
}

/** The body compressed as params.compression asks (checked even without a body, as k6 does). */
function compressed(body: EncodedBody | null, compression: unknown): EncodedBody | null {
  if (compression == null) return body;
  const codings = parseCompression(compression);
  if (codings === null || body === null) return body;
  const out = compress(body.payload, codings);
  return { payload: out.payload, contentType: body.contentType, contentEncoding: out.contentEncoding, uncompressed: body.payload };
}

/** A Content-Encoding header from params wins over the one compression implies, as in k6 (which still compresses). */
function withContentEncoding(headers: string[], body: EncodedBody | null): string[] {
  if (body === null || body.contentEncoding === undefined || hasHeader(headers, 'Content-Encoding')) return headers;
  return [...headers, 'Content-Encoding', body.contentEncoding];
}

function responseTypeOf(rt: ResponseType | undefined, discard: boolean): ResponseType {
  if (rt === undefined) return discard ? 'none' : 'text';
  if (!RESPONSE_TYPES.has(rt)) throw new TypeError(`${String(rt)} is not a valid value for responseType (text, binary or none)`);
  return rt;
}
