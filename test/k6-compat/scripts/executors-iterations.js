import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';

const BASE = __ENV.BASE_URL;

export const options = {
  scenarios: {
    shared: { executor: 'shared-iterations', vus: 3, iterations: 7, maxDuration: '10s' },
    perVu: { executor: 'per-vu-iterations', vus: 2, iterations: 3, startTime: '200ms', exec: 'perVu' },
  },
  thresholds: {
    'iterations{scenario:shared}': ['count==7'],
    'iterations{scenario:perVu}': ['count==6'],
    'http_reqs{scenario:perVu}': ['count==6'],
  },
};

export default function () {
  const res = http.get(`${BASE}/api/items/1`);
  check(res, { 'shared-iterations request': (r) => r.status === 200 && exec.scenario.executor === 'shared-iterations' });
}

export function perVu() {
  const res = http.get(`${BASE}/api/items/2`);
  check(res, { 'per-vu-iterations request': (r) => r.status === 200 && exec.scenario.executor === 'per-vu-iterations' && __ITER < 3 });
}
