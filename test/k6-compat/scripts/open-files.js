import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;

const notes = open('./data/notes.txt');
const pixel = open('./data/pixel.png', 'b');
const users = JSON.parse(open('./data/users.json'));

export const options = { vus: 2, iterations: 4 };

export default function () {
  check(notes, {
    'text file read as a string': (t) => typeof t === 'string' && t.length === 71,
    'text content': (t) => t.split('\n')[1] === 'line two: plain ASCII text',
  });
  check(pixel, {
    "'b' reads an ArrayBuffer": (b) => b instanceof ArrayBuffer && b.byteLength === 70,
    'PNG signature bytes': (b) => {
      const bytes = new Uint8Array(b);
      return bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
    },
  });
  check(users, { 'JSON data file': (u) => u.length === 3 && u[1].role === 'buyer' });

  const res = http.post(`${BASE}/anything/binary`, pixel, { headers: { 'Content-Type': 'application/octet-stream' } });
  check(res, { 'binary file sent as a body': (r) => r.json('bodyLength') === 70 });
}
