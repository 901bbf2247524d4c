import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = {
  vus: 1,
  iterations: 3,
  thresholds: { http_reqs: ['count==3'] },
};

export default function () {
  const res = http.get(`${BASE}/api/items`);
  check(res, { 'status is 200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  const iterations = data.metrics.iterations.values.count;
  const passes = data.metrics.checks.values.passes;
  const thresholdOk = data.metrics.http_reqs.thresholds['count==3'].ok;
  return {
    stdout: `compat summary: iterations=${iterations} checks=${passes} threshold_ok=${thresholdOk}\n`,
    'compat-summary.json': JSON.stringify({
      iterations,
      httpReqs: data.metrics.http_reqs.values.count,
      checkRate: data.metrics.checks.values.rate,
      metricType: data.metrics.http_req_duration.type,
      rootGroupName: data.root_group.name,
      hasDuration: typeof data.state.testRunDurationMs === 'number',
    }),
  };
}
