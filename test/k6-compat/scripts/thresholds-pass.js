import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = {
  vus: 1,
  iterations: 3,
  thresholds: {
    http_req_duration: ['p(95)<2000', 'avg<2000', 'med<2000', 'p(99.9)<3000'],
    'http_req_duration{status:200}': ['max<2000'],
    'http_req_duration{status:404}': ['max<2000'],
    'http_req_duration{expected_response:true}': ['p(90)<2000'],
    http_req_failed: ['rate<0.5'],
    'http_req_failed{status:404}': ['rate==1'],
    http_reqs: ['count==9', 'rate>0'],
    checks: ['rate==1'],
    iteration_duration: ['p(99)<5000'],
    'iterations{scenario:default}': ['count==3'],
  },
};

export default function () {
  const list = http.get(`${BASE}/api/items`);
  const item = http.get(`${BASE}/api/items/1`);
  const missing = http.get(`${BASE}/api/items/42`);
  check(null, { 'statuses as expected': () => list.status === 200 && item.status === 200 && missing.status === 404 });
}
