import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;
const image = open('./data/pixel.png', 'b');
const notes = open('./data/notes.txt');

export const options = { vus: 1, iterations: 1 };

export default function () {
  const res = http.post(`${BASE}/upload`, {
    title: 'compat upload',
    image: http.file(image, 'pixel.png', 'image/png'),
    notes: http.file(notes, 'notes.txt'),
  });
  check(res, {
    'upload accepted': (r) => r.status === 200,
    'sent as multipart/form-data': (r) => r.request.headers['Content-Type'][0].startsWith('multipart/form-data; boundary='),
    'binary file name, size and type': (r) =>
      r.json('files.image.filename') === 'pixel.png' && r.json('files.image.size') === 70 && r.json('files.image.contentType') === 'image/png',
    'binary file bytes intact': (r) => r.json('files.image.md5') === 'b357a19c87624c7c4d131aeeb4ae677f',
    'text file with the default content type': (r) =>
      r.json('files.notes.filename') === 'notes.txt' && r.json('files.notes.size') === 71 && r.json('files.notes.contentType') === 'application/octet-stream',
    'plain fields alongside files': (r) => r.json('fields.title') === 'compat upload',
  });
}
