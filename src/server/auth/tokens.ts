/**
 * API tokens and session ids: 32 random bytes, shown to their owner once and stored only as a SHA-256
 * digest; and reading the credentials of a request (`Authorization: Bearer`, `Authorization: Basic` with
 * the token as password, and the session cookie).
 */
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'tt_';
export const SESSION_COOKIE = 'telltale_session';

/** A new API token: `tt_` and 43 base64url characters. */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** A new session id (the cookie's value) or CSRF token. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A short public id for listing and revoking a token. */
export function generateId(): string {
  return randomBytes(6).toString('hex');
}

export function sha256(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export type Credentials = { kind: 'token'; token: string; scheme: 'bearer' | 'basic' } | { kind: 'none' } | { kind: 'malformed'; why: string };

const MAX_HEADER = 4096;

/**
 * The API token an Authorization header carries: `Bearer <token>`, or `Basic base64(user:token)` (any user
 * name; Prometheus' `basic_auth` and Grafana's basic authentication send the token as the password).
 */
export function parseAuthorization(header: string | undefined): Credentials {
  if (header === undefined || header === '') return { kind: 'none' };
  if (header.length > MAX_HEADER) return { kind: 'malformed', why: 'the Authorization header is too long' };
  const m = /^([A-Za-z]+) +(\S+) *$/.exec(header);
  if (!m) return { kind: 'malformed', why: 'expected "Authorization: Bearer <token>" or "Authorization: Basic <base64>"' };
  const scheme = m[1].toLowerCase();
  if (scheme === 'bearer') return { kind: 'token', token: m[2], scheme };
  if (scheme === 'basic') {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(m[2])) return { kind: 'malformed', why: 'the Basic credentials are not base64' };
    const decoded = Buffer.from(m[2], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { kind: 'malformed', why: 'the Basic credentials have no ":" between user and password' };
    const password = decoded.slice(colon + 1);
    if (password === '') return { kind: 'malformed', why: 'the Basic password is empty (it must be an API token)' };
    return { kind: 'token', token: password, scheme };
  }
  return { kind: 'malformed', why: `unsupported authorization scheme ${JSON.stringify(m[1].slice(0, 20))} (use Bearer or Basic)` };
}

/** The value of one cookie in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined || header.length > 16_384) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : undefined;
  }
  return undefined;
}
