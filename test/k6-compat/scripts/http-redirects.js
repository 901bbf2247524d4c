import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = {
  vus: 1,
  iterations: 1,
  maxRedirects: 5,
  thresholds: {
    http_req_failed: ['rate==0'],
    'http_reqs{status:302}': ['count==12'],
  },
};

export default function () {
  const followed = http.get(`${BASE}/redirect/3`);
  check(followed, {
    'redirects followed to the end': (r) => r.status === 200 && r.json('redirected') === true,
    'final URL is the last hop': (r) => r.url === `${BASE}/redirect/0`,
  });

  const none = http.get(`${BASE}/redirect/2`, { redirects: 0 });
  check(none, {
    'redirects: 0 returns the 302': (r) => r.status === 302,
    'Location header readable': (r) => r.headers.Location === '/redirect/1',
  });

  const limited = http.get(`${BASE}/redirect/3`, { redirects: 1 });
  check(limited, { 'redirects: 1 stops after one hop': (r) => r.status === 302 && r.url === `${BASE}/redirect/2` });

  const capped = http.get(`${BASE}/redirect/7`);
  check(capped, { 'maxRedirects option caps the chain': (r) => r.status === 302 && r.url === `${BASE}/redirect/2` });
}
