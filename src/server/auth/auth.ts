/**
 * Authentication and authorization for `telltale serve`: who a request comes from (an API token in
 * `Authorization`, or the dashboard's session cookie), whether that may do what the route needs
 * (permissions.ts), the CSRF check for cookie-authenticated changes, logins with their throttling, and
 * the accounts and tokens kept in the auth store.
 */
import { timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { isTelltaleError, TelltaleError } from '../../errors.ts';
import type { ApiToken, AuthStore, User } from './auth-store.ts';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from './password.ts';
import { allows, isRole, isScope, permissionFor, ROLE_SCOPES, type Permission, type Role, type Scope } from './permissions.ts';
import { LoginLimiter } from './rate-limit.ts';
import { generateId, generateSecret, generateToken, parseAuthorization, readCookie, SESSION_COOKIE, sha256 } from './tokens.ts';

export interface Principal {
  via: 'session' | 'token' | 'open';
  /** the user (sessions), the token's name (tokens) */
  name: string;
  role?: Role;
  scopes: readonly Scope[];
  sessionHash?: string;
  csrfToken?: string;
  tokenId?: string;
}

export interface AuthOptions {
  store: AuthStore;
  /** false serves every route to everyone, as before authentication existed (default true) */
  enabled?: boolean;
  now?: () => number;
  sessionLifetimeMs?: number;
  /** failed-login throttles per user name (5 free failures) and per client address (20, for shared proxies) */
  limits?: { user: LoginLimiter; ip: LoginLimiter };
  /** origins (scheme://host[:port]) browsers may send changes from besides the request's own host */
  allowedOrigins?: string[];
}

export interface BootstrapResult {
  /** whether this start created the first user */
  created: boolean;
  username?: string;
  /** the generated password, when TELLTALE_ADMIN_PASSWORD was not set */
  password?: string;
  /** where the generated password is kept (while it is still admin's password) */
  passwordFile?: string;
}

export const ADMIN_PASSWORD_FILE = 'admin-password';
export const CSRF_HEADER = 'x-csrf-token';
const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;
const TOKEN_NAME = /^[A-Za-z0-9._@:/ -]{1,100}$/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** last-used times are written at most this often per token */
const TOUCH_EVERY_MS = 60_000;

const principals = new WeakMap<FastifyRequest, Principal>();

/** Who the request comes from; undefined on public routes. */
export function principalOf(request: FastifyRequest): Principal | undefined {
  return principals.get(request);
}

function input(field: string, message: string): never {
  throw new TelltaleError('TT_AUTH_INPUT', `${field}: ${message}`, { field });
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function publicToken(t: ApiToken) {
  return {
    id: t.id,
    name: t.name,
    scopes: t.scopes,
    createdBy: t.createdBy,
    createdAt: new Date(t.createdAt).toISOString(),
    lastUsedAt: t.lastUsedAt === null ? null : new Date(t.lastUsedAt).toISOString(),
    expiresAt: t.expiresAt === null ? null : new Date(t.expiresAt).toISOString(),
    revokedAt: t.revokedAt === null ? null : new Date(t.revokedAt).toISOString(),
  };
}

export function publicUser(u: User) {
  return { username: u.username, role: u.role, createdAt: new Date(u.createdAt).toISOString(), updatedAt: new Date(u.updatedAt).toISOString() };
}

export type Denial = { status: 401 | 403; code: 'TT_AUTH_REQUIRED' | 'TT_AUTH_FORBIDDEN'; message: string; invalidToken?: boolean };

/** Sends an authentication failure in the server's error envelope. */
export function sendDenial(reply: FastifyReply, d: Denial): FastifyReply {
  if (d.status === 401) void reply.header('www-authenticate', `Bearer realm="telltale"${d.invalidToken ? ', error="invalid_token"' : ''}`);
  return reply.status(d.status).send({ status: 'error', errorType: d.status === 401 ? 'unauthorized' : 'forbidden', error: d.message, code: d.code });
}

/** Too many failed logins; `retryAfterS` is the Retry-After header's value. */
export class LoginThrottled extends TelltaleError {
  readonly retryAfterS: number;
  constructor(retryAfterS: number) {
    super('TT_AUTH_RATE_LIMITED', `too many failed logins: retry in ${retryAfterS} s`);
    this.retryAfterS = retryAfterS;
  }
}

export class Auth {
  readonly store: AuthStore;
  readonly enabled: boolean;
  readonly sessionLifetimeMs: number;
  readonly limits: { user: LoginLimiter; ip: LoginLimiter };
  private readonly now: () => number;
  private readonly allowedOrigins: Set<string>;
  private readonly touched = new Map<string, number>();
  /** every route registered after the hook, with the permission it needs (undefined: no rule, admins only) */
  readonly routes: Array<{ method: string; url: string; permission: Permission | undefined }> = [];
  private dummyHash: Promise<string> | undefined;

  constructor(options: AuthOptions) {
    this.store = options.store;
    this.enabled = options.enabled ?? true;
    this.now = options.now ?? Date.now;
    this.sessionLifetimeMs = options.sessionLifetimeMs ?? 7 * 86_400_000;
    this.limits = options.limits ?? { user: new LoginLimiter({ now: this.now }), ip: new LoginLimiter({ now: this.now, freeFailures: 20 }) };
    this.allowedOrigins = new Set((options.allowedOrigins ?? []).map((o) => o.replace(/\/+$/, '').toLowerCase()));
  }

  scopesOf(role: Role): readonly Scope[] {
    return ROLE_SCOPES[role] ?? [];
  }

  /** Creates the `admin` user when there is no user at all; see docs/auth.md. */
  async bootstrap(options: { env: Readonly<Record<string, string | undefined>>; dataDir: string }): Promise<BootstrapResult> {
    const file = path.join(options.dataDir, ADMIN_PASSWORD_FILE);
    if ((await this.store.countUsers()) > 0) return { created: false, ...(await this.checkPasswordFile(file)) };
    const given = options.env.TELLTALE_ADMIN_PASSWORD;
    if (given !== undefined && given !== '') {
      const problem = passwordProblem(given);
      if (problem) throw new TelltaleError('TT_SERVE_CONFIG', `TELLTALE_ADMIN_PASSWORD ${problem}`, { field: 'TELLTALE_ADMIN_PASSWORD' });
    }
    const password = given || generatePassword();
    const now = this.now();
    const created = await this.store.createUser({ username: 'admin', role: 'admin', passwordHash: await hashPassword(password), createdAt: now, updatedAt: now });
    if (!created) return { created: false };
    if (given) return { created: true, username: 'admin' };
    mkdirSync(options.dataDir, { recursive: true });
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return { created: true, username: 'admin', password, passwordFile: file };
  }

  /** The generated password's file while it still opens `admin`; once the password was changed the file is stale and removed. */
  private async checkPasswordFile(file: string): Promise<{ passwordFile?: string }> {
    let kept: string;
    try {
      kept = readFileSync(file, 'utf8').replace(/\n$/, '');
    } catch {
      return {};
    }
    const admin = await this.store.getUser('admin');
    if (admin && (await verifyPassword(kept, admin.passwordHash))) return { passwordFile: file };
    rmSync(file, { force: true });
    return {};
  }

  /** The fastify onRoute hook: records each route's permission (an unruled route is refused to all but admins). */
  readonly onRoute = (route: RouteOptions): void => {
    const declared = (route.config as { permission?: unknown } | undefined)?.permission;
    for (const method of [route.method].flat()) this.routes.push({ method, url: route.url, permission: permissionFor(method, route.url, declared) });
  };

  /** The fastify onRequest hook: identifies the caller and refuses what it may not do. */
  readonly onRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const url = request.routeOptions.url;
    // unmatched requests go on to the 404 handler
    if (url === undefined) return;
    const permission = permissionFor(request.method, url, (request.routeOptions.config as { permission?: unknown } | undefined)?.permission) ?? 'admin';
    if (!this.enabled) {
      principals.set(request, { via: 'open', name: 'anonymous', scopes: ['admin'] });
      return;
    }
    if (permission === 'public') return;
    let result: Principal | Denial;
    try {
      result = await this.check(request, permission);
    } catch (err) {
      if (!isTelltaleError(err) || err.code !== 'TT_STORE_UNAVAILABLE') throw err;
      request.log.error({ err }, 'auth store unavailable');
      await reply.status(503).send({ status: 'error', errorType: 'unavailable', error: 'cannot check credentials: the auth store is unavailable', code: err.code });
      return;
    }
    if ('status' in result) {
      await sendDenial(reply, result);
      return;
    }
    principals.set(request, result);
  };

  /** Identifies the request and checks it may have `permission`. */
  async check(request: FastifyRequest, permission: Permission): Promise<Principal | Denial> {
    const who = await this.identify(request);
    if ('status' in who) return who;
    if (!allows(who.scopes, permission)) {
      const what = who.via === 'token' ? `token ${JSON.stringify(who.name)} (scopes ${who.scopes.join(', ')})` : `user ${JSON.stringify(who.name)} (role ${who.role})`;
      return { status: 403, code: 'TT_AUTH_FORBIDDEN', message: `${what} may not ${request.method} ${request.routeOptions.url}: it needs the ${permission} permission` };
    }
    if (who.via === 'session' && !SAFE_METHODS.has(request.method)) {
      const problem = this.csrfProblem(request, who);
      if (problem) return { status: 403, code: 'TT_AUTH_FORBIDDEN', message: problem };
    }
    return who;
  }

  private async identify(request: FastifyRequest): Promise<Principal | Denial> {
    const creds = parseAuthorization(request.headers.authorization);
    if (creds.kind === 'malformed') return { status: 401, code: 'TT_AUTH_REQUIRED', message: creds.why, invalidToken: true };
    const now = this.now();
    if (creds.kind === 'token') {
      const token = await this.store.getTokenByHash(sha256(creds.token));
      if (!token || token.revokedAt !== null) {
        const basic = creds.scheme === 'basic' ? ' (Basic auth takes an API token as the password; user passwords work only at /api/telltale/login)' : '';
        return { status: 401, code: 'TT_AUTH_REQUIRED', message: `unknown or revoked API token${basic}`, invalidToken: true };
      }
      if (token.expiresAt !== null && token.expiresAt <= now) return { status: 401, code: 'TT_AUTH_REQUIRED', message: `API token ${JSON.stringify(token.name)} expired`, invalidToken: true };
      this.touch(token.id, now);
      return { via: 'token', name: token.name, scopes: token.scopes, tokenId: token.id };
    }
    const sid = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (sid === undefined) return { status: 401, code: 'TT_AUTH_REQUIRED', message: 'log in, or send an API token as "Authorization: Bearer <token>"' };
    const found = await this.store.getSession(sha256(sid));
    if (!found || found.session.expiresAt <= now) return { status: 401, code: 'TT_AUTH_REQUIRED', message: 'the session has expired or was ended: log in again' };
    return { via: 'session', name: found.user.username, role: found.user.role, scopes: this.scopesOf(found.user.role), sessionHash: found.session.idHash, csrfToken: found.session.csrfToken };
  }

  private csrfProblem(request: FastifyRequest, who: Principal): string | undefined {
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || who.csrfToken === undefined || !safeEqual(sent, who.csrfToken)) {
      return `a change made with a login session needs the ${CSRF_HEADER} header from /api/telltale/me (API tokens need none)`;
    }
    return this.originProblem(request);
  }

  /** A browser's Origin (when it sends one) must be this server's. */
  originProblem(request: FastifyRequest): string | undefined {
    const origin = request.headers.origin;
    if (origin === undefined || origin === '') return undefined;
    let from: URL;
    let own: string | undefined;
    try {
      from = new URL(origin);
    } catch {
      return `Origin ${JSON.stringify(origin.slice(0, 100))} is not a URL`;
    }
    try {
      // the Host header, with the default port of the Origin's scheme dropped as URL does
      own = new URL(`${from.protocol}//${String(request.headers.host ?? '')}`).host;
    } catch {
      own = undefined;
    }
    if ((own !== undefined && from.host === own) || this.allowedOrigins.has(from.origin.toLowerCase())) return undefined;
    return `requests from ${JSON.stringify(origin.slice(0, 100))} may not change anything here`;
  }

  private touch(id: string, now: number): void {
    const last = this.touched.get(id);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    if (this.touched.size > 10_000) this.touched.clear();
    this.store.touchToken(id, now).catch(() => undefined);
  }

  /** Checks a user's password, throttled per address and per user; returns the user or throws. */
  async verifyLogin(username: string, password: string, ip: string): Promise<User> {
    const userKey = [username.toLowerCase()];
    const ipKey = [ip];
    const wait = Math.max(this.limits.user.retryAfter(userKey), this.limits.ip.retryAfter(ipKey));
    if (wait > 0) throw new LoginThrottled(Math.ceil(wait / 1000));
    const user = USERNAME.test(username) ? await this.store.getUser(username) : undefined;
    // an unknown user costs as much as a wrong password
    this.dummyHash ??= hashPassword(generatePassword());
    const ok = await verifyPassword(password, user?.passwordHash ?? (await this.dummyHash));
    if (!user || !ok) {
      this.limits.user.fail(userKey);
      this.limits.ip.fail(ipKey);
      throw new TelltaleError('TT_AUTH_REQUIRED', 'wrong user name or password');
    }
    this.limits.user.succeed(userKey);
    this.limits.ip.succeed(ipKey);
    return user;
  }

  /** Starts a session; returns the cookie's value and the CSRF token. */
  async startSession(user: User): Promise<{ sid: string; csrfToken: string; expiresAt: number }> {
    const now = this.now();
    await this.store.pruneSessions(now);
    const sid = generateSecret();
    const csrfToken = generateSecret();
    const expiresAt = now + this.sessionLifetimeMs;
    await this.store.createSession({ idHash: sha256(sid), username: user.username, csrfToken, createdAt: now, expiresAt });
    return { sid, csrfToken, expiresAt };
  }

  async endSession(request: FastifyRequest): Promise<void> {
    const sid = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (sid !== undefined) await this.store.deleteSession(sha256(sid));
  }

  async createUser(body: { username?: unknown; password?: unknown; role?: unknown }): Promise<User> {
    const username = typeof body.username === 'string' && USERNAME.test(body.username) ? body.username : input('username', 'expected 1-64 letters, digits or . _ @ -');
    const role = body.role === undefined ? 'viewer' : isRole(body.role) ? body.role : input('role', 'expected viewer, editor or admin');
    const problem = passwordProblem(body.password);
    if (problem) input('password', problem);
    const now = this.now();
    const user: User = { username, role, passwordHash: await hashPassword(body.password as string), createdAt: now, updatedAt: now };
    if (!(await this.store.createUser(user))) input('username', `a user named ${JSON.stringify(username)} exists`);
    return user;
  }

  async updateUser(username: string, body: { role?: unknown; password?: unknown }): Promise<User> {
    const user = await this.store.getUser(username);
    if (!user) throw new TelltaleError('TT_AUTH_NOT_FOUND', `no user named ${JSON.stringify(username)}`);
    if (body.role !== undefined && !isRole(body.role)) input('role', 'expected viewer, editor or admin');
    if (body.role !== undefined && body.role !== 'admin' && user.role === 'admin') await this.keepAnAdmin(username);
    let passwordHash: string | undefined;
    if (body.password !== undefined) {
      const problem = passwordProblem(body.password);
      if (problem) input('password', problem);
      passwordHash = await hashPassword(body.password as string);
    }
    await this.store.updateUser(username, { role: body.role as Role | undefined, passwordHash, updatedAt: this.now() });
    if (passwordHash) await this.store.deleteSessionsOf(username);
    return (await this.store.getUser(username))!;
  }

  async deleteUser(username: string): Promise<void> {
    const user = await this.store.getUser(username);
    if (!user) throw new TelltaleError('TT_AUTH_NOT_FOUND', `no user named ${JSON.stringify(username)}`);
    if (user.role === 'admin') await this.keepAnAdmin(username);
    await this.store.deleteUser(username);
  }

  private async keepAnAdmin(username: string): Promise<void> {
    const admins = (await this.store.listUsers()).filter((u) => u.role === 'admin' && u.username !== username);
    if (admins.length === 0) input('username', `${JSON.stringify(username)} is the last admin`);
  }

  /** Changes a user's own password (the current one is checked); ends their other sessions. */
  async changeOwnPassword(who: Principal, body: { currentPassword?: unknown; newPassword?: unknown }, ip: string): Promise<void> {
    if (who.via !== 'session') throw new TelltaleError('TT_AUTH_FORBIDDEN', 'only a logged-in user has a password to change');
    if (typeof body.currentPassword !== 'string') input('currentPassword', 'expected a string');
    const problem = passwordProblem(body.newPassword);
    if (problem) input('newPassword', problem);
    const user = await this.verifyLogin(who.name, body.currentPassword, ip);
    await this.store.updateUser(user.username, { passwordHash: await hashPassword(body.newPassword as string), updatedAt: this.now() });
    await this.store.deleteSessionsOf(user.username, who.sessionHash);
  }

  /** Creates an API token; the secret is returned only here. */
  async createToken(body: { name?: unknown; scopes?: unknown; expiresInMs?: number | null }, createdBy: string): Promise<{ token: string; record: ApiToken }> {
    const name = typeof body.name === 'string' && TOKEN_NAME.test(body.name) ? body.name : input('name', 'expected 1-100 letters, digits, spaces or . _ @ : / -');
    if (!Array.isArray(body.scopes) || body.scopes.length === 0) input('scopes', `expected a list of scopes (${['read', 'write', 'ingest', 'runs:write', 'admin'].join(', ')})`);
    const scopes = [...new Set(body.scopes.map((s: unknown, i: number) => (isScope(s) ? s : input(`scopes[${i}]`, `unknown scope ${JSON.stringify(s)}`))))];
    const now = this.now();
    const token = generateToken();
    const record: ApiToken = {
      id: generateId(),
      name,
      hash: sha256(token),
      scopes,
      createdAt: now,
      createdBy,
      lastUsedAt: null,
      expiresAt: body.expiresInMs === undefined || body.expiresInMs === null ? null : now + body.expiresInMs,
      revokedAt: null,
    };
    if (!(await this.store.createToken(record))) input('name', `a token named ${JSON.stringify(name)} exists (revoke it first)`);
    return { token, record };
  }

  async revokeToken(id: string): Promise<void> {
    if (!(await this.store.revokeToken(id, this.now()))) throw new TelltaleError('TT_AUTH_NOT_FOUND', `no active token with id ${JSON.stringify(id)}`);
  }
}
