import http from 'k6/http';
import { check } from 'k6';

const HOST = __ENV.BASE_URL.replace('http://', '');

export const options = {
  vus: 1,
  iterations: 2,
  thresholds: {
    'http_reqs{status:401}': ['count==6'],
    'http_reqs{status:200}': ['count==2'],
  },
};

export default function () {
  const res = http.get(`http://bob:pa55@${HOST}/digest-auth/auth/bob/pa55`, { auth: 'digest' });
  check(res, {
    'digest auth succeeds': (r) => r.status === 200,
    'server saw the user': (r) => r.json('authenticated') === true && r.json('user') === 'bob',
  });

  const wrong = http.get(`http://bob:wrong@${HOST}/digest-auth/auth/bob/pa55`, { auth: 'digest' });
  check(wrong, { 'wrong digest password is 401': (r) => r.status === 401 });
}
