import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;
const JSON_PARAMS = { headers: { 'Content-Type': 'application/json' } };

export const options = {
  vus: 1,
  iterations: 1,
  thresholds: {
    'http_reqs{method:GET}': ['count==1'],
    'http_reqs{method:POST}': ['count==3'],
    'http_reqs{method:PURGE}': ['count==1'],
  },
};

export default function () {
  const url = `${BASE}/anything/verbs`;
  const body = JSON.stringify({ hello: 'world' });

  const get = http.get(`${url}?page=2&sort=name`);
  check(get, {
    'GET echoed': (r) => r.json('method') === 'GET',
    'GET query string': (r) => r.json('args.page') === '2' && r.json('args.sort') === 'name',
  });

  const head = http.head(url);
  check(head, { 'HEAD 200 without a body': (r) => r.status === 200 && (r.body === '' || r.body === null) });

  const post = http.post(url, body, JSON_PARAMS);
  check(post, { 'POST JSON body': (r) => r.json('method') === 'POST' && r.json('json.hello') === 'world' });

  const form = http.post(url, { name: 'k6', tags: 'load' });
  check(form, {
    'POST object is form-encoded': (r) => r.json('headers.content-type') === 'application/x-www-form-urlencoded',
    'form fields arrive': (r) => r.json('form.name') === 'k6' && r.json('form.tags') === 'load',
  });

  const put = http.put(url, body, JSON_PARAMS);
  check(put, { 'PUT echoed': (r) => r.json('method') === 'PUT' && r.json('json.hello') === 'world' });

  const patch = http.patch(url, body, JSON_PARAMS);
  check(patch, { 'PATCH echoed': (r) => r.json('method') === 'PATCH' });

  const del = http.del(url, null, { headers: { 'X-Reason': 'cleanup' } });
  check(del, { 'DELETE echoed with params': (r) => r.json('method') === 'DELETE' && r.json('headers.x-reason') === 'cleanup' });

  const opts = http.options(url);
  check(opts, { 'OPTIONS echoed': (r) => r.json('method') === 'OPTIONS' });

  const purge = http.request('PURGE', url);
  check(purge, { 'request() with any method': (r) => r.json('method') === 'PURGE' });

  const raw = http.request('POST', url, 'plain text body', { headers: { 'Content-Type': 'text/plain' } });
  check(raw, { 'request() POST with a string body': (r) => r.json('data') === 'plain text body' });
}
