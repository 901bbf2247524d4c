import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, startHttp, startHttps, startTcp, TLS_CERT, TLS_CERT_EXPIRY, type Closable } from './helpers.ts';

let api: Closable;
let base: string;
let flaky = 0;

beforeAll(async () => {
  api = await startHttp((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/items') return json(200, { data: { items: [{ id: 'a1' }, { id: 'b2' }], total: 2 } }, { 'x-version': 'v1.4.2' });
    if (url.pathname === '/slow') return void setTimeout(() => json(200, { ok: true }), 80);
    if (url.pathname === '/error') return json(503, { error: 'down' });
    if (url.pathname === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end('all systems nominal');
    }
    const hops = /^\/r\/(\d+)$/.exec(url.pathname);
    if (hops) {
      const n = Number(hops[1]);
      res.writeHead(n === 0 ? 200 : 302, n === 0 ? {} : { location: `/r/${n - 1}` });
      return void res.end(n === 0 ? 'arrived' : '');
    }
    if (url.pathname === '/loop') {
      res.writeHead(301, { location: '/loop' });
      return void res.end();
    }
    if (url.pathname === '/see-other') {
      res.writeHead(303, { location: '/echo' });
      return void res.end();
    }
    if (url.pathname === '/echo') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => json(200, { method: req.method, body, auth: req.headers.authorization ?? null }));
      return;
    }
    if (url.pathname === '/gzip') {
      const payload = zlib.gzipSync(JSON.stringify({ data: { items: [{ id: 'zipped' }] } }));
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(payload.length) });
      return void res.end(payload);
    }
    if (url.pathname === '/big') return void res.end('x'.repeat(5000));
    if (url.pathname === '/flaky') {
      flaky++;
      return json(flaky % 2 === 1 ? 500 : 200, { attempt: flaky });
    }
    json(404, { error: 'not found' });
  });
  base = `http://127.0.0.1:${api.port}`;
});
afterAll(() => api.close());

describe('HTTP check against a local server', () => {
  it('passes when every assertion holds, with blackbox phases', async () => {
    const r = await probe({
      type: 'http',
      request: { url: `http://localhost:${api.port}/items`, ipFamily: 4 },
      assertions: [
        { source: 'statusCode', comparison: 'equals', target: 200 },
        { source: 'header', property: 'Content-Type', comparison: 'contains', target: 'json' },
        { source: 'header', property: 'x-version', comparison: 'matches', target: '^v1\\.' },
        { source: 'jsonBody', property: '$.data.items[0].id', comparison: 'equals', target: 'a1' },
        { source: 'jsonBody', property: '$.data.items[*].id', comparison: 'contains', target: 'b2' },
        { source: 'jsonBody', property: '$.data.total', comparison: 'greaterThan', target: 1 },
        { source: 'textBody', comparison: 'contains', target: '"total":2' },
        { source: 'responseTime', comparison: 'lessThan', target: 5000 },
      ],
    });
    expect(r.failures).toEqual([]);
    expect(r.status).toBe('passed');
    expect(r.attempts).toBe(1);
    expect(r.assertions.every((a) => a.ok)).toBe(true);
    const h = r.http!;
    expect(h.statusCode).toBe(200);
    expect(h.httpVersion).toBe('1.1');
    expect(h.ssl).toBe(false);
    expect(h.bodyLength).toBe(JSON.stringify({ data: { items: [{ id: 'a1' }, { id: 'b2' }], total: 2 } }).length);
    // "localhost" goes through the resolver, so the resolve phase is measured.
    expect(h.phases.resolve).toBeGreaterThan(0);
    expect(h.phases.connect).toBeGreaterThanOrEqual(0);
    expect(h.phases.tls).toBe(0);
    expect(h.phases.processing).toBeGreaterThan(0);
    const sum = Object.values(h.phases).reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThanOrEqual(r.durationMs + 1);
  });

  it('fails with every failing assertion listed', async () => {
    const r = await probe({
      type: 'http',
      request: { url: `${base}/items` },
      assertions: [
        { source: 'statusCode', comparison: 'equals', target: 201 },
        { source: 'jsonBody', property: '$.data.items[5].id', comparison: 'equals', target: 'x' },
        { source: 'header', property: 'x-missing', comparison: 'notEmpty' },
        { source: 'jsonBody', property: '$.data.total', comparison: 'equals', target: 2 },
      ],
    });
    expect(r.status).toBe('failed');
    expect(r.failures).toEqual([
      'expected statusCode to equal 201, got 200',
      'expected jsonBody $.data.items[5].id to equal "x", it is missing',
      'expected header x-missing not to be empty, it is missing',
    ]);
    expect(r.assertions.map((a) => a.ok)).toEqual([false, false, false, true]);
  });

  it('is degraded over degradedResponseTime and failed over maxResponseTime', async () => {
    const degraded = await probe({ type: 'http', request: { url: `${base}/slow` }, degradedResponseTime: '20ms' });
    expect(degraded.status).toBe('degraded');
    expect(degraded.degradations[0]).toMatch(/^response time \d+ms is over degradedResponseTime 20ms$/);
    const failed = await probe({ type: 'http', request: { url: `${base}/slow` }, degradedResponseTime: '10ms', maxResponseTime: '30ms' });
    expect(failed.status).toBe('failed');
    expect(failed.failures[0]).toMatch(/over maxResponseTime 30ms/);
    const fast = await probe({ type: 'http', request: { url: `${base}/items` }, degradedResponseTime: '2s' });
    expect(fast.status).toBe('passed');
  });

  it('expects 2xx without a statusCode assertion', async () => {
    const r = await probe({ type: 'http', request: { url: `${base}/error` } });
    expect(r.status).toBe('failed');
    expect(r.failures).toEqual(['status 503 Service Unavailable is not 2xx (add a statusCode assertion to expect it)']);
    const expected = await probe({ type: 'http', request: { url: `${base}/error` }, assertions: [{ source: 'statusCode', comparison: 'equals', target: 503 }] });
    expect(expected.status).toBe('passed');
  });

  it('follows redirects up to the limit, and stops a redirect loop', async () => {
    const ok = await probe({ type: 'http', request: { url: `${base}/r/3` }, assertions: [{ source: 'textBody', comparison: 'equals', target: 'arrived' }] });
    expect(ok.status).toBe('passed');
    expect(ok.http).toMatchObject({ redirects: 3, finalUrl: `${base}/r/0`, statusCode: 200 });
    const tooMany = await probe({ type: 'http', request: { url: `${base}/r/3`, maxRedirects: 2 } });
    expect(tooMany.status).toBe('failed');
    expect(tooMany.error).toBe('stopped after 2 redirects (the last one to /r/0)');
    const loop = await probe({ type: 'http', request: { url: `${base}/loop` } });
    expect(loop.error).toBe('stopped after 10 redirects (the last one to /loop)');
    const notFollowed = await probe({ type: 'http', request: { url: `${base}/loop`, followRedirects: false } });
    expect(notFollowed.status).toBe('passed');
    expect(notFollowed.http!.statusCode).toBe(301);
  });

  it('turns a POST into a GET on 303 and sends headers and body', async () => {
    const r = await probe({
      type: 'http',
      request: { method: 'POST', url: `${base}/see-other`, body: 'payload', headers: { Authorization: 'Bearer t' } },
      assertions: [{ source: 'jsonBody', property: '$.method', comparison: 'equals', target: 'GET' }, { source: 'jsonBody', property: '$.auth', comparison: 'equals', target: 'Bearer t' }],
    });
    expect(r.failures).toEqual([]);
    const direct = await probe({
      type: 'http',
      request: { method: 'PUT', url: `${base}/echo`, body: 'payload' },
      assertions: [{ source: 'jsonBody', property: '$.body', comparison: 'equals', target: 'payload' }, { source: 'jsonBody', property: '$.method', comparison: 'equals', target: 'PUT' }],
    });
    expect(direct.failures).toEqual([]);
  });

  it('decodes gzip bodies and reports the Content-Length as sent', async () => {
    const r = await probe({ type: 'http', request: { url: `${base}/gzip` }, assertions: [{ source: 'jsonBody', property: '$.data.items[0].id', comparison: 'equals', target: 'zipped' }] });
    expect(r.failures).toEqual([]);
    expect(r.http!.contentLength).toBeLessThan(r.http!.bodyLength + 30);
    expect(r.http!.bodyLength).toBe(JSON.stringify({ data: { items: [{ id: 'zipped' }] } }).length);
  });

  it('fails on a body that is not JSON when a JSON path is asserted, and on a body over the limit', async () => {
    const r = await probe({ type: 'http', request: { url: `${base}/text` }, assertions: [{ source: 'jsonBody', property: '$.a', comparison: 'isEmpty' }] });
    expect(r.status).toBe('failed');
    expect(r.failures).toContain('the response body is not JSON');
    const big = await probe({ type: 'http', request: { url: `${base}/big`, maxBodyBytes: 1000 } });
    expect(big.error).toBe('the response body is larger than maxBodyBytes (1000 bytes)');
  });

  it('retries a failed attempt before declaring the run failed', async () => {
    flaky = 0;
    const r = await probe({ type: 'http', request: { url: `${base}/flaky` }, retries: 2 });
    expect(r.status).toBe('passed');
    expect(r.attempts).toBe(2);
    flaky = 0;
    const noRetry = await probe({ type: 'http', request: { url: `${base}/flaky` } });
    expect(noRetry.status).toBe('failed');
    expect(noRetry.attempts).toBe(1);
  });
});

describe('HTTP check addressing', () => {
  it('reaches an IPv6 server by literal and by name with ipFamily 6', async () => {
    const { createServer } = await import('node:http');
    const v6 = createServer((_req, res) => res.end('six'));
    await new Promise<void>((resolve) => v6.listen(0, '::1', resolve));
    const port = (v6.address() as { port: number }).port;
    try {
      const literal = await probe({ type: 'http', request: { url: `http://[::1]:${port}/` }, assertions: [{ source: 'textBody', comparison: 'equals', target: 'six' }] });
      expect(literal.failures).toEqual([]);
      // Whether "localhost" has an IPv6 address depends on the machine's /etc/hosts; the family is honoured either way.
      const hasV6 = await (await import('node:dns')).promises.lookup('localhost', { family: 6 }).then(() => true, () => false);
      const byName = await probe({ type: 'http', request: { url: `http://localhost:${port}/`, ipFamily: 6 } });
      if (hasV6) expect(byName.status).toBe('passed');
      else expect(byName.error).toMatch(/ENOTFOUND|EAI_/);
      const wrongFamily = await probe({ type: 'http', request: { url: `http://localhost:${port}/`, ipFamily: 4 } });
      expect(wrongFamily.error).toMatch(/ECONNREFUSED/);
    } finally {
      await new Promise<void>((resolve) => v6.close(() => resolve()));
    }
  });

  it('sends URL credentials as Basic authorization and keeps the password out of the result', async () => {
    const r = await probe({ type: 'http', request: { url: `http://ops:s3cr%3At@127.0.0.1:${api.port}/echo` }, assertions: [{ source: 'jsonBody', property: '$.auth', comparison: 'equals', target: `Basic ${Buffer.from('ops:s3cr:t').toString('base64')}` }] });
    expect(r.failures).toEqual([]);
    expect(r.http!.finalUrl).toBe(`http://ops:xxxxx@127.0.0.1:${api.port}/echo`);
    expect(JSON.stringify(r)).not.toContain('s3cr');
  });
});

describe('HTTP check against hostile servers', () => {
  it('a server that sends garbage', async () => {
    const s = await startTcp((sock) => sock.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    try {
      const r = await probe({ type: 'http', request: { url: `http://127.0.0.1:${s.port}/` } });
      expect(r.status).toBe('failed');
      expect(r.error).toMatch(/^the server sent a malformed HTTP response \(HPE_/);
      // No response, but what was measured up to the failure is kept.
      expect(r.http).toMatchObject({ statusCode: 0, contentLength: -1, bodyLength: 0, redirects: 0, ssl: false });
      expect(r.http!.phases.processing).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });

  it('a server that closes before answering, or in the middle of the body', async () => {
    const s = await startTcp((sock) => sock.once('data', () => sock.destroy()));
    const half = await startTcp((sock) => sock.once('data', () => {
      sock.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b');
      setTimeout(() => sock.destroy(), 5);
    }));
    try {
      const r = await probe({ type: 'http', request: { url: `http://127.0.0.1:${s.port}/` } });
      expect(r.error).toBe('the server closed the connection without a response');
      const h = await probe({ type: 'http', request: { url: `http://127.0.0.1:${half.port}/` } });
      expect(h.status).toBe('failed');
      expect(h.error).toMatch(/closed before the response body was complete|aborted/);
    } finally {
      await s.close();
      await half.close();
    }
  });

  it('a server that hangs: the timeout ends the attempt', async () => {
    const s = await startTcp(() => undefined);
    try {
      const r = await probe({ type: 'http', request: { url: `http://127.0.0.1:${s.port}/` }, timeout: '300ms', retries: 1 });
      expect(r.status).toBe('failed');
      expect(r.error).toBe('timed out after 300ms');
      expect(r.attempts).toBe(2);
      expect(r.durationMs).toBeGreaterThanOrEqual(250);
      // It hung after connecting: the time is in processing (waiting for the first byte).
      expect(r.http!.phases.processing).toBeGreaterThanOrEqual(250);
      expect(r.http!.phases.transfer).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('a port nobody listens on', async () => {
    const s = await startTcp(() => undefined);
    const port = s.port;
    await s.close();
    const r = await probe({ type: 'http', request: { url: `http://127.0.0.1:${port}/` } });
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/ECONNREFUSED/);
    expect(r.http!.phases).toMatchObject({ connect: 0, tls: 0, processing: 0, transfer: 0 });
  });
});

describe('HTTPS check with a self-signed certificate', () => {
  let tlsServer: Closable;
  beforeAll(async () => {
    tlsServer = await startHttps((_req, res) => res.end('secure'));
  });
  afterAll(() => tlsServer.close());

  it('refuses the untrusted chain by default', async () => {
    const r = await probe({ type: 'http', request: { url: `https://localhost:${tlsServer.port}/`, ipFamily: 4 } });
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/self-signed certificate|DEPTH_ZERO_SELF_SIGNED_CERT/);
  });

  it('passes with the CA given, and reports the certificate', async () => {
    const r = await probe({ type: 'http', request: { url: `https://localhost:${tlsServer.port}/`, ipFamily: 4, tls: { ca: TLS_CERT } }, assertions: [{ source: 'textBody', comparison: 'equals', target: 'secure' }] });
    expect(r.failures).toEqual([]);
    expect(r.http!.ssl).toBe(true);
    expect(r.http!.phases.tls).toBeGreaterThan(0);
    expect(r.http!.certificate).toMatchObject({ earliestExpiry: TLS_CERT_EXPIRY, chainTrusted: true, hostnameValid: true, subject: 'CN=localhost' });
    expect(r.http!.certificate!.tlsVersion).toMatch(/^TLSv1\.[23]$/);
  });

  it('passes with insecureSkipVerify, and fails a name the certificate does not cover', async () => {
    const skip = await probe({ type: 'http', request: { url: `https://127.0.0.1:${tlsServer.port}/`, tls: { insecureSkipVerify: true } } });
    expect(skip.status).toBe('passed');
    expect(skip.http!.certificate!.chainTrusted).toBe(false);
    const wrongName = await probe({ type: 'http', request: { url: `https://127.0.0.1:${tlsServer.port}/`, tls: { ca: TLS_CERT, servername: 'api.example.com' } } });
    expect(wrongName.status).toBe('failed');
    expect(wrongName.error).toMatch(/api\.example\.com/);
  });
});
