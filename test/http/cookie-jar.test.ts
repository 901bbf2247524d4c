import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CookieJar, CookieStore, cookieHeader, CookieHeaders } from '../../src/load/http/cookie-jar.ts';
import { parseSetCookie, type SetCookie } from '../../src/load/http/cookies.ts';

const T0 = Date.UTC(2030, 0, 1);

/** A store on a clock the test moves. */
function clocked(): { store: CookieStore; jar: CookieJar; advance(ms: number): void } {
  let now = T0;
  const store = new CookieStore(() => now);
  return { store, jar: new CookieJar(store), advance: (ms) => { now += ms; } };
}

function set(store: CookieStore, url: string, ...lines: string[]): void {
  store.setCookies(new URL(url), lines.map((l) => parseSetCookie(l)).filter((c): c is SetCookie => c !== null));
}

function names(store: CookieStore, url: string): string {
  return store.matching(new URL(url)).map((c) => `${c.name}=${c.value}`).join('; ');
}

describe('CookieStore: domains', () => {
  it('keeps a cookie without Domain for its exact host only', () => {
    const { store } = clocked();
    set(store, 'http://www.example.com/', 'a=1');
    expect(names(store, 'http://www.example.com/')).toBe('a=1');
    expect(names(store, 'http://WWW.Example.COM.:8080/')).toBe('a=1');
    expect(names(store, 'http://sub.www.example.com/')).toBe('');
    expect(names(store, 'http://example.com/')).toBe('');
  });

  it('sends a Domain cookie to the domain and its subdomains', () => {
    const { store } = clocked();
    set(store, 'http://www.example.com/', 'a=1; Domain=.EXAMPLE.com', 'b=2; Domain=www.example.com');
    expect(names(store, 'http://example.com/')).toBe('a=1');
    expect(names(store, 'http://x.y.example.com/')).toBe('a=1');
    expect(names(store, 'http://www.example.com/')).toBe('a=1; b=2');
    expect(names(store, 'http://a.www.example.com/')).toBe('a=1; b=2');
    expect(names(store, 'http://notexample.com/')).toBe('');
    expect(names(store, 'http://example.org/')).toBe('');
  });

  it('refuses a Domain the host does not domain-match, or a malformed one', () => {
    const { store } = clocked();
    set(store, 'http://www.example.com/', 'a=1; Domain=other.com', 'b=1; Domain=ww.example.com', 'c=1; Domain=..example.com',
      'd=1; Domain=example.com.', 'e=1; Domain=.', 'f=1; Domain=sub.www.example.com');
    expect(store.size).toBe(0);
  });

  it('treats a single-label Domain as a public suffix: host-only for that host, refused elsewhere', () => {
    const { store } = clocked();
    set(store, 'http://a.com/', 'x=1; Domain=com');
    set(store, 'http://localhost:3000/', 'y=1; Domain=localhost');
    expect(store.size).toBe(1);
    expect(names(store, 'http://localhost/')).toBe('y=1');
    expect(names(store, 'http://app.localhost/')).toBe('');
  });

  it('takes IP hosts literally: no domain cookies, Domain must be the address itself', () => {
    const { store } = clocked();
    set(store, 'http://127.0.0.1:1234/', 'a=1', 'b=2; Domain=127.0.0.1', 'c=3; Domain=.127.0.0.1', 'd=4; Domain=0.0.1');
    expect(names(store, 'http://127.0.0.1:9/')).toBe('a=1; b=2');
    set(store, 'http://[::1]:8080/', 'v6=1');
    expect(names(store, 'http://[::1]/')).toBe('v6=1');
    expect(names(store, 'http://127.0.0.2/')).toBe('');
  });
});

describe('CookieStore: paths, Secure, order, replacement', () => {
  it('defaults the path to the request directory and path-matches on segment boundaries', () => {
    const { store } = clocked();
    set(store, 'http://h.test/docs/guide/page?x=1', 'dir=1', 'root=1; Path=/', 'docs=1; Path=/docs', 'slash=1; Path=/docs/', 'rel=1; Path=relative');
    expect(names(store, 'http://h.test/')).toBe('root=1');
    expect(names(store, 'http://h.test/docs')).toBe('docs=1; root=1');
    expect(names(store, 'http://h.test/docsx')).toBe('root=1');
    expect(names(store, 'http://h.test/docs/')).toBe('slash=1; docs=1; root=1');
    // Longest path first; equal paths oldest first.
    expect(names(store, 'http://h.test/docs/guide/other')).toBe('dir=1; rel=1; slash=1; docs=1; root=1');
  });

  it('sends Secure cookies over https only', () => {
    const { store } = clocked();
    set(store, 'https://h.test/', 's=1; Secure', 'p=2');
    expect(names(store, 'https://h.test/')).toBe('s=1; p=2');
    expect(names(store, 'http://h.test/')).toBe('p=2');
  });

  it('replaces a cookie of the same name, domain and path, keeping its place', () => {
    const { store } = clocked();
    set(store, 'http://h.test/', 'a=1', 'b=2', 'a=3');
    expect(names(store, 'http://h.test/')).toBe('a=3; b=2');
    set(store, 'http://h.test/', 'a=4; Path=/x');
    expect(names(store, 'http://h.test/x')).toBe('a=4; a=3; b=2');
    expect(store.size).toBe(3);
  });

  it('ignores URLs other than http and https', () => {
    const { store } = clocked();
    set(store, 'ftp://h.test/', 'a=1');
    expect(store.size).toBe(0);
    expect(store.store(new URL('ws://h.test/'), parseSetCookie('a=1')!)).toMatch(/http and https/);
    expect(store.matching(new URL('file:///x'))).toEqual([]);
  });
});

describe('CookieStore: expiry', () => {
  it('expires by Max-Age, which wins over Expires', () => {
    const { store, advance } = clocked();
    set(store, 'http://h.test/', 'a=1; Max-Age=10; Expires=Fri, 01 Jan 2100 00:00:00 GMT', 'session=1');
    advance(9_999);
    expect(names(store, 'http://h.test/')).toBe('a=1; session=1');
    advance(1);
    expect(names(store, 'http://h.test/')).toBe('session=1');
    expect(store.size).toBe(1);
  });

  it('expires by Expires; a date in the past or Max-Age <= 0 deletes', () => {
    const { store, advance } = clocked();
    set(store, 'http://h.test/', 'a=1; Expires=Tue, 01 Jan 2030 00:01:00 GMT', 'b=2', 'c=3');
    expect(names(store, 'http://h.test/')).toBe('a=1; b=2; c=3');
    set(store, 'http://h.test/', 'b=x; Max-Age=0', 'c=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'd=4; Max-Age=-1');
    expect(names(store, 'http://h.test/')).toBe('a=1');
    advance(60_000);
    expect(names(store, 'http://h.test/')).toBe('');
  });

  it('only deletes the cookie with the same domain and path', () => {
    const { store } = clocked();
    set(store, 'http://h.test/p/x', 'a=1; Path=/p', 'a=2; Path=/');
    set(store, 'http://h.test/', 'a=; Max-Age=0');
    expect(names(store, 'http://h.test/p')).toBe('a=1');
  });
});

describe('cookieHeader', () => {
  it('puts request cookies first, and replace drops the jar cookie of that name', () => {
    const { store } = clocked();
    set(store, 'http://h.test/', 'a=jar', 'b=jar');
    const url = new URL('http://h.test/');
    expect(cookieHeader(store, url, null)).toBe('a=jar; b=jar');
    expect(cookieHeader(store, url, [{ name: 'a', value: 'own', replace: false }])).toBe('a=own; a=jar; b=jar');
    expect(cookieHeader(store, url, [{ name: 'a', value: 'own one', replace: true }])).toBe('a="own one"; b=jar');
    expect(cookieHeader(new CookieStore(), url, [])).toBe('');
  });

  it('CookieHeaders hands out the same list while the value stays the same, and merges a script Cookie header', () => {
    const h = new CookieHeaders();
    const base = ['User-Agent', 'x'];
    const one = h.with(base, 'a=1');
    expect(one).toEqual(['User-Agent', 'x', 'Cookie', 'a=1']);
    expect(h.with(base, 'a=1')).toBe(one);
    expect(h.with(base, 'a=2')).toEqual(['User-Agent', 'x', 'Cookie', 'a=2']);
    expect(base).toEqual(['User-Agent', 'x']);
    expect(h.with(['Cookie', 'mine=1'], 'a=1')).toEqual(['Cookie', 'mine=1; a=1']);
  });
});

describe('CookieJar (the script API)', () => {
  it('set / cookiesForURL / delete / clear', () => {
    const { jar } = clocked();
    expect(jar.set('http://h.test/a/b', 'x', 'one')).toBe(true);
    jar.set('http://h.test/a/b', 'x', 2, { path: '/' });
    jar.set('http://h.test/', 'y', true);
    jar.set('https://h.test/', 'sec', 's', { secure: true, http_only: true, domain: 'h.test' });
    expect(jar.cookiesForURL('http://h.test/a/b')).toEqual({ x: ['one', '2'], y: ['true'] });
    expect(jar.cookiesForURL('https://sub.h.test/')).toEqual({ sec: ['s'] });
    jar.delete('http://h.test/a/b', 'x');
    expect(jar.cookiesForURL('http://h.test/a/b')).toEqual({ y: ['true'] });
    jar.clear('http://h.test/');
    expect(jar.cookiesForURL('http://h.test/')).toEqual({});
    // Secure cookies are out of reach of an http URL, as they are for requests.
    expect(jar.cookiesForURL('https://h.test/')).toEqual({ sec: ['s'] });
    jar.clear('https://h.test/');
    expect(jar.cookiesForURL('https://h.test/')).toEqual({});
  });

  it('honours expires and max_age options on the injected clock', () => {
    const { jar, advance } = clocked();
    jar.set('http://h.test/', 'short', '1', { max_age: 5 });
    jar.set('http://h.test/', 'dated', '1', { expires: 'Tue, 01 Jan 2030 00:00:10 GMT' });
    jar.set('http://h.test/', 'date', '1', { expires: new Date(T0 + 20_000) });
    jar.set('http://h.test/', 'gone', '1', { max_age: -1 });
    expect(Object.keys(jar.cookiesForURL('http://h.test/'))).toEqual(['short', 'dated', 'date']);
    advance(5_000);
    expect(Object.keys(jar.cookiesForURL('http://h.test/'))).toEqual(['dated', 'date']);
    advance(5_000);
    expect(Object.keys(jar.cookiesForURL('http://h.test/'))).toEqual(['date']);
    jar.set('http://h.test/', 'date', '', { expires: 'Mon, 01 Jan 2029 00:00:00 GMT' });
    expect(jar.cookiesForURL('http://h.test/')).toEqual({});
  });

  it('reports bad arguments clearly', () => {
    const jar = new CookieJar();
    const cases: [() => unknown, RegExp][] = [
      [() => jar.set('not a url', 'a', 'b'), /CookieJar\.set: invalid URL "not a url"/],
      [() => jar.set('ftp://h.test/', 'a', 'b'), /http and https URLs/],
      [() => jar.set(42, 'a', 'b'), /URL must be a string, got number 42/],
      [() => jar.set('http://h.test/', 1, 'b'), /cookie name must be a string/],
      [() => jar.set('http://h.test/', '', 'b'), /cookie name cannot be empty/],
      [() => jar.set('http://h.test/', 'a=b', 'c'), /invalid cookie name/],
      [() => jar.set('http://h.test/', 'a', undefined), /value of cookie "a" must be a string, number or boolean, got undefined/],
      [() => jar.set('http://h.test/', 'a', {}), /got an object/],
      [() => jar.set('http://h.test/', 'a', 'b', 'x'), /options must be an object/],
      [() => jar.set('http://h.test/', 'a', 'b', { httpOnly: true }), /unknown option "httpOnly" \(did you mean http_only\?\)/],
      [() => jar.set('http://h.test/', 'a', 'b', { maxAge: 1 }), /did you mean max_age/],
      [() => jar.set('http://h.test/', 'a', 'b', { sameSite: 'Lax' }), /unknown option "sameSite"/],
      [() => jar.set('http://h.test/', 'a', 'b', { domain: 5 }), /domain must be a string/],
      [() => jar.set('http://h.test/', 'a', 'b', { domain: 'other.test' }), /does not match the URL host "h.test"/],
      [() => jar.set('http://h.test/', 'a', 'b', { domain: '..h.test' }), /is malformed/],
      [() => jar.set('http://h.test/', 'a', 'b', { path: 'x' }), /path must start with "\/"/],
      [() => jar.set('http://h.test/', 'a', 'b', { expires: 'tomorrow' }), /unable to parse "expires" date string "tomorrow"/],
      [() => jar.set('http://h.test/', 'a', 'b', { expires: 123 }), /expires must be a date string or a Date/],
      [() => jar.set('http://h.test/', 'a', 'b', { expires: new Date(NaN) }), /invalid Date/],
      [() => jar.set('http://h.test/', 'a', 'b', { max_age: '10' }), /max_age must be a number/],
      [() => jar.set('http://h.test/', 'a', 'b', { max_age: Infinity }), /max_age must be a number/],
      [() => jar.set('http://h.test/', 'a', 'b', { secure: 'yes' }), /secure must be true or false/],
      [() => jar.set('http://h.test/', 'a', 'b', { http_only: 1 }), /http_only must be true or false/],
      [() => jar.delete('http://h.test/', ''), /non-empty string/],
      [() => jar.cookiesForURL(undefined), /URL must be a string, got undefined/],
      [() => jar.clear('::'), /invalid URL/],
    ];
    for (const [call, re] of cases) expect(call, re.source).toThrow(re);
    expect(jar.cookiesForURL('http://h.test/')).toEqual({});
  });

  it('accepts option names in any case, null options, and http.url values as URLs', () => {
    const jar = new CookieJar();
    jar.set({ url: 'http://h.test/x', name: 'http://h.test/${}' }, 'a', 'b', { PATH: '/x', Secure: false, domain: null });
    jar.set('http://h.test/', 'c', 'd', null);
    expect(jar.cookiesForURL('http://h.test/x')).toEqual({ a: ['b'], c: ['d'] });
  });

  it('keeps cookies named like Object.prototype members as data', () => {
    const jar = new CookieJar();
    jar.set('http://h.test/', '__proto__', '1');
    jar.set('http://h.test/', 'constructor', '2');
    const got = jar.cookiesForURL('http://h.test/');
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(Object.keys(got)).toEqual(['__proto__', 'constructor']);
  });

  it('JSON.stringify shows nothing of the jar, as k6 hides it from setup() data', () => {
    const jar = new CookieJar();
    jar.set('http://h.test/', 'a', 'b');
    expect(JSON.stringify({ jar })).toBe('{"jar":{}}');
  });

  it('set either stores or throws an Error naming CookieJar.set, whatever the arguments (property)', () => {
    const opt = fc.record({
      domain: fc.oneof(fc.constant('h.test'), fc.constant('.h.test'), fc.string({ maxLength: 12 }), fc.integer()),
      path: fc.oneof(fc.constant('/'), fc.string({ maxLength: 12 })),
      expires: fc.oneof(fc.constant('Fri, 01 Jan 2100 00:00:00 GMT'), fc.string({ maxLength: 30 }), fc.date()),
      max_age: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 3 })),
      secure: fc.oneof(fc.boolean(), fc.integer()),
      http_only: fc.oneof(fc.boolean(), fc.string({ maxLength: 3 })),
    }, { requiredKeys: [] });
    fc.assert(fc.property(
      fc.oneof(fc.constant('http://h.test/p'), fc.constant('https://sub.h.test/'), fc.string({ maxLength: 30 }), fc.anything()),
      fc.oneof(fc.string({ maxLength: 10 }), fc.anything()),
      fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.anything()),
      fc.oneof(opt, fc.anything()),
      (url, name, value, options) => {
        const jar = new CookieJar();
        try {
          jar.set(url, name, value, options);
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
          expect((err as Error).message).toMatch(/^CookieJar\.set/);
          return;
        }
        // Whatever was stored can be read back without throwing.
        jar.cookiesForURL('https://sub.h.test/p');
      },
    ), { numRuns: 1000 });
  });
});
