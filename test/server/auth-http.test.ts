/**
 * Authentication on an assembled `telltale serve` (every built-in route, on port 0): every route has a
 * permission rule and refuses anonymous callers unless public; dashboard logins with their cookie, CSRF
 * check and throttle (on a fake clock); API tokens by Bearer and Basic, scoped, expiring and revocable;
 * user management; hostile input; and no secret in the log.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telltaleConfigSchema, type TelltaleConfigInput } from '../../src/config/telltale-config.ts';
import { FakeClock } from '../../src/load/clock.ts';
import { assembleServer, type AssembledServer } from '../../src/server/assemble.ts';
import { serializeRecord } from '../../src/runs/json.ts';
import { sampleRecord } from '../runs/helpers.ts';
import { createPgSchema } from '../helpers/postgres.ts';

const PASSWORD = 'admin-test-password-1';

interface Started {
  server: AssembledServer;
  clock: FakeClock;
  dir: string;
  log: () => string;
}

async function start(env: Record<string, string>, config: TelltaleConfigInput = {}, dir = mkdtempSync(path.join(tmpdir(), 'tt-auth-http-'))): Promise<Started> {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  let log = '';
  const stream = new Writable({ write: (chunk: Buffer, _e, done) => { log += chunk.toString(); done(); } });
  const server = await assembleServer({
    config: telltaleConfigSchema.parse(config),
    listen: '127.0.0.1:0',
    dataDir: path.join(dir, 'data'),
    clock,
    env,
    buildDashboard: false,
    logger: { level: 'debug', stream },
  });
  return { server, clock, dir, log: () => log };
}

const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, 'x').replace(/\*/g, 'x');
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const SILENCE = { matchers: [{ name: 'job', value: 'api', isRegex: false }], startsAt: '2026-01-01T00:00:00Z', endsAt: '2030-01-01T00:00:00Z', createdBy: 'me', comment: 'deploy' };

describe('auth on an assembled server', () => {
  let s: Started;
  let app: AssembledServer['app'];
  beforeAll(async () => {
    s = await start({ TELLTALE_ADMIN_PASSWORD: PASSWORD });
    app = s.server.app;
  }, 60_000);
  afterAll(async () => {
    await s?.server.close();
    if (s) rmSync(s.dir, { recursive: true, force: true });
  });

  const login = async (username: string, password: string, headers: Record<string, string> = {}) => {
    const res = await app.inject({ method: 'POST', url: '/api/telltale/login', payload: { username, password }, headers });
    const cookie = String(res.headers['set-cookie'] ?? '').split(';')[0];
    return { res, cookie, csrf: res.statusCode === 200 ? (res.json().data.csrfToken as string) : '' };
  };

  it('has a permission rule for every route, and refuses anonymous callers on all but the public ones', async () => {
    const routes = s.server.auth.routes;
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.filter((r) => r.permission === undefined).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    const expectations: Record<string, string> = {
      'GET /api/v1/query': 'read', 'POST /api/v1/write': 'ingest', 'POST /v1/metrics': 'ingest', 'POST /api/v2/alerts': 'ingest',
      'POST /api/v2/silences': 'write', 'DELETE /api/v2/silence/:id': 'write', 'POST /api/v2/alerts/:fingerprint/ack': 'write',
      'GET /healthz': 'public', 'GET /metrics': 'public', 'GET /': 'public', 'POST /api/telltale/tokens': 'admin', 'GET /api/v1/heartbeat/:token': 'public', 'POST /api/telltale/runs': 'runs:write',
    };
    for (const [key, permission] of Object.entries(expectations)) {
      expect(routes.find((r) => `${r.method} ${r.url}` === key)?.permission, key).toBe(permission);
    }
    for (const r of routes) {
      if (r.permission === 'public' || r.method === 'HEAD' || r.method === 'OPTIONS') continue;
      const res = await app.inject({ method: r.method as 'GET', url: concrete(r.url) });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="telltale"/);
      expect(res.json()).toMatchObject({ status: 'error', errorType: 'unauthorized', code: 'TT_AUTH_REQUIRED' });
    }
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/metrics')).statusCode).toBe(200);
    expect((await app.inject('/api/v1/heartbeat/nope')).statusCode).toBe(404);
    expect((await app.inject('/no/such/route')).statusCode).toBe(404);
  });

  it('logs in with a cookie (HttpOnly, SameSite=Strict, Secure behind https), answers /me and logs out', async () => {
    const bad = await login('admin', 'wrong password');
    expect(bad.res.statusCode).toBe(401);
    expect(bad.res.json()).toMatchObject({ code: 'TT_AUTH_REQUIRED', error: 'wrong user name or password' });
    const { res, cookie, csrf } = await login('admin', PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(res.headers['set-cookie']).toMatch(/^telltale_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=604800$/);
    expect(res.json().data).toMatchObject({ username: 'admin', role: 'admin', via: 'session', csrfHeader: 'x-csrf-token' });
    const me = await app.inject({ url: '/api/telltale/me', headers: { cookie } });
    expect(me.json().data).toMatchObject({ username: 'admin', role: 'admin', scopes: ['admin'], csrfToken: csrf });
    expect((await app.inject({ url: '/api/v1/query?query=1', headers: { cookie } })).statusCode).toBe(200);
    const secure = await login('admin', PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(secure.res.headers['set-cookie']).toMatch(/; Secure$/);
    const out = await app.inject({ method: 'POST', url: '/api/telltale/logout', headers: { cookie } });
    expect(out.headers['set-cookie']).toMatch(/^telltale_session=; .*Max-Age=0/);
    expect((await app.inject({ url: '/api/telltale/me', headers: { cookie } })).statusCode).toBe(401);
    // the other session lives on
    expect((await app.inject({ url: '/api/telltale/me', headers: { cookie: secure.cookie } })).statusCode).toBe(200);
  });

  it('refuses cookie-authenticated changes without the CSRF header or from another origin; tokens need neither', async () => {
    const { cookie, csrf } = await login('admin', PASSWORD);
    const post = (headers: Record<string, string>) => app.inject({ method: 'POST', url: '/api/v2/silences', payload: SILENCE, headers: { cookie, ...headers } });
    const none = await post({});
    expect(none.statusCode).toBe(403);
    expect(none.json()).toMatchObject({ code: 'TT_AUTH_FORBIDDEN', errorType: 'forbidden', error: expect.stringMatching(/x-csrf-token/) });
    expect((await post({ 'x-csrf-token': 'x'.repeat(43) })).statusCode).toBe(403);
    expect((await post({ 'x-csrf-token': csrf, origin: 'https://evil.example' })).statusCode).toBe(403);
    expect((await post({ 'x-csrf-token': csrf, origin: 'not a url' })).statusCode).toBe(403);
    const ok = await post({ 'x-csrf-token': csrf, origin: 'http://localhost:80', host: 'localhost:80' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().silenceID).toMatch(/./);
    expect((await app.inject({ method: 'POST', url: '/api/telltale/login', payload: { username: 'admin', password: PASSWORD }, headers: { origin: 'https://evil.example' } })).statusCode).toBe(403);
    const created = await app.inject({ method: 'POST', url: '/api/telltale/tokens', payload: { name: 'grafana silences', scopes: ['read', 'write'] }, headers: { cookie, 'x-csrf-token': csrf } });
    const token = created.json().data.token as string;
    expect((await app.inject({ method: 'POST', url: '/api/v2/silences', payload: SILENCE, headers: { authorization: `Bearer ${token}`, origin: 'https://grafana.example' } })).statusCode).toBe(200);
  });

  it('scopes API tokens, takes them as Bearer or as a Basic password, lists them without secrets, expires and revokes them', async () => {
    const admin = { authorization: basic('admin', (await createToken('admin-cli', ['admin'])).token) };
    const ingest = await createToken('remote write', ['ingest'], '1h');
    const read = await createToken('grafana', ['read']);
    expect(ingest.token).toMatch(/^tt_[A-Za-z0-9_-]{43}$/);
    // ingest may write (an empty body is a 400 from the receiver, past authentication) but not read
    expect((await app.inject({ method: 'POST', url: '/api/v1/write', headers: { authorization: `Bearer ${ingest.token}` } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/api/v1/write', headers: { authorization: basic('prometheus', ingest.token) } })).statusCode).toBe(400);
    const denied = await app.inject({ url: '/api/v1/query?query=1', headers: { authorization: `Bearer ${ingest.token}` } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toMatch(/token "remote write" \(scopes ingest\) may not GET \/api\/v1\/query: it needs the read permission/);
    expect((await app.inject({ url: '/api/v1/query?query=1', headers: { authorization: basic('grafana', read.token) } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/v1/query', payload: 'query=1', headers: { authorization: `Bearer ${read.token}`, 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/v1/write', headers: { authorization: `Bearer ${read.token}` } })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/telltale/tokens', headers: { authorization: `Bearer ${read.token}` } })).statusCode).toBe(403);

    const list = await app.inject({ url: '/api/telltale/tokens', headers: admin });
    const listed = list.json().data as Array<Record<string, unknown>>;
    expect(list.body).not.toContain(ingest.token);
    expect(list.body).not.toMatch(/"hash"/);
    expect(listed.find((t) => t.name === 'remote write')).toMatchObject({ scopes: ['ingest'], createdBy: 'admin', expiresAt: '2026-01-01T01:00:00.000Z', revokedAt: null });
    expect(listed.find((t) => t.name === 'grafana')?.lastUsedAt).toBe('2026-01-01T00:00:00.000Z');

    await s.clock.advance(3_600_000);
    const expired = await app.inject({ method: 'POST', url: '/api/v1/write', headers: { authorization: `Bearer ${ingest.token}` } });
    expect(expired.statusCode).toBe(401);
    expect(expired.headers['www-authenticate']).toBe('Bearer realm="telltale", error="invalid_token"');
    expect(expired.json().error).toMatch(/expired/);
    expect((await app.inject({ method: 'DELETE', url: `/api/telltale/tokens/${read.id}`, headers: admin })).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: `/api/telltale/tokens/${read.id}`, headers: admin })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/v1/query?query=1', headers: { authorization: `Bearer ${read.token}` } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/query?query=1', headers: { authorization: 'Bearer tt_unknown' } })).statusCode).toBe(401);
    const userPassword = await app.inject({ url: '/api/v1/query?query=1', headers: { authorization: basic('admin', PASSWORD) } });
    expect(userPassword.statusCode).toBe(401);
    expect(userPassword.json().error).toMatch(/Basic auth takes an API token as the password/);

    for (const bad of [{ name: '', scopes: ['read'] }, { name: 'x', scopes: [] }, { name: 'x', scopes: ['root'] }, { name: 'x', scopes: ['read'], expires: 'soon' }, { name: 'grafana silences', scopes: ['read'] }]) {
      const res = await app.inject({ method: 'POST', url: '/api/telltale/tokens', payload: bad, headers: admin });
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json().code).toBe('TT_AUTH_INPUT');
    }
  });

  it('takes run records from a runs:write token (CI), and refuses them to read tokens', async () => {
    const ci = await createToken('ci runs', ['runs:write']);
    const reader = await createToken('run reader', ['read']);
    const record = JSON.parse(serializeRecord(sampleRecord({ id: 'run-from-ci', nonFinite: true })));
    const push = (token: string, payload: unknown) => app.inject({ method: 'POST', url: '/api/telltale/runs', payload: payload as object, headers: { authorization: `Bearer ${token}` } });
    expect((await push(reader.token, record)).statusCode).toBe(403);
    const created = await push(ci.token, record);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().data).toMatchObject({ id: 'run-from-ci', outcome: 'created' });
    expect((await push(ci.token, record)).json().data.outcome).toBe('unchanged');
    expect((await push(ci.token, { ...record, testName: 'another' })).statusCode).toBe(409);
    const bad = await push(ci.token, { format: 'nope' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('TT_RECORD_INVALID');
    expect((await app.inject({ url: '/api/telltale/runs/run-from-ci', headers: { authorization: `Bearer ${reader.token}` } })).statusCode).toBe(200);
    // runs:write does not read
    expect((await app.inject({ url: '/api/telltale/runs', headers: { authorization: `Bearer ${ci.token}` } })).statusCode).toBe(403);
  });

  async function createToken(name: string, scopes: string[], expires?: string): Promise<{ token: string; id: string }> {
    const { cookie, csrf } = await login('admin', PASSWORD);
    const res = await app.inject({ method: 'POST', url: '/api/telltale/tokens', payload: { name, scopes, ...(expires ? { expires } : {}) }, headers: { cookie, 'x-csrf-token': csrf } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().data as { token: string; id: string };
  }

  it('manages users: roles decide what a login may do; the last admin stays; own password changes', async () => {
    const { cookie, csrf } = await login('admin', PASSWORD);
    const admin = { cookie, 'x-csrf-token': csrf };
    const created = await app.inject({ method: 'POST', url: '/api/telltale/users', payload: { username: 'vera', password: 'vera-password', role: 'viewer' }, headers: admin });
    expect(created.statusCode).toBe(201);
    expect(created.body).not.toMatch(/password/i);
    expect((await app.inject({ method: 'POST', url: '/api/telltale/users', payload: { username: 'vera', password: 'vera-password' }, headers: admin })).json()).toMatchObject({ code: 'TT_AUTH_INPUT', field: 'username' });
    expect((await app.inject({ method: 'POST', url: '/api/telltale/users', payload: { username: 'bad name!', password: 'vera-password' }, headers: admin })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/api/telltale/users', payload: { username: 'weak', password: 'short' }, headers: admin })).json().field).toBe('password');
    expect((await app.inject({ method: 'POST', url: '/api/telltale/users', payload: { username: 'r', password: 'long enough', role: 'root' }, headers: admin })).json().field).toBe('role');

    const vera = await login('vera', 'vera-password');
    const asVera = { cookie: vera.cookie, 'x-csrf-token': vera.csrf };
    expect((await app.inject({ url: '/api/v2/silences', headers: asVera })).statusCode).toBe(200);
    const forbidden = await app.inject({ method: 'POST', url: '/api/v2/silences', payload: SILENCE, headers: asVera });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error).toMatch(/user "vera" \(role viewer\) may not POST \/api\/v2\/silences: it needs the write permission/);
    expect((await app.inject({ url: '/api/telltale/users', headers: asVera })).statusCode).toBe(403);
    expect((await app.inject({ method: 'PATCH', url: '/api/telltale/users/vera', payload: { role: 'editor' }, headers: admin })).json().data).toMatchObject({ username: 'vera', role: 'editor' });
    expect((await app.inject({ method: 'POST', url: '/api/v2/silences', payload: SILENCE, headers: asVera })).statusCode).toBe(200);

    const users = await app.inject({ url: '/api/telltale/users', headers: admin });
    expect(users.json().data.map((u: { username: string; role: string }) => `${u.username}:${u.role}`)).toEqual(['admin:admin', 'vera:editor']);
    expect(users.body).not.toMatch(/scrypt/);
    expect((await app.inject({ method: 'DELETE', url: '/api/telltale/users/admin', headers: admin })).json()).toMatchObject({ code: 'TT_AUTH_INPUT', error: expect.stringMatching(/last admin/) });
    expect((await app.inject({ method: 'PATCH', url: '/api/telltale/users/admin', payload: { role: 'viewer' }, headers: admin })).statusCode).toBe(400);
    expect((await app.inject({ method: 'PATCH', url: '/api/telltale/users/nobody', payload: { role: 'viewer' }, headers: admin })).statusCode).toBe(404);

    // vera changes her own password: the wrong current one is refused, her other sessions end
    const second = await login('vera', 'vera-password');
    expect((await app.inject({ method: 'POST', url: '/api/telltale/me/password', payload: { currentPassword: 'nope', newPassword: 'vera-new-password' }, headers: asVera })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/telltale/me/password', payload: { currentPassword: 'vera-password', newPassword: 'vera-new-password' }, headers: asVera })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/telltale/me', headers: { cookie: vera.cookie } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/telltale/me', headers: { cookie: second.cookie } })).statusCode).toBe(401);
    expect((await login('vera', 'vera-new-password')).res.statusCode).toBe(200);
    // deleting a user ends their sessions
    expect((await app.inject({ method: 'DELETE', url: '/api/telltale/users/vera', headers: admin })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/telltale/me', headers: { cookie: vera.cookie } })).statusCode).toBe(401);
  });

  it('throttles failed logins per user with 429 and Retry-After, and lets the user in once it has passed', async () => {
    const { cookie, csrf } = await login('admin', PASSWORD);
    await app.inject({ method: 'POST', url: '/api/telltale/users', payload: { username: 'tom', password: 'tom-password' }, headers: { cookie, 'x-csrf-token': csrf } });
    for (let i = 0; i < 5; i++) expect((await login('tom', `guess ${i}`)).res.statusCode).toBe(401);
    const locked = await login('tom', 'tom-password');
    expect(locked.res.statusCode).toBe(429);
    expect(locked.res.headers['retry-after']).toBe('1');
    expect(locked.res.json()).toMatchObject({ code: 'TT_AUTH_RATE_LIMITED' });
    await s.clock.advance(1000);
    expect((await login('tom', 'guess 6')).res.statusCode).toBe(401);
    expect((await login('tom', 'tom-password')).res.headers['retry-after']).toBe('2');
    await s.clock.advance(2000);
    expect((await login('tom', 'tom-password')).res.statusCode).toBe(200);
    expect((await login('tom', 'wrong')).res.statusCode).toBe(401);
  });

  it('throttles one address after 20 failures whatever the user names, leaving other addresses alone', async () => {
    const from = (remoteAddress: string, username: string) => app.inject({ method: 'POST', url: '/api/telltale/login', payload: { username, password: 'nope' }, remoteAddress });
    for (let i = 0; i < 20; i++) expect((await from('10.1.1.1', `user${i}`)).statusCode).toBe(401);
    const locked = await from('10.1.1.1', 'someone-new');
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await from('10.2.2.2', 'someone-new')).statusCode).toBe(401);
  });

  it('answers hostile logins and Authorization headers with 4xx, never 5xx', async () => {
    const huge = await app.inject({ method: 'POST', url: '/api/telltale/login', payload: JSON.stringify({ username: 'admin', password: 'x'.repeat(100_000) }), headers: { 'content-type': 'application/json' } });
    expect(huge.statusCode).toBe(413);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)), fc.json().map((j) => Buffer.from(j)), fc.record({ username: fc.anything(), password: fc.anything() }).map((o) => Buffer.from(JSON.stringify(o) ?? ''))),
        fc.constantFrom('application/json', 'application/octet-stream', 'text/plain', 'application/x-www-form-urlencoded', ''),
        async (body, type) => {
          const res = await app.inject({ method: 'POST', url: '/api/telltale/login', payload: body, headers: type ? { 'content-type': type } : {}, remoteAddress: '10.9.9.9' });
          expect([400, 401, 413, 415, 429], res.body).toContain(res.statusCode);
        },
      ),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }).filter((h) => /^[\x20-\x7e]*$/.test(h)), async (h) => {
        const res = await app.inject({ url: '/api/v1/query?query=1', headers: { authorization: h } });
        expect([401], `${JSON.stringify(h)}: ${res.body}`).toContain(res.statusCode);
      }),
      { numRuns: 300 },
    );
  });

  it('answers arbitrary bodies on the user and token routes with 4xx, never 5xx', async () => {
    const admin = { authorization: `Bearer ${(await createToken('fuzz admin', ['admin'])).token}` };
    await app.inject({ method: 'POST', url: '/api/telltale/users', payload: { username: 'fuzzed', password: 'fuzzed-password' }, headers: admin });
    const routes: Array<['POST' | 'PATCH', string]> = [['POST', '/api/telltale/users'], ['PATCH', '/api/telltale/users/fuzzed'], ['POST', '/api/telltale/tokens'], ['POST', '/api/telltale/me/password']];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.oneof(fc.json(), fc.object().map((o) => JSON.stringify(o)), fc.record({ username: fc.string(), password: fc.string(), role: fc.string(), name: fc.string(), scopes: fc.array(fc.string()), expires: fc.string() }).map((o) => JSON.stringify(o))), async ([method, url], body) => {
        const res = await app.inject({ method, url, payload: body, headers: { ...admin, 'content-type': 'application/json' } });
        expect(res.statusCode, `${method} ${url} ${body}: ${res.body}`).toBeLessThan(500);
        if (res.statusCode >= 400) expect(res.json().status).toBe('error');
      }),
      { numRuns: 200 },
    );
  });

  it('never writes a password, token or session id to the log', () => {
    const log = s.log();
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toMatch(/tt_[A-Za-z0-9_-]{43}/);
    expect(log).not.toMatch(/vera-password|tom-password|telltale_session=/);
  });
});

describe('first start', () => {
  it('creates admin with a generated password in a 0600 file, announced only by the return value, and keeps it on the next start', async () => {
    const first = await start({});
    const dir = first.dir;
    try {
      expect(first.server.bootstrap).toMatchObject({ created: true, username: 'admin', passwordFile: path.join(dir, 'data', 'admin-password') });
      const password = first.server.bootstrap.password!;
      expect(readFileSync(first.server.bootstrap.passwordFile!, 'utf8')).toBe(`${password}\n`);
      expect(statSync(first.server.bootstrap.passwordFile!).mode & 0o777).toBe(0o600);
      const res = await first.server.app.inject({ method: 'POST', url: '/api/telltale/login', payload: { username: 'admin', password } });
      expect(res.statusCode).toBe(200);
      expect(first.log()).not.toContain(password);
      await first.server.close();
      const second = await start({ TELLTALE_ADMIN_PASSWORD: 'ignored-now-1' }, {}, dir);
      expect(second.server.bootstrap).toEqual({ created: false, passwordFile: path.join(dir, 'data', 'admin-password') });
      const login = await second.server.app.inject({ method: 'POST', url: '/api/telltale/login', payload: { username: 'admin', password } });
      expect(login.statusCode).toBe(200);
      // once admin's password is changed, the file is stale: the next start removes it
      const change = await second.server.app.inject({
        method: 'POST',
        url: '/api/telltale/me/password',
        payload: { currentPassword: password, newPassword: 'a-password-of-my-own' },
        headers: { cookie: String(login.headers['set-cookie']).split(';')[0], 'x-csrf-token': login.json().data.csrfToken },
      });
      expect(change.statusCode).toBe(200);
      await second.server.close();
      const third = await start({}, {}, dir);
      expect(third.server.bootstrap).toEqual({ created: false });
      expect(existsSync(path.join(dir, 'data', 'admin-password'))).toBe(false);
      await third.server.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a TELLTALE_ADMIN_PASSWORD that is too short', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tt-auth-http-'));
    try {
      await expect(start({ TELLTALE_ADMIN_PASSWORD: 'short' }, {}, dir)).rejects.toMatchObject({ code: 'TT_SERVE_CONFIG', message: expect.stringMatching(/TELLTALE_ADMIN_PASSWORD must be at least 8/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('ends a session after server.auth.session_lifetime', async () => {
    const short = await start({ TELLTALE_ADMIN_PASSWORD: PASSWORD }, { server: { auth: { session_lifetime: '1h' } } });
    try {
      const res = await short.server.app.inject({ method: 'POST', url: '/api/telltale/login', payload: { username: 'admin', password: PASSWORD } });
      expect(res.headers['set-cookie']).toMatch(/Max-Age=3600;?/);
      const cookie = String(res.headers['set-cookie']).split(';')[0];
      await short.clock.advance(3_599_000);
      expect((await short.server.app.inject({ url: '/api/telltale/me', headers: { cookie } })).statusCode).toBe(200);
      await short.clock.advance(1000);
      const gone = await short.server.app.inject({ url: '/api/telltale/me', headers: { cookie } });
      expect(gone.statusCode).toBe(401);
      expect(gone.json().error).toMatch(/expired/);
    } finally {
      await short.server.close();
      rmSync(short.dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('keeps users, sessions and tokens in PostgreSQL when server.store names it', async () => {
    const schema = await createPgSchema('tt_auth_serve');
    const pg = await start({ TELLTALE_ADMIN_PASSWORD: PASSWORD }, { server: { store: schema.spec } });
    try {
      const login = await pg.server.app.inject({ method: 'POST', url: '/api/telltale/login', payload: { username: 'admin', password: PASSWORD } });
      expect(login.statusCode).toBe(200);
      const headers = { cookie: String(login.headers['set-cookie']).split(';')[0], 'x-csrf-token': login.json().data.csrfToken as string };
      const made = await pg.server.app.inject({ method: 'POST', url: '/api/telltale/tokens', payload: { name: 'pg', scopes: ['read'] }, headers });
      expect(made.statusCode).toBe(201);
      expect((await pg.server.app.inject({ url: '/api/v1/query?query=1', headers: { authorization: `Bearer ${made.json().data.token}` } })).statusCode).toBe(200);
      expect(pg.server.auth.store.description).toMatch(/^postgres:\/\//);
      expect(existsSync(path.join(pg.dir, 'telltale.db'))).toBe(false);
    } finally {
      await pg.server.close();
      rmSync(pg.dir, { recursive: true, force: true });
      await schema.drop();
    }
  }, 60_000);

  it('answers 503 when the auth store cannot be reached', async () => {
    const broken = await start({ TELLTALE_ADMIN_PASSWORD: PASSWORD });
    try {
      await broken.server.auth.store.close();
      const res = await broken.server.app.inject({ url: '/api/v1/query?query=1', headers: { authorization: 'Bearer tt_x' } });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ errorType: 'unavailable', code: 'TT_STORE_UNAVAILABLE' });
      const login = await broken.server.app.inject({ method: 'POST', url: '/api/telltale/login', payload: { username: 'admin', password: PASSWORD } });
      expect(login.statusCode).toBe(503);
      expect((await broken.server.app.inject('/healthz')).statusCode).toBe(200);
    } finally {
      await broken.server.close();
      rmSync(broken.dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('validates server.auth in the config', () => {
    expect(telltaleConfigSchema.parse({}).server.auth).toEqual({ enabled: true, session_lifetime: 7 * 86_400_000 });
    expect(() => telltaleConfigSchema.parse({ server: { auth: { session_lifetime: 'forever' } } })).toThrow(/not a duration/);
    expect(() => telltaleConfigSchema.parse({ server: { auth: { enabled: 'yes' } } })).toThrow();
    expect(() => telltaleConfigSchema.parse({ server: { auth: { users: [] } } })).toThrow();
  });

  it('serves everything without credentials when server.auth.enabled is false', async () => {
    const off = await start({}, { server: { auth: { enabled: false } } });
    try {
      expect((await off.server.app.inject('/api/v1/query?query=1')).statusCode).toBe(200);
      expect((await off.server.app.inject({ method: 'POST', url: '/api/v2/silences', payload: SILENCE })).statusCode).toBe(200);
      expect((await off.server.app.inject('/api/telltale/me')).json().data).toMatchObject({ authEnabled: false, via: 'open' });
    } finally {
      await off.server.close();
      rmSync(off.dir, { recursive: true, force: true });
    }
  }, 60_000);
});
