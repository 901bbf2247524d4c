import http from 'k6/http';
import { check, group } from 'k6';
import { Counter, Trend } from 'k6/metrics';

const BASE = __ENV.BASE_URL;
const pages = new Counter('pages_viewed');
const payload = new Trend('payload_bytes');

export const options = {
  vus: 1,
  iterations: 3,
  thresholds: {
    http_req_duration: ['p(95)<5000'],
    'http_reqs{page:item}': ['count==3'],
  },
};

export default function () {
  group('browse', function () {
    const list = http.get(`${BASE}/api/items`, { tags: { page: 'list' } });
    const item = http.get(`${BASE}/api/items/2`, { tags: { page: 'item' } });
    check(item, { 'item is beta': (r) => r.json('name') === 'beta' });
    pages.add(2, { section: 'catalog' });
    payload.add(list.body.length);
  });
}
