import http from 'k6/http';
import encoding from 'k6/encoding';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = { vus: 1, iterations: 1 };

export default function () {
  check(encoding, {
    'std': (e) => e.b64encode('hello, k6!') === 'aGVsbG8sIGs2IQ==',
    'rawstd drops the padding': (e) => e.b64encode('hello, k6!', 'rawstd') === 'aGVsbG8sIGs2IQ',
    'url alphabet': (e) => e.b64encode('<<???>>', 'url') === 'PDw_Pz8-Pg==' && e.b64encode('<<???>>', 'rawurl') === 'PDw_Pz8-Pg',
    'UTF-8 text': (e) => e.b64encode('héllo wörld ✓') === 'aMOpbGxvIHfDtnJsZCDinJM=',
    'decode to a string': (e) => e.b64decode('aGVsbG8sIGs2IQ==', 'std', 's') === 'hello, k6!',
    'decode to an ArrayBuffer': (e) => {
      const buf = e.b64decode('AAEC');
      const bytes = new Uint8Array(buf);
      return buf.byteLength === 3 && bytes[0] === 0 && bytes[2] === 2;
    },
    'rawurl round trip': (e) => e.b64decode(e.b64encode('<<???>>', 'rawurl'), 'rawurl', 's') === '<<???>>',
    'encode an ArrayBuffer': (e) => e.b64encode(new Uint8Array([0, 1, 2]).buffer) === 'AAEC',
  });

  const token = encoding.b64encode('alice:s3cret');
  const res = http.get(`${BASE}/anything/encoded`, { headers: { 'X-Token': token } });
  check(res, { 'encoded value travels in a header': (r) => encoding.b64decode(r.json('headers.x-token'), 'std', 's') === 'alice:s3cret' });
}
