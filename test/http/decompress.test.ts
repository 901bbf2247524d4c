import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type http from 'node:http';
import zlib from 'node:zlib';
import { VuHttp } from '../../src/load/http/index.ts';
import { compress, decodeContent, parseCompression, type Coding } from '../../src/load/http/compression.ts';
import { DecompressionError } from '../../src/load/http/error-codes.ts';
import { collector, defaults, httpServer, type Started } from './helpers.ts';

const encoders: Record<Coding, (b: Buffer) => Buffer> = {
  gzip: (b) => zlib.gzipSync(b),
  deflate: (b) => zlib.deflateSync(b),
  br: (b) => zlib.brotliCompressSync(b),
  zstd: (b) => zlib.zstdCompressSync(b),
};
const CODINGS = Object.keys(encoders) as Coding[];

/** Encodes with each coding in turn, as a server lists them in Content-Encoding. */
const encode = (data: Buffer | string, codings: readonly Coding[]): Buffer => codings.reduce<Buffer>((b, c) => encoders[c](b), Buffer.from(data));

describe('decodeContent', () => {
  it.each(CODINGS)('decodes %s', (coding) => {
    expect(decodeContent(encode('hello wörld', [coding]), coding)?.toString()).toBe('hello wörld');
  });

  it('undoes stacked codings from the last listed to the first', () => {
    const body = encode('stacked', ['gzip', 'br', 'zstd']);
    expect(decodeContent(body, 'gzip, br, zstd')?.toString()).toBe('stacked');
    expect(() => decodeContent(body, 'zstd, br, gzip')).toThrow(DecompressionError);
  });

  it('skips codings k6 does not know and reads tokens case-insensitively', () => {
    expect(decodeContent(encode('x', ['gzip']), 'identity, GZip , compress')?.toString()).toBe('x');
    expect(decodeContent(Buffer.from('plain'), 'identity')).toBeNull();
    expect(decodeContent(Buffer.from('plain'), 'x-gzip')).toBeNull();
    expect(decodeContent(Buffer.from('plain'), '')).toBeNull();
  });

  it("reports corrupt bodies with k6's message and Go's wording", () => {
    const reason = (body: Buffer, enc: string) => {
      try {
        decodeContent(body, enc);
      } catch (err) {
        expect(err).toBeInstanceOf(DecompressionError);
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(reason(Buffer.from('not gzip at all'), 'gzip')).toBe('error decompressing response body (gzip: invalid header)');
    expect(reason(Buffer.from('not zlib at all'), 'deflate')).toBe('error decompressing response body (zlib: invalid header)');
    expect(reason(encode('truncated body', ['gzip']).subarray(0, 15), 'gzip')).toBe('error decompressing response body (unexpected EOF)');
    const badSum = encode('checksum', ['gzip']);
    badSum[badSum.length - 5] ^= 0xff;
    expect(reason(badSum, 'gzip')).toBe('error decompressing response body (gzip: invalid checksum)');
    expect(reason(zlib.deflateRawSync('raw deflate'), 'deflate')).toMatch(/^error decompressing response body \(zlib: invalid header\)$/);
    expect(reason(Buffer.from('garbage'), 'br')).toMatch(/^error decompressing response body \(brotli: /);
    expect(reason(Buffer.from('garbage'), 'zstd')).toMatch(/^error decompressing response body \(zstd: /);
  });

  it('stops a decompression bomb at the size limit', () => {
    const bomb = encode(Buffer.alloc(1 << 20), ['gzip']);
    expect(() => decodeContent(bomb, 'gzip', 1000)).toThrow('error decompressing response body (decoded body larger than 1000 bytes)');
    expect(decodeContent(bomb, 'gzip', 1 << 20)?.length).toBe(1 << 20);
  });

  it('never throws anything but a DecompressionError on arbitrary bytes', () => {
    const enc = fc.array(fc.constantFrom('gzip', 'deflate', 'br', 'zstd', 'identity', 'bogus', ' GZIP '), { maxLength: 4 }).map((l) => l.join(','));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), enc, (bytes, encoding) => {
      try {
        const out = decodeContent(Buffer.from(bytes), encoding, 1 << 16);
        expect(out === null || Buffer.isBuffer(out)).toBe(true);
      } catch (err) {
        expect(err).toBeInstanceOf(DecompressionError);
        expect((err as Error).message).toMatch(/^error decompressing response body \(.+\)$/);
      }
    }), { numRuns: 1000 });
  });

  it('never throws anything but a DecompressionError on damaged valid streams', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...CODINGS), fc.nat(), fc.integer({ min: 1, max: 255 }), (bytes, coding, at, flip) => {
      const body = encode(Buffer.from(bytes), [coding]);
      body[at % body.length] ^= flip;
      try {
        decodeContent(body, coding);
      } catch (err) {
        expect(err).toBeInstanceOf(DecompressionError);
      }
    }), { numRuns: 1000 });
  });

  it('round-trips what compress() makes, for any codings', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.constantFrom(...CODINGS), { minLength: 1, maxLength: 4 }), (bytes, codings) => {
      const { payload, contentEncoding } = compress(Buffer.from(bytes), codings);
      expect(contentEncoding).toBe(codings.join(', '));
      expect(decodeContent(payload, contentEncoding)).toEqual(Buffer.from(bytes));
    }), { numRuns: 200 });
  });
});

describe('parseCompression', () => {
  it('reads one or several comma-separated codings, in order', () => {
    expect(parseCompression('gzip')).toEqual(['gzip']);
    expect(parseCompression(' br , zstd,deflate ')).toEqual(['br', 'zstd', 'deflate']);
    expect(parseCompression('GZIP')).toEqual(['gzip']);
  });

  it('ignores an empty value, as k6 does', () => {
    expect(parseCompression('')).toBeNull();
    expect(parseCompression('   ')).toBeNull();
  });

  it("refuses unknown algorithms with k6's message", () => {
    expect(() => parseCompression('lzw')).toThrow('unknown compression algorithm lzw, supported algorithms are [gzip deflate zstd br]');
    expect(() => parseCompression('gzip,')).toThrow('unknown compression algorithm , supported algorithms are');
    expect(() => parseCompression(42)).toThrow('unknown compression algorithm 42');
  });

  it('never throws anything but its own error', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      try {
        const out = parseCompression(s);
        expect(out === null || out.every((c) => CODINGS.includes(c))).toBe(true);
      } catch (err) {
        expect((err as Error).message).toMatch(/^unknown compression algorithm /);
      }
    }));
  });
});

let srv: Started<http.Server>;
let vu: VuHttp;
const JSON_BODY = JSON.stringify({ compressed: true, items: ['alpha', 'beta', 'gamma'], text: 'ünïcødé' });

beforeAll(async () => {
  srv = await httpServer((req, res, body) => {
    const u = new URL(req.url!, 'http://x');
    const enc = u.searchParams.get('enc') ?? '';
    if (u.pathname === '/encoded') {
      const codings = enc.split(',').map((s) => s.trim()).filter((s) => s in encoders) as Coding[];
      const payload = encode(JSON_BODY, codings);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': enc, 'Content-Length': payload.length });
      res.end(payload);
      return;
    }
    if (u.pathname === '/chunked') {
      // No Content-Length: the encoded body goes out in chunks and arrives in several reads.
      const payload = encode(JSON_BODY.repeat(200), ['gzip']);
      res.writeHead(200, { 'Content-Encoding': 'gzip' });
      const third = Math.ceil(payload.length / 3);
      res.write(payload.subarray(0, third));
      setTimeout(() => {
        res.write(payload.subarray(third, 2 * third));
        setTimeout(() => res.end(payload.subarray(2 * third)), 5);
      }, 5);
      return;
    }
    if (u.pathname === '/corrupt') {
      res.writeHead(200, { 'Content-Encoding': enc, 'Content-Length': 11 });
      res.end('not encoded');
      return;
    }
    if (u.pathname === '/empty') {
      res.writeHead(Number(u.searchParams.get('status') ?? 200), { 'Content-Encoding': 'gzip', 'Content-Length': 0 });
      res.end();
      return;
    }
    if (u.pathname === '/redirect') {
      const payload = encode('moved', ['gzip']);
      res.writeHead(302, { Location: '/encoded?enc=br', 'Content-Encoding': 'gzip', 'Content-Length': payload.length });
      res.end(payload);
      return;
    }
    if (u.pathname === '/echo') {
      const encoding = req.headers['content-encoding'] ?? '';
      let decoded: string;
      try {
        decoded = decodeContent(body, encoding)?.toString() ?? body.toString();
      } catch (err) {
        decoded = `undecodable: ${(err as Error).message}`;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ encoding, length: Number(req.headers['content-length']), received: body.length, decoded }));
      return;
    }
    res.end('ok');
  });
});
afterAll(() => srv.close());
afterEach(async () => {
  await vu?.close();
});

describe('compressed responses', () => {
  it.each(['gzip', 'deflate', 'br', 'zstd', 'gzip, br', 'deflate,zstd,gzip', 'identity, gzip'])('decodes a body with Content-Encoding: %s', async (enc) => {
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', `${srv.url}/encoded?enc=${encodeURIComponent(enc)}`, null, undefined, collector());
    expect(res.status).toBe(200);
    expect(res.error_code).toBe(0);
    expect(res.body).toBe(JSON_BODY);
    expect(res.json('items.2')).toBe('gamma');
    // The headers stay as received, as with k6 (Go's transport does not decode for it).
    expect(res.headers['Content-Encoding']).toBe(enc);
  });

  it('decodes a chunked body that arrives in pieces', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', `${srv.url}/chunked`, null, undefined, collector());
    expect(res.headers['Transfer-Encoding']).toBe('chunked');
    expect(res.body).toBe(JSON_BODY.repeat(200));
  });

  it('decodes binary bodies too', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', `${srv.url}/encoded?enc=br`, null, { responseType: 'binary' }, collector());
    expect(Buffer.from(res.body as ArrayBuffer).toString()).toBe(JSON_BODY);
  });

  it('counts the bytes on the wire in data_received, not the decoded size', async () => {
    vu = new VuHttp(defaults());
    const c = collector();
    const big = `${srv.url}/encoded?enc=gzip`;
    await vu.request('GET', big, null, undefined, c);
    const wire = encode(JSON_BODY, ['gzip']).length;
    const received = c.of('data_received')[0].value;
    expect(received).toBeGreaterThan(wire);
    expect(received).toBeLessThan(wire + 400);
  });

  it('leaves the body alone with responseType none', async () => {
    vu = new VuHttp(defaults());
    const c = collector();
    const res = await vu.request('GET', `${srv.url}/corrupt?enc=gzip`, null, { responseType: 'none' }, c);
    expect(res.status).toBe(200);
    expect(res.error).toBe('');
    expect(res.body).toBeNull();
  });

  it('passes a body with an unknown coding through as received', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', `${srv.url}/corrupt?enc=compress`, null, undefined, collector());
    expect(res.status).toBe(200);
    expect(res.body).toBe('not encoded');
  });

  it.each(['gzip', 'deflate', 'br', 'zstd'])('fails a %s body that does not decode as k6 does: status 0, error code 1701, samples too', async (enc) => {
    vu = new VuHttp(defaults());
    const c = collector();
    const res = await vu.request('GET', `${srv.url}/corrupt?enc=${enc}`, null, undefined, c);
    expect(res.status).toBe(0);
    expect(res.error_code).toBe(1701);
    expect(res.error).toMatch(/^error decompressing response body \(.+\)$/);
    expect(res.headers).toEqual({});
    expect(res.body).toBe('');
    const reqs = c.of('http_reqs');
    expect(reqs).toHaveLength(1);
    expect(reqs[0].tags).toMatchObject({ status: '0', error_code: '1701', error: res.error });
    expect(c.of('http_req_failed')[0].value).toBe(1);
  });

  it('does not decode empty bodies (HEAD, 204, 304, Content-Length: 0)', async () => {
    vu = new VuHttp(defaults());
    for (const [method, status] of [['HEAD', 200], ['GET', 204], ['GET', 304], ['GET', 200]] as const) {
      const res = await vu.request(method, `${srv.url}/empty?status=${status}`, null, undefined, collector());
      expect(res.status).toBe(status);
      expect(res.error).toBe('');
      expect(res.body).toBe('');
    }
  });

  it('decodes only the final response of a redirect chain', async () => {
    vu = new VuHttp(defaults());
    const c = collector();
    const res = await vu.request('GET', `${srv.url}/redirect`, null, undefined, c);
    expect(res.status).toBe(200);
    expect(res.json('compressed')).toBe(true);
    expect(c.of('http_reqs').map((s) => s.tags.status)).toEqual(['302', '200']);
  });
});

describe('params.compression', () => {
  it.each(['gzip', 'deflate', 'br', 'zstd', 'gzip, br', 'zstd,deflate'])('compresses the body with %s and says so in Content-Encoding', async (compression) => {
    vu = new VuHttp(defaults());
    const body = 'a body worth compressing, '.repeat(50);
    const res = await vu.request('POST', `${srv.url}/echo`, body, { compression }, collector());
    const got = res.json() as { encoding: string; length: number; received: number; decoded: string };
    const names = compression.split(',').map((s) => s.trim());
    expect(got.encoding).toBe(names.join(', '));
    expect(got.decoded).toBe(body);
    expect(got.length).toBe(got.received);
    expect(got.received).toBeLessThan(body.length);
    // res.request shows the body before compression, as k6 does.
    expect(res.request.body).toBe(body);
    expect(res.request.headers['Content-Encoding']).toEqual([names.join(', ')]);
  });

  it('compresses form bodies and binary bodies', async () => {
    vu = new VuHttp(defaults());
    const form = await vu.request('POST', `${srv.url}/echo`, { b: '2', a: '1' }, { compression: 'gzip' }, collector());
    expect((form.json() as { decoded: string }).decoded).toBe('a=1&b=2');
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const bin = await vu.request('POST', `${srv.url}/echo`, bytes, { compression: 'br' }, collector());
    expect((bin.json() as { received: number }).received).toBeGreaterThan(0);
  });

  it('keeps a Content-Encoding from params, compressing all the same', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('POST', `${srv.url}/echo`, 'data', { compression: 'gzip', headers: { 'content-encoding': 'br' } }, collector());
    const got = res.json() as { encoding: string; decoded: string };
    expect(got.encoding).toBe('br');
    expect(got.decoded).toMatch(/^undecodable: /);
  });

  it('sends no Content-Encoding when there is no body, and ignores an empty value', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', `${srv.url}/echo`, null, { compression: 'gzip' }, collector());
    expect((res.json() as { encoding: string }).encoding).toBe('');
    const empty = await vu.request('POST', `${srv.url}/echo`, 'x', { compression: ' ' }, collector());
    expect((empty.json() as { encoding: string; decoded: string })).toMatchObject({ encoding: '', decoded: 'x' });
  });

  it('refuses an unknown algorithm before sending anything', async () => {
    vu = new VuHttp(defaults());
    const c = collector();
    await expect(vu.request('POST', `${srv.url}/echo`, 'x', { compression: 'lzma' }, c)).rejects.toThrow('unknown compression algorithm lzma, supported algorithms are [gzip deflate zstd br]');
    expect(c.samples).toHaveLength(0);
  });
});
