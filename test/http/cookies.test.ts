import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type http from 'node:http';
import { CookieJar, VuHttp } from '../../src/load/http/index.ts';
import { collector, defaults, httpServer, httpsServer, type Started } from './helpers.ts';

let srv: Started<http.Server>;
let tls: Started<import('node:https').Server>;
let vu: VuHttp;
/** Cookie headers the servers received, in order. */
const seen: (string | null)[] = [];

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const u = new URL(req.url!, 'http://x');
  seen.push(req.headers.cookie ?? null);
  const set = u.searchParams.getAll('set');
  if (set.length > 0) res.setHeader('Set-Cookie', set);
  const to = u.searchParams.get('to');
  if (to !== null) {
    res.statusCode = 302;
    res.setHeader('Location', to);
    res.end();
    return;
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ cookie: req.headers.cookie ?? null }));
}

beforeAll(async () => {
  srv = await httpServer(handler);
  tls = await httpsServer(handler);
});
afterAll(async () => {
  await srv.close();
  await tls.close();
});
afterEach(async () => {
  seen.length = 0;
  await vu?.close();
});

const sentCookie = (res: { json(): unknown }): string | null => (res.json() as { cookie: string | null }).cookie;

describe('the VU jar', () => {
  it('sends no Cookie header while there are no cookies', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', `${srv.url}/`, null, undefined, collector());
    expect(sentCookie(res)).toBeNull();
    expect(res.request.headers.Cookie).toBeUndefined();
    expect(res.cookies).toEqual({});
    expect(res.request.cookies).toEqual({});
  });

  it('keeps Set-Cookie cookies and sends them on later requests', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const first = await vu.request('GET', `${srv.url}/?set=a=1; Path=/&set=b=two words; Max-Age=100; HttpOnly`, null, undefined, ctx);
    expect(first.cookies).toEqual({
      a: [{ name: 'a', value: '1', domain: '', path: '/', http_only: false, secure: false, max_age: 0, expires: 0 }],
      b: [{ name: 'b', value: 'two words', domain: '', path: '', http_only: true, secure: false, max_age: 100, expires: 0 }],
    });
    const second = await vu.request('GET', `${srv.url}/x`, null, undefined, ctx);
    expect(sentCookie(second)).toBe('a=1; b="two words"');
    expect(second.request.headers.Cookie).toEqual(['a=1; b="two words"']);
    expect(second.request.cookies).toEqual({
      a: [{ name: 'a', value: '1', replace: false }],
      b: [{ name: 'b', value: 'two words', replace: false }],
    });
    expect(vu.cookieJar.cookiesForURL(`${srv.url}/`)).toEqual({ a: ['1'], b: ['two words'] });
  });

  it('stores the cookies of redirect responses and sends the jar to each redirect target', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', `${srv.url}/start?set=hop1=1; Path=/&to=${encodeURIComponent('/second?set=hop2=2; Path=/&to=/end')}`, null, undefined, ctx);
    expect(sentCookie(res)).toBe('hop1=1; hop2=2');
    expect(seen).toEqual([null, 'hop1=1', 'hop1=1; hop2=2']);
    expect(ctx.of('http_reqs')).toHaveLength(3);
    // res.cookies is the final response's; res.request the first hop's.
    expect(res.cookies).toEqual({});
    expect(res.request.cookies).toEqual({});
  });

  it('follows host-only rules across hosts on a redirect', async () => {
    vu = new VuHttp(defaults());
    const other = srv.url.replace('127.0.0.1', 'localhost');
    const res = await vu.request('GET', `${srv.url}/?set=ip=1; Path=/&to=${encodeURIComponent(`${other}/?set=named=2; Path=/`)}`, null, undefined, collector());
    expect(sentCookie(res)).toBeNull();
    expect(vu.cookieJar.cookiesForURL(`${srv.url}/`)).toEqual({ ip: ['1'] });
    expect(vu.cookieJar.cookiesForURL(`${other}/`)).toEqual({ named: ['2'] });
  });

  it('keeps a script Cookie header on the first hop, merged with the jar, and drops it on redirects as k6 does', async () => {
    vu = new VuHttp(defaults());
    vu.cookieJar.set(`${srv.url}/`, 'jar', 'j');
    const res = await vu.request('GET', `${srv.url}/?to=/end`, null, { headers: { cookie: 'mine=m' } }, collector());
    expect(seen).toEqual(['mine=m; jar=j', 'jar=j']);
    expect(sentCookie(res)).toBe('jar=j');
    expect(res.request.cookies).toEqual({ mine: [{ name: 'mine', value: 'm', replace: false }], jar: [{ name: 'jar', value: 'j', replace: false }] });
  });

  it('removes a cookie a response deletes, and forgets everything on resetCookies()', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    await vu.request('GET', `${srv.url}/?set=a=1; Path=/&set=b=2; Path=/`, null, undefined, ctx);
    await vu.request('GET', `${srv.url}/?set=a=; Path=/; Max-Age=0`, null, undefined, ctx);
    expect(vu.cookieJar.cookiesForURL(`${srv.url}/`)).toEqual({ b: ['2'] });
    vu.resetCookies();
    const res = await vu.request('GET', `${srv.url}/`, null, undefined, ctx);
    expect(sentCookie(res)).toBeNull();
  });

  it('sends Secure cookies over https only', async () => {
    vu = new VuHttp(defaults({ insecureSkipTLSVerify: true }));
    const ctx = collector();
    await vu.request('GET', `${tls.url}/?set=s=1; Secure; Path=/&set=p=2; Path=/`, null, undefined, ctx);
    expect(sentCookie(await vu.request('GET', `${tls.url}/`, null, undefined, ctx))).toBe('s=1; p=2');
    const plain = srv.url;
    // Same host (127.0.0.1), another port and plain http: cookies ignore ports, Secure ones stay on https.
    expect(sentCookie(await vu.request('GET', `${plain}/`, null, undefined, ctx))).toBe('p=2');
  });
});

describe('params.cookies and params.jar', () => {
  it('adds request cookies before the jar cookies, on every hop, without storing them', async () => {
    vu = new VuHttp(defaults());
    vu.cookieJar.set(`${srv.url}/`, 'flavor', 'choc');
    const ctx = collector();
    const res = await vu.request('GET', `${srv.url}/?to=/end`, null, { cookies: { extra: 'one off', flavor: 'mint' } }, ctx);
    expect(seen).toEqual(['extra="one off"; flavor=mint; flavor=choc', 'extra="one off"; flavor=mint; flavor=choc']);
    expect(res.request.cookies).toEqual({
      extra: [{ name: 'extra', value: 'one off', replace: false }],
      flavor: [{ name: 'flavor', value: 'mint', replace: false }, { name: 'flavor', value: 'choc', replace: false }],
    });
    expect(vu.cookieJar.cookiesForURL(`${srv.url}/`)).toEqual({ flavor: ['choc'] });
  });

  it('replace: true sends the request cookie instead of the jar one', async () => {
    vu = new VuHttp(defaults());
    vu.cookieJar.set(`${srv.url}/`, 'flavor', 'choc');
    vu.cookieJar.set(`${srv.url}/`, 'size', 'large');
    const res = await vu.request('GET', `${srv.url}/`, null, { cookies: { flavor: { value: 'vanilla', replace: true } } }, collector());
    expect(sentCookie(res)).toBe('flavor=vanilla; size=large');
  });

  it('sends request cookies even when the jar is empty', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', `${srv.url}/`, null, { cookies: { n: 1, b: { value: true } } }, collector());
    expect(sentCookie(res)).toBe('n=1; b=true');
  });

  it('uses params.jar instead of the VU jar, for sending and for storing', async () => {
    vu = new VuHttp(defaults());
    vu.cookieJar.set(`${srv.url}/`, 'vu', '1');
    const local = new CookieJar();
    local.set(`${srv.url}/`, 'local', '1');
    const ctx = collector();
    const res = await vu.request('GET', `${srv.url}/?set=fromserver=1; Path=/`, null, { jar: local }, ctx);
    expect(sentCookie(res)).toBe('local=1');
    expect(local.cookiesForURL(`${srv.url}/`)).toEqual({ local: ['1'], fromserver: ['1'] });
    expect(vu.cookieJar.cookiesForURL(`${srv.url}/`)).toEqual({ vu: ['1'] });
    expect(sentCookie(await vu.request('GET', `${srv.url}/`, null, { jar: null }, ctx))).toBe('vu=1');
  });

  it('rejects bad params.cookies and params.jar with a TypeError before sending', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    await expect(vu.request('GET', `${srv.url}/`, null, { cookies: 'a=1' } as never, ctx)).rejects.toThrow(/params\.cookies must be an object/);
    await expect(vu.request('GET', `${srv.url}/`, null, { cookies: { 'a;b': '1' } }, ctx)).rejects.toThrow(/invalid cookie name/);
    await expect(vu.request('GET', `${srv.url}/`, null, { jar: {} as CookieJar }, ctx)).rejects.toThrow(/params\.jar must be a cookie jar/);
    expect(seen).toEqual([]);
    expect(ctx.samples).toEqual([]);
  });
});
