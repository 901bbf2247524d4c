import http from 'k6/http';
import { randomIntBetween } from 'https://jslib.k6.io/k6-utils/1.4.0/index.js';

export const options = { vus: 1, iterations: 1 };

export default function () {
  http.get(`${__ENV.BASE_URL}/api/items/${randomIntBetween(1, 3)}`);
}
