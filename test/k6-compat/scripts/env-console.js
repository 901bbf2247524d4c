import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';

const BASE = __ENV.BASE_URL;
const visits = new Counter('visits');

export const options = {
  scenarios: {
    perVu: { executor: 'per-vu-iterations', vus: 2, iterations: 2 },
  },
  thresholds: {
    'visits{vu:1,iter:0}': ['count==1'],
    'visits{vu:1,iter:1}': ['count==1'],
    'visits{vu:2,iter:0}': ['count==1'],
    'visits{vu:2,iter:1}': ['count==1'],
  },
};

export default function () {
  visits.add(1, { vu: String(__VU), iter: String(__ITER) });
  console.log(`visit vu=${__VU} iter=${__ITER} greeting=${__ENV.GREETING}`);
  if (__VU === 1 && __ITER === 1) {
    console.warn('a warning from vu 1');
    console.error('an error line from vu 1');
  }
  check(__ENV, {
    '-e values reach __ENV': (env) => env.GREETING === 'hello' && env.BASE_URL.startsWith('http://127.0.0.1:'),
    'unset variables are undefined': (env) => env.NOT_SET_ANYWHERE === undefined,
  });
  http.get(`${BASE}/anything/vu/${__VU}`);
}
