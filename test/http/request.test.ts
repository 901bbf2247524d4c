import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectedStatuses, urlTemplate, VuHttp } from '../../src/load/http/index.ts';
import { collector, defaults, httpServer, type Started } from './helpers.ts';
import type http from 'node:http';

let srv: Started<http.Server>;
let vu: VuHttp;

beforeAll(async () => {
  srv = await httpServer((req, res, body) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname === '/echo') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        method: req.method,
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: body.toString('latin1'),
        length: body.length,
      }));
      return;
    }
    if (u.pathname === '/status') {
      res.statusCode = Number(u.searchParams.get('code'));
      res.end('status');
      return;
    }
    if (u.pathname === '/headers') {
      res.setHeader('x-multi', ['one', 'two']);
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.setHeader('x-lower-case-name', 'v');
      res.end('héllo');
      return;
    }
    if (u.pathname === '/bytes') {
      res.end(Buffer.from([0, 1, 2, 250, 255]));
      return;
    }
    if (u.pathname === '/json') {
      res.end('{"a":{"b":[10,{"c":"deep"}]},"list":[{"id":1},{"id":2},{"x":3}],"dot.key":true}');
      return;
    }
    res.end('ok');
  });
});
afterAll(() => srv.close());
afterEach(async () => {
  await vu?.close();
});

describe('methods and bodies', () => {
  it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('sends %s', async (method) => {
    vu = new VuHttp(defaults());
    const res = await vu.request(method, `${srv.url}/echo`, null, undefined, collector());
    expect(res.status).toBe(200);
    expect((res.json() as { method: string }).method).toBe(method);
  });

  it('HEAD gets headers and an empty body', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('HEAD', `${srv.url}/headers`, null, undefined, collector());
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['X-Multi']).toBe('one, two');
  });

  it('sends a string body with its Content-Length', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('POST', `${srv.url}/echo`, 'héllo wörld', undefined, collector());
    const echo = res.json() as { headers: Record<string, string>; length: number };
    expect(echo.length).toBe(Buffer.byteLength('héllo wörld'));
    expect(echo.headers['content-length']).toBe(String(echo.length));
    expect(res.request.body).toBe('héllo wörld');
  });

  it('sends ArrayBuffer and typed-array bodies byte for byte', async () => {
    vu = new VuHttp(defaults());
    const bytes = new Uint8Array([0, 255, 1, 128, 10, 13]);
    const a = await vu.request('PUT', `${srv.url}/echo`, bytes.buffer, undefined, collector());
    expect(Buffer.from((a.json() as { body: string }).body, 'latin1')).toEqual(Buffer.from(bytes));
    const view = new Uint8Array([9, 9, 1, 2, 3, 9]).subarray(2, 5);
    const b = await vu.request('PUT', `${srv.url}/echo`, view, undefined, collector());
    expect(Buffer.from((b.json() as { body: string }).body, 'latin1')).toEqual(Buffer.from([1, 2, 3]));
  });

  it('encodes a plain object as a sorted urlencoded form', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('POST', `${srv.url}/echo`, { b: 'x y&z', a: [1, 2], 'c!': "it's" }, undefined, collector());
    const echo = res.json() as { headers: Record<string, string>; body: string };
    expect(echo.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(echo.body).toBe('a=1&a=2&b=x+y%26z&c%21=it%27s');
  });

  it('lets params.headers override the form Content-Type and ignores a wrong Content-Length', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('POST', `${srv.url}/echo`, { a: 1 }, {
      headers: { 'content-type': 'text/x-custom', 'Content-Length': '999' },
    }, collector());
    const echo = res.json() as { headers: Record<string, string> };
    expect(echo.headers['content-type']).toBe('text/x-custom');
    expect(echo.headers['content-length']).toBe('3');
  });

  it('sends the user agent, custom headers with canonical names, and basic auth from userinfo', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', `${srv.url.replace('://', '://al%20ice:s3cr%3At@')}/echo`, null, {
      headers: { 'x-custom-header': 'v1', accept: 'text/html' },
    }, collector());
    const echo = res.json() as { headers: Record<string, string>; rawHeaders: string[] };
    expect(echo.headers['user-agent']).toBe('telltale-test/1.0');
    expect(echo.rawHeaders).toContain('X-Custom-Header');
    expect(echo.headers.authorization).toBe(`Basic ${Buffer.from('al ice:s3cr:t').toString('base64')}`);
    expect(res.request.headers['X-Custom-Header']).toEqual(['v1']);
    expect(res.request.headers.Authorization).toBeDefined();
  });

  it('treats null params fields as unset and honours a Host header', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', `${srv.url}/echo`, null, {
      timeout: null, redirects: null, responseType: null, tags: null, headers: { Host: 'example.test', 'X-Null': null },
    } as never, ctx);
    const echo = res.json() as { headers: Record<string, string> };
    expect(echo.headers.host).toBe('example.test');
    expect(echo.headers['x-null']).toBeUndefined();
    expect(ctx.of('http_reqs')).toHaveLength(1);
  });

  it('fails a request with an invalid header value without throwing', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', `${srv.url}/echo`, null, { headers: { 'X-Bad': 'a\r\nInjected: 1' } }, ctx);
    expect(res.status).toBe(0);
    expect(res.error_code).toBe(1000);
    expect(ctx.samples[0].tags.status).toBe('0');
  });

  it('rejects bodies k6 does not accept', async () => {
    vu = new VuHttp(defaults());
    await expect(vu.request('POST', `${srv.url}/echo`, 42 as never, undefined, collector())).rejects.toThrow(/unknown request body type/);
  });
});

describe('responses', () => {
  it('canonicalizes header names and joins repeated values', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', `${srv.url}/headers`, null, undefined, collector());
    expect(res.headers['Content-Type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['X-Multi']).toBe('one, two');
    expect(res.headers['X-Lower-Case-Name']).toBe('v');
    expect(res.body).toBe('héllo');
    expect(res.proto).toBe('HTTP/1.1');
    expect(res.status_text).toBe('200 OK');
    expect(res.url).toBe(`${srv.url}/headers`);
    expect(res.remote_ip).toBe('127.0.0.1');
    expect(res.remote_port).toBe(srv.port);
    expect(res.error).toBe('');
    expect(res.error_code).toBe(0);
  });

  it('honours responseType text, binary and none, and discardResponseBodies', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const bin = await vu.request('GET', `${srv.url}/bytes`, null, { responseType: 'binary' }, ctx);
    expect(bin.body).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(bin.body as ArrayBuffer)]).toEqual([0, 1, 2, 250, 255]);
    const none = await vu.request('GET', `${srv.url}/bytes`, null, { responseType: 'none' }, ctx);
    expect(none.body).toBeNull();
    const text = await vu.request('GET', `${srv.url}/headers`, null, { responseType: 'text' }, ctx);
    expect(text.body).toBe('héllo');
    // Bodies that are not kept still count as received data.
    expect(ctx.of('data_received')[1].value).toBeGreaterThan(5);
    await vu.close();
    vu = new VuHttp(defaults({ discardResponseBodies: true }));
    const discarded = await vu.request('GET', `${srv.url}/headers`, null, undefined, ctx);
    expect(discarded.body).toBeNull();
    const kept = await vu.request('GET', `${srv.url}/headers`, null, { responseType: 'text' }, ctx);
    expect(kept.body).toBe('héllo');
    await expect(vu.request('GET', srv.url, null, { responseType: 'blob' as never }, ctx)).rejects.toThrow(/responseType/);
  });

  it('json() parses, selects gjson-style paths, and explains bodies that are not JSON', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', `${srv.url}/json`, null, undefined, collector());
    expect(res.json('a.b.1.c')).toBe('deep');
    expect(res.json('a.b.0')).toBe(10);
    expect(res.json('list.#')).toBe(3);
    expect(res.json('list.#.id')).toEqual([1, 2]);
    expect(res.json('dot\\.key')).toBe(true);
    expect(res.json('a.*.1.c')).toBe('deep');
    expect(res.json('missing.path')).toBeUndefined();
    expect((res.json() as { a: unknown }).a).toEqual({ b: [10, { c: 'deep' }] });

    const notJson = await vu.request('GET', `${srv.url}/headers`, null, undefined, collector());
    expect(() => notJson.json()).toThrow(/cannot parse json/);
    expect(notJson.json('a')).toBeUndefined();
    const none = await vu.request('GET', `${srv.url}/json`, null, { responseType: 'none' }, collector());
    expect(() => none.json()).toThrow(/the body is null/);
  });
});

describe('samples and tags', () => {
  const METRICS = [
    'http_reqs', 'http_req_duration', 'http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking',
    'http_req_sending', 'http_req_waiting', 'http_req_receiving', 'http_req_failed', 'data_sent', 'data_received',
  ];

  it('emits every k6 HTTP metric once per request, sharing one tags object and one time', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector({ scenario: 's1', group: '::g' });
    await vu.request('GET', `${srv.url}/status?code=201`, null, undefined, ctx);
    expect(ctx.samples.map((s) => s.metric)).toEqual(METRICS);
    const tags = ctx.samples[0].tags;
    expect(ctx.samples.every((s) => s.tags === tags && s.time === ctx.samples[0].time)).toBe(true);
    expect(tags).toEqual({
      scenario: 's1', group: '::g', method: 'GET', url: `${srv.url}/status?code=201`, name: `${srv.url}/status?code=201`,
      status: '201', proto: 'HTTP/1.1', expected_response: 'true', ip: '127.0.0.1',
    });
    expect(ctx.of('http_reqs')[0].value).toBe(1);
  });

  it('filters system tags, lets tags.name override the name, and names http.url templates', async () => {
    vu = new VuHttp(defaults({ systemTags: new Set(['method', 'name', 'status']) }));
    const ctx = collector({ scenario: 'default' });
    await vu.request('GET', `${srv.url}/echo`, null, { tags: { name: 'custom', extra: 7 } }, ctx);
    expect(ctx.samples[0].tags).toEqual({ scenario: 'default', name: 'custom', extra: '7', method: 'GET', status: '200' });
    ctx.clear();
    const id = 1234;
    const res = await vu.request('GET', urlTemplate`${srv.url}/echo?id=${id}`, null, undefined, ctx);
    expect(res.url).toBe(`${srv.url}/echo?id=1234`);
    expect(ctx.samples[0].tags.name).toBe('${}/echo?id=${}');
  });

  it('masks credentials in the url and name tags', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    await vu.request('GET', `${srv.url.replace('://', '://u:p@')}/echo`, null, undefined, ctx);
    expect(ctx.samples[0].tags.url).toBe(`${srv.url.replace('://', '://****:****@')}/echo`);
    expect(ctx.samples[0].tags.name).toBe(ctx.samples[0].tags.url);
  });

  it('follows expected statuses: default 200-399, per request, per VU, and null', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    await vu.request('GET', `${srv.url}/status?code=404`, null, undefined, ctx);
    const res = await vu.request('GET', `${srv.url}/status?code=404`, null, { responseCallback: expectedStatuses(404, { min: 500, max: 599 }) }, ctx);
    expect(ctx.of('http_req_failed').map((s) => s.value)).toEqual([1, 0]);
    expect(ctx.of('http_req_failed').map((s) => s.tags.expected_response)).toEqual(['false', 'true']);
    // 4xx and 5xx carry k6's 1000+status error code, with no error message.
    expect(res.error_code).toBe(1404);
    expect(res.error).toBe('');
    expect(ctx.samples[0].tags.error_code).toBe('1404');

    ctx.clear();
    await vu.request('GET', `${srv.url}/status?code=500`, null, { responseCallback: null }, ctx);
    expect(ctx.of('http_req_failed')).toHaveLength(0);

    ctx.clear();
    vu.setResponseCallback(expectedStatuses(201));
    await vu.request('GET', `${srv.url}/status?code=200`, null, undefined, ctx);
    expect(ctx.of('http_req_failed')[0].value).toBe(1);

    ctx.clear();
    vu.setResponseCallback(null);
    await vu.request('GET', `${srv.url}/status?code=500`, null, undefined, ctx);
    expect(ctx.of('http_req_failed')).toHaveLength(0);
    expect(ctx.samples[0].tags.expected_response).toBeUndefined();
  });

  it('validates expectedStatuses arguments like k6', () => {
    expect(() => expectedStatuses()).toThrow(/no arguments/);
    expect(() => expectedStatuses(200.5)).toThrow(/neither an integer nor an object/);
    expect(() => expectedStatuses({ min: 1, max: 2.5 })).toThrow(/both min and max need to be integers/);
    expect(expectedStatuses({ min: 200, max: 204 }, 302).match(302)).toBe(true);
  });

  it('emits http_req_corrected_duration when the iteration started late', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector({}, { startDelayMs: 25 });
    await vu.request('GET', srv.url, null, undefined, ctx);
    const d = ctx.of('http_req_duration')[0].value;
    expect(ctx.of('http_req_corrected_duration')[0].value).toBeCloseTo(d + 25, 6);
  });

  it('reuses one tags object for identical requests', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    await vu.request('GET', `${srv.url}/echo`, null, undefined, ctx);
    await vu.request('GET', `${srv.url}/echo`, null, undefined, ctx);
    const [a, b] = ctx.of('http_reqs');
    expect(a.tags).toBe(b.tags);
  });
});
