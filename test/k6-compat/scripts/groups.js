import http from 'k6/http';
import { check, group } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = {
  vus: 1,
  iterations: 2,
  thresholds: {
    'http_reqs{group:::catalog}': ['count==2'],
    'http_reqs{group:::catalog::details}': ['count==4'],
    'http_req_duration{group:::checkout}': ['max<5000'],
    'group_duration{group:::catalog::details}': ['max<5000'],
  },
};

export default function () {
  group('catalog', function () {
    const list = http.get(`${BASE}/api/items`);
    check(list, { 'list ok': (r) => r.status === 200 });

    group('details', function () {
      for (const id of [1, 2]) {
        const item = http.get(`${BASE}/api/items/${id}`);
        check(item, { 'item ok': (r) => r.json('id') === id });
      }
    });

    check(list, { 'back in catalog': (r) => r.status === 200 });
  });

  const total = group('compute', function () {
    return 40 + 2;
  });
  check(total, { 'group returns the value of its function': (v) => v === 42 });

  group('checkout', () => {
    const res = http.post(`${BASE}/anything/order`, JSON.stringify({ id: 1 }), {
      headers: { 'Content-Type': 'application/json' },
    });
    check(res, { 'order echoed': (r) => r.json('json.id') === 1 });
  });
}
