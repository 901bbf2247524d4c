import http from 'k6/http';
import crypto from 'k6/crypto';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;
const FOX = 'The quick brown fox jumps over the lazy dog';

export const options = { vus: 1, iterations: 1 };

export default function () {
  check(crypto, {
    'md5 hex and base64': (c) => c.md5('hello', 'hex') === '5d41402abc4b2a76b9719d911017c592' && c.md5('hello', 'base64') === 'XUFAKrxLKna5cZ2REBfFkg==',
    'sha1': (c) => c.sha1('hello', 'hex') === 'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d',
    'sha256': (c) => c.sha256('hello', 'hex') === '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    'sha384': (c) => c.sha384('hello', 'hex') === '59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f',
    'sha512': (c) => c.sha512('hello', 'hex') === '9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043',
    'sha512_256': (c) => c.sha512_256('hello', 'hex') === 'e30d87cfa2a75db545eac4d61baf970366a8357c7f72fa95b52d0accb698f13a',
    'ripemd160': (c) => c.ripemd160('hello', 'hex') === '108f07b8382412612c048d07d13f814118445acd',
    'hmac sha256 hex': (c) => c.hmac('sha256', 'key', FOX, 'hex') === 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    'hmac md5': (c) => c.hmac('md5', 'key', FOX, 'hex') === '80070713463e7749b90c2dc24911e275',
    'hmac sha256 base64': (c) => c.hmac('sha256', 'key', FOX, 'base64') === '97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=',
    'hmac sha1 base64rawurl': (c) => c.hmac('sha1', 'secret', 'payload', 'base64rawurl') === '9178Dym_UMI_mbMLhvfHj9r18R0',
    'createHash fed in pieces': (c) => {
      const h = c.createHash('sha256');
      h.update('hel');
      h.update('lo');
      return h.digest('hex') === '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
    },
    'createHMAC fed in pieces': (c) => {
      const h = c.createHMAC('sha256', 'key');
      h.update('The quick brown fox ');
      h.update('jumps over the lazy dog');
      return h.digest('hex') === 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8';
    },
    'hash of an ArrayBuffer': (c) => c.md5(new Uint8Array([104, 101, 108, 108, 111]).buffer, 'hex') === '5d41402abc4b2a76b9719d911017c592',
    'randomBytes': (c) => c.randomBytes(16).byteLength === 16,
  });

  const body = JSON.stringify({ order: 42 });
  const signature = crypto.hmac('sha256', 'shared-secret', body, 'hex');
  const res = http.post(`${BASE}/anything/signed`, body, {
    headers: { 'Content-Type': 'application/json', 'X-Signature': signature },
  });
  check(res, { 'signature matches the body the server got': (r) => crypto.hmac('sha256', 'shared-secret', r.json('data'), 'hex') === r.json('headers.x-signature') });
}
