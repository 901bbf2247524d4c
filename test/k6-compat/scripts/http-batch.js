import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = {
  vus: 1,
  iterations: 2,
  thresholds: {
    'http_reqs{batch:array}': ['count==2'],
    http_req_failed: ['rate<0.2'],
  },
};

export default function () {
  const list = http.batch([
    ['GET', `${BASE}/api/items/1`],
    ['GET', `${BASE}/api/items/2`, null, { tags: { batch: 'array' } }],
    `${BASE}/api/items/3`,
    { method: 'POST', url: `${BASE}/anything/batch`, body: 'payload', params: { headers: { 'X-Batch': 'yes' } } },
  ]);
  check(list, {
    'array form returns an array': (r) => Array.isArray(r) && r.length === 4,
    'responses in request order': (r) => r[0].json('id') === 1 && r[1].json('id') === 2 && r[2].json('id') === 3,
    'object request inside the array': (r) => r[3].json('method') === 'POST' && r[3].json('headers.x-batch') === 'yes',
  });

  const named = http.batch({
    first: `${BASE}/api/items/1`,
    second: { method: 'GET', url: `${BASE}/api/items/2` },
    missing: ['GET', `${BASE}/api/items/99`],
  });
  check(named, {
    'object form keyed by name': (r) => r.first.json('name') === 'alpha' && r.second.json('name') === 'beta',
    'a 404 inside a batch': (r) => r.missing.status === 404,
  });
}
