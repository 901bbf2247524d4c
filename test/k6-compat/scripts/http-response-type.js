import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = {
  vus: 1,
  iterations: 1,
  discardResponseBodies: true,
  thresholds: {
    data_received: ['count>=1024'],
  },
};

export default function () {
  const discarded = http.get(`${BASE}/bytes/256`);
  check(discarded, { 'discardResponseBodies makes the default body null': (r) => r.status === 200 && r.body === null });

  const text = http.get(`${BASE}/api/items`, { responseType: 'text' });
  check(text, {
    "responseType 'text' gives a string": (r) => typeof r.body === 'string' && r.body.includes('alpha'),
    'json() works on a text body': (r) => r.json('total') === 3,
  });

  const binary = http.get(`${BASE}/bytes/256`, { responseType: 'binary' });
  check(binary, {
    "responseType 'binary' gives an ArrayBuffer": (r) => r.body instanceof ArrayBuffer && r.body.byteLength === 256,
    'binary bytes intact': (r) => {
      const bytes = new Uint8Array(r.body);
      return bytes[0] === 0 && bytes[1] === 1 && bytes[255] === 255;
    },
  });

  const none = http.get(`${BASE}/bytes/512`, { responseType: 'none' });
  check(none, { "responseType 'none' gives null": (r) => r.status === 200 && r.body === null });
}
