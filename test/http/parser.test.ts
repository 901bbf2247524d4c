import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAILED, headerPairs, MAX_HEAD_BYTES, NEED_MORE, ResponseParser } from '../../src/load/http/parser.ts';

/** What parsing a byte stream came to. */
interface Outcome {
  /** 'complete' (with the offset just past the response), 'error', or 'incomplete' at the end of the input. */
  kind: 'complete' | 'error' | 'incomplete';
  end?: number;
  error?: string;
  status?: number;
  statusText?: string;
  headers?: string[];
  keepAlive?: boolean;
  body: Buffer;
}

/** Feeds `bytes` in pieces cut at `cuts`; `eof`: the connection closes after the last byte. */
function parse(bytes: Buffer, cuts: number[] = [], opts: { noBody?: boolean; eof?: boolean } = {}): Outcome {
  const parser = new ResponseParser();
  parser.start(opts.noBody ?? false);
  const body: Buffer[] = [];
  const sink = { onBody: (b: Buffer, s: number, e: number) => body.push(Buffer.from(b.subarray(s, e))) };
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  const pieces: Buffer[] = [];
  for (const p of [...points, bytes.length]) {
    if (p > from) pieces.push(Buffer.from(bytes.subarray(from, p)));
    from = Math.max(from, p);
  }
  let consumed = 0;
  const done = (r: number): Outcome => ({
    kind: 'complete',
    end: consumed + r,
    status: parser.status,
    statusText: parser.statusText,
    headers: headerPairs(parser.head!, parser.headStart, parser.headEnd),
    keepAlive: parser.keepAlive,
    body: Buffer.concat(body),
  });
  for (const piece of pieces) {
    const r = parser.execute(piece, 0, sink);
    if (r === FAILED) return { kind: 'error', error: parser.error!.message, body: Buffer.concat(body) };
    if (r !== NEED_MORE) return done(r);
    consumed += piece.length;
  }
  if (opts.eof) {
    if (parser.finish() === 0) return done(0);
    return { kind: 'incomplete', body: Buffer.concat(body) };
  }
  return { kind: 'incomplete', body: Buffer.concat(body) };
}

const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const name = fc.string({ unit: fc.constantFrom(...TCHAR), minLength: 1, maxLength: 12 })
  .filter((n) => !['content-length', 'transfer-encoding', 'connection'].includes(n.toLowerCase()));
// Visible ASCII and obs-text, no leading or trailing blanks (those are trimmed).
const value = fc.string({ unit: fc.oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.constant(0x20), fc.integer({ min: 0x80, max: 0xff })).map((c) => String.fromCharCode(c)), maxLength: 20 })
  .map((v) => v.trim());

interface Spec {
  http10: boolean;
  status: number;
  reason: string;
  headers: Array<[string, string]>;
  framing: 'length' | 'chunked' | 'close';
  body: Uint8Array;
  chunkSizes: number[];
  extensions: boolean;
  trailers: Array<[string, string]>;
  interim: number[];
  keepAliveHeader: 'none' | 'close' | 'keep-alive';
  lf: boolean;
}

const spec: fc.Arbitrary<Spec> = fc.record({
  http10: fc.boolean(),
  status: fc.integer({ min: 200, max: 599 }),
  reason: fc.constantFrom('', 'OK', 'Not Found', 'Some Reason Here'),
  headers: fc.array(fc.tuple(name, value), { maxLength: 6 }),
  framing: fc.constantFrom('length', 'chunked', 'close'),
  // fast-check keeps arrays short by default; bodies must reach multi-digit hex chunk sizes.
  body: fc.uint8Array({ maxLength: 600, size: 'max' }),
  chunkSizes: fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 }),
  extensions: fc.boolean(),
  trailers: fc.array(fc.tuple(name, value), { maxLength: 2 }),
  interim: fc.array(fc.constantFrom(100, 102, 103), { maxLength: 2 }),
  keepAliveHeader: fc.constantFrom('none', 'close', 'keep-alive'),
  lf: fc.boolean(),
});

/** The response `s` describes, and what parsing it must give. */
function build(s: Spec, noBody: boolean): { bytes: Buffer; expected: Outcome; eof: boolean } {
  const nl = s.lf ? '\n' : '\r\n';
  const version = s.http10 ? 'HTTP/1.0' : 'HTTP/1.1';
  const parts: Buffer[] = [];
  for (const code of s.interim) parts.push(Buffer.from(`${version} ${code} Interim${nl}X-Interim: 1${nl}${nl}`, 'latin1'));
  const headers: Array<[string, string]> = [...s.headers];
  const chunked = s.framing === 'chunked' && !s.http10;
  const framing = s.framing === 'chunked' && s.http10 ? 'close' : s.framing;
  if (framing === 'length') headers.push(['Content-Length', String(s.body.length)]);
  if (chunked) headers.push(['Transfer-Encoding', 'chunked']);
  if (s.keepAliveHeader !== 'none') headers.push(['Connection', s.keepAliveHeader]);
  const statusText = s.reason === '' ? String(s.status) : `${s.status} ${s.reason}`;
  let head = `${version} ${statusText}${nl}`;
  for (const [k, v] of headers) head += `${k}: ${v}${nl}`;
  head += nl;
  parts.push(Buffer.from(head, 'latin1'));
  const bodiless = noBody || s.status === 204 || s.status === 304;
  const body = bodiless ? Buffer.alloc(0) : Buffer.from(s.body);
  if (!bodiless) {
    if (chunked) {
      let at = 0;
      let i = 0;
      while (at < body.length) {
        const n = Math.min(s.chunkSizes[i++ % s.chunkSizes.length], body.length - at);
        parts.push(Buffer.from(`${n.toString(16)}${s.extensions ? ';ext="v"' : ''}${nl}`, 'latin1'), body.subarray(at, at + n), Buffer.from(nl));
        at += n;
      }
      let tail = `0${s.extensions ? ';last' : ''}${nl}`;
      for (const [k, v] of s.trailers) tail += `${k}: ${v}${nl}`;
      parts.push(Buffer.from(tail + nl, 'latin1'));
    } else {
      parts.push(body);
    }
  }
  const bytes = Buffer.concat(parts);
  const untilClose = !bodiless && framing === 'close';
  const keepAlive = !untilClose && (s.http10 ? s.keepAliveHeader === 'keep-alive' : s.keepAliveHeader !== 'close');
  return {
    bytes,
    eof: untilClose,
    expected: {
      kind: 'complete',
      end: untilClose ? undefined : bytes.length,
      status: s.status,
      statusText,
      headers: headers.flatMap(([k, v]) => [k, Buffer.from(v, 'latin1').toString('utf8')]),
      keepAlive,
      body,
    },
  };
}

describe('ResponseParser', () => {
  it('parses any valid response the same however it is split', () => {
    fc.assert(fc.property(spec, fc.boolean(), fc.array(fc.nat(), { maxLength: 12 }), (s, noBody, cuts) => {
      const { bytes, expected, eof } = build(s, noBody);
      const whole = parse(bytes, [], { noBody, eof });
      const split = parse(bytes, cuts, { noBody, eof });
      const { end: _end, ...rest } = expected;
      expect(whole).toMatchObject(rest);
      if (!eof) expect(whole.end).toBe(bytes.length);
      expect(split).toEqual(whole);
    }), { numRuns: 1500 });
  });

  it('parses byte by byte', () => {
    const bytes = Buffer.from(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n'
      + `5;name=value\r\nhello\r\n6\r\n world\r\n1A\r\n${'a'.repeat(26)}\r\nb \r\n${'b'.repeat(11)}\r\n0\r\nTrailer: x\r\n\r\n`,
    );
    const cuts = Array.from({ length: bytes.length }, (_, i) => i);
    const out = parse(bytes, cuts);
    expect(out).toMatchObject({ kind: 'complete', end: bytes.length, status: 200, statusText: '200 OK', headers: ['X-A', '1', 'Transfer-Encoding', 'chunked'] });
    expect(out.body.toString()).toBe(`hello world${'a'.repeat(26)}${'b'.repeat(11)}`);
  });

  it('reports where the response ends when more bytes follow', () => {
    const bytes = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA');
    expect(parse(bytes)).toMatchObject({ kind: 'complete', end: bytes.length - 5 });
  });

  it('gives HEAD, 204 and 304 responses no body and keeps the connection', () => {
    expect(parse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n'), [], { noBody: true }))
      .toMatchObject({ kind: 'complete', status: 200, keepAlive: true, body: Buffer.alloc(0) });
    expect(parse(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'))).toMatchObject({ kind: 'complete', status: 204, keepAlive: true });
    expect(parse(Buffer.from('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n'))).toMatchObject({ kind: 'complete', status: 304, keepAlive: true });
  });

  it('treats 101 as final, without a body, and closes after it', () => {
    expect(parse(Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n'))).toMatchObject({ kind: 'complete', status: 101, keepAlive: false });
  });

  it('reads a body without length until the connection closes', () => {
    const bytes = Buffer.from('HTTP/1.1 200 OK\r\n\r\nuntil the end');
    expect(parse(bytes)).toMatchObject({ kind: 'incomplete' });
    expect(parse(bytes, [20, 25], { eof: true })).toMatchObject({ kind: 'complete', keepAlive: false, body: Buffer.from('until the end') });
  });

  it('keeps HTTP/1.0 connections only when asked to', () => {
    expect(parse(Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'))).toMatchObject({ keepAlive: false });
    expect(parse(Buffer.from('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n'))).toMatchObject({ keepAlive: true });
    expect(parse(Buffer.from('HTTP/1.1 200 OK\r\nConnection: foo, CLOSE\r\nContent-Length: 0\r\n\r\n'))).toMatchObject({ keepAlive: false });
  });

  it('joins obs-fold continuation lines into the value', () => {
    const out = parse(Buffer.from('HTTP/1.1 200 OK\r\nX-Long: one\r\n  two\r\n\tthree\r\nContent-Length: 0\r\n\r\n'));
    expect(out.headers).toEqual(['X-Long', 'one two three', 'Content-Length', '0']);
  });

  it('decodes header values as UTF-8 and keeps repeated headers apart', () => {
    const out = parse(Buffer.from('HTTP/1.1 200 OK\r\nX-Name: h\u00e9llo\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n'));
    expect(out.headers).toEqual(['X-Name', 'h\u00e9llo', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Content-Length', '0']);
  });

  it('accepts repeated equal Content-Length headers and prefers chunked over a length', () => {
    expect(parse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok'))).toMatchObject({ kind: 'complete', body: Buffer.from('ok') });
    expect(parse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n')))
      .toMatchObject({ kind: 'complete', body: Buffer.from('ok') });
  });

  it('handles a body far larger than any chunk', () => {
    const body = Buffer.alloc(3 * 1024 * 1024 + 7, 97);
    const bytes = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
    const cuts = Array.from({ length: 60 }, (_, i) => i * 65536 + 13);
    const out = parse(bytes, cuts);
    expect(out.kind).toBe('complete');
    expect(out.body.equals(body)).toBe(true);
  });

  it.each([
    ['garbage', 'GARBAGE GARBAGE\r\n\r\n', /^malformed HTTP (response|version)/],
    ['a status line without a code', 'HTTP/1.1\r\n\r\n', /^malformed HTTP response/],
    ['a bad status code', 'HTTP/1.1 abc OK\r\n\r\n', /^malformed HTTP status code "abc"/],
    ['a four digit status', 'HTTP/1.1 2000 OK\r\n\r\n', /^malformed HTTP status code/],
    ['another protocol', 'HTTP/2.0 200 OK\r\n\r\n', /^malformed HTTP version "HTTP\/2.0"/],
    ['a header without a colon', 'HTTP/1.1 200 OK\r\nBad Header\r\n\r\n', /^malformed MIME header line/],
    ['a space before the colon', 'HTTP/1.1 200 OK\r\nName : v\r\n\r\n', /^malformed MIME header line/],
    ['a control byte in a value', 'HTTP/1.1 200 OK\r\nName: a\u0001b\r\n\r\n', /^malformed MIME header line/],
    ['a fold before any header', 'HTTP/1.1 200 OK\r\n folded\r\n\r\n', /^malformed MIME header initial line/],
    ['a bad Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n', /^bad Content-Length "1x"/],
    ['a negative Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /^bad Content-Length/],
    ['Content-Lengths that differ', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', /multiple Content-Length/],
    ['an unknown transfer encoding', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n', /^unsupported transfer encoding: "gzip"/],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /invalid byte in chunk length/],
    ['an empty chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n', /empty hex number/],
    ['a huge chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n', /chunk length too large/],
    ['chunk data overrunning its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n0\r\n\r\n', /malformed chunked encoding/],
    ['two CRs after chunk data', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\r\n0\r\n\r\n', /malformed chunked encoding/],
    ['an empty first line', '\r\nHTTP/1.1 200 OK\r\n\r\n', /^malformed HTTP response ""/],
  ])('rejects %s', (_name, text, message) => {
    const bytes = Buffer.from(text, 'latin1');
    const out = parse(bytes);
    expect(out.kind).toBe('error');
    expect(out.error).toMatch(message);
    // The same error however the bytes arrive.
    expect(parse(bytes, Array.from({ length: bytes.length }, (_, i) => i))).toEqual(out);
  });

  it('bounds the head it buffers', () => {
    const parser = new ResponseParser();
    parser.start(false);
    const sink = { onBody: () => {} };
    expect(parser.execute(Buffer.from('HTTP/1.1 200 OK\r\n'), 0, sink)).toBe(NEED_MORE);
    const line = Buffer.from(`X-Filler: ${'x'.repeat(1000)}\r\n`);
    let r = NEED_MORE;
    for (let sent = 0; r === NEED_MORE && sent <= MAX_HEAD_BYTES + line.length; sent += line.length) r = parser.execute(line, 0, sink);
    expect(r).toBe(FAILED);
    expect(parser.error!.message).toMatch(/exceeded the size limit/);
  });

  it('never throws on hostile bytes, and splitting them changes nothing', () => {
    const hostile = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      // Mostly valid responses with bytes flipped, inserted or cut: closer to the parser's edge cases.
      fc.tuple(spec, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 4 }))
        .map(([s, edits]) => {
          const bytes = [...build(s, false).bytes];
          for (const [at, byte, op] of edits) {
            const i = at % (bytes.length + 1);
            if (op === 'set' && i < bytes.length) bytes[i] = byte;
            else if (op === 'insert') bytes.splice(i, 0, byte);
            else bytes.splice(i, 1);
          }
          return Buffer.from(bytes);
        }),
    );
    fc.assert(fc.property(hostile, fc.array(fc.nat(), { maxLength: 10 }), fc.boolean(), fc.boolean(), (bytes, cuts, noBody, eof) => {
      const whole = parse(bytes, [], { noBody, eof });
      const split = parse(bytes, cuts, { noBody, eof });
      expect(split).toEqual(whole);
      if (whole.kind === 'complete' && whole.end !== undefined) expect(whole.end).toBeLessThanOrEqual(bytes.length);
      expect(whole.body.length).toBeLessThanOrEqual(bytes.length);
    }), { numRuns: 3000 });
  });

  it('decodes header pairs of any head without throwing', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const buf = Buffer.from(bytes);
      const pairs = headerPairs(buf, 0, buf.length);
      expect(pairs.length % 2).toBe(0);
    }), { numRuns: 500 });
  });
});
