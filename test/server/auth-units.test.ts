/**
 * The pieces of server authentication on their own: scrypt password hashes, reading credentials from
 * Authorization and Cookie headers (including hostile ones), the login throttle on an injected clock, and
 * what each role and scope allows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from '../../src/server/auth/password.ts';
import { generateToken, parseAuthorization, readCookie, sha256 } from '../../src/server/auth/tokens.ts';
import { LoginLimiter } from '../../src/server/auth/rate-limit.ts';
import { allows, permissionFor, ROLE_SCOPES } from '../../src/server/auth/permissions.ts';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

describe('password hashing', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    // Unicode normalisation: the same password typed as composed or decomposed characters
    expect(await verifyPassword('caf\u00e9-latte', await hashPassword('cafe\u0301-latte'))).toBe(true);
  });

  it('says no, without throwing, for stored strings it cannot read', async () => {
    for (const stored of ['', 'plain', 'scrypt$1$2$3$4', 'scrypt$x$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA', 'scrypt$16384$8$1$$', 'bcrypt$16384$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA', 'scrypt$99999999$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA']) {
      expect(await verifyPassword('whatever', stored), stored).toBe(false);
    }
    const stored = await hashPassword('x'.repeat(10));
    expect(await verifyPassword('x'.repeat(2000), stored)).toBe(false);
  });

  it('generates strong passwords and rejects weak ones', () => {
    expect(generatePassword()).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(passwordProblem('short')).toMatch(/at least 8/);
    expect(passwordProblem(12345678)).toMatch(/string/);
    expect(passwordProblem('x'.repeat(1025))).toMatch(/at most/);
    expect(passwordProblem('long enough')).toBeUndefined();
  });
});

describe('credentials in headers', () => {
  it('reads Bearer tokens and Basic credentials whose password is a token', () => {
    const t = generateToken();
    expect(t).toMatch(/^tt_[A-Za-z0-9_-]{43}$/);
    expect(sha256(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(parseAuthorization(`Bearer ${t}`)).toEqual({ kind: 'token', token: t, scheme: 'bearer' });
    expect(parseAuthorization(`bearer ${t}`)).toEqual({ kind: 'token', token: t, scheme: 'bearer' });
    expect(parseAuthorization(basic(`prometheus:${t}`))).toEqual({ kind: 'token', token: t, scheme: 'basic' });
    expect(parseAuthorization(basic(`:${t}`))).toEqual({ kind: 'token', token: t, scheme: 'basic' });
    // a password may itself hold colons
    expect(parseAuthorization(basic('u:a:b'))).toEqual({ kind: 'token', token: 'a:b', scheme: 'basic' });
    expect(parseAuthorization(undefined)).toEqual({ kind: 'none' });
    expect(parseAuthorization('')).toEqual({ kind: 'none' });
  });

  it('calls malformed headers malformed', () => {
    for (const h of ['Bearer', 'Bearer ', 'Bearer a b', 'Token abc', 'Basic !!!', basic('nocolon'), basic('user:'), 'Digest username="x"', `Bearer ${'a'.repeat(5000)}`, '\u0000\u0001']) {
      expect(parseAuthorization(h).kind, JSON.stringify(h.slice(0, 40))).toBe('malformed');
    }
  });

  it('never throws on arbitrary headers (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => `Bearer ${s}`), fc.string().map((s) => `Basic ${s}`), fc.uint8Array().map((b) => `Basic ${Buffer.from(b).toString('base64')}`)), (h) => {
        const c = parseAuthorization(h);
        expect(['token', 'none', 'malformed']).toContain(c.kind);
        if (c.kind === 'token') expect(c.token.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the session cookie among others and ignores bad values', () => {
    expect(readCookie('a=1; telltale_session=abc_DEF-1; b=2', 'telltale_session')).toBe('abc_DEF-1');
    expect(readCookie('telltale_session="quoted"', 'telltale_session')).toBeUndefined();
    expect(readCookie('other=1', 'telltale_session')).toBeUndefined();
    expect(readCookie(undefined, 'telltale_session')).toBeUndefined();
    expect(readCookie(`telltale_session=${'a'.repeat(200)}`, 'telltale_session')).toBeUndefined();
    fc.assert(fc.property(fc.string(), (h) => {
      const v = readCookie(h, 'telltale_session');
      if (v !== undefined) expect(v).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    }));
  });
});

describe('login throttle', () => {
  it('allows five failures, then locks out for 1 s, 2 s, 4 s ... up to 15 minutes', () => {
    let now = 1_000_000;
    const limiter = new LoginLimiter({ now: () => now });
    const keys = ['ip:10.0.0.1', 'user:admin'];
    for (let i = 0; i < 4; i++) {
      limiter.fail(keys);
      expect(limiter.retryAfter(keys)).toBe(0);
    }
    limiter.fail(keys);
    expect(limiter.retryAfter(keys)).toBe(1000);
    now += 1000;
    expect(limiter.retryAfter(keys)).toBe(0);
    limiter.fail(keys);
    expect(limiter.retryAfter(keys)).toBe(2000);
    now += 2000;
    limiter.fail(keys);
    expect(limiter.retryAfter(keys)).toBe(4000);
    for (let i = 0; i < 30; i++) limiter.fail(keys);
    expect(limiter.retryAfter(keys)).toBe(15 * 60_000);
    // another user from another address is not affected; the same user from anywhere is
    expect(limiter.retryAfter(['ip:10.0.0.2', 'user:bob'])).toBe(0);
    expect(limiter.retryAfter(['ip:10.0.0.2', 'user:admin'])).toBe(15 * 60_000);
    limiter.succeed(keys);
    expect(limiter.retryAfter(keys)).toBe(0);
  });

  it('forgets quiet keys and never holds more than maxKeys', () => {
    let now = 0;
    const limiter = new LoginLimiter({ now: () => now, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) limiter.fail([`ip:${i}`]);
    expect(limiter.size).toBe(100);
    now += 16 * 60_000;
    limiter.fail(['ip:new']);
    expect(limiter.size).toBe(1);
  });
});

describe('permissions', () => {
  it('gives each role and scope what it names, admin everything', () => {
    expect(allows(ROLE_SCOPES.viewer, 'read')).toBe(true);
    expect(allows(ROLE_SCOPES.viewer, 'write')).toBe(false);
    expect(allows(ROLE_SCOPES.editor, 'write')).toBe(true);
    expect(allows(ROLE_SCOPES.editor, 'admin')).toBe(false);
    expect(allows(ROLE_SCOPES.editor, 'ingest')).toBe(false);
    for (const p of ['read', 'write', 'ingest', 'runs:write', 'admin'] as const) expect(allows(ROLE_SCOPES.admin, p)).toBe(true);
    expect(allows(['ingest'], 'read')).toBe(false);
    expect(allows([], 'public')).toBe(true);
    expect(allows([], 'user')).toBe(true);
  });

  it('maps routes, HEAD like GET, and lets a route declare its own permission', () => {
    expect(permissionFor('POST', '/api/v1/write')).toBe('ingest');
    expect(permissionFor('POST', '/api/v1/query')).toBe('read');
    expect(permissionFor('HEAD', '/api/v1/heartbeat/:token')).toBe('public');
    expect(permissionFor('DELETE', '/api/v2/silence/:id')).toBe('write');
    expect(permissionFor('GET', '/assets/*')).toBe('public');
    expect(permissionFor('GET', '/favicon.svg')).toBe('public');
    expect(permissionFor('POST', '/favicon.svg')).toBeUndefined();
    expect(permissionFor('GET', '/api/new-thing')).toBeUndefined();
    expect(permissionFor('POST', '/api/new-thing', 'write')).toBe('write');
    expect(permissionFor('POST', '/api/new-thing', 'bogus')).toBeUndefined();
  });
});
