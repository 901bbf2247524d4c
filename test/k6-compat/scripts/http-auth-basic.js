import http from 'k6/http';
import encoding from 'k6/encoding';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;
const HOST = BASE.replace('http://', '');

export const options = {
  vus: 1,
  iterations: 2,
  thresholds: {
    'http_reqs{status:401}': ['count==4'],
    'http_reqs{status:200}': ['count==6'],
  },
};

export default function () {
  const inUrl = http.get(`http://alice:s3cret@${HOST}/basic-auth/alice/s3cret`);
  check(inUrl, { 'credentials in the URL': (r) => r.status === 200 && r.json('user') === 'alice' });

  const explicit = http.get(`http://alice:s3cret@${HOST}/basic-auth/alice/s3cret`, { auth: 'basic' });
  check(explicit, { "auth: 'basic'": (r) => r.status === 200 });

  const header = http.get(`${BASE}/basic-auth/alice/s3cret`, {
    headers: { Authorization: `Basic ${encoding.b64encode('alice:s3cret')}` },
  });
  check(header, { 'hand-made Authorization header': (r) => r.status === 200 });

  const wrong = http.get(`http://alice:nope@${HOST}/basic-auth/alice/s3cret`);
  check(wrong, { 'wrong password is 401': (r) => r.status === 401 });

  const none = http.get(`${BASE}/basic-auth/alice/s3cret`);
  check(none, { 'no credentials is 401': (r) => r.status === 401 && r.headers['Www-Authenticate'].startsWith('Basic') });
}
