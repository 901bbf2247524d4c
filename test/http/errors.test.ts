import { afterEach, describe, expect, it } from 'vitest';
import { VuHttp } from '../../src/load/http/index.ts';
import { closedPort, collector, defaults, httpServer, sleep, tcpServer, type Started } from './helpers.ts';
import type net from 'node:net';

let vu: VuHttp;
const servers: Array<Started<net.Server>> = [];
async function track<S extends net.Server>(s: Promise<Started<S>>): Promise<Started<S>> {
  const started = await s;
  servers.push(started);
  return started;
}
afterEach(async () => {
  await vu?.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** The error response and its samples, which k6 still emits with status 0 and the error code as tags. */
function expectFailedSamples(ctx: ReturnType<typeof collector>, code: number): void {
  const reqs = ctx.of('http_reqs');
  expect(reqs).toHaveLength(1);
  expect(reqs[0].tags.status).toBe('0');
  expect(reqs[0].tags.error_code).toBe(String(code));
  expect(reqs[0].tags.expected_response).toBe('false');
  expect(reqs[0].tags.proto).toBeUndefined();
  expect(ctx.of('http_req_failed')[0].value).toBe(1);
}

describe('network errors become error codes, not exceptions', () => {
  it('connection refused: 1212', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', `http://127.0.0.1:${await closedPort()}/`, null, undefined, ctx);
    expect(res.status).toBe(0);
    expect(res.error_code).toBe(1212);
    expect(res.error).toBe('dial: connection refused');
    expect(res.body).toBeNull();
    expect(res.headers).toEqual({});
    expect(res.timings.duration).toBe(0);
    expectFailedSamples(ctx, 1212);
    expect(ctx.samples[0].tags.error).toBe('dial: connection refused');
  });

  it('invalid URLs: 1020, nothing emitted', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    for (const url of ['not a url', 'http://', '://x', 'http://host:99999/', '']) {
      const res = await vu.request('GET', url, null, undefined, ctx);
      expect(res.error_code, url).toBe(1020);
      expect(res.status).toBe(0);
      expect(res.error).toMatch(/^invalid URL/);
    }
    expect(ctx.samples).toHaveLength(0);
  });

  it('unsupported schemes fail with a generic error', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', 'ftp://127.0.0.1/x', null, undefined, ctx);
    expect(res.status).toBe(0);
    expect(res.error_code).toBe(1000);
  });

  it('request timeout: 1050 "request timeout", within the deadline', async () => {
    const srv = await track(httpServer((_req, res) => {
      setTimeout(() => res.end('late'), 2_000).unref();
    }));
    vu = new VuHttp(defaults());
    const ctx = collector();
    const t0 = performance.now();
    const res = await vu.request('GET', srv.url, null, { timeout: '150ms' }, ctx);
    const took = performance.now() - t0;
    expect(res.error_code).toBe(1050);
    expect(res.error).toBe('request timeout');
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(1_000);
    expectFailedSamples(ctx, 1050);
    // No response byte came: the whole wait counts as waiting.
    expect(res.timings.waiting).toBeGreaterThan(100);
    // The VU recovers on a new connection.
    await vu.close();
    vu = new VuHttp(defaults({ timeoutMs: 100 }));
    const again = await vu.request('GET', srv.url, null, undefined, collector());
    expect(again.error_code).toBe(1050);
  });

  it('a timeout covers the body too', async () => {
    const srv = await track(httpServer((_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345');
      setTimeout(() => res.end('67890'), 2_000).unref();
    }));
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', srv.url, null, { timeout: 150 }, collector());
    expect(res.error_code).toBe(1050);
    expect(res.timings.receiving).toBeGreaterThan(100);
  });

  it('a server closing the socket mid-response: 1000 "unexpected EOF"', async () => {
    const srv = await track(tcpServer((s) => {
      s.once('data', () => {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
        setTimeout(() => s.destroy(), 20);
      });
    }));
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', srv.url, null, undefined, ctx);
    expect(res.status).toBe(0);
    expect(res.error_code).toBe(1000);
    expect(res.error).toBe('unexpected EOF');
    expectFailedSamples(ctx, 1000);
  });

  it('a server resetting the connection before answering', async () => {
    const srv = await track(tcpServer((s) => {
      s.once('data', () => s.resetAndDestroy());
    }));
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', srv.url, null, undefined, collector());
    expect(res.status).toBe(0);
    expect([1000, 1220]).toContain(res.error_code);
  });

  it.each([
    ['garbage', 'GARBAGE GARBAGE\r\n\r\n'],
    ['a bad status line', 'HTTP/1.1 abc OK\r\n\r\n'],
    ['a bad header', 'HTTP/1.1 200 OK\r\nBad Header\r\n\r\n'],
    ['binary noise', Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10])],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
  ])('a malformed response (%s) gets an error code, not a crash', async (_name, reply) => {
    const srv = await track(tcpServer((s) => {
      s.once('data', () => {
        s.write(reply);
        setTimeout(() => s.end(), 50);
      });
    }));
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', srv.url, null, undefined, ctx);
    expect(res.status).toBe(0);
    expect(res.error_code).toBe(1000);
    expect(res.error).not.toBe('');
    expectFailedSamples(ctx, 1000);
    // The VU stays usable.
    const ok = await track(httpServer((_req, r) => r.end('fine')));
    expect((await vu.request('GET', ok.url, null, undefined, ctx)).body).toBe('fine');
  });

  it('a server closing an idle keep-alive connection does not fail the next request', async () => {
    const srv = await track(httpServer((_req, res) => res.end('ok')));
    srv.server.on('connection', (s: net.Socket) => {
      // Close each connection shortly after its first response, without telling the client.
      s.once('data', () => setTimeout(() => s.destroy(), 30));
    });
    vu = new VuHttp(defaults());
    const ctx = collector();
    expect((await vu.request('GET', srv.url, null, undefined, ctx)).status).toBe(200);
    await sleep(80);
    expect((await vu.request('GET', srv.url, null, undefined, ctx)).status).toBe(200);
  });
});

describe('interrupting the VU', () => {
  it('rejects with an AbortError and emits nothing', async () => {
    const srv = await track(httpServer((_req, res) => {
      setTimeout(() => res.end('late'), 2_000).unref();
    }));
    vu = new VuHttp(defaults());
    const ac = new AbortController();
    const ctx = collector({}, { signal: ac.signal });
    const pending = vu.request('GET', srv.url, null, undefined, ctx);
    setTimeout(() => ac.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(ctx.samples).toHaveLength(0);
    // An already aborted signal rejects at once.
    await expect(vu.request('GET', srv.url, null, undefined, ctx)).rejects.toMatchObject({ name: 'AbortError' });
    // A new iteration with a fresh signal works again.
    const ok = await track(httpServer((_req, res) => res.end('ok')));
    const res = await vu.request('GET', ok.url, null, undefined, collector({}, { signal: new AbortController().signal }));
    expect(res.status).toBe(200);
  });

  it('aborts while still connecting and in batches', async () => {
    const srv = await track(httpServer((_req, res) => {
      setTimeout(() => res.end('late'), 2_000).unref();
    }));
    vu = new VuHttp(defaults());
    const ac = new AbortController();
    const ctx = collector({}, { signal: ac.signal });
    const pending = vu.batch([srv.url, srv.url, srv.url], ctx);
    ac.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(ctx.samples).toHaveLength(0);
  });

  it('rejects after close()', async () => {
    vu = new VuHttp(defaults());
    await vu.close();
    await expect(vu.request('GET', 'http://127.0.0.1:1/', null, undefined, collector())).rejects.toThrow(/closed/);
  });
});
