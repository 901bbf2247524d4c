import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import encoding, { b64decode, b64encode, type Base64Variant } from '../../src/load/runtime/k6-encoding.ts';

const bytes = (ab: ArrayBuffer) => [...new Uint8Array(ab)];
const VARIANTS: Base64Variant[] = ['std', 'rawstd', 'url', 'rawurl'];

describe('k6/encoding b64encode', () => {
  it('encodes strings as UTF-8 in the four variants (k6 documentation vectors)', () => {
    expect(b64encode('hello world')).toBe('aGVsbG8gd29ybGQ=');
    expect(b64encode('hello world', 'std')).toBe('aGVsbG8gd29ybGQ=');
    expect(b64encode('hello world', 'rawstd')).toBe('aGVsbG8gd29ybGQ');
    expect(b64encode('小飼弾..', 'std')).toBe('5bCP6aO85by+Li4=');
    expect(b64encode('小飼弾..', 'url')).toBe('5bCP6aO85by-Li4=');
    expect(b64encode('小飼弾..', 'rawurl')).toBe('5bCP6aO85by-Li4');
    expect(b64encode('')).toBe('');
  });

  it('encodes ArrayBuffers and typed arrays by their bytes', () => {
    const buf = new Uint8Array([104, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100]).buffer;
    expect(b64encode(buf)).toBe('aGVsbG8gd29ybGQ=');
    expect(b64encode(new Uint8Array([0xfb, 0xff]), 'url')).toBe('-_8=');
    const view = new Uint8Array([1, 0xfb, 0xff, 2]).subarray(1, 3);
    expect(b64encode(view, 'rawstd')).toBe('+/8');
  });

  it('falls back to std for an unknown encoding name, as k6 does', () => {
    expect(b64encode('\xff\xfe', 'nonsense' as Base64Variant)).toBe(b64encode('\xff\xfe', 'std'));
  });

  it('rejects inputs that are neither strings nor buffers', () => {
    expect(() => b64encode(42 as unknown as string)).toThrow(/invalid type number/);
    expect(() => b64encode({} as unknown as string)).toThrow(TypeError);
  });

  it('the default export carries the module functions', () => {
    expect(encoding.b64encode).toBe(b64encode);
    expect(encoding.b64decode).toBe(b64decode);
  });
});

describe('k6/encoding b64decode', () => {
  it('returns an ArrayBuffer by default and a string with format "s"', () => {
    const out = b64decode('aGVsbG8gd29ybGQ=');
    expect(out).toBeInstanceOf(ArrayBuffer);
    expect(bytes(out)).toEqual([104, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100]);
    expect(b64decode('aGVsbG8gd29ybGQ=', 'std', 's')).toBe('hello world');
    expect(b64decode('aGVsbG8gd29ybGQ', 'rawstd', 's')).toBe('hello world');
    expect(b64decode('5bCP6aO85by-Li4=', 'url', 's')).toBe('小飼弾..');
    expect(b64decode('5bCP6aO85by-Li4', 'rawurl', 's')).toBe('小飼弾..');
    expect(b64decode('', 'std', 's')).toBe('');
    expect(b64decode('').byteLength).toBe(0);
  });

  it('padding: required by std and url, refused by the raw variants (Go semantics)', () => {
    expect(() => b64decode('aGVsbG8gd29ybGQ')).toThrow('illegal base64 data at input byte 12');
    expect(() => b64decode('5bCP6aO85by-Li4', 'url')).toThrow('illegal base64 data at input byte 12');
    expect(() => b64decode('aGVsbG8gd29ybGQ=', 'rawstd')).toThrow('illegal base64 data at input byte 15');
    expect(() => b64decode('5bCP6aO85by-Li4=', 'rawurl')).toThrow('illegal base64 data at input byte 15');
  });

  it('the two alphabets do not mix', () => {
    expect(() => b64decode('5bCP6aO85by-Li4=', 'std')).toThrow('illegal base64 data at input byte 11');
    expect(() => b64decode('5bCP6aO85by+Li4=', 'url')).toThrow('illegal base64 data at input byte 11');
  });

  it('reports malformed padding, truncation and trailing garbage at Go byte offsets', () => {
    expect(() => b64decode('a')).toThrow('illegal base64 data at input byte 0');
    expect(() => b64decode('a', 'rawstd')).toThrow('illegal base64 data at input byte 0');
    expect(() => b64decode('a===')).toThrow('illegal base64 data at input byte 1');
    expect(() => b64decode('ab=')).toThrow('illegal base64 data at input byte 3');
    expect(() => b64decode('ab=x')).toThrow('illegal base64 data at input byte 2');
    expect(() => b64decode('ab==x')).toThrow('illegal base64 data at input byte 4');
    expect(() => b64decode('aGVs bG8=')).toThrow('illegal base64 data at input byte 4');
    expect(() => b64decode('€€€€')).toThrow('illegal base64 data at input byte 0');
  });

  it('skips CR and LF anywhere, like Go', () => {
    expect(b64decode('aGVs\r\nbG8g\nd29y\nbGQ=\n', 'std', 's')).toBe('hello world');
    expect(b64decode('ab=\n=', 'std', 's')).toBe('i');
  });

  it('ignores the unused bits of a final partial quantum (Go non-strict mode)', () => {
    expect(bytes(b64decode('aR==', 'std'))).toEqual([0x69]);
    expect(bytes(b64decode('aR', 'rawstd'))).toEqual([0x69]);
  });

  it('falls back to std for an unknown encoding name', () => {
    expect(b64decode('aGk=', 'weird' as Base64Variant, 's')).toBe('hi');
  });

  it('replaces invalid UTF-8 with U+FFFD when asked for a string', () => {
    expect(b64decode('/w==', 'std', 's')).toBe('\ufffd');
  });
});

describe('k6/encoding properties', () => {
  it('decode(encode(bytes)) is the identity in every variant, and encode agrees with Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...VARIANTS), (data, variant) => {
        const enc = b64encode(data, variant);
        const expected = Buffer.from(data).toString(variant.includes('url') ? 'base64url' : 'base64').replace(/=+$/, '');
        expect(enc.replace(/=+$/, '')).toBe(expected);
        if (variant.startsWith('raw')) expect(enc).not.toContain('=');
        else expect(enc.length % 4).toBe(0);
        expect(bytes(b64decode(enc, variant))).toEqual([...data]);
      }),
    );
  });

  it('hostile strings never crash: they decode (as Buffer would) or throw an Error naming the byte', () => {
    const alphabet = fc.constantFrom(...'ABCXYZabcxyz0189+/-_=\r\n €\u0000'.split(''));
    const hostile = fc.oneof(fc.string({ unit: alphabet, maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 40 }));
    fc.assert(
      fc.property(hostile, fc.constantFrom(...VARIANTS), (s, variant) => {
        let out: ArrayBuffer;
        try {
          out = b64decode(s, variant);
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
          expect((err as Error).message).toMatch(/^illegal base64 data at input byte \d+$/);
          const at = Number(/\d+$/.exec((err as Error).message)![0]);
          expect(at).toBeGreaterThanOrEqual(0);
          expect(at).toBeLessThanOrEqual(Buffer.byteLength(s));
          return;
        }
        // Whatever is accepted is valid base64 of the variant, which Node's decoder reads the same way.
        const clean = s.replace(/[\r\n]/g, '');
        expect(bytes(out)).toEqual([...Buffer.from(clean, variant.includes('url') ? 'base64url' : 'base64')]);
      }),
      { numRuns: 2000 },
    );
  });
});
