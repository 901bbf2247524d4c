import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cookiePair, parseCookieDate, parseRequestCookies, parseSetCookie, responseCookies, sentCookies, setCookiesOf,
} from '../../src/load/http/cookies.ts';

const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const token = fc.string({ unit: fc.constantFrom(...TCHAR), minLength: 1, maxLength: 20 });
/** Characters Go accepts in a cookie value (RFC 6265 cookie-octets plus space and comma). */
const VALUE_CHARS = [...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i))].filter((c) => !'";\\'.includes(c));
const cookieValue = fc.string({ unit: fc.constantFrom(...VALUE_CHARS), maxLength: 30 })
  .filter((v) => v.trim() === v && !(v.length > 1 && v.startsWith('"') && v.endsWith('"')));

describe('parseSetCookie', () => {
  it('reads name, value and every attribute Go reads', () => {
    expect(parseSetCookie('sid=abc; Domain=.Example.com; Path=/app; Max-Age=60; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Secure; HttpOnly; SameSite=Lax')).toEqual({
      name: 'sid', value: 'abc', domain: '.Example.com', path: '/app', maxAge: 60,
      expires: Date.UTC(2015, 9, 21, 7, 28, 0), secure: true, httpOnly: true,
    });
  });

  it('defaults every attribute', () => {
    expect(parseSetCookie('a=1')).toEqual({ name: 'a', value: '1', domain: '', path: '', maxAge: 0, expires: null, secure: false, httpOnly: false });
  });

  it('strips the quotes of a quoted value and keeps an empty value', () => {
    expect(parseSetCookie('a="quoted"')?.value).toBe('quoted');
    expect(parseSetCookie('a=')?.value).toBe('');
    expect(parseSetCookie('a=""')?.value).toBe('');
  });

  it('trims around the name and the whole line, attribute names case-insensitively', () => {
    expect(parseSetCookie('  a = 1 ;  pAtH=/x ; SECURE')).toMatchObject({ name: 'a', value: ' 1', path: '/x', secure: true });
  });

  it('maps Max-Age <= 0 to -1 (delete) and ignores values Go cannot read', () => {
    expect(parseSetCookie('a=1; Max-Age=0')?.maxAge).toBe(-1);
    expect(parseSetCookie('a=1; Max-Age=-5')?.maxAge).toBe(-1);
    expect(parseSetCookie('a=1; Max-Age=+7')?.maxAge).toBe(7);
    for (const bad of ['', 'x', '1.5', '007', '99999999999999999999', ' 5']) {
      expect(parseSetCookie(`a=1; Max-Age=${bad}`)?.maxAge, bad).toBe(0);
    }
  });

  it('drops lines Go rejects', () => {
    for (const line of ['', '   ', 'novalue', '=1', 'a b=1', 'a;b=1', 'a=x"y', 'a=\\', 'a=caf\u00e9', 'na\u00efve=1', '; a=1']) {
      expect(parseSetCookie(line), line).toBeNull();
    }
  });

  it('skips attributes with invalid values or non-ASCII names, keeping the cookie', () => {
    const c = parseSetCookie('a=1; Path=/\u00e9; D\u00f6main=x; Domain=ok.example; Path="/q"');
    expect(c).toMatchObject({ name: 'a', domain: 'ok.example', path: '' });
  });

  it('parses Expires in RFC 1123 and dashed forms; anything else is no expiry', () => {
    expect(parseSetCookie('a=1; Expires=Thu, 01-Jan-2070 00:00:01 GMT')?.expires).toBe(Date.UTC(2070, 0, 1, 0, 0, 1));
    expect(parseSetCookie('a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Expires=never')?.expires).toBeNull();
  });

  it('never throws and only returns cookies with a token name and valid value (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (line) => {
      const c = parseSetCookie(line);
      if (c === null) return;
      expect(c.name).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
      expect(c.value).toMatch(/^[\x20\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e,]*$/);
      expect(Number.isInteger(c.maxAge) || c.maxAge === -1).toBe(true);
    }), { numRuns: 2000 });
  });

  it('reads back what a server writes (property)', () => {
    fc.assert(fc.property(token, cookieValue, fc.option(fc.integer({ min: 1, max: 1e6 })), fc.boolean(), (name, value, maxAge, secure) => {
      const line = `${name}=${value}${maxAge === null ? '' : `; Max-Age=${maxAge}`}${secure ? '; Secure' : ''}; Path=/p`;
      expect(parseSetCookie(line)).toMatchObject({ name, value, maxAge: maxAge ?? 0, secure, path: '/p' });
    }));
  });
});

describe('parseCookieDate', () => {
  it('reads RFC 1123 dates as UTC', () => {
    expect(parseCookieDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(parseCookieDate('sun, 06 nov 1994 08:49:37 UTC')).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(parseCookieDate('Sun, 06 Nov 1994 8:49:37 GMT')).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(parseCookieDate('Mon, 01 Jan 0050 00:00:00 GMT')).toBe(new Date('0050-01-01T00:00:00Z').getTime());
  });

  it('rejects what Go rejects', () => {
    for (const s of [
      '', 'Sun, 6 Nov 1994 08:49:37 GMT', 'Sun, 06 Nov 94 08:49:37 GMT', 'Sunday, 06-Nov-94 08:49:37 GMT',
      'Sun Nov  6 08:49:37 1994', 'Xyz, 06 Nov 1994 08:49:37 GMT', 'Sun, 06 Foo 1994 08:49:37 GMT',
      'Sun, 31 Feb 1994 08:49:37 GMT', 'Sun, 29 Feb 1900 08:49:37 GMT', 'Sun, 06 Nov 1994 24:00:00 GMT',
      'Sun, 06 Nov 1994 08:60:00 GMT', 'Sun, 06 Nov 1994 08:49:37', 'Sun, 06 Nov 1994 08:49:37 gmt',
      'Sun, 06 Nov 1994 08:49:37 GMT extra', '1994-11-06T08:49:37Z',
    ]) {
      expect(parseCookieDate(s), s).toBeNull();
    }
    expect(parseCookieDate('Tue, 29 Feb 2000 00:00:00 GMT')).toBe(Date.UTC(2000, 1, 29));
  });

  it('round-trips Date.toUTCString() and never throws (property)', () => {
    fc.assert(fc.property(fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
      const whole = Math.floor(d.getTime() / 1000) * 1000;
      expect(parseCookieDate(new Date(whole).toUTCString())).toBe(whole);
    }));
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => {
      const t = parseCookieDate(s);
      expect(t === null || Number.isFinite(t)).toBe(true);
    }));
  });
});

describe('cookiePair', () => {
  it('writes name=value as Go does: invalid characters dropped, spaces and commas quoted', () => {
    expect(cookiePair('a', 'b')).toBe('a=b');
    expect(cookiePair('a', 'hello world')).toBe('a="hello world"');
    expect(cookiePair('a', '1,2')).toBe('a="1,2"');
    expect(cookiePair('a', '{"k":"v"}')).toBe('a={k:v}');
    expect(cookiePair('a', 'caf\u00e9;x\\y\n')).toBe('a=cafxy');
    expect(cookiePair('a', '')).toBe('a=');
  });

  it('always yields a valid header value whose value part Go reads back (property)', () => {
    fc.assert(fc.property(token, fc.string({ maxLength: 40 }), (name, value) => {
      const pair = cookiePair(name, value);
      expect(pair).toMatch(/^[\x20-\x7e]*$/);
      const back = sentCookies(['Cookie', pair])[name];
      expect(back).toHaveLength(1);
      const kept = [...value].filter((c) => VALUE_CHARS.includes(c)).join('');
      expect(back[0].value).toBe(kept);
    }));
  });
});

describe('sentCookies (res.request.cookies)', () => {
  it('reads every Cookie header as Go does, replace always false', () => {
    expect(sentCookies(['User-Agent', 'x', 'Cookie', 'a=1; b="two"; a=3;;c; bad name=1; d=caf\u00e9', 'Cookie', 'e=5'])).toEqual({
      a: [{ name: 'a', value: '1', replace: false }, { name: 'a', value: '3', replace: false }],
      b: [{ name: 'b', value: 'two', replace: false }],
      c: [{ name: 'c', value: '', replace: false }],
      e: [{ name: 'e', value: '5', replace: false }],
    });
    expect(sentCookies([])).toEqual({});
  });

  it('keeps a cookie named __proto__ as data', () => {
    const out = sentCookies(['Cookie', '__proto__=x']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
  });
});

describe('responseCookies (res.cookies)', () => {
  it('has k6 field names and types, one entry per Set-Cookie line', () => {
    const raw = [
      'Content-Type', 'text/plain',
      'set-cookie', 'a=1; Path=/; HttpOnly',
      'Set-Cookie', 'a=2; Domain=example.com; Max-Age=0; Secure',
      'SET-COOKIE', 'b=3; Expires=Wed, 21 Oct 2015 07:28:00 GMT',
      'Set-Cookie', 'not a cookie',
    ];
    expect(responseCookies(raw)).toEqual({
      a: [
        { name: 'a', value: '1', domain: '', path: '/', http_only: true, secure: false, max_age: 0, expires: 0 },
        { name: 'a', value: '2', domain: 'example.com', path: '', http_only: false, secure: true, max_age: -1, expires: 0 },
      ],
      b: [{ name: 'b', value: '3', domain: '', path: '', http_only: false, secure: false, max_age: 0, expires: Date.UTC(2015, 9, 21, 7, 28) }],
    });
    expect(responseCookies(null)).toEqual({});
    expect(setCookiesOf(raw).map((c) => c.name)).toEqual(['a', 'a', 'b']);
  });
});

describe('parseRequestCookies (params.cookies)', () => {
  it('takes plain values and {value, replace}', () => {
    expect(parseRequestCookies({ a: 'x', b: 2, c: true, d: { value: 'v', replace: true }, e: { value: 1 }, f: {}, g: null, h: undefined })).toEqual([
      { name: 'a', value: 'x', replace: false },
      { name: 'b', value: '2', replace: false },
      { name: 'c', value: 'true', replace: false },
      { name: 'd', value: 'v', replace: true },
      { name: 'e', value: '1', replace: false },
      { name: 'f', value: '', replace: false },
    ]);
  });

  it('refuses what it cannot send, naming the cookie', () => {
    const cases: [unknown, RegExp][] = [
      ['a=1', /params\.cookies must be an object/],
      [['a'], /params\.cookies must be an object/],
      [{ a: [1] }, /params\.cookies\["a"\] must be a string, number, boolean or \{value, replace\}, got an array/],
      [{ a: () => 1 }, /params\.cookies\["a"\] must be .* got a function/],
      [{ a: { value: {} } }, /params\.cookies\["a"\]\.value must be a string, number or boolean/],
      [{ a: { value: 'x', replace: 'yes' } }, /params\.cookies\["a"\]\.replace must be true or false/],
      [{ a: { valeu: 'x' } }, /unknown field "valeu"/],
      [{ '': 'x' }, /cookie name cannot be empty/],
      [{ 'a=b': 'x' }, /invalid cookie name "a=b"/],
      [{ 'a;b': 'x' }, /invalid cookie name/],
      [{ 'a\r\nX-Injected: 1': 'x' }, /invalid cookie name/],
    ];
    for (const [input, re] of cases) expect(() => parseRequestCookies(input), JSON.stringify(input)).toThrow(re);
  });

  it('either accepts an object or throws a TypeError, never anything else (property)', () => {
    fc.assert(fc.property(fc.anything({ maxDepth: 2 }), (input) => {
      try {
        const out = parseRequestCookies(input);
        for (const c of out) {
          expect(typeof c.value).toBe('string');
          expect([...c.name].every((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f && ch !== '=' && ch !== ';')).toBe(true);
        }
      } catch (err) {
        expect(err).toBeInstanceOf(TypeError);
        expect((err as Error).message).toMatch(/^http: /);
      }
    }), { numRuns: 1000 });
  });
});
