/**
 * The `k6/crypto` module: hash functions, HMAC, random bytes and hex encoding, with k6's names
 * ('sha512_224', not 'sha512-224') and output encodings: 'hex', 'base64', 'base64url' (URL alphabet
 * WITH padding, as Go's URLEncoding), 'base64rawurl' (without) and 'binary' (an ArrayBuffer).
 *
 * Node's OpenSSL 3 no longer ships MD4, which k6 still offers (NTLM-style logins use it), so MD4 is
 * implemented here (RFC 1320). HMAC is built on the hashes rather than taken from node:crypto because a
 * k6 hasher may be digested several times and updated between digests, which Node's Hmac forbids.
 */
import { createHash as nodeCreateHash, randomBytes as nodeRandomBytes, type Hash } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { bytesOf, toArrayBuffer } from './k6-encoding.ts';

export type Algorithm = 'md4' | 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512' | 'sha512_224' | 'sha512_256' | 'ripemd160';
export type OutputEncoding = 'hex' | 'base64' | 'base64url' | 'base64rawurl' | 'binary';
type Input = string | ArrayBuffer | ArrayBufferView;

/** A running hash whose digest can be read without ending it. */
interface Digester {
  update(data: Uint8Array): void;
  sum(): Buffer;
}

class NodeDigester implements Digester {
  readonly #hash: Hash;
  constructor(hash: Hash) {
    this.#hash = hash;
  }
  update(data: Uint8Array): void {
    this.#hash.update(data);
  }
  sum(): Buffer {
    return this.#hash.copy().digest();
  }
}

const MD4_SHIFTS = [3, 7, 11, 19, 3, 5, 9, 13, 3, 9, 11, 15];
const MD4_ORDER2 = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15];
const MD4_ORDER3 = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];

class Md4 implements Digester {
  #state = new Uint32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);
  #block = new Uint8Array(64);
  #filled = 0;
  #length = 0;

  update(data: Uint8Array): void {
    this.#length += data.length;
    let i = 0;
    while (i < data.length) {
      const take = Math.min(64 - this.#filled, data.length - i);
      this.#block.set(data.subarray(i, i + take), this.#filled);
      this.#filled += take;
      i += take;
      if (this.#filled === 64) {
        md4Block(this.#state, this.#block);
        this.#filled = 0;
      }
    }
  }

  sum(): Buffer {
    const copy = new Md4();
    copy.#state.set(this.#state);
    copy.#block.set(this.#block);
    copy.#filled = this.#filled;
    copy.#length = this.#length;
    const bits = this.#length * 8;
    const padLen = copy.#filled < 56 ? 56 - copy.#filled : 120 - copy.#filled;
    const tail = new Uint8Array(padLen + 8);
    tail[0] = 0x80;
    const view = new DataView(tail.buffer);
    view.setUint32(padLen, bits >>> 0, true);
    view.setUint32(padLen + 4, Math.floor(bits / 0x100000000), true);
    copy.update(tail);
    const out = Buffer.alloc(16);
    for (let k = 0; k < 4; k++) out.writeUInt32LE(copy.#state[k], k * 4);
    return out;
  }
}

function md4Block(state: Uint32Array, block: Uint8Array): void {
  const x = new Uint32Array(16);
  const view = new DataView(block.buffer, block.byteOffset, 64);
  for (let k = 0; k < 16; k++) x[k] = view.getUint32(k * 4, true);
  let [a, b, c, d] = state;
  const rotl = (v: number, s: number) => (v << s) | (v >>> (32 - s));
  for (let k = 0; k < 16; k++) {
    const t = rotl((a + ((b & c) | (~b & d)) + x[k]) | 0, MD4_SHIFTS[k % 4]);
    [a, b, c, d] = [d, t, b, c];
  }
  for (let k = 0; k < 16; k++) {
    const t = rotl((a + ((b & c) | (b & d) | (c & d)) + x[MD4_ORDER2[k]] + 0x5a827999) | 0, MD4_SHIFTS[4 + (k % 4)]);
    [a, b, c, d] = [d, t, b, c];
  }
  for (let k = 0; k < 16; k++) {
    const t = rotl((a + (b ^ c ^ d) + x[MD4_ORDER3[k]] + 0x6ed9eba1) | 0, MD4_SHIFTS[8 + (k % 4)]);
    [a, b, c, d] = [d, t, b, c];
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
}

/** k6 algorithm name → Node's name (undefined: implemented here) and the block size HMAC needs. */
const ALGORITHMS: Record<Algorithm, { node?: string; block: number }> = {
  md4: { block: 64 },
  md5: { node: 'md5', block: 64 },
  sha1: { node: 'sha1', block: 64 },
  sha256: { node: 'sha256', block: 64 },
  sha384: { node: 'sha384', block: 128 },
  sha512: { node: 'sha512', block: 128 },
  sha512_224: { node: 'sha512-224', block: 128 },
  sha512_256: { node: 'sha512-256', block: 128 },
  ripemd160: { node: 'ripemd160', block: 64 },
};

function algorithmOf(name: unknown): Algorithm {
  if (typeof name === 'string' && Object.hasOwn(ALGORITHMS, name)) return name as Algorithm;
  throw new Error(`invalid algorithm: ${String(name)} (expected one of ${Object.keys(ALGORITHMS).join(', ')})`);
}

function newDigester(alg: Algorithm): Digester {
  const node = ALGORITHMS[alg].node;
  if (node === undefined) return new Md4();
  try {
    return new NodeDigester(nodeCreateHash(node));
  } catch (err) {
    throw new Error(`${alg} is not available in this Node.js build: ${(err as Error).message}`, { cause: err });
  }
}

/** RFC 2104 over any Digester: H((K ^ opad) || H((K ^ ipad) || m)). */
class HmacDigester implements Digester {
  readonly #inner: Digester;
  readonly #outerPad: Buffer;
  readonly #alg: Algorithm;

  constructor(alg: Algorithm, key: Uint8Array) {
    const block = ALGORITHMS[alg].block;
    let k: Uint8Array = key;
    if (k.length > block) {
      const h = newDigester(alg);
      h.update(k);
      k = h.sum();
    }
    const inner = Buffer.alloc(block, 0x36);
    const outer = Buffer.alloc(block, 0x5c);
    for (let i = 0; i < k.length; i++) {
      inner[i] ^= k[i];
      outer[i] ^= k[i];
    }
    this.#alg = alg;
    this.#outerPad = outer;
    this.#inner = newDigester(alg);
    this.#inner.update(inner);
  }

  update(data: Uint8Array): void {
    this.#inner.update(data);
  }

  sum(): Buffer {
    const outer = newDigester(this.#alg);
    outer.update(this.#outerPad);
    outer.update(this.#inner.sum());
    return outer.sum();
  }
}

function encodeDigest(sum: Buffer, encoding: unknown): string | ArrayBuffer {
  switch (encoding) {
    case 'hex':
      return sum.toString('hex');
    case 'base64':
      return sum.toString('base64');
    case 'base64url': {
      const s = sum.toString('base64url');
      return s + '='.repeat((4 - (s.length % 4)) % 4);
    }
    case 'base64rawurl':
      return sum.toString('base64url');
    case 'binary':
      return toArrayBuffer(sum);
    default:
      throw new Error(`invalid output encoding: ${String(encoding)} (expected hex, base64, base64url, base64rawurl or binary)`);
  }
}

/** What createHash() and createHMAC() return: feed it with update(), read it with digest() as often as needed. */
export class Hasher {
  readonly #digester: Digester;

  constructor(digester: Digester) {
    this.#digester = digester;
  }

  update(input: Input): this {
    this.#digester.update(bytesOf(input, 'update'));
    return this;
  }

  digest(encoding: 'binary'): ArrayBuffer;
  digest(encoding: Exclude<OutputEncoding, 'binary'>): string;
  digest(encoding: OutputEncoding): string | ArrayBuffer;
  digest(encoding: OutputEncoding): string | ArrayBuffer {
    return encodeDigest(this.#digester.sum(), encoding);
  }
}

export function createHash(algorithm: Algorithm): Hasher {
  return new Hasher(newDigester(algorithmOf(algorithm)));
}

export function createHMAC(algorithm: Algorithm, secret: Input): Hasher {
  const alg = algorithmOf(algorithm);
  return new Hasher(new HmacDigester(alg, bytesOf(secret, 'createHMAC secret')));
}

export function hmac(algorithm: Algorithm, secret: Input, data: Input, outputEncoding: 'binary'): ArrayBuffer;
export function hmac(algorithm: Algorithm, secret: Input, data: Input, outputEncoding: Exclude<OutputEncoding, 'binary'>): string;
export function hmac(algorithm: Algorithm, secret: Input, data: Input, outputEncoding: OutputEncoding): string | ArrayBuffer {
  return createHMAC(algorithm, secret).update(data).digest(outputEncoding);
}

type HashFn = {
  (input: Input, outputEncoding: 'binary'): ArrayBuffer;
  (input: Input, outputEncoding: Exclude<OutputEncoding, 'binary'>): string;
};

function hashFn(alg: Algorithm): HashFn {
  return ((input: Input, outputEncoding: OutputEncoding) => {
    const d = newDigester(alg);
    d.update(bytesOf(input, alg));
    return encodeDigest(d.sum(), outputEncoding);
  }) as HashFn;
}

export const md4 = hashFn('md4');
export const md5 = hashFn('md5');
export const sha1 = hashFn('sha1');
export const sha256 = hashFn('sha256');
export const sha384 = hashFn('sha384');
export const sha512 = hashFn('sha512');
export const sha512_224 = hashFn('sha512_224');
export const sha512_256 = hashFn('sha512_256');
export const ripemd160 = hashFn('ripemd160');

/** `size` cryptographically random bytes. */
export function randomBytes(size: number): ArrayBuffer {
  const n = Math.trunc(Number(size));
  if (!Number.isFinite(n) || n < 1) throw new Error(`randomBytes: invalid size ${String(size)}`);
  return toArrayBuffer(nodeRandomBytes(n));
}

/** Lowercase hex of a string's UTF-8 bytes or an ArrayBuffer. */
export function hexEncode(data: Input): string {
  return bytesOf(data, 'hexEncode').toString('hex');
}

export default {
  createHash,
  createHMAC,
  hmac,
  md4,
  md5,
  sha1,
  sha256,
  sha384,
  sha512,
  sha512_224,
  sha512_256,
  ripemd160,
  randomBytes,
  hexEncode,
};
