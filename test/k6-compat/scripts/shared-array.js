import http from 'k6/http';
import { check } from 'k6';
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';

const BASE = __ENV.BASE_URL;

const users = new SharedArray('users', function () {
  return JSON.parse(open('./data/users.json'));
});

export const options = { vus: 2, iterations: 6 };

export default function () {
  const user = users[exec.scenario.iterationInTest % users.length];
  const res = http.post(`${BASE}/login`, JSON.stringify({ username: user.username, password: user.password }), {
    headers: { 'Content-Type': 'application/json' },
  });
  check(res, { 'login with a user from the SharedArray': (r) => r.status === 200 && r.json('token') === `token-${user.username}` });
  check(users, {
    'length and indexing': (u) => u.length === 3 && u[2].username === 'carol',
    'elements cannot be changed': (u) => {
      try {
        u[0].username = 'mallory';
      } catch (e) {
        // k6 hands out copies, a frozen element throws: either way the shared data stays intact
      }
      return u[0].username === 'alice';
    },
  });
}
