import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = { vus: 1, iterations: 2 };

export default function () {
  const res = http.get(`${BASE}/gzip`);
  check(res, {
    'gzip body is decoded': (r) => r.status === 200 && r.json('gzipped') === true,
    'decoded JSON is complete': (r) => r.json('items.2.name') === 'gamma',
    'body is text, not compressed bytes': (r) => typeof r.body === 'string' && r.body.startsWith('{'),
  });
}
