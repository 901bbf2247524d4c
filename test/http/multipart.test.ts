import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type http from 'node:http';
import { createHash } from 'node:crypto';
import { VuHttp } from '../../src/load/http/index.ts';
import { encodeBody } from '../../src/load/http/body.ts';
import { encodeMultipart, file, FileData, type FormEntry } from '../../src/load/http/multipart.ts';
import { collector, defaults, httpServer, type Started } from './helpers.ts';

interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** A strict multipart/form-data reader for the tests: quoted parameters with backslash escapes, Go's layout. */
function parseMultipart(body: Buffer, contentType: string): Part[] {
  const m = /^multipart\/form-data; boundary=(?:"([^"]+)"|([^;\s]+))$/.exec(contentType);
  if (!m) throw new Error(`bad content type ${contentType}`);
  const boundary = m[1] ?? m[2];
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const first = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  if (body.equals(Buffer.from(`\r\n--${boundary}--\r\n`))) return parts;
  if (!body.subarray(0, first.length).equals(first)) throw new Error('body does not start with the boundary');
  let pos = first.length;
  for (;;) {
    const after = body.subarray(pos, pos + 2).toString('latin1');
    if (after === '--') {
      if (pos + 4 !== body.length || body.subarray(pos + 2).toString('latin1') !== '\r\n') throw new Error('data after the closing boundary');
      return parts;
    }
    if (after !== '\r\n') throw new Error(`expected CRLF after the boundary, got ${JSON.stringify(after)}`);
    const start = pos + 2;
    const end = body.indexOf(delimiter, start);
    if (end < 0) throw new Error('part without an end');
    const raw = body.subarray(start, end);
    const headEnd = raw.indexOf('\r\n\r\n');
    if (headEnd < 0) throw new Error('part without a head');
    const headers = new Map<string, string>();
    for (const line of raw.subarray(0, headEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`bad header line ${JSON.stringify(line)}`);
      headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    const params = dispositionParams(headers.get('content-disposition') ?? '');
    parts.push({ name: params.name, filename: params.filename, contentType: headers.get('content-type'), data: Buffer.from(raw.subarray(headEnd + 4)) });
    pos = end + delimiter.length;
  }
}

function dispositionParams(value: string): Record<string, string> {
  if (!value.startsWith('form-data')) throw new Error(`bad disposition ${value}`);
  const out: Record<string, string> = {};
  let i = 'form-data'.length;
  while (i < value.length) {
    const m = /^; ([a-z]+)="/.exec(value.slice(i));
    if (!m) throw new Error(`bad parameter at ${i} in ${value}`);
    i += m[0].length;
    let v = '';
    for (;;) {
      if (i >= value.length) throw new Error('unterminated quoted string');
      const c = value[i++];
      if (c === '"') break;
      v += c === '\\' ? value[i++] : c;
    }
    out[m[1]] = v;
  }
  return out;
}

const oneLine = (s: string) => s.replace(/\r/g, '%0D').replace(/\n/g, '%0A');

describe('http.file()', () => {
  it('defaults the content type and names the file after the current time in nanoseconds', () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const f = file('hello');
    expect(f).toBeInstanceOf(FileData);
    expect(f.content_type).toBe('application/octet-stream');
    expect(f.filename).toMatch(/^\d{19}$/);
    expect(BigInt(f.filename)).toBeGreaterThanOrEqual(before - 1_000_000_000n);
    expect(f.data).toBe('hello');
  });

  it('keeps the data, file name and content type it is given', () => {
    const ab = new Uint8Array([1, 2, 3]).buffer;
    const f = file(ab, 'a.bin', 'image/png');
    expect(f).toEqual({ data: ab, filename: 'a.bin', content_type: 'image/png' });
  });

  it('accepts strings, ArrayBuffers, typed arrays, DataViews and arrays of byte values', () => {
    const bytes = [0, 1, 254, 255];
    const multipart = (data: unknown) => {
      const out = encodeMultipart([['f', file(data, 'x')]], () => 'b');
      return parseMultipart(out.payload, out.contentType)[0].data;
    };
    expect(multipart('héllo')).toEqual(Buffer.from('héllo', 'utf8'));
    expect(multipart(new Uint8Array(bytes).buffer)).toEqual(Buffer.from(bytes));
    expect(multipart(new Uint8Array([9, ...bytes]).subarray(1))).toEqual(Buffer.from(bytes));
    expect(multipart(new DataView(new Uint8Array(bytes).buffer, 1, 2))).toEqual(Buffer.from([1, 254]));
    expect(multipart(bytes)).toEqual(Buffer.from(bytes));
  });

  it('refuses other data with k6 message, at once', () => {
    expect(() => file({})).toThrow('invalid type Object, expected string, []byte or ArrayBuffer');
    expect(() => file(42)).toThrow('invalid type number, expected string, []byte or ArrayBuffer');
    expect(() => file(null)).toThrow('invalid type null, expected string, []byte or ArrayBuffer');
    expect(() => file(undefined)).toThrow('invalid type undefined');
    expect(() => file([1, 256])).toThrow(/element 1 of the array is 256/);
    expect(() => file([1.5])).toThrow(/element 0/);
    expect(() => file(['a'])).toThrow(/element 0 of the array is string/);
  });

  it('fails when the data was changed to something it cannot send', () => {
    const f = file('ok', 'x');
    (f as { data: unknown }).data = Symbol('no');
    expect(() => encodeMultipart([['f', f]])).toThrow(/invalid type symbol/);
  });
});

describe('multipart encoding', () => {
  it('lays parts out as Go mime/multipart writes them', () => {
    const out = encodeMultipart([['title', 'hi'], ['doc', new FileData('abc', 'a.txt', 'text/plain')]], () => 'BOUND');
    expect(out.contentType).toBe('multipart/form-data; boundary=BOUND');
    expect(out.payload.toString()).toBe(
      '--BOUND\r\nContent-Disposition: form-data; name="title"\r\n\r\nhi'
      + '\r\n--BOUND\r\nContent-Disposition: form-data; name="doc"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nabc'
      + '\r\n--BOUND--\r\n',
    );
  });

  it('writes only the closing delimiter for no entries, as Go does', () => {
    expect(encodeMultipart([], () => 'B').payload.toString()).toBe('\r\n--B--\r\n');
  });

  it('uses a 60-character random hex boundary', () => {
    const a = encodeMultipart([['a', 'b']]);
    const b = encodeMultipart([['a', 'b']]);
    expect(a.contentType).toMatch(/^multipart\/form-data; boundary=[0-9a-f]{60}$/);
    expect(a.contentType).not.toBe(b.contentType);
  });

  it('escapes quotes and backslashes in names and file names, and keeps line breaks off the header line', () => {
    const out = encodeMultipart([['a"b\\c', new FileData('x', 'f"\r\n.txt', 'text/plain\r\nX-Evil: 1')]], () => 'B');
    const text = out.payload.toString();
    expect(text).toContain('Content-Disposition: form-data; name="a\\"b\\\\c"; filename="f\\"%0D%0A.txt"\r\n');
    expect(text).toContain('Content-Type: text/plain%0D%0AX-Evil: 1\r\n');
    expect(parseMultipart(out.payload, out.contentType)[0]).toMatchObject({ name: 'a"b\\c', filename: 'f"%0D%0A.txt' });
  });

  it('picks another boundary when the content holds the first one', () => {
    const boundaries = ['abc', 'tle', 'def'];
    const out = encodeMultipart([['f', new FileData('xxabcxx', 'n', 't')], ['title', 'x']], () => boundaries.shift()!);
    expect(out.contentType).toBe('multipart/form-data; boundary=def');
  });

  it('gives up with an error rather than looping when no boundary is usable', () => {
    expect(() => encodeMultipart([['f', 'aaaa']], () => 'a')).toThrow('multipart: no usable boundary found');
  });

  it('sends an object body holding files as multipart, in key order, arrays as repeated parts', () => {
    const body = encodeBody({ z: 1, files: [file('1', 'one'), file('2', 'two')], a: [true, 'x'], n: null, o: { k: 1 } })!;
    const parts = parseMultipart(body.payload as Buffer, body.contentType!);
    expect(parts.map((p) => [p.name, p.filename ?? null, p.data.toString()])).toEqual([
      ['z', null, '1'], ['files', 'one', '1'], ['files', 'two', '2'], ['a', null, 'true'], ['a', null, 'x'], ['n', null, ''], ['o', null, '{"k":1}'],
    ]);
  });

  it('keeps an object body without files urlencoded', () => {
    expect(encodeBody({ b: 2, a: 1 })).toEqual({ payload: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' });
  });

  it('refuses a FileData as the body itself, as k6 does', () => {
    expect(() => encodeBody(file('x') as never)).toThrow('unknown request body type http.FileData');
  });
});

describe('multipart properties', () => {
  const fileArb = fc.record({
    data: fc.uint8Array({ maxLength: 300 }),
    filename: fc.string({ maxLength: 20 }),
    type: fc.string({ maxLength: 20 }),
  });
  const entryArb = fc.tuple(fc.string({ maxLength: 20 }), fc.oneof(fc.string({ maxLength: 50 }), fileArb));
  const toEntries = (list: [string, string | { data: Uint8Array; filename: string; type: string }][]): FormEntry[] =>
    list.map(([n, v]) => [n, typeof v === 'string' ? v : new FileData(v.data, v.filename, v.type)]);

  it('round-trips any entries through a strict parser', () => {
    fc.assert(fc.property(fc.array(entryArb, { maxLength: 8 }), (list) => {
      const entries = toEntries(list);
      const out = encodeMultipart(entries);
      const parts = parseMultipart(out.payload, out.contentType);
      expect(parts).toHaveLength(entries.length);
      entries.forEach(([name, value], i) => {
        const p = parts[i];
        expect(p.name).toBe(oneLine(Buffer.from(name).toString()));
        if (value instanceof FileData) {
          expect(p.filename).toBe(oneLine(Buffer.from(value.filename).toString()));
          expect(p.contentType).toBe(oneLine(Buffer.from(value.content_type).toString()).trim());
          expect(p.data).toEqual(Buffer.from(value.data as Uint8Array));
        } else {
          expect(p.filename).toBeUndefined();
          expect(p.data.toString()).toBe(Buffer.from(value).toString());
        }
      });
    }), { numRuns: 300 });
  });

  it('finds a boundary outside content made of boundary-like bytes', () => {
    // Content that contains the first candidates forces the encoder to keep looking.
    fc.assert(fc.property(fc.array(fc.constantFrom('--', 'ab', '\r\n', 'a', 'b'), { maxLength: 40 }), fc.nat(3), (pieces, skip) => {
      const content = pieces.join('');
      const candidates = ['ab', 'a', 'b', '--ab'].slice(skip);
      const next = () => candidates.shift() ?? 'zzzz';
      const out = encodeMultipart([['f', new FileData(content, 'n', 't')]], next);
      const parts = parseMultipart(out.payload, out.contentType);
      expect(parts[0].data.toString()).toBe(content);
    }), { numRuns: 300 });
  });

  it("is read the same by Node's FormData parser", async () => {
    const safe = fc.string({ maxLength: 15 }).filter((s) => !/["\\\r\n]/.test(s));
    const arb = fc.array(fc.tuple(safe, fc.oneof(fc.string({ maxLength: 40 }), fc.record({ data: fc.uint8Array({ maxLength: 100 }), filename: safe, type: fc.constantFrom('text/plain', 'image/png', 'application/octet-stream') }))), { maxLength: 6 });
    await fc.assert(fc.asyncProperty(arb, async (list) => {
      const entries = toEntries(list);
      const out = encodeMultipart(entries);
      const form = await new Response(new Uint8Array(out.payload), { headers: { 'content-type': out.contentType } }).formData();
      const got = await Promise.all([...form].map(async ([k, v]) => [k, typeof v === 'string' ? v : [v.name, v.type, Buffer.from(await v.arrayBuffer()).toString('hex')]]));
      const want = entries.map(([k, v]) => [Buffer.from(k).toString(), v instanceof FileData ? [Buffer.from(v.filename).toString(), v.content_type, Buffer.from(v.data as Uint8Array).toString('hex')] : Buffer.from(v).toString()]);
      expect(got).toEqual(want);
    }), { numRuns: 150 });
  });
});

let srv: Started<http.Server>;
let vu: VuHttp;

beforeAll(async () => {
  srv = await httpServer((req, res, body) => {
    const contentType = req.headers['content-type'] ?? '';
    let parts: unknown = null;
    if (contentType.startsWith('multipart/form-data')) {
      parts = parseMultipart(body, contentType).map((p) => ({ ...p, data: undefined, md5: createHash('md5').update(p.data).digest('hex'), size: p.data.length }));
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ contentType, contentLength: req.headers['content-length'], received: body.length, parts }));
  });
});
afterAll(() => srv.close());
afterEach(async () => {
  await vu?.close();
});

describe('multipart uploads on the wire', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000200000500017a5eab3f0000000049454e44ae426082', 'hex');

  it('uploads binary and text files with plain fields, Content-Length from the bytes', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('POST', `${srv.url}/upload`, {
      title: 'ünïcode title',
      image: file(png.buffer.slice(png.byteOffset, png.byteOffset + png.length), 'pixel.png', 'image/png'),
      notes: file('línea 1\r\n--not a boundary\r\n', 'notes.txt'),
    }, undefined, collector());
    const got = res.json() as { contentType: string; contentLength: string; received: number; parts: { name: string; filename?: string; contentType?: string; md5: string; size: number }[] };
    expect(res.status).toBe(200);
    expect(got.contentType).toMatch(/^multipart\/form-data; boundary=[0-9a-f]{60}$/);
    expect(Number(got.contentLength)).toBe(got.received);
    expect(got.parts).toEqual([
      { name: 'title', md5: createHash('md5').update('ünïcode title').digest('hex'), size: Buffer.byteLength('ünïcode title') },
      { name: 'image', filename: 'pixel.png', contentType: 'image/png', md5: createHash('md5').update(png).digest('hex'), size: png.length },
      { name: 'notes', filename: 'notes.txt', contentType: 'application/octet-stream', md5: createHash('md5').update('línea 1\r\n--not a boundary\r\n').digest('hex'), size: Buffer.byteLength('línea 1\r\n--not a boundary\r\n') },
    ]);
    expect(res.request.headers['Content-Type'][0]).toBe(got.contentType);
    expect(res.request.body).toContain('Content-Disposition: form-data; name="image"; filename="pixel.png"');
  });

  it('lets a Content-Type from params win, as k6 does', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('POST', `${srv.url}/upload`, { f: file('x', 'x') }, { headers: { 'Content-Type': 'application/x-custom' } }, collector());
    expect((res.json() as { contentType: string }).contentType).toBe('application/x-custom');
  });

  it('rejects a FileData body before sending anything', async () => {
    vu = new VuHttp(defaults());
    const c = collector();
    await expect(vu.request('POST', `${srv.url}/upload`, file('x') as never, undefined, c)).rejects.toThrow('unknown request body type http.FileData');
    expect(c.samples).toHaveLength(0);
  });
});
