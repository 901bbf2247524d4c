import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';

const BASE = __ENV.BASE_URL;
const errors = new Counter('custom_errors');

export const options = {
  vus: 1,
  iterations: 3,
  thresholds: {
    http_req_duration: ['max<1', 'max<60000'],
    'http_req_duration{status:200}': ['p(95)<1'],
    http_reqs: ['count==3'],
    checks: ['rate>0.9'],
    custom_errors: ['count<1'],
  },
};

export default function () {
  const res = http.get(`${BASE}/delay/30`);
  check(res, {
    'status is 200': (r) => r.status === 200,
    'impossibly fast': (r) => r.timings.duration < 1,
  });
  errors.add(1);
}
