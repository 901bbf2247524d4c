/**
 * The auth REST routes: `POST /api/telltale/login`, `POST /api/telltale/logout`, `GET /api/telltale/me`,
 * `POST /api/telltale/me/password`, and for admins `/api/telltale/users[/:username]` and
 * `/api/telltale/tokens[/:id]`. Who may call which is in permissions.ts; the onRequest hook has checked
 * it before a handler runs.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isTelltaleError, TelltaleError } from '../../errors.ts';
import { parseDuration } from '../../config/duration.ts';
import type { RoutePlugin } from '../app.ts';
import { Auth, CSRF_HEADER, LoginThrottled, principalOf, publicToken, publicUser, sendDenial, type Principal } from './auth.ts';
import { SESSION_COOKIE } from './tokens.ts';

const STATUS: Record<string, number> = { TT_AUTH_INPUT: 400, TT_AUTH_REQUIRED: 401, TT_AUTH_FORBIDDEN: 403, TT_AUTH_NOT_FOUND: 404, TT_AUTH_RATE_LIMITED: 429, TT_STORE_UNAVAILABLE: 503 };
const ERROR_TYPE: Record<number, string> = { 400: 'bad_data', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 429: 'rate_limited', 503: 'unavailable' };
/** login and account bodies are small; anything bigger is refused before it is parsed */
const BODY_LIMIT = 8 * 1024;

type Body = Record<string, unknown>;

function body(request: FastifyRequest): Body {
  const b = request.body;
  return typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Body) : {};
}

function cookie(request: FastifyRequest, value: string, maxAgeS: number): string {
  const secure = request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
}

function me(who: Principal, auth: Auth) {
  return {
    status: 'success',
    data: { username: who.name, role: who.role ?? null, scopes: who.scopes, via: who.via, csrfToken: who.csrfToken ?? null, csrfHeader: CSRF_HEADER, authEnabled: auth.enabled },
  };
}

export function authRoutes(auth: Auth): RoutePlugin {
  return (root) => {
    void root.register(async (app) => {
      app.setErrorHandler((err, _request, reply) => {
        if (err instanceof LoginThrottled) void reply.header('retry-after', String(err.retryAfterS));
        if (isTelltaleError(err) && STATUS[err.code] !== undefined) {
          if (STATUS[err.code] === 401) void reply.header('www-authenticate', 'Bearer realm="telltale"');
          return reply.status(STATUS[err.code]).send({ status: 'error', errorType: ERROR_TYPE[STATUS[err.code]], error: err.message, code: err.code, field: err.field });
        }
        throw err;
      });
      const who = (request: FastifyRequest): Principal => principalOf(request)!;

      app.post('/api/telltale/login', { bodyLimit: BODY_LIMIT }, async (request, reply: FastifyReply) => {
        const origin = auth.originProblem(request);
        if (origin) return sendDenial(reply, { status: 403, code: 'TT_AUTH_FORBIDDEN', message: origin });
        const b = body(request);
        if (typeof b.username !== 'string' || b.username === '') throw new TelltaleError('TT_AUTH_INPUT', 'username: expected a string', { field: 'username' });
        if (typeof b.password !== 'string') throw new TelltaleError('TT_AUTH_INPUT', 'password: expected a string', { field: 'password' });
        const user = await auth.verifyLogin(b.username.slice(0, 256), b.password, request.ip);
        const session = await auth.startSession(user);
        void reply.header('set-cookie', cookie(request, session.sid, Math.floor(auth.sessionLifetimeMs / 1000))).header('cache-control', 'no-store');
        return me({ via: 'session', name: user.username, role: user.role, scopes: auth.scopesOf(user.role), csrfToken: session.csrfToken }, auth);
      });

      app.post('/api/telltale/logout', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
        await auth.endSession(request);
        return reply.header('set-cookie', cookie(request, '', 0)).send({ status: 'success', data: null });
      });

      app.get('/api/telltale/me', async (request, reply) => {
        void reply.header('cache-control', 'no-store');
        return me(who(request), auth);
      });

      app.post('/api/telltale/me/password', { bodyLimit: BODY_LIMIT }, async (request) => {
        await auth.changeOwnPassword(who(request), body(request), request.ip);
        return { status: 'success', data: null };
      });

      app.get('/api/telltale/users', async () => ({ status: 'success', data: (await auth.store.listUsers()).map(publicUser) }));
      app.post('/api/telltale/users', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
        const user = await auth.createUser(body(request));
        return reply.status(201).send({ status: 'success', data: publicUser(user) });
      });
      app.patch<{ Params: { username: string } }>('/api/telltale/users/:username', { bodyLimit: BODY_LIMIT }, async (request) => ({
        status: 'success',
        data: publicUser(await auth.updateUser(request.params.username, body(request))),
      }));
      app.delete<{ Params: { username: string } }>('/api/telltale/users/:username', async (request) => {
        await auth.deleteUser(request.params.username);
        return { status: 'success', data: null };
      });

      app.get('/api/telltale/tokens', async () => ({ status: 'success', data: (await auth.store.listTokens()).map(publicToken) }));
      app.post('/api/telltale/tokens', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
        const b = body(request);
        let expiresInMs: number | null = null;
        if (b.expires !== undefined && b.expires !== null) {
          try {
            expiresInMs = parseDuration(b.expires, 'expires');
          } catch (err) {
            throw new TelltaleError('TT_AUTH_INPUT', (err as Error).message, { field: 'expires' });
          }
        }
        const { token, record } = await auth.createToken({ name: b.name, scopes: b.scopes, expiresInMs }, who(request).name);
        return reply.status(201).header('cache-control', 'no-store').send({ status: 'success', data: { ...publicToken(record), token } });
      });
      app.delete<{ Params: { id: string } }>('/api/telltale/tokens/:id', async (request) => {
        await auth.revokeToken(request.params.id);
        return { status: 'success', data: null };
      });
    });
  };
}
