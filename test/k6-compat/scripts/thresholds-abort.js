import http from 'k6/http';
import { sleep } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = {
  scenarios: {
    long: { executor: 'constant-vus', vus: 1, duration: '30s' },
  },
  thresholds: {
    http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: '200ms' }],
    http_reqs: ['count>0'],
  },
};

export default function () {
  http.get(`${BASE}/status/500`);
  sleep(0.05);
}
