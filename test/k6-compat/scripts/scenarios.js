import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';

const BASE = __ENV.BASE_URL;

export const options = {
  tags: { suite: 'compat' },
  scenarios: {
    browse: {
      executor: 'per-vu-iterations',
      vus: 1,
      iterations: 2,
      exec: 'browse',
      env: { SECTION: 'catalog' },
      tags: { flow: 'browse' },
    },
    buy: {
      executor: 'shared-iterations',
      vus: 1,
      iterations: 3,
      exec: 'buy',
      startTime: '300ms',
      env: { SECTION: 'checkout' },
      tags: { flow: 'buy' },
    },
    idle: { executor: 'per-vu-iterations', vus: 1, iterations: 1, startTime: '100ms' },
  },
  thresholds: {
    'http_reqs{flow:browse}': ['count==2'],
    'http_reqs{flow:buy}': ['count==3'],
    'http_reqs{suite:compat}': ['count==6'],
    'iterations{scenario:idle}': ['count==1'],
    'checks{flow:buy}': ['rate==1'],
    'checks{scenario:browse}': ['rate==1'],
  },
};

export function browse() {
  check(__ENV, { 'browse sees its scenario env': (env) => env.SECTION === 'catalog' && env.BASE_URL === BASE });
  http.get(`${BASE}/api/items`);
}

export function buy() {
  check(exec, {
    'buy sees its scenario env': () => __ENV.SECTION === 'checkout',
    'buy starts after its startTime': (e) => e.instance.currentTestRunDuration >= 300,
  });
  http.post(`${BASE}/anything/buy`, JSON.stringify({ item: 1 }), { headers: { 'Content-Type': 'application/json' } });
}

export default function () {
  check(__ENV, { 'default function has no scenario env': (env) => env.SECTION === undefined });
  http.get(`${BASE}/`);
}
