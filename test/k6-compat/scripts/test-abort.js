import http from 'k6/http';
import exec from 'k6/execution';

const BASE = __ENV.BASE_URL;

export const options = { vus: 1, iterations: 50 };

export default function () {
  http.get(`${BASE}/api/items`);
  if (exec.scenario.iterationInTest === 2) {
    exec.test.abort('enough data collected');
  }
}
