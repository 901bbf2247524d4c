import http from 'k6/http';

const BASE = __ENV.BASE_URL;

export const options = {
  scenarios: {
    constant: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1s', preAllocatedVUs: 5, maxVUs: 5, exec: 'quick' },
    ramping: {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnit: '1s',
      preAllocatedVUs: 5,
      maxVUs: 5,
      stages: [{ target: 20, duration: '1s' }],
      exec: 'quick',
    },
    starved: { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '1s', preAllocatedVUs: 1, maxVUs: 1, exec: 'slow' },
  },
  thresholds: {
    'iterations{scenario:constant}': ['count==20'],
    'iterations{scenario:ramping}': ['count>=9', 'count<=11'],
    'iterations{scenario:starved}': ['count>=2', 'count<=4'],
    'dropped_iterations{scenario:starved}': ['count>=6', 'count<=8'],
  },
};

export function quick() {
  http.get(`${BASE}/api/items`);
}

export function slow() {
  http.get(`${BASE}/delay/350`);
}
