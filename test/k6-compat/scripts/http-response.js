import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = {
  vus: 1,
  iterations: 1,
  thresholds: {
    'http_reqs{error_code:1404}': ['count==1'],
    'http_reqs{error_code:1212}': ['count==1'],
  },
};

export default function () {
  const url = `${BASE}/api/items?limit=3`;
  const res = http.get(url, { headers: { 'X-Trace': 't-1' } });
  check(res, {
    'status and status_text': (r) => r.status === 200 && r.status_text === '200 OK',
    'canonical response header names': (r) => r.headers['Content-Type'] === 'application/json',
    'body is the text': (r) => typeof r.body === 'string' && JSON.parse(r.body).total === 3,
    'json() parses the body': (r) => r.json().items[2].name === 'gamma',
    'json(selector) picks nested values': (r) => r.json('items.1.name') === 'beta' && r.json('items.#') === 3,
    'json(selector) of a missing path is undefined': (r) => r.json('items.9.name') === undefined,
    'url and proto': (r) => r.url === url && r.proto === 'HTTP/1.1',
    'remote address': (r) => r.remote_ip === '127.0.0.1' && r.remote_port > 0,
    'timings are numbers': (r) => ['blocked', 'connecting', 'tls_handshaking', 'sending', 'waiting', 'receiving', 'duration'].every((k) => typeof r.timings[k] === 'number' && r.timings[k] >= 0),
    'duration is sending + waiting + receiving': (r) => Math.abs(r.timings.duration - (r.timings.sending + r.timings.waiting + r.timings.receiving)) < 0.01,
    'request method and url': (r) => r.request.method === 'GET' && r.request.url === url,
    'request headers': (r) => r.request.headers['X-Trace'][0] === 't-1',
    'no error': (r) => r.error === '' && r.error_code === 0,
  });

  const missing = http.get(`${BASE}/api/items/99`);
  check(missing, {
    '404 has error_code 1404': (r) => r.status === 404 && r.error_code === 1404,
    'a 4xx is not a transport error': (r) => r.error === '',
  });

  const refused = http.get('http://127.0.0.1:1/');
  check(refused, {
    'refused connection: status 0': (r) => r.status === 0,
    'refused connection: error_code 1212': (r) => r.error_code === 1212,
    'refused connection: error text': (r) => r.error.length > 0,
  });
}
