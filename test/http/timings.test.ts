import { afterEach, describe, expect, it } from 'vitest';
import { VuHttp, type K6Response } from '../../src/load/http/index.ts';
import { collector, defaults, httpServer, httpsServer, sleep, tcpServer, type Started } from './helpers.ts';
import http from 'node:http';
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

function expectConsistent(res: K6Response): void {
  const t = res.timings;
  for (const v of Object.values(t)) expect(v).toBeGreaterThanOrEqual(0);
  expect(t.duration).toBeCloseTo(t.sending + t.waiting + t.receiving, 9);
}

describe('timings', () => {
  it('measures connecting only on the request that opened the connection', async () => {
    const srv = await track(httpServer((_req, res) => res.end('ok')));
    vu = new VuHttp(defaults());
    const ctx = collector();
    const first = await vu.request('GET', srv.url, null, undefined, ctx);
    const second = await vu.request('GET', srv.url, null, undefined, ctx);
    const third = await vu.request('GET', srv.url, null, undefined, ctx);
    expect(first.timings.connecting).toBeGreaterThan(0);
    expect(first.timings.blocked).toBeGreaterThanOrEqual(first.timings.connecting);
    expect(first.timings.tls_handshaking).toBe(0);
    expect(second.timings.connecting).toBe(0);
    expect(third.timings.connecting).toBe(0);
    for (const r of [first, second, third]) expectConsistent(r);
    // The samples carry the same figures as res.timings.
    expect(ctx.of('http_req_connecting').map((s) => s.value)).toEqual([first, second, third].map((r) => r.timings.connecting));
    expect(ctx.of('http_req_duration')[1].value).toBe(second.timings.duration);
  });

  it('never shares connections between VUs, and close() destroys them', async () => {
    const srv = await track(httpServer((_req, res) => res.end('ok')));
    const open = new Set<net.Socket>();
    srv.server.on('connection', (s: net.Socket) => {
      open.add(s);
      s.on('close', () => open.delete(s));
    });
    const a = new VuHttp(defaults());
    const b = new VuHttp(defaults());
    const ctx = collector();
    for (let i = 0; i < 2; i++) {
      await a.request('GET', srv.url, null, undefined, ctx);
      await b.request('GET', srv.url, null, undefined, ctx);
    }
    expect(ctx.of('http_req_connecting').map((s) => s.value > 0)).toEqual([true, true, false, false]);
    expect(open.size).toBe(2);
    await a.close();
    await b.close();
    for (let i = 0; i < 50 && open.size > 0; i++) await sleep(10);
    expect(open.size).toBe(0);
  });

  it('keeps the connection after a HEAD request', async () => {
    const srv = await track(httpServer((_req, res) => res.end('ok')));
    vu = new VuHttp(defaults());
    const ctx = collector();
    await vu.request('HEAD', srv.url, null, undefined, ctx);
    await vu.request('GET', srv.url, null, undefined, ctx);
    expect(ctx.of('http_req_connecting').map((s) => s.value > 0)).toEqual([true, false]);
  });

  it('opens a new connection for every request with noConnectionReuse', async () => {
    const srv = await track(httpServer((_req, res) => res.end('ok')));
    vu = new VuHttp(defaults({ noConnectionReuse: true }));
    const ctx = collector();
    for (let i = 0; i < 3; i++) await vu.request('GET', srv.url, null, undefined, ctx);
    expect(ctx.of('http_req_connecting').every((s) => s.value > 0)).toBe(true);
  });

  it('attributes a slow first byte to waiting and a slow body to receiving', async () => {
    const srv = await track(httpServer((req, res) => {
      if (req.url === '/slow-head') {
        setTimeout(() => res.end('x'), 60);
      } else {
        res.writeHead(200, { 'content-length': '2' });
        res.write('a');
        setTimeout(() => res.end('b'), 60);
      }
    }));
    vu = new VuHttp(defaults());
    const ctx = collector();
    await vu.request('GET', `${srv.url}/warm`, null, undefined, ctx);
    const head = await vu.request('GET', `${srv.url}/slow-head`, null, undefined, ctx);
    expect(head.timings.waiting).toBeGreaterThanOrEqual(50);
    expect(head.timings.receiving).toBeLessThan(50);
    const body = await vu.request('GET', `${srv.url}/slow-body`, null, undefined, ctx);
    expect(body.timings.receiving).toBeGreaterThanOrEqual(50);
    expect(body.timings.waiting).toBeLessThan(50);
    expect(body.body).toBe('ab');
    for (const r of [head, body]) expectConsistent(r);
    // Every sample of a request is stamped with its end; requests end in order.
    const times = ctx.of('http_reqs').map((s) => s.time);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(50);
  });
});

describe('data_sent and data_received', () => {
  it('count the bytes on the wire, headers included', async () => {
    const response = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello';
    let serverRead = 0;
    const srv = await track(tcpServer((s) => {
      s.on('data', (d) => {
        serverRead += d.length;
        if (d.includes('\r\n\r\n')) s.write(response);
      });
    }));
    vu = new VuHttp(defaults());
    const ctx = collector();
    await vu.request('GET', `${srv.url}/a`, null, undefined, ctx);
    await vu.request('POST', `${srv.url}/b`, 'x'.repeat(1000), undefined, ctx);
    const sent = ctx.of('data_sent').map((s) => s.value);
    const received = ctx.of('data_received').map((s) => s.value);
    expect(received).toEqual([response.length, response.length]);
    expect(sent[0]).toBeGreaterThan('GET /a HTTP/1.1\r\n\r\n'.length);
    expect(sent[1]).toBeGreaterThan(1000);
    await sleep(10);
    expect(sent[0] + sent[1]).toBe(serverRead);
  });
});

describe('https', () => {
  it('rejects a self-signed certificate unless insecureSkipTLSVerify', async () => {
    const srv = await track(httpsServer((_req, res) => res.end('secure')));
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', srv.url, null, undefined, ctx);
    expect(res.status).toBe(0);
    expect(res.error_code).toBe(1310);
    expect(res.error).toBe('x509: unknown authority');
    expect(ctx.samples[0].tags.error_code).toBe('1310');
  });

  it('measures the TLS handshake once per connection and counts TLS bytes', async () => {
    const srv = await track(httpsServer((_req, res) => res.end('secure')));
    const raw: net.Socket[] = [];
    srv.server.on('connection', (s: net.Socket) => raw.push(s));
    vu = new VuHttp(defaults({ insecureSkipTLSVerify: true }));
    const ctx = collector();
    const first = await vu.request('GET', srv.url, null, undefined, ctx);
    const second = await vu.request('GET', srv.url, null, undefined, ctx);
    expect(first.status).toBe(200);
    expect(first.body).toBe('secure');
    expect(first.timings.connecting).toBeGreaterThan(0);
    expect(first.timings.tls_handshaking).toBeGreaterThan(0);
    expect(first.timings.blocked).toBeGreaterThanOrEqual(first.timings.connecting + first.timings.tls_handshaking);
    expect(second.timings.tls_handshaking).toBe(0);
    expect(second.timings.connecting).toBe(0);
    expectConsistent(first);
    expectConsistent(second);
    expect(first.tls_version).toMatch(/^tls1\.[23]$/);
    expect(first.tls_cipher_suite).not.toBe('');
    expect(ctx.samples[0].tags.tls_version).toBe(first.tls_version);

    // Wire bytes: the handshake lands on the first request, and each request pays TLS record overhead.
    const received = ctx.of('data_received').map((s) => s.value);
    const sent = ctx.of('data_sent').map((s) => s.value);
    expect(received[0]).toBeGreaterThan(500);
    expect(received[1]).toBeLessThan(received[0]);
    expect(received[1]).toBeGreaterThan(100);
    expect(raw).toHaveLength(1);
    expect(sent[0] + sent[1]).toBe(raw[0].bytesRead);
    expect(received[0] + received[1]).toBeLessThanOrEqual(raw[0].bytesWritten);
  });

  it('reports TLS against a plain HTTP server as a TLS error', async () => {
    const srv = await track(httpServer((_req, res) => res.end('plain')));
    vu = new VuHttp(defaults({ insecureSkipTLSVerify: true }));
    const res = await vu.request('GET', srv.url.replace('http:', 'https:'), null, undefined, collector());
    expect(res.status).toBe(0);
    expect(res.error_code).toBeGreaterThanOrEqual(1300);
    expect(res.error_code).toBeLessThan(1400);
  });

  it('works over IPv6 loopback', async () => {
    const server = http.createServer((_req, res) => res.end('v6'));
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(0, '::1', () => resolve(true));
    });
    if (!listening) return; // no IPv6 on this host
    try {
      vu = new VuHttp(defaults());
      const ctx = collector();
      const port = (server.address() as net.AddressInfo).port;
      const res = await vu.request('GET', `http://[::1]:${port}/`, null, undefined, ctx);
      expect(res.body).toBe('v6');
      expect(res.remote_ip).toBe('::1');
      expect(ctx.samples[0].tags.url).toBe(`http://[::1]:${port}/`);
    } finally {
      await vu.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('sending', () => {
  it('lasts until a large body has left the client', async () => {
    const srv = await track(httpServer((_req, res, body) => res.end(String(body.length))));
    // Hold the server's reads long enough that the body cannot all sit in socket buffers
    // (loopback receive buffers autotune up to tcp_rmem's maximum, 32 MiB on some hosts).
    srv.server.on('connection', (s: net.Socket) => {
      s.pause();
      setTimeout(() => s.resume(), 300);
    });
    vu = new VuHttp(defaults());
    const big = Buffer.alloc(64 * 1024 * 1024, 120);
    const res = await vu.request('POST', srv.url, big, undefined, collector());
    expect(res.body).toBe(String(big.length));
    expect(res.timings.sending).toBeGreaterThan(20);
    expectConsistent(res);
  });
});
