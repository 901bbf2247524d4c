import http from 'k6/http';

const BASE = __ENV.BASE_URL;

export const options = {
  vus: 1,
  iterations: 1,
  thresholds: {
    'http_reqs{name:${}/api/items/${}}': ['count==2'],
  },
};

export default function () {
  for (const id of [1, 2]) {
    http.get(http.url`${BASE}/api/items/${id}`);
  }
}
