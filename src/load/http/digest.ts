/**
 * HTTP Digest access authentication (RFC 7616, which keeps RFC 2617's MD5): reading the server's
 * WWW-Authenticate challenges and answering one with an Authorization header.
 *
 * Supported: algorithms MD5, SHA-256, SHA-512-256 and SHA-512 with their -sess variants (MD5 when none is named),
 * qop `auth` (preferred) and `auth-int`, or no qop (RFC 2069), opaque, userhash, and `username*` for names
 * a quoted string cannot carry.
 */
import { createHash, randomBytes } from 'node:crypto';

/** One challenge of a WWW-Authenticate header: a scheme with its parameters (names lowercased) or a token68. */
export interface Challenge {
  scheme: string;
  params: Map<string, string>;
  token68: string | null;
}

export class ChallengeSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChallengeSyntaxError';
  }
}

/** RFC 9110 tchar. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;
/** token68 characters besides the trailing '=' padding. */
const T68 = new Uint8Array(128);
for (const c of '-._~+/0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ') T68[c.charCodeAt(0)] = 1;

const SP = 0x20;
const HT = 0x09;
const COMMA = 0x2c;
const EQ = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The challenges of one WWW-Authenticate value (RFC 9110 11.6.1: `1#challenge`, so one value may hold
 * several). Throws ChallengeSyntaxError, saying where, when the value does not follow the grammar.
 */
export function parseChallenges(header: string): Challenge[] {
  const s = header;
  const n = s.length;
  let i = 0;
  const out: Challenge[] = [];

  const skipWs = (): void => {
    while (i < n && (s.charCodeAt(i) === SP || s.charCodeAt(i) === HT)) i++;
  };
  const skipListSeparators = (): void => {
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c !== SP && c !== HT && c !== COMMA) break;
      i++;
    }
  };
  const token = (): string => {
    const start = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c >= 128 || TCHAR[c] === 0) break;
      i++;
    }
    return s.slice(start, i);
  };
  const fail = (what: string): never => {
    throw new ChallengeSyntaxError(`${what} at offset ${i} of ${JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}...` : s)}`);
  };

  while (true) {
    skipListSeparators();
    if (i >= n) break;
    const scheme = token();
    if (scheme === '') fail('expected an authentication scheme');
    const challenge: Challenge = { scheme, params: new Map(), token68: null };
    out.push(challenge);
    const afterScheme = i;
    skipWs();
    if (i >= n) break;
    if (s.charCodeAt(i) === COMMA) continue;
    if (i === afterScheme) fail('expected a space after the authentication scheme');

    // token68: a run of its characters and '=' padding, alone up to the end or the next challenge.
    const start = i;
    while (i < n && s.charCodeAt(i) < 128 && T68[s.charCodeAt(i)] === 1) i++;
    if (i > start) {
      while (i < n && s.charCodeAt(i) === EQ) i++;
      const end = i;
      skipWs();
      if (i >= n || s.charCodeAt(i) === COMMA) {
        challenge.token68 = s.slice(start, end);
        continue;
      }
    }
    i = start;

    // auth-params, until the end or a token that is not followed by '=' (the next challenge's scheme).
    let first = true;
    while (true) {
      const nameStart = i;
      const name = token();
      if (name === '') fail('expected a parameter name');
      skipWs();
      if (i >= n || s.charCodeAt(i) !== EQ) {
        if (first) fail(`expected "=" after parameter ${JSON.stringify(name)}`);
        i = nameStart;
        break;
      }
      i++;
      skipWs();
      let value: string;
      if (i < n && s.charCodeAt(i) === DQUOTE) {
        i++;
        value = '';
        let closed = false;
        while (i < n) {
          const c = s.charCodeAt(i);
          if (c === DQUOTE) {
            closed = true;
            i++;
            break;
          }
          if (c === BACKSLASH) {
            i++;
            if (i >= n) break;
          }
          value += s[i];
          i++;
        }
        if (!closed) fail(`unterminated quoted value of parameter ${JSON.stringify(name)}`);
      } else {
        value = token();
        if (value === '') fail(`expected a value for parameter ${JSON.stringify(name)}`);
      }
      // Each name once per challenge (RFC 9110); a server repeating one gets its last value, as common clients do.
      challenge.params.set(name.toLowerCase(), value);
      first = false;
      skipWs();
      if (i >= n) break;
      if (s.charCodeAt(i) !== COMMA) fail('expected "," between parameters');
      skipListSeparators();
      if (i >= n) break;
    }
  }
  return out;
}

type Hash = 'md5' | 'sha256' | 'sha512' | 'sha512-256';

const ALGORITHMS = new Map<string, { hash: Hash; sess: boolean }>([
  ['MD5', { hash: 'md5', sess: false }],
  ['MD5-SESS', { hash: 'md5', sess: true }],
  ['SHA-256', { hash: 'sha256', sess: false }],
  ['SHA-256-SESS', { hash: 'sha256', sess: true }],
  ['SHA-512-256', { hash: 'sha512-256', sess: false }],
  ['SHA-512-256-SESS', { hash: 'sha512-256', sess: true }],
  // Not in RFC 7616, but servers offer it and k6 answers it.
  ['SHA-512', { hash: 'sha512', sess: false }],
  ['SHA-512-SESS', { hash: 'sha512', sess: true }],
]);

/** A Digest challenge this client can answer. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque: string | null;
  /** As the server spelled it; null when it named none (MD5 then). */
  algorithm: string | null;
  hash: Hash;
  sess: boolean;
  qop: 'auth' | 'auth-int' | null;
  userhash: boolean;
}

/** Why a 401 cannot be answered; one kind of problem, whatever the details in the reason. */
export type ProblemKind = 'no-challenge' | 'malformed' | 'unsupported-algorithm' | 'unsupported-qop';

export interface Problem {
  ok: false;
  reason: string;
  kind: ProblemKind;
}

/** What reading WWW-Authenticate values gave: a challenge to answer, or why there is none. */
export type ChallengeResult = { ok: true; challenge: DigestChallenge } | Problem;

/**
 * The first Digest challenge of the WWW-Authenticate values that can be answered, as a browser picks it
 * (servers list the preferred one first). Values that fail to parse and challenges with an algorithm or
 * qop this client lacks are skipped; when nothing is left, the reason names the last problem.
 */
export function findDigestChallenge(values: readonly string[]): ChallengeResult {
  let problem: Problem | null = null;
  for (const value of values) {
    let challenges: Challenge[];
    try {
      challenges = parseChallenges(value);
    } catch (err) {
      if (!(err instanceof ChallengeSyntaxError)) throw err;
      // A value that breaks the grammar may still start with a Digest challenge worth naming.
      if (/^\s*digest(\s|$)/i.test(value)) problem = { ok: false, reason: `malformed digest authentication challenge: ${err.message}`, kind: 'malformed' };
      continue;
    }
    for (const c of challenges) {
      if (c.scheme.toLowerCase() !== 'digest') continue;
      const usable = digestChallenge(c);
      if (usable.ok) return usable;
      problem = usable;
    }
  }
  return problem ?? { ok: false, reason: 'the 401 response has no Digest challenge in WWW-Authenticate', kind: 'no-challenge' };
}

function digestChallenge(c: Challenge): ChallengeResult {
  const malformed = (what: string): Problem => ({ ok: false, reason: `malformed digest authentication challenge: ${what}`, kind: 'malformed' });
  if (c.token68 !== null) return malformed('parameters expected, got a token');
  const nonce = c.params.get('nonce');
  if (nonce === undefined || nonce === '') return malformed('no nonce');
  const algorithm = c.params.get('algorithm') ?? null;
  const alg = ALGORITHMS.get((algorithm ?? 'MD5').toUpperCase());
  if (alg === undefined) {
    const reason = `unsupported digest authentication algorithm ${JSON.stringify(algorithm)} (supported: MD5, SHA-256, SHA-512-256, SHA-512 and their -sess variants)`;
    return { ok: false, reason, kind: 'unsupported-algorithm' };
  }
  let qop: DigestChallenge['qop'] = null;
  const qops = c.params.get('qop');
  if (qops !== undefined) {
    const offered = qops.split(',').map((q) => q.trim().toLowerCase());
    if (offered.includes('auth')) qop = 'auth';
    else if (offered.includes('auth-int')) qop = 'auth-int';
    else return { ok: false, reason: `unsupported digest authentication qop ${JSON.stringify(qops)} (supported: auth, auth-int)`, kind: 'unsupported-qop' };
  }
  const challenge: DigestChallenge = {
    realm: c.params.get('realm') ?? '',
    nonce,
    opaque: c.params.get('opaque') ?? null,
    algorithm,
    hash: alg.hash,
    sess: alg.sess,
    qop,
    userhash: (c.params.get('userhash') ?? '').toLowerCase() === 'true',
  };
  return { ok: true, challenge };
}

export interface DigestRequest {
  method: string;
  /** The request target as sent on the request line (path and query). */
  uri: string;
  username: string;
  password: string;
  /** Use count of this challenge's nonce, from 1. */
  nc: number;
  /** The body, for qop=auth-int; null when there is none. */
  body: string | Buffer | null;
  /** Fixed client nonce, for tests; random otherwise. */
  cnonce?: string;
}

/** The Authorization header value answering `c` for one request. */
export function digestAuthorization(c: DigestChallenge, r: DigestRequest): string {
  const h = (s: string | Buffer): string => createHash(c.hash).update(s).digest('hex');
  const needsCnonce = c.qop !== null || c.sess;
  const cnonce = needsCnonce ? (r.cnonce ?? randomBytes(8).toString('hex')) : '';
  const nc = r.nc.toString(16).padStart(8, '0');
  let ha1 = h(`${r.username}:${c.realm}:${r.password}`);
  if (c.sess) ha1 = h(`${ha1}:${c.nonce}:${cnonce}`);
  const ha2 = c.qop === 'auth-int' ? h(`${r.method}:${r.uri}:${h(r.body ?? '')}`) : h(`${r.method}:${r.uri}`);
  const response = c.qop === null ? h(`${ha1}:${c.nonce}:${ha2}`) : h(`${ha1}:${c.nonce}:${nc}:${cnonce}:${c.qop}:${ha2}`);

  const parts: string[] = [];
  if (c.userhash) parts.push(`username=${quote(h(`${r.username}:${c.realm}`))}`);
  else if (quotable(r.username)) parts.push(`username=${quote(r.username)}`);
  else parts.push(`username*=UTF-8''${encodeRfc8187(r.username)}`);
  parts.push(`realm=${quote(c.realm)}`, `nonce=${quote(c.nonce)}`, `uri=${quote(r.uri)}`);
  if (c.algorithm !== null) parts.push(`algorithm=${c.algorithm}`);
  parts.push(`response=${quote(response)}`);
  if (c.opaque !== null) parts.push(`opaque=${quote(c.opaque)}`);
  if (c.qop !== null) parts.push(`qop=${c.qop}`, `nc=${nc}`);
  if (needsCnonce) parts.push(`cnonce=${quote(cnonce)}`);
  if (c.userhash) parts.push('userhash=true');
  return `Digest ${parts.join(', ')}`;
}

/** A quoted-string: backslash before '"' and '\'. */
function quote(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

/** Printable ASCII (and tab) only: what a quoted-string in a header can carry. */
function quotable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== HT) || c >= 0x7f) return false;
  }
  return true;
}

/** RFC 8187 ext-value characters: attr-char, everything else percent-encoded from UTF-8. */
function encodeRfc8187(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9!#$&+\-.^_`|~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The outcome of answering a 401: the Authorization to send again with, or why there is none. */
export type Answer = { ok: true; authorization: string } | Problem;

/**
 * The digest side of one `http.request()`: its credentials, the origin they belong to (a redirect elsewhere
 * gets none, as in k6), and the last challenge, reused with a rising nonce count for later hops to that
 * origin so they authenticate at once, as a browser does.
 */
export class DigestSession {
  readonly #username: string;
  readonly #password: string;
  readonly #origin: string;
  #challenge: DigestChallenge | null = null;
  #nc = 0;

  constructor(username: string, password: string, origin: string) {
    this.#username = username;
    this.#password = password;
    this.#origin = origin;
  }

  appliesTo(origin: string): boolean {
    return origin === this.#origin;
  }

  /** Authorization for a hop sent before it is challenged: from the last challenge, or null before any. */
  preemptive(method: string, uri: string, body: string | Buffer | null): string | null {
    if (this.#challenge === null) return null;
    return this.#authorize(method, uri, body);
  }

  /** Reads a 401's WWW-Authenticate values and answers the first usable Digest challenge. */
  answer(wwwAuthenticate: readonly string[], method: string, uri: string, body: string | Buffer | null): Answer {
    const found = findDigestChallenge(wwwAuthenticate);
    if (!found.ok) {
      this.#challenge = null;
      return found;
    }
    this.#challenge = found.challenge;
    this.#nc = 0;
    return { ok: true, authorization: this.#authorize(method, uri, body) };
  }

  #authorize(method: string, uri: string, body: string | Buffer | null): string {
    this.#nc++;
    return digestAuthorization(this.#challenge!, { method, uri, username: this.#username, password: this.#password, nc: this.#nc, body });
  }
}
