import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;

http.setResponseCallback(http.expectedStatuses(200, 404, { min: 500, max: 502 }));

const only201 = http.expectedStatuses(201);

export const options = {
  vus: 1,
  iterations: 1,
  thresholds: {
    http_req_failed: ['rate>0.33', 'rate<0.34'],
    'http_reqs{expected_response:true}': ['count==4'],
    'http_reqs{expected_response:false}': ['count==2'],
    'http_req_failed{status:404}': ['rate==0'],
  },
};

export default function () {
  const codes = [200, 404, 501, 503].map((code) => http.get(`${BASE}/status/${code}`).status);
  check(codes, { 'statuses come back as sent': (c) => c.join(',') === '200,404,501,503' });

  const created = http.get(`${BASE}/status/201`, { responseCallback: only201 });
  const ok = http.get(`${BASE}/status/200`, { responseCallback: only201 });
  const untracked = http.get(`${BASE}/status/500`, { responseCallback: null });
  check(null, { 'per-request callbacks': () => created.status === 201 && ok.status === 200 && untracked.status === 500 });
}
