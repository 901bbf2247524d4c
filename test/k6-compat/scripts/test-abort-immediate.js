import http from 'k6/http';
import exec from 'k6/execution';

const BASE = __ENV.BASE_URL;

export const options = { vus: 1, iterations: 20 };

export default function () {
  http.get(`${BASE}/api/items/${exec.scenario.iterationInTest + 1}`);
  if (exec.scenario.iterationInTest === 0) {
    exec.test.abort();
  }
}
