import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;
const JSON_HEADERS = { 'Content-Type': 'application/json' };

export const options = { vus: 2, iterations: 4 };

export function setup() {
  const res = http.post(`${BASE}/login`, JSON.stringify({ username: 'admin', password: 'secret' }), { headers: JSON_HEADERS });
  check(res, { 'setup logged in': (r) => r.status === 200 });
  return { token: res.json('token'), roles: ['admin', 'ops'], nested: { depth: 2 } };
}

export default function (data) {
  const res = http.get(`${BASE}/me`, { headers: { Authorization: `Bearer ${data.token}` } });
  check(res, { 'token from setup() authenticates': (r) => r.status === 200 && r.json('user') === 'admin' });
  check(data, { 'setup() data arrives whole': (d) => d.roles.length === 2 && d.roles[1] === 'ops' && d.nested.depth === 2 });
}

export function teardown(data) {
  const res = http.post(`${BASE}/anything/teardown`, JSON.stringify({ token: data.token }), { headers: JSON_HEADERS });
  check(res, { 'teardown() gets the setup() data': (r) => r.json('json.token') === 'token-admin' });
}
