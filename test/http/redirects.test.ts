import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { urlTemplate, VuHttp } from '../../src/load/http/index.ts';
import { collector, defaults, httpServer, type Started } from './helpers.ts';
import type http from 'node:http';

let srv: Started<http.Server>;
let other: Started<http.Server>;
let vu: VuHttp;
const seen: Array<{ method: string; url: string; body: string; headers: http.IncomingHttpHeaders }> = [];

beforeAll(async () => {
  other = await httpServer((req, res) => {
    res.end(JSON.stringify({ auth: req.headers.authorization ?? null, referer: req.headers.referer ?? null }));
  });
  srv = await httpServer((req, res, body) => {
    const u = new URL(req.url!, 'http://x');
    seen.push({ method: req.method!, url: req.url!, body: body.toString(), headers: req.headers });
    const slow = /^\/slow\/(\d+)$/.exec(u.pathname);
    if (slow) {
      const n = Number(slow[1]);
      setTimeout(() => {
        res.writeHead(n === 0 ? 200 : 302, n === 0 ? {} : { location: `/slow/${n - 1}` });
        res.end();
      }, 60);
      return;
    }
    const chain = /^\/chain\/(\d+)$/.exec(u.pathname);
    if (chain) {
      const n = Number(chain[1]);
      if (n === 0) {
        res.end('end of chain');
      } else {
        res.writeHead(302, { location: `/chain/${n - 1}` });
        res.end();
      }
      return;
    }
    const code = /^\/code\/(\d+)$/.exec(u.pathname);
    if (code) {
      res.writeHead(Number(code[1]), { location: '/echo' });
      res.end();
      return;
    }
    if (u.pathname === '/elsewhere') {
      res.writeHead(301, { location: `${other.url}/` });
      res.end();
      return;
    }
    if (u.pathname === '/nolocation') {
      res.writeHead(302);
      res.end('no location');
      return;
    }
    if (u.pathname === '/badlocation') {
      res.writeHead(302, { location: 'http://[::bad' });
      res.end();
      return;
    }
    res.end(JSON.stringify({ method: req.method, body: body.toString(), type: req.headers['content-type'] ?? null }));
  });
});
afterAll(async () => {
  await srv.close();
  await other.close();
});
afterEach(async () => {
  seen.length = 0;
  await vu?.close();
});

describe('redirects', () => {
  it('follows a chain, emitting every hop as its own request', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', `${srv.url}/chain/3`, null, undefined, ctx);
    expect(res.status).toBe(200);
    expect(res.body).toBe('end of chain');
    expect(res.url).toBe(`${srv.url}/chain/0`);
    expect(res.request.url).toBe(`${srv.url}/chain/3`);
    const reqs = ctx.of('http_reqs');
    expect(reqs).toHaveLength(4);
    expect(reqs.map((s) => s.tags.url)).toEqual([3, 2, 1, 0].map((n) => `${srv.url}/chain/${n}`));
    expect(reqs.map((s) => s.tags.status)).toEqual(['302', '302', '302', '200']);
    // Each hop has its own complete set of samples, at its own end time.
    expect(ctx.of('http_req_duration')).toHaveLength(4);
    expect(ctx.of('data_received')).toHaveLength(4);
    const times = reqs.map((s) => s.time);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // The hops reuse the VU's one connection.
    expect(ctx.of('http_req_connecting').map((s) => s.value > 0)).toEqual([true, false, false, false]);
  });

  it('stops after maxRedirects and returns the last redirect response', async () => {
    vu = new VuHttp(defaults({ maxRedirects: 2 }));
    const ctx = collector();
    const res = await vu.request('GET', `${srv.url}/chain/5`, null, undefined, ctx);
    expect(res.status).toBe(302);
    expect(res.url).toBe(`${srv.url}/chain/3`);
    expect(ctx.of('http_reqs')).toHaveLength(3);
    ctx.clear();
    const none = await vu.request('GET', `${srv.url}/chain/5`, null, { redirects: 0 }, ctx);
    expect(none.status).toBe(302);
    expect(none.headers.Location).toBe('/chain/4');
    expect(ctx.of('http_reqs')).toHaveLength(1);
  });

  it('turns POST into GET without a body on 301/302/303 and replays it on 307/308', async () => {
    vu = new VuHttp(defaults());
    for (const code of [301, 302, 303]) {
      const res = await vu.request('POST', `${srv.url}/code/${code}`, { a: 1 }, undefined, collector());
      expect(res.json()).toEqual({ method: 'GET', body: '', type: null });
    }
    for (const code of [307, 308]) {
      const res = await vu.request('PUT', `${srv.url}/code/${code}`, 'payload', undefined, collector());
      expect(res.json()).toEqual({ method: 'PUT', body: 'payload', type: null });
    }
  });

  it('keeps a template name on every hop but tags each hop with its own url', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    await vu.request('GET', urlTemplate`${srv.url}/chain/${1}`, null, undefined, ctx);
    expect(ctx.of('http_reqs').map((s) => s.tags.name)).toEqual(['${}/chain/${}', '${}/chain/${}']);
    expect(ctx.of('http_reqs').map((s) => s.tags.url)).toEqual([`${srv.url}/chain/1`, `${srv.url}/chain/0`]);
  });

  it('drops credentials on a cross-host redirect and sets Referer', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', `${srv.url}/elsewhere`, null, { headers: { Authorization: 'Bearer t' } }, collector());
    // 127.0.0.1 on another port is the same host for Go's rule, so the header survives; the Referer is set.
    expect(res.json()).toEqual({ auth: 'Bearer t', referer: `${srv.url}/elsewhere` });
    const viaLocalhost = await vu.request('GET', `${srv.url.replace('127.0.0.1', 'localhost')}/elsewhere`, null, {
      headers: { Authorization: 'Bearer t' },
    }, collector());
    expect((viaLocalhost.json() as { auth: string | null }).auth).toBeNull();
  });

  it('applies one timeout to the whole chain', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const t0 = performance.now();
    const res = await vu.request('GET', `${srv.url}/slow/5`, null, { timeout: '150ms' }, ctx);
    const took = performance.now() - t0;
    expect(res.error_code).toBe(1050);
    expect(took).toBeGreaterThanOrEqual(145);
    expect(took).toBeLessThan(400);
    expect(ctx.of('http_reqs').map((s) => s.tags.status)).toEqual(['302', '302', '0']);
  });

  it('returns a 3xx without Location as is', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', `${srv.url}/nolocation`, null, undefined, collector());
    expect(res.status).toBe(302);
    expect(res.body).toBe('no location');
  });

  it('fails the request when the Location does not parse', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', `${srv.url}/badlocation`, null, undefined, ctx);
    expect(res.status).toBe(0);
    expect(res.error_code).toBe(1000);
    expect(res.error).toMatch(/Location/);
    expect(ctx.samples[0].tags.status).toBe('0');
  });
});
