import { createHash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectedStatuses, VuHttp } from '../../src/load/http/index.ts';
import {
  ChallengeSyntaxError, digestAuthorization, findDigestChallenge, parseChallenges,
} from '../../src/load/http/digest.ts';
import { collector, defaults, httpServer, type Collector, type Started } from './helpers.ts';

describe('parseChallenges', () => {
  it('reads schemes, quoted and token parameters, and several challenges per value', () => {
    const got = parseChallenges('Basic realm="a, b", Digest realm="x \\"y\\"", NONCE=abc,qop="auth,auth-int" , Bearer, Negotiate dG9rZW4=');
    expect(got.map((c) => [c.scheme, Object.fromEntries(c.params), c.token68])).toEqual([
      ['Basic', { realm: 'a, b' }, null],
      ['Digest', { realm: 'x "y"', nonce: 'abc', qop: 'auth,auth-int' }, null],
      ['Bearer', {}, null],
      ['Negotiate', {}, 'dG9rZW4='],
    ]);
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges(' , ,Digest a = "1" ,, b=2,')[0].params).toEqual(new Map([['a', '1'], ['b', '2']]));
  });

  it('throws ChallengeSyntaxError, with the offset, on what breaks the grammar', () => {
    for (const bad of ['Digest realm="open', 'Digest realm==x', 'Digest =x', '"quoted"', 'Digest realm="a" nonce="b"', 'Digest realm=a;b', 'Digest realm=a, ="x"', 'Digest realm x', 'Digest a=b c']) {
      expect(() => parseChallenges(bad), bad).toThrow(ChallengeSyntaxError);
    }
    expect(() => parseChallenges('Digest realm="open')).toThrow(/unterminated quoted value of parameter "realm" at offset 18/);
  });

  it('only ever throws ChallengeSyntaxError (property)', () => {
    const piece = fc.oneof(fc.constantFrom('Digest', 'Basic', ' ', ',', '=', '"', '\\', 'realm', 'nonce', 'a', '==', '\t', '\u00e9'), fc.string({ maxLength: 5 }));
    fc.assert(fc.property(fc.array(piece, { maxLength: 30 }).map((a) => a.join('')), (s) => {
      try {
        for (const c of parseChallenges(s)) expect(c.scheme).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
      } catch (err) {
        expect(err).toBeInstanceOf(ChallengeSyntaxError);
      }
    }), { numRuns: 3000 });
  });

  it('reads back any challenge list written by the grammar (property)', () => {
    const tchar = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const token = fc.string({ unit: fc.constantFrom(...tchar), minLength: 1, maxLength: 10 });
    const quotedValue = fc.string({ unit: fc.constantFrom(...'ab ,="\\;x\u00e9'), maxLength: 10 });
    const param = fc.tuple(token, fc.oneof(token.map((v) => ({ v, q: false })), quotedValue.map((v) => ({ v, q: true }))));
    const challenge = fc.tuple(token, fc.uniqueArray(param, { minLength: 1, maxLength: 4, selector: ([k]) => k.toLowerCase() }));
    fc.assert(fc.property(fc.array(challenge, { minLength: 1, maxLength: 3 }), (list) => {
      const text = list.map(([scheme, params]) => `${scheme} ${params.map(([k, { v, q }]) => `${k}=${q ? `"${v.replace(/["\\]/g, '\\$&')}"` : v}`).join(', ')}`).join(', ');
      const got = parseChallenges(text);
      expect(got.map((c) => c.scheme)).toEqual(list.map(([s]) => s));
      got.forEach((c, i) => {
        expect(c.params).toEqual(new Map(list[i][1].map(([k, { v }]) => [k.toLowerCase(), v])));
      });
    }));
  });
});

describe('findDigestChallenge and digestAuthorization', () => {
  const answer = (header: string, over: Partial<Parameters<typeof digestAuthorization>[1]> = {}): string => {
    const found = findDigestChallenge([header]);
    if (!found.ok) throw new Error(found.reason);
    return digestAuthorization(found.challenge, { method: 'GET', uri: '/dir/index.html', username: 'Mufasa', password: 'Circle of Life', nc: 1, body: null, ...over });
  };

  it('matches the RFC 2617 and RFC 7616 examples', () => {
    expect(answer('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"', { password: 'Circle Of Life', cnonce: '0a4f113b' }))
      .toBe('Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001, cnonce="0a4f113b"');
    const rfc7616 = (alg: string) => `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${alg}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`;
    const cnonce = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
    expect(answer(rfc7616('MD5'), { cnonce })).toContain('response="8ca523f5e9506fed4657c9700eebdbec"');
    expect(answer(rfc7616('SHA-256'), { cnonce })).toContain('response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"');
  });

  it('answers without qop as RFC 2069 did, counts nonces in hex, escapes quoted values, and encodes odd user names', () => {
    expect(answer('Digest realm="r", nonce="n"')).toBe(`Digest username="Mufasa", realm="r", nonce="n", uri="/dir/index.html", response="${md5(`${md5('Mufasa:r:Circle of Life')}:n:${md5('GET:/dir/index.html')}`)}"`);
    expect(answer('Digest realm="r", nonce="n", qop=auth', { nc: 255, cnonce: 'c' })).toContain('nc=000000ff');
    expect(answer('Digest realm="a\\"b", nonce="n"', { username: 'x"y\\z' })).toMatch(/^Digest username="x\\"y\\\\z", realm="a\\"b"/);
    expect(answer('Digest realm="r", nonce="n"', { username: 'J\u00e4s\u00f8n Doe' })).toMatch(/^Digest username\*=UTF-8''J%C3%A4s%C3%B8n%20Doe, /);
  });

  it('prefers the first challenge it can answer and says why when there is none', () => {
    const found = findDigestChallenge(['Basic realm="x"', 'Digest realm="a", nonce="1", algorithm=SHA-1, Digest realm="b", nonce="2", algorithm=SHA-256']);
    expect(found.ok && found.challenge).toMatchObject({ realm: 'b', hash: 'sha256', algorithm: 'SHA-256' });
    const reasons: [string[], RegExp, string][] = [
      [[], /no Digest challenge/, 'no-challenge'],
      [['Basic realm="x"'], /no Digest challenge/, 'no-challenge'],
      [['Digest realm="x"'], /malformed digest authentication challenge: no nonce/, 'malformed'],
      [['Digest realm="x", nonce="open'], /malformed digest authentication challenge: unterminated quoted value/, 'malformed'],
      [['Digest dG9rZW4='], /malformed .* got a token/, 'malformed'],
      [['Digest nonce=1, algorithm=SHA-1'], /unsupported digest authentication algorithm "SHA-1"/, 'unsupported-algorithm'],
      [['Digest nonce=1, qop=auth-conf'], /unsupported digest authentication qop "auth-conf"/, 'unsupported-qop'],
    ];
    for (const [values, re, kind] of reasons) {
      const r = findDigestChallenge(values);
      expect(r.ok, values.join()).toBe(false);
      if (!r.ok) {
        expect(r.reason).toMatch(re);
        expect(r.kind).toBe(kind);
      }
    }
  });

  it('never throws, whatever the server sends (property)', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.string({ maxLength: 80 }), fc.string({ maxLength: 60 }).map((s) => `Digest ${s}`)), { maxLength: 3 }), (values) => {
      const r = findDigestChallenge(values);
      if (r.ok) {
        const header = digestAuthorization(r.challenge, { method: 'GET', uri: '/', username: 'u', password: 'p', nc: 1, body: null });
        expect(header).toMatch(/^Digest username=/);
      } else {
        expect(typeof r.reason).toBe('string');
      }
    }), { numRuns: 3000 });
  });
});

// --- against a server ---

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

const HASHES: Record<string, string> = {
  md5: 'md5', 'md5-sess': 'md5', 'sha-256': 'sha256', 'sha-256-sess': 'sha256', 'sha-512-256': 'sha512-256', 'sha-512-256-sess': 'sha512-256',
  'sha-512': 'sha512',
};

function authParams(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([\w*-]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) out[m[1]] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
  return out;
}

/** The server's own check of an Authorization header, written from RFC 7616 independently of the client. */
function valid(header: string, method: string, uri: string, body: Buffer, user: string, pass: string, realm: string, nonces: Set<string>, alg: string | null, userhash: boolean): boolean {
  if (!header.startsWith('Digest ')) return false;
  const p = authParams(header.slice(7));
  const hashName = HASHES[(alg ?? 'MD5').toLowerCase()];
  const H = (s: string | Buffer) => createHash(hashName).update(s).digest('hex');
  const name = userhash ? H(`${user}:${realm}`) : user;
  if (p.username !== name || p.realm !== realm || !nonces.has(p.nonce) || p.uri !== uri) return false;
  if ((p.algorithm ?? null) !== alg) return false;
  let ha1 = H(`${user}:${realm}:${pass}`);
  if ((alg ?? '').toLowerCase().endsWith('-sess')) ha1 = H(`${ha1}:${p.nonce}:${p.cnonce}`);
  const ha2 = p.qop === 'auth-int' ? H(`${method}:${uri}:${H(body)}`) : H(`${method}:${uri}`);
  const expected = p.qop ? H(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`) : H(`${ha1}:${p.nonce}:${ha2}`);
  return p.response === expected;
}

let srv: Started<http.Server>;
let vu: VuHttp;
const nonces = new Set<string>();
const authorizations: (string | null)[] = [];
const cookies: (string | null)[] = [];

beforeAll(async () => {
  srv = await httpServer((req, res, body) => {
    const u = new URL(req.url!, 'http://x');
    authorizations.push(req.headers.authorization ?? null);
    cookies.push(req.headers.cookie ?? null);
    const q = (k: string) => u.searchParams.get(k);
    if (u.pathname === '/open') {
      res.end('open');
      return;
    }
    if (u.pathname === '/raw') {
      // Sends the WWW-Authenticate values given, whatever they are.
      res.statusCode = 401;
      res.setHeader('WWW-Authenticate', u.searchParams.getAll('h'));
      res.end();
      return;
    }
    const realm = q('realm') ?? 'tests@telltale';
    const alg = q('alg');
    const userhash = q('userhash') === 'true';
    if (valid(req.headers.authorization ?? '', req.method!, req.url!, body, 'bob', 'pa55', realm, nonces, alg, userhash)) {
      const to = q('to');
      if (to !== null) {
        res.statusCode = 302;
        res.setHeader('Location', to);
        res.end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ authenticated: true }));
      return;
    }
    const nonce = randomBytes(8).toString('hex');
    nonces.add(nonce);
    const parts = [`realm="${realm.replace(/["\\]/g, '\\$&')}"`, `nonce="${nonce}"`, 'opaque="op-aque"'];
    if (q('qop') !== 'none') parts.push(`qop="${q('qop') ?? 'auth'}"`);
    if (alg !== null) parts.push(`algorithm=${alg}`);
    if (userhash) parts.push('userhash=true');
    res.statusCode = 401;
    if (q('cookie') !== null) res.setHeader('Set-Cookie', `${q('cookie')}; Path=/`);
    res.setHeader('WWW-Authenticate', [`Basic realm="${realm}"`, `Digest ${parts.join(', ')}`]);
    res.end('{"authenticated":false}');
  });
});
afterAll(() => srv.close());
afterEach(async () => {
  authorizations.length = 0;
  cookies.length = 0;
  await vu?.close();
});

const host = (): string => srv.url.slice('http://'.length);

function statuses(ctx: Collector): [string, number][] {
  return ctx.of('http_reqs').map((s) => [String(s.tags.status), ctx.of('http_req_failed').find((f) => f.time === s.time && f.tags === s.tags)?.value ?? -1]);
}

describe("auth: 'digest'", () => {
  it('sends the request, answers the 401 challenge, and counts both as requests (the challenge as expected)', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', `http://bob:pa55@${host()}/digest`, null, { auth: 'digest' }, ctx);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ authenticated: true });
    expect(authorizations[0]).toBeNull();
    expect(authorizations[1]).toMatch(/^Digest username="bob", realm="tests@telltale", nonce="\w+", uri="\/digest", response="[0-9a-f]{32}", opaque="op-aque", qop=auth, nc=00000001, cnonce="[0-9a-f]{16}"$/);
    expect(statuses(ctx)).toEqual([['401', 0], ['200', 0]]);
    const [challenge, final] = ctx.of('http_reqs');
    expect(challenge.tags).toMatchObject({ status: '401', error_code: '1401', expected_response: 'true', url: `http://****:****@${host()}/digest` });
    expect(final.tags.error_code).toBeUndefined();
    expect(ctx.of('data_sent')).toHaveLength(2);
    // res.request shows the first request, which carried no credentials.
    expect(res.request.headers.Authorization).toBeUndefined();
    expect(res.error_code).toBe(0);
  });

  it('returns the second 401 when the password is wrong; that one is not expected', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', `http://bob:wrong@${host()}/digest`, null, { auth: 'digest' }, ctx);
    expect(res.status).toBe(401);
    expect(res.error_code).toBe(1401);
    expect(authorizations).toHaveLength(2);
    expect(statuses(ctx)).toEqual([['401', 0], ['401', 1]]);
  });

  it.each([
    ['MD5', 'auth'], ['MD5-sess', 'auth'], ['SHA-256', 'auth'], ['SHA-256-sess', 'auth'], ['SHA-512-256', 'auth'],
    ['SHA-512-256-sess', 'auth'], ['SHA-512', 'auth'], ['md5', 'none'], ['SHA-256', 'auth-int'], ['MD5', 'auth-int,auth'],
  ])('answers algorithm %s with qop %s', async (alg, qop) => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('POST', `http://bob:pa55@${host()}/digest?alg=${alg}&qop=${encodeURIComponent(qop)}`, 'the body', { auth: 'digest' }, ctx);
    expect(res.status).toBe(200);
    const sent = authorizations[1]!;
    expect(sent).toContain(`algorithm=${alg}`);
    if (qop === 'none') expect(sent).not.toMatch(/, qop=/);
    else expect(sent).toContain(qop === 'auth-int' ? 'qop=auth-int' : 'qop=auth,');
  });

  it('hashes the user name with userhash=true, and answers a realm with quotes', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    expect((await vu.request('GET', `http://bob:pa55@${host()}/digest?alg=SHA-256&userhash=true`, null, { auth: 'digest' }, ctx)).status).toBe(200);
    expect(authorizations[1]).toMatch(/username="[0-9a-f]{64}".*userhash=true/);
    expect((await vu.request('GET', `http://bob:pa55@${host()}/digest?realm=${encodeURIComponent('say "hi"')}`, null, { auth: 'digest' }, ctx)).status).toBe(200);
  });

  it('decodes percent-encoded credentials', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', `http://%62ob:pa%355@${host()}/digest`, null, { auth: 'digest' }, collector());
    expect(res.status).toBe(200);
  });

  it('keeps the cookies the challenge sets and sends them with the answer', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', `http://bob:pa55@${host()}/digest?cookie=session=s1`, null, { auth: 'digest' }, collector());
    expect(res.status).toBe(200);
    expect(cookies).toEqual([null, 'session=s1']);
  });

  it('authenticates a redirect to the same origin at once, with the next nonce count, and nothing elsewhere', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const elsewhere = `${srv.url.replace('127.0.0.1', 'localhost')}/open`;
    const res = await vu.request('GET', `http://bob:pa55@${host()}/digest?to=${encodeURIComponent(`/digest?to=${encodeURIComponent(elsewhere)}`)}`, null, { auth: 'digest' }, ctx);
    expect(res.status).toBe(200);
    expect(res.body).toBe('open');
    expect(authorizations).toHaveLength(4);
    expect(authorizations[1]).toContain('nc=00000001');
    expect(authorizations[2]).toContain('nc=00000002');
    expect(authorizations[3]).toBeNull();
    expect(statuses(ctx)).toEqual([['401', 0], ['302', 0], ['302', 0], ['200', 0]]);
  });

  it('sends the request once when the server does not ask for credentials', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', `http://bob:pa55@${host()}/open`, null, { auth: 'digest' }, ctx);
    expect(res.status).toBe(200);
    // No Basic credentials either: digest auth never sends the password.
    expect(authorizations).toEqual([null]);
    expect(statuses(ctx)).toEqual([['200', 0]]);
  });

  it('emits no http_req_failed when the response callback is null, and follows a custom one for the final response', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    await vu.request('GET', `http://bob:wrong@${host()}/digest`, null, { auth: 'digest', responseCallback: null }, ctx);
    expect(ctx.of('http_reqs')).toHaveLength(2);
    expect(ctx.of('http_req_failed')).toHaveLength(0);
    ctx.clear();
    await vu.request('GET', `http://bob:wrong@${host()}/digest`, null, { auth: 'digest', responseCallback: expectedStatuses(401) }, ctx);
    expect(statuses(ctx)).toEqual([['401', 0], ['401', 0]]);
  });

  it.each([
    ['no Digest challenge', ['Basic realm="x"'], /the 401 response has no Digest challenge/, 'no-challenge'],
    ['a malformed challenge', ['Digest realm="unterminated'], /malformed digest authentication challenge: unterminated/, 'malformed'],
    ['a challenge without nonce', ['Digest realm="x"'], /malformed digest authentication challenge: no nonce/, 'malformed'],
    ['an unsupported algorithm', ['Digest realm="x", nonce="n", algorithm=SHA-1'], /unsupported digest authentication algorithm "SHA-1"/, 'unsupported-algorithm'],
    ['garbage', [',,,="" \u00ff;'], /the 401 response has no Digest challenge/, 'no-challenge'],
  ])('returns the 401 as the response for %s, with a warning', async (_what, values, re, kind) => {
    vu = new VuHttp(defaults());
    const warnings: [string, string][] = [];
    const ctx = collector(undefined, { warn: (m, kind) => warnings.push([m, kind]) });
    const url = `http://bob:pa55@${host()}/raw?${values.map((h) => `h=${encodeURIComponent(h)}`).join('&')}`;
    const res = await vu.request('GET', url, null, { auth: 'digest' }, ctx);
    expect(res.status).toBe(401);
    expect(authorizations).toEqual([null]);
    expect(statuses(ctx)).toEqual([['401', 1]]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0][0].startsWith(`digest authentication for http://****:****@${host()}/raw?`)).toBe(true);
    expect(warnings[0][0]).toMatch(re);
    // The kind leaves out the details, so that the runtime shows each kind of problem once.
    expect(warnings[0][1]).toBe(`digest ${kind}`);
  });
});

describe('params.auth', () => {
  it("keeps 'basic' (and an empty value) as basic authentication", async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    for (const auth of ['basic', '', undefined]) await vu.request('GET', `http://bob:pa55@${host()}/open`, null, { auth }, ctx);
    expect(authorizations).toEqual(Array(3).fill(`Basic ${Buffer.from('bob:pa55').toString('base64')}`));
  });

  it('refuses NTLM and anything else, naming the param, before sending', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    await expect(vu.request('GET', `${srv.url}/open`, null, { auth: 'ntlm' }, ctx)).rejects.toThrow('http: params.auth "ntlm" is not supported: Telltale has no NTLM authentication');
    await expect(vu.request('GET', `${srv.url}/open`, null, { auth: 'Bearer' }, ctx)).rejects.toThrow('http: params.auth "Bearer" is not supported (expected "basic" or "digest")');
    await expect(vu.request('GET', `${srv.url}/open`, null, { auth: 7 } as never, ctx)).rejects.toThrow(/params\.auth number 7 is not supported/);
    expect(authorizations).toEqual([]);
    expect(ctx.samples).toEqual([]);
  });
});
