import http from 'k6/http';
import { sleep } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = {
  scenarios: {
    steady: { executor: 'constant-vus', vus: 2, duration: '1500ms', exec: 'steady' },
    ramp: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '750ms', target: 2 },
        { duration: '750ms', target: 0 },
      ],
      gracefulRampDown: '0s',
      exec: 'ramp',
    },
  },
  thresholds: {
    'iterations{scenario:steady}': ['count>=10', 'count<=30'],
    'iterations{scenario:ramp}': ['count>=2', 'count<=16'],
    vus_max: ['value==4'],
  },
};

export function steady() {
  http.get(`${BASE}/api/items`);
  sleep(0.1);
}

export function ramp() {
  http.get(`${BASE}/api/items/1`);
  sleep(0.1);
}
