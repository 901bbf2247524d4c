import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = { vus: 1, iterations: 2 };

export default function () {
  const start = http.get(`${BASE}/cookies`);
  check(start, { 'the VU jar is empty when an iteration starts': (r) => Object.keys(r.json('cookies')).length === 0 });

  const set = http.get(`${BASE}/cookies/set?flavor=choc&size=large`);
  check(set, {
    'cookies set on a redirect are sent to its target': (r) => r.json('cookies.flavor') === 'choc' && r.json('cookies.size') === 'large',
  });

  const jar = http.cookieJar();
  const stored = jar.cookiesForURL(`${BASE}/cookies`);
  check(stored, { 'cookiesForURL() lists the server cookies': (c) => c.flavor[0] === 'choc' && c.size[0] === 'large' });

  jar.set(`${BASE}/cookies`, 'manual', 'yes');
  const withManual = http.get(`${BASE}/cookies`);
  check(withManual, { 'jar.set() cookie is sent': (r) => r.json('cookies.manual') === 'yes' && r.json('cookies.flavor') === 'choc' });

  const override = http.get(`${BASE}/cookies`, {
    cookies: { extra: 'one-off', flavor: { value: 'vanilla', replace: true } },
  });
  check(override, {
    'request cookies are added': (r) => r.json('cookies.extra') === 'one-off',
    'replace: true overrides the jar cookie': (r) => r.json('cookies.flavor') === 'vanilla',
  });

  const after = http.get(`${BASE}/cookies`);
  check(after, {
    'request cookies are not stored in the jar': (r) => r.json('cookies.extra') === undefined && r.json('cookies.flavor') === 'choc',
  });

  const direct = http.get(`${BASE}/cookies/set?token=abc123`, { redirects: 0 });
  check(direct, {
    'res.cookies has the Set-Cookie cookies': (r) => r.cookies.token[0].value === 'abc123',
    'res.cookies entries carry attributes': (r) => r.cookies.token[0].name === 'token' && r.cookies.token[0].path === '/',
  });

  const local = new http.CookieJar();
  local.set(`${BASE}/cookies`, 'isolated', '1');
  const withLocal = http.get(`${BASE}/cookies`, { jar: local });
  check(withLocal, {
    'params.jar replaces the VU jar': (r) => r.json('cookies.isolated') === '1' && r.json('cookies.flavor') === undefined,
  });

  jar.delete(`${BASE}/cookies`, 'manual');
  const deleted = http.get(`${BASE}/cookies`);
  check(deleted, { 'jar.delete() removes one cookie': (r) => r.json('cookies.manual') === undefined && r.json('cookies.token') === 'abc123' });

  jar.clear(`${BASE}/cookies`);
  const cleared = http.get(`${BASE}/cookies`);
  check(cleared, { 'jar.clear() removes them all': (r) => Object.keys(r.json('cookies')).length === 0 });
}
