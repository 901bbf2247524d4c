import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { urlTemplate, VuHttp, type K6Response } from '../../src/load/http/index.ts';
import { collector, defaults, httpServer, type Started } from './helpers.ts';
import type http from 'node:http';

let srv: Started<http.Server>;
let vu: VuHttp;
let inFlight = 0;
let maxInFlight = 0;
const perHost = new Map<string, { now: number; max: number }>();

beforeAll(async () => {
  srv = await httpServer((req, res, body) => {
    const host = req.headers.host!.split(':')[0];
    const h = perHost.get(host) ?? { now: 0, max: 0 };
    perHost.set(host, h);
    inFlight++;
    h.now++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    h.max = Math.max(h.max, h.now);
    setTimeout(() => {
      inFlight--;
      h.now--;
      res.end(`${req.method} ${req.url} ${body.toString()}`);
    }, 30);
  });
});
afterAll(() => srv.close());
beforeEach(() => {
  inFlight = 0;
  maxInFlight = 0;
  perHost.clear();
});
afterEach(async () => {
  await vu?.close();
});

describe('http.batch', () => {
  it('accepts the array form with every item shape and keeps the order', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.batch([
      `${srv.url}/a`,
      ['POST', `${srv.url}/b`, 'body-b'],
      ['PUT', `${srv.url}/c`, 'body-c', { tags: { name: 'c' } }],
      { method: 'patch', url: `${srv.url}/d`, body: 'body-d' },
      { method: 'GET', url: `${srv.url}/e`, body: 'ignored for GET' },
      { url: urlTemplate`${srv.url}/f/${1}` },
    ], ctx);
    expect(res.map((r) => r.body)).toEqual([
      'GET /a ', 'POST /b body-b', 'PUT /c body-c', 'PATCH /d body-d', 'GET /e ', 'GET /f/1 ',
    ]);
    expect(ctx.of('http_reqs')).toHaveLength(6);
    expect(ctx.of('http_reqs').map((s) => s.tags.name)).toContain('c');
  });

  it('accepts the object form and returns responses under the same keys', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.batch({
      first: `${srv.url}/1`,
      second: { method: 'POST', url: `${srv.url}/2`, body: 'two' },
    }, collector());
    expect(Object.keys(res)).toEqual(['first', 'second']);
    expect((res.first as K6Response).body).toBe('GET /1 ');
    expect((res.second as K6Response).body).toBe('POST /2 two');
  });

  it('keeps at most `batch` requests in flight', async () => {
    vu = new VuHttp(defaults({ batch: 3, batchPerHost: 0 }));
    const urls = Array.from({ length: 10 }, (_, i) => `${srv.url}/${i}`);
    const res = await vu.batch(urls, collector());
    expect(res.every((r) => r.status === 200)).toBe(true);
    expect(maxInFlight).toBe(3);
  });

  it('keeps at most `batchPerHost` requests in flight per host, on that many connections', async () => {
    vu = new VuHttp(defaults({ batch: 20, batchPerHost: 2 }));
    const ctx = collector();
    const local = srv.url.replace('127.0.0.1', 'localhost');
    const urls = [...Array.from({ length: 6 }, () => `${srv.url}/x`), ...Array.from({ length: 6 }, () => `${local}/y`)];
    const res = await vu.batch(urls, ctx);
    const ok = res.filter((r) => r.status === 200);
    // localhost may resolve to ::1, where nothing listens; the 127.0.0.1 half must always work.
    expect(ok.length).toBeGreaterThanOrEqual(6);
    expect(perHost.get('127.0.0.1')!.max).toBe(2);
    if (perHost.has('localhost')) expect(perHost.get('localhost')!.max).toBeLessThanOrEqual(2);
    const opened = ctx.of('http_req_connecting').filter((s) => s.value > 0 && s.tags.url === `${srv.url}/x`);
    expect(opened).toHaveLength(2);
    // Those connections stay with the VU for the next batch.
    ctx.clear();
    await vu.batch([`${srv.url}/x`, `${srv.url}/x`], ctx);
    expect(ctx.of('http_req_connecting').every((s) => s.value === 0)).toBe(true);
  });

  it('gives an invalid URL its own 1020 response without stopping the others', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.batch([`${srv.url}/ok`, 'not a url'], collector());
    expect(res[0].status).toBe(200);
    expect(res[1].error_code).toBe(1020);
  });

  it('rejects malformed batch items', async () => {
    vu = new VuHttp(defaults());
    await expect(vu.batch([['GET'] as never], collector())).rejects.toThrow(/invalid batch request/);
    await expect(vu.batch([[42, srv.url] as never], collector())).rejects.toThrow(/invalid method type/);
    await expect(vu.batch({ k: { method: 'GET' } as never }, collector())).rejects.toThrow(/doesn't have a url key/);
  });
});
