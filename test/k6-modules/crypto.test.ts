import fc from 'fast-check';
import { createHash as nodeHash, createHmac as nodeHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import crypto, { createHash, createHMAC, hexEncode, hmac, md4, randomBytes, sha256, type Algorithm } from '../../src/load/runtime/k6-crypto.ts';

const NODE_NAMES: Partial<Record<Algorithm, string>> = {
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
  ripemd160: 'ripemd160',
};
const NODE_ALGS = Object.keys(NODE_NAMES) as Algorithm[];
const ALL_ALGS: Algorithm[] = ['md4', ...NODE_ALGS];
const ab = (bytes: number[] | Uint8Array) => new Uint8Array(bytes).buffer;

describe('k6/crypto hash functions', () => {
  it('known digests (k6 documentation and node:crypto)', () => {
    expect(sha256('hello', 'hex')).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(crypto.sha256('hello world!', 'hex')).toBe('7509e5bda0c762d2bac7f90d758b5b2263fa01ccbc542ab5e3df163be08e6ca9');
    expect(crypto.sha1('hello world!', 'hex')).toBe('430ce34d020724ed75a196dfc2ad67c77772d169');
    expect(crypto.sha512_256('hello world!', 'hex')).toBe('595b5926068b4828fb1c27db21281e31118b8475cb6c3ceeb09be7b685414d5f');
    for (const alg of NODE_ALGS) {
      expect(crypto[alg]('hello world!', 'hex'), alg).toBe(nodeHash(NODE_NAMES[alg]!).update('hello world!').digest('hex'));
    }
  });

  it('md4 matches the RFC 1320 test suite (implemented here: OpenSSL 3 dropped it)', () => {
    const vectors: [string, string][] = [
      ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
      ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
      ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
      ['message digest', 'd9130a8164549fe818874806e1c7014b'],
      ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
      ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
      ['1234567890'.repeat(8), 'e33b4ddc9c38f2199c3e7b164fcc0536'],
      ['hello world!', '3363b72840acd5f49f922fef598ee85d'],
    ];
    for (const [input, digest] of vectors) expect(md4(input, 'hex')).toBe(digest);
  });

  it('strings are hashed as UTF-8; ArrayBuffers and typed arrays by their bytes', () => {
    const binArray = [104, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100, 33];
    expect(md4(ab(binArray), 'hex')).toBe('3363b72840acd5f49f922fef598ee85d');
    expect(sha256(new Uint8Array(binArray), 'hex')).toBe(sha256('hello world!', 'hex'));
    expect(sha256('é', 'hex')).toBe(nodeHash('sha256').update(Buffer.from('é', 'utf8')).digest('hex'));
  });

  it('output encodings: hex, base64, base64url (padded, like Go), base64rawurl, binary', () => {
    const raw = nodeHash('md5').update('k6').digest();
    expect(crypto.md5('k6', 'base64')).toBe(raw.toString('base64'));
    expect(crypto.md5('k6', 'base64url')).toBe(raw.toString('base64url') + '==');
    expect(crypto.md5('k6', 'base64rawurl')).toBe(raw.toString('base64url'));
    const bin = crypto.md5('k6', 'binary');
    expect(bin).toBeInstanceOf(ArrayBuffer);
    expect(Buffer.from(bin).equals(raw)).toBe(true);
    expect(() => crypto.md5('k6', 'latin1' as 'hex')).toThrow(/invalid output encoding: latin1/);
  });

  it('rejects unusable inputs with a clear error', () => {
    expect(() => sha256(12 as unknown as string, 'hex')).toThrow(/invalid type number, expected a string or an ArrayBuffer/);
    expect(() => sha256(null as unknown as string, 'hex')).toThrow(TypeError);
  });
});

describe('k6/crypto hashers', () => {
  it('createHash: incremental updates, digest read repeatedly, update after digest', () => {
    const h = createHash('sha256');
    h.update('hello ');
    const partial = h.digest('hex');
    expect(partial).toBe(sha256('hello ', 'hex'));
    h.update('world!');
    expect(h.digest('hex')).toBe('7509e5bda0c762d2bac7f90d758b5b2263fa01ccbc542ab5e3df163be08e6ca9');
    expect(h.digest('hex')).toBe('7509e5bda0c762d2bac7f90d758b5b2263fa01ccbc542ab5e3df163be08e6ca9');
    expect(h.digest('base64')).toBe(Buffer.from(h.digest('hex'), 'hex').toString('base64'));
    const m = createHash('md4').update('hello ').update(ab([119, 111, 114, 108, 100, 33]));
    expect(m.digest('hex')).toBe('3363b72840acd5f49f922fef598ee85d');
  });

  it('unknown algorithms are refused by name', () => {
    expect(() => createHash('sha3' as Algorithm)).toThrow(/invalid algorithm: sha3/);
    expect(() => createHMAC('whirlpool' as Algorithm, 'k')).toThrow(/invalid algorithm: whirlpool/);
    expect(() => hmac('sha-256' as Algorithm, 'k', 'd', 'hex')).toThrow(/invalid algorithm/);
    expect(() => createHash('__proto__' as Algorithm)).toThrow(/invalid algorithm/);
  });

  it('hmac: RFC 4231 test cases 1, 2 and 6 (key longer than the block)', () => {
    const key1 = ab(new Array(20).fill(0x0b));
    expect(hmac('sha256', key1, 'Hi There', 'hex')).toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    expect(hmac('sha512', key1, 'Hi There', 'hex')).toBe(
      '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
    );
    expect(hmac('sha256', 'Jefe', 'what do ya want for nothing?', 'hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    const key6 = ab(new Array(131).fill(0xaa));
    expect(hmac('sha256', key6, 'Test Using Larger Than Block-Size Key - Hash Key First', 'hex')).toBe(
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });

  it('createHMAC: incremental and repeatable like createHash', () => {
    const h = createHMAC('sha1', 'secret');
    h.update('a');
    expect(h.digest('hex')).toBe(nodeHmac('sha1', 'secret').update('a').digest('hex'));
    h.update('b');
    expect(h.digest('base64')).toBe(nodeHmac('sha1', 'secret').update('ab').digest('base64'));
  });
});

describe('k6/crypto randomBytes and hexEncode', () => {
  it('randomBytes returns an ArrayBuffer of the size asked for, and refuses sizes below 1', () => {
    const a = randomBytes(32);
    expect(a).toBeInstanceOf(ArrayBuffer);
    expect(a.byteLength).toBe(32);
    expect(Buffer.from(a).equals(Buffer.from(randomBytes(32)))).toBe(false);
    expect(() => randomBytes(0)).toThrow(/invalid size/);
    expect(() => randomBytes(Number.NaN)).toThrow(/invalid size/);
  });

  it('hexEncode encodes strings and buffers', () => {
    expect(hexEncode('hi')).toBe('6869');
    expect(hexEncode(ab([0, 255]))).toBe('00ff');
  });
});

describe('k6/crypto properties against node:crypto', () => {
  const alg = fc.constantFrom(...NODE_ALGS);

  it('hashes of random bytes, fed in random pieces, equal node:crypto', () => {
    fc.assert(
      fc.property(alg, fc.uint8Array({ maxLength: 600 }), fc.nat(600), (a, data, cut) => {
        const at = Math.min(cut, data.length);
        const expected = nodeHash(NODE_NAMES[a]!).update(data).digest('hex');
        expect(crypto[a](data.slice().buffer, 'hex')).toBe(expected);
        expect(createHash(a).update(data.subarray(0, at)).update(data.subarray(at)).digest('hex')).toBe(expected);
      }),
    );
  });

  it('HMACs with random keys (shorter and longer than a block) equal node:crypto', () => {
    fc.assert(
      fc.property(alg, fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, key, data) => {
        expect(hmac(a, key, data, 'hex')).toBe(nodeHmac(NODE_NAMES[a]!, key).update(data).digest('hex'));
      }),
    );
  });

  it('md4 is the same whether the data comes at once or in pieces (block boundaries included)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 5 }), (data, cuts) => {
        const points = [...new Set(cuts.map((c) => Math.min(c, data.length)))].sort((x, y) => x - y);
        const h = createHash('md4');
        let prev = 0;
        for (const p of [...points, data.length]) {
          h.update(data.subarray(prev, p));
          prev = p;
        }
        expect(h.digest('hex')).toBe(md4(data, 'hex'));
      }),
    );
  });

  it('every algorithm accepts empty and large inputs', () => {
    const big = new Uint8Array(1 << 20).fill(7);
    for (const a of ALL_ALGS) {
      expect(crypto[a]('', 'hex')).toMatch(/^[0-9a-f]+$/);
      expect(crypto[a](big, 'hex')).toMatch(/^[0-9a-f]+$/);
    }
  });
});
