import { check } from 'k6';
import { ApiClient, fetchAll } from './lib/helpers.js';

const BASE = __ENV.BASE_URL;

export const options = {
  vus: 1,
  iterations: 2,
  thresholds: {
    'http_reqs{group:::profile}': ['count==2'],
  },
};

export default function () {
  const items = fetchAll(BASE, [3, 1, 2]);
  check(items, { 'helper results come back in call order': (list) => list.map((i) => i.id).join(',') === '3,1,2' });

  const client = new ApiClient(BASE);
  const token = client.login('dora', 'secret');
  const me = client.me();
  check(me, {
    'a method that waits is awaited': (m) => m.user === 'dora',
    'state kept between method calls': () => token === 'token-dora' && client.token === token,
  });
}
