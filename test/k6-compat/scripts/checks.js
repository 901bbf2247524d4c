import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = {
  vus: 1,
  iterations: 3,
  thresholds: {
    checks: ['rate>0.7'],
    'checks{kind:negative}': ['rate==0'],
    'checks{check:status is 200}': ['rate==1'],
  },
};

export default function () {
  const res = http.get(`${BASE}/api/items`);
  const allPassed = check(res, {
    'status is 200': (r) => r.status === 200,
    'has three items': (r) => r.json().items.length === 3,
    'is not 404': (r) => r.status !== 404,
  });
  check(allPassed, { 'check() returned true': (v) => v === true });

  const someFailed = check(res, { 'deliberately false': (r) => r.status === 201 }, { kind: 'negative' });
  check(someFailed, { 'check() returned false': (v) => v === false });

  check(null, { 'plain true value': true, 'plain false value': 0 });
}
