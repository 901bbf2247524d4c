import http from 'k6/http';
import { check, fail, sleep } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = {
  vus: 1,
  iterations: 4,
  thresholds: {
    iteration_duration: ['min>=50'],
  },
};

export default function () {
  const res = http.get(`${BASE}/api/items`);
  check(res, { 'before fail()': (r) => r.status === 200 });
  sleep(0.05);
  if (__ITER % 2 === 1) {
    fail(`odd iteration ${__ITER} gives up`);
  }
  check(res, { 'after the fail() point': () => true });
}
