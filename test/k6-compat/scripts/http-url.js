import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = {
  vus: 1,
  iterations: 1,
  thresholds: {
    'http_reqs{name:"${}/api/items/${}"}': ['count==3'],
    'http_reqs{name:ItemsList}': ['count==2'],
    'http_reqs{name:explicit}': ['count==1'],
  },
};

export default function () {
  for (const id of [1, 2, 3]) {
    const res = http.get(http.url`${BASE}/api/items/${id}`);
    check(res, { 'templated URL resolves': (r) => r.status === 200 && r.json('id') === id && r.url === `${BASE}/api/items/${id}` });
  }
  for (let i = 0; i < 2; i++) {
    http.get(`${BASE}/api/items?page=${i}`, { tags: { name: 'ItemsList' } });
  }
  const tagged = http.get(http.url`${BASE}/api/items/${1}`, { tags: { name: 'explicit' } });
  check(tagged, { 'a name tag in params wins': (r) => r.status === 200 });
}
