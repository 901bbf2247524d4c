import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = {
  vus: 1,
  iterations: 2,
  userAgent: 'compat-suite-default/1.0',
  thresholds: {
    'http_reqs{kind:api}': ['count==4'],
    'http_req_duration{kind:api}': ['max<5000'],
    'http_reqs{error_code:1050}': ['count==2'],
    'http_req_failed{kind:slow}': ['rate==1'],
  },
};

export default function () {
  const plain = http.get(`${BASE}/anything/params`);
  check(plain, { 'userAgent option is the default User-Agent': (r) => r.json('headers.user-agent') === 'compat-suite-default/1.0' });

  const res = http.get(`${BASE}/anything/params`, {
    headers: { 'X-Custom': 'abc', 'User-Agent': 'compat-suite-override', Accept: 'application/json' },
    tags: { kind: 'api' },
  });
  check(res, {
    'custom header sent': (r) => r.json('headers.x-custom') === 'abc',
    'User-Agent header overrides the option': (r) => r.json('headers.user-agent') === 'compat-suite-override',
    'request headers visible on the response': (r) => r.request.headers['X-Custom'][0] === 'abc',
  });

  const posted = http.post(`${BASE}/anything/params`, 'x', { tags: { kind: 'api' }, timeout: '5s' });
  check(posted, { 'a generous timeout does not fire': (r) => r.status === 200 });

  const slow = http.get(`${BASE}/delay/1500`, { timeout: '200ms', tags: { kind: 'slow' } });
  check(slow, {
    'timed out: status 0': (r) => r.status === 0,
    'timed out: error_code 1050': (r) => r.error_code === 1050,
    'timed out: error message set': (r) => typeof r.error === 'string' && r.error.length > 0,
  });
}
