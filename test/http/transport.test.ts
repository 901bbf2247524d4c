/** The HTTP/1.1 transport under VuHttp, against servers that answer with exact bytes. */
import { afterEach, describe, expect, it } from 'vitest';
import { classifyError, VuHttp } from '../../src/load/http/index.ts';
import { collector, defaults, httpServer, httpsServer, sleep, tcpServer, type Started } from './helpers.ts';
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

interface RawRequest {
  /** The head as received, request line and headers, without the final blank line. */
  head: string;
  body: Buffer;
  /** 0 for the first request on its connection. */
  onConn: number;
  /** Connection number on the server, from 0. */
  conn: number;
}

/**
 * A server that splits what it reads into requests (bodies by Content-Length) and lets `respond` answer each
 * with whatever bytes it likes.
 */
async function rawServer(respond: (req: RawRequest, s: net.Socket) => void): Promise<Started<net.Server> & { requests: RawRequest[] }> {
  const requests: RawRequest[] = [];
  let conns = 0;
  const srv = await track(tcpServer((s) => {
    const conn = conns++;
    let onConn = 0;
    let buf = Buffer.alloc(0);
    s.setNoDelay(true);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (true) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buf.subarray(0, end).toString('latin1');
        const m = /\r\ncontent-length: *(\d+)/i.exec(head);
        const length = m ? Number(m[1]) : 0;
        if (buf.length < end + 4 + length) return;
        const req = { head, body: Buffer.from(buf.subarray(end + 4, end + 4 + length)), onConn: onConn++, conn };
        buf = buf.subarray(end + 4 + length);
        requests.push(req);
        respond(req, s);
      }
    });
  }));
  return Object.assign(srv, { requests });
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

/** Writes `parts` one by one with a pause between them, so they arrive as separate reads. */
async function dribble(s: net.Socket, parts: Array<string | Buffer>, pauseMs = 5): Promise<void> {
  for (const p of parts) {
    if (s.destroyed) return;
    s.write(p);
    await sleep(pauseMs);
  }
}

describe('the request on the wire', () => {
  it('is the request line, Host, the headers in order, and nothing else', async () => {
    const srv = await rawServer((_r, s) => s.write(OK));
    vu = new VuHttp(defaults());
    const ctx = collector();
    await vu.request('GET', `${srv.url}/a/b?c=1&d=%20`, null, undefined, ctx);
    await vu.request('GET', `${srv.url}/a/b?c=1&d=%20`, null, undefined, ctx);
    await vu.request('POST', `${srv.url}/p`, null, { headers: { 'x-one': '1', Accept: '*/*' } }, ctx);
    await vu.request('PUT', `${srv.url}/p`, 'h\u00e9', undefined, ctx);
    await vu.request('DELETE', `${srv.url}/p`, '', undefined, ctx);
    const host = `127.0.0.1:${srv.port}`;
    expect(srv.requests.map((r) => r.head)).toEqual([
      `GET /a/b?c=1&d=%20 HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: telltale-test/1.0`,
      `GET /a/b?c=1&d=%20 HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: telltale-test/1.0`,
      `POST /p HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: telltale-test/1.0\r\nX-One: 1\r\nAccept: */*\r\nContent-Length: 0`,
      `PUT /p HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: telltale-test/1.0\r\nContent-Length: 3`,
      `DELETE /p HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: telltale-test/1.0`,
    ]);
    expect(srv.requests[3].body.toString()).toBe('h\u00e9');
    // Every request went on the one connection, and data_sent counts exactly what the server read.
    expect(srv.requests.every((r) => r.conn === 0)).toBe(true);
    const sent = ctx.of('data_sent').map((x) => x.value);
    expect(sent[0]).toBe(Buffer.byteLength(`${srv.requests[0].head}\r\n\r\n`));
    expect(sent[3]).toBe(Buffer.byteLength(`${srv.requests[3].head}\r\n\r\n`) + 3);
  });

  it('follows changes to a reused params object', async () => {
    const srv = await rawServer((_r, s) => s.write(OK));
    vu = new VuHttp(defaults());
    const params = { headers: { 'X-Count': '1' } as Record<string, string> };
    await vu.request('GET', srv.url, null, params, collector());
    await vu.request('GET', srv.url, null, params, collector());
    params.headers['X-Count'] = '2';
    await vu.request('GET', srv.url, null, params, collector());
    params.headers['X-Added'] = 'yes';
    await vu.request('GET', srv.url, null, params, collector());
    delete params.headers['X-Added'];
    params.headers = { 'X-Other': 'o' };
    await vu.request('GET', srv.url, null, params, collector());
    expect(srv.requests.map((r) => r.head.split('\r\n').slice(3).join('|'))).toEqual([
      'X-Count: 1', 'X-Count: 1', 'X-Count: 2', 'X-Count: 2|X-Added: yes', 'X-Other: o',
    ]);
  });

  it('writes a large body whole, after its head', async () => {
    const srv = await rawServer((r, s) => s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${String(r.body.length).length}\r\n\r\n${r.body.length}`));
    vu = new VuHttp(defaults());
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    const res = await vu.request('POST', srv.url, big, undefined, collector());
    expect(res.body).toBe(String(big.length));
    expect(srv.requests[0].body.equals(big)).toBe(true);
  });

  it('asks the server to close with noConnectionReuse', async () => {
    const srv = await rawServer((_r, s) => s.write(OK));
    vu = new VuHttp(defaults({ noConnectionReuse: true }));
    await vu.request('GET', srv.url, null, undefined, collector());
    await vu.request('GET', srv.url, null, undefined, collector());
    expect(srv.requests[0].head).toMatch(/\r\nConnection: close$/);
    expect(srv.requests.map((r) => r.conn)).toEqual([0, 1]);
  });

  it('fails a request it cannot write without opening a connection', async () => {
    const srv = await rawServer((_r, s) => s.write(OK));
    vu = new VuHttp(defaults());
    const ctx = collector();
    const bad = await vu.request('GET', srv.url, null, { headers: { 'Bad Name': 'x' } }, ctx);
    expect(bad.error_code).toBe(1000);
    expect(bad.error).toMatch(/invalid header field name/);
    const method = await vu.request('GE T', srv.url, null, undefined, ctx);
    expect(method.error).toMatch(/invalid method/);
    expect(ctx.of('http_reqs')).toHaveLength(2);
    expect(srv.requests).toHaveLength(0);
  });
});

describe('responses', () => {
  it('reads chunked bodies with extensions and trailers, however they are split', async () => {
    const parts = [
      'HTTP/1.1 200 OK\r\nTransfer-', 'Encoding: chunked\r\nX-A: 1\r\n', '\r\n',
      '5;ext=1\r\nhel', 'lo\r', '\n1A\r\n', 'abcdefghijklmnopqrstuvwxyz', '\r\n0\r\nX-Trailer: t\r\n', '\r\n',
    ];
    const srv = await rawServer((_r, s) => void dribble(s, parts));
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', srv.url, null, undefined, ctx);
    expect(res.status).toBe(200);
    expect(res.body).toBe('helloabcdefghijklmnopqrstuvwxyz');
    expect(res.headers).toEqual({ 'Transfer-Encoding': 'chunked', 'X-A': '1' });
    expect(ctx.of('data_received')[0].value).toBe(parts.join('').length);
    // The connection stays usable.
    const again = await vu.request('GET', srv.url, null, undefined, ctx);
    expect(again.body).toBe('helloabcdefghijklmnopqrstuvwxyz');
    expect(srv.requests.map((r) => r.conn)).toEqual([0, 0]);
  });

  it('reads a body delimited by the connection closing, then reconnects', async () => {
    const srv = await rawServer((_r, s) => {
      void dribble(s, ['HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ', 'the end']).then(() => s.end());
    });
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', srv.url, null, undefined, ctx);
    expect(res.status).toBe(200);
    expect(res.error).toBe('');
    expect(res.body).toBe('until the end');
    await vu.request('GET', srv.url, null, undefined, ctx);
    expect(srv.requests.map((r) => r.conn)).toEqual([0, 1]);
  });

  it('skips 100 Continue and 103 Early Hints', async () => {
    const srv = await rawServer((_r, s) => void dribble(s, [
      'HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n', OK,
    ]));
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', srv.url, null, undefined, collector());
    expect(res.status).toBe(200);
    expect(res.body).toBe('ok');
    expect(res.headers).toEqual({ 'Content-Length': '2' });
  });

  it('keeps the connection after bodiless 204, 304 and HEAD responses', async () => {
    const srv = await rawServer((r, s) => {
      if (r.head.startsWith('HEAD')) s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
      else if (r.head.startsWith('GET /204')) s.write('HTTP/1.1 204 No Content\r\n\r\n');
      else if (r.head.startsWith('GET /304')) s.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n');
      else s.write(OK);
    });
    vu = new VuHttp(defaults());
    const ctx = collector();
    expect((await vu.request('GET', `${srv.url}/204`, null, undefined, ctx)).status).toBe(204);
    const head = await vu.request('HEAD', srv.url, null, undefined, ctx);
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['Content-Length']).toBe('1000');
    expect((await vu.request('GET', `${srv.url}/304`, null, undefined, ctx)).status).toBe(304);
    expect((await vu.request('GET', srv.url, null, undefined, ctx)).body).toBe('ok');
    expect(srv.requests.every((r) => r.conn === 0)).toBe(true);
    expect(ctx.of('http_req_connecting').map((x) => x.value > 0)).toEqual([true, false, false, false]);
  });

  it('closes after Connection: close, HTTP/1.0 and extra bytes, without failing the next request', async () => {
    const replies = [
      'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok',
      'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok',
      'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokUNSOLICITED',
      OK,
    ];
    let i = 0;
    const srv = await rawServer((_r, s) => s.write(replies[i++]));
    vu = new VuHttp(defaults());
    const ctx = collector();
    for (let n = 0; n < replies.length; n++) {
      const res = await vu.request('GET', srv.url, null, undefined, ctx);
      expect(res.status, `reply ${n}`).toBe(200);
      expect(res.body).toBe('ok');
    }
    expect(srv.requests.map((r) => r.conn)).toEqual([0, 1, 2, 2, 3]);
    expect(ctx.of('http_req_failed').every((x) => x.value === 0)).toBe(true);
  });

  it('takes a head split across reads and a body far larger than a read', async () => {
    const body = Buffer.alloc(4 * 1024 * 1024 + 3);
    for (let i = 0; i < body.length; i++) body[i] = 97 + (i % 26);
    const srv = await rawServer((r, s) => {
      if (r.head.includes('/chunked')) {
        void dribble(s, ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', `${body.length.toString(16)}\r\n`, body, '\r\n0\r\n\r\n']);
      } else {
        void dribble(s, ['HTTP/1.1 200 OK\r\nX-Long: ', 'x'.repeat(20_000), `\r\nContent-Length: ${body.length}\r\n`, '\r\n', body]);
      }
    });
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', srv.url, null, { responseType: 'binary' }, ctx);
    expect(res.status).toBe(200);
    expect(res.headers['X-Long']).toHaveLength(20_000);
    expect(Buffer.from(res.body as ArrayBuffer).equals(body)).toBe(true);
    expect(ctx.of('data_received')[0].value).toBeGreaterThan(body.length + 20_000);
    const chunked = await vu.request('GET', `${srv.url}/chunked`, null, { responseType: 'binary' }, ctx);
    expect(Buffer.from(chunked.body as ArrayBuffer).equals(body)).toBe(true);
    const none = await vu.request('GET', srv.url, null, { responseType: 'none' }, ctx);
    expect(none.body).toBeNull();
    expect(srv.requests.every((r) => r.conn === 0)).toBe(true);
  });

  it('reports the status line after the version as status_text', async () => {
    const replies = ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 'HTTP/1.1 299\r\nContent-Length: 0\r\n\r\n', 'HTTP/1.1 404 Not  Found\r\nContent-Length: 0\r\n\r\n'];
    let i = 0;
    const srv = await rawServer((_r, s) => s.write(replies[i++]));
    vu = new VuHttp(defaults());
    const texts: string[] = [];
    for (let n = 0; n < replies.length; n++) texts.push((await vu.request('GET', srv.url, null, undefined, collector())).status_text);
    expect(texts).toEqual(['200 OK', '299', '404 Not  Found']);
  });
});

describe('over TLS', () => {
  it('reads large bodies on several connections at once', async () => {
    const body = Buffer.alloc(1024 * 1024 + 5);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) % 256;
    const srv = await track(httpsServer((req, res) => {
      if (req.url === '/chunked') {
        res.write(body.subarray(0, 70_000));
        setTimeout(() => res.end(body.subarray(70_000)), 5);
      } else {
        res.setHeader('content-length', body.length);
        res.end(body);
      }
    }));
    vu = new VuHttp(defaults({ insecureSkipTLSVerify: true, batchPerHost: 4 }));
    const ctx = collector();
    const urls = [`${srv.url}/`, `${srv.url}/chunked`, `${srv.url}/`, `${srv.url}/chunked`];
    const res = await vu.batch(urls.map((url) => ({ url, params: { responseType: 'binary' as const } })), ctx);
    for (const r of res) {
      expect(r.status).toBe(200);
      expect(Buffer.from(r.body as ArrayBuffer).equals(body)).toBe(true);
    }
    expect(ctx.of('data_received').every((x) => x.value > body.length)).toBe(true);
    const again = await vu.request('GET', srv.url, null, undefined, ctx);
    expect(again.timings.tls_handshaking).toBe(0);
  });
});

describe('connections', () => {
  it('retries an idempotent request once when the server drops a reused connection without answering', async () => {
    const srv = await rawServer((r, s) => {
      if (r.onConn === 1) s.destroy();
      else s.write(OK);
    });
    vu = new VuHttp(defaults());
    const ctx = collector();
    expect((await vu.request('GET', srv.url, null, undefined, ctx)).status).toBe(200);
    const res = await vu.request('GET', srv.url, null, undefined, ctx);
    expect(res.status).toBe(200);
    expect(res.error).toBe('');
    // One request as far as samples go, on a new connection, with the bytes of both attempts.
    expect(ctx.of('http_reqs')).toHaveLength(2);
    expect(srv.requests.map((r) => r.conn)).toEqual([0, 0, 1]);
    expect(ctx.of('data_sent')[1].value).toBe(2 * ctx.of('data_sent')[0].value);
  });

  it('does not retry a POST, which fails with EOF', async () => {
    const srv = await rawServer((r, s) => {
      if (r.onConn === 1) s.destroy();
      else s.write(OK);
    });
    vu = new VuHttp(defaults());
    const ctx = collector();
    await vu.request('POST', srv.url, 'a', undefined, ctx);
    const res = await vu.request('POST', srv.url, 'b', undefined, ctx);
    expect(res.status).toBe(0);
    expect(res.error_code).toBe(1000);
    expect(res.error).toBe('EOF');
    // With an Idempotency-Key it is retried.
    const keyed = await vu.request('POST', srv.url, 'c', { headers: { 'Idempotency-Key': 'k' } }, ctx);
    expect(keyed.status).toBe(200);
  });

  it('drops a connection that receives bytes while idle', async () => {
    const srv = await rawServer((_r, s) => {
      s.write(OK);
      setTimeout(() => s.write('HTTP/1.1 200 OK\r\n\r\n'), 20);
    });
    vu = new VuHttp(defaults());
    const ctx = collector();
    await vu.request('GET', srv.url, null, undefined, ctx);
    await sleep(60);
    expect((await vu.request('GET', srv.url, null, undefined, ctx)).body).toBe('ok');
    expect(srv.requests.map((r) => r.conn)).toEqual([0, 1]);
  });

  it('resolves host names through DNS: localhost works and its lookup counts as blocked', async () => {
    const srv = await track(httpServer((_req, res) => res.end('dns')));
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', srv.url.replace('127.0.0.1', 'localhost'), null, undefined, ctx);
    expect(res.body).toBe('dns');
    expect(res.remote_ip).toBe('127.0.0.1');
    expect(res.timings.blocked).toBeGreaterThanOrEqual(res.timings.connecting);
    expect(ctx.samples[0].tags.url).toBe(srv.url.replace('127.0.0.1', 'localhost'));
  });

  it('maps resolver failures to k6 DNS codes', () => {
    // Checked on the mapping alone: a real lookup of a missing name would leave the machine.
    expect(classifyError(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }), false))
      .toEqual({ code: 1101, message: 'lookup: no such host' });
    expect(classifyError(Object.assign(new Error('getaddrinfo EAI_AGAIN x'), { code: 'EAI_AGAIN' }), false).code).toBe(1100);
  });

  it('turns a port it cannot dial into an error response', async () => {
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('GET', 'http://127.0.0.1:0/', null, undefined, ctx);
    expect(res.status).toBe(0);
    expect(res.error_code).toBeGreaterThanOrEqual(1000);
    expect(ctx.of('http_reqs')).toHaveLength(1);
  });

  it('ends requests in flight on close() without retrying them elsewhere', async () => {
    const srv = await rawServer((r, s) => {
      if (r.onConn === 0) s.write(OK);
    });
    vu = new VuHttp(defaults());
    await vu.request('GET', srv.url, null, undefined, collector());
    const pending = vu.request('GET', srv.url, null, undefined, collector());
    await sleep(30);
    await vu.close();
    const res = await pending;
    expect(res.status).toBe(0);
    expect(res.error).toBe('EOF');
    await sleep(30);
    expect(srv.requests.map((r) => r.conn)).toEqual([0, 0]);
  });

  it('does not reuse a connection whose request was still being written when the answer came', async () => {
    let conns = 0;
    const srv = await track(tcpServer((s) => {
      const conn = conns++;
      s.once('data', () => {
        if (conn === 0) {
          // Refuses the upload after its first bytes and stops reading.
          s.pause();
          s.write('HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n');
        } else {
          s.write(OK);
        }
      });
    }));
    vu = new VuHttp(defaults());
    const ctx = collector();
    const res = await vu.request('POST', srv.url, Buffer.alloc(32 * 1024 * 1024), undefined, ctx);
    expect(res.status).toBe(413);
    expect((await vu.request('GET', srv.url, null, undefined, ctx)).body).toBe('ok');
    expect(conns).toBe(2);
  });

  it('serves a batch on as many connections as it runs in parallel and keeps them', async () => {
    const srv = await rawServer((_r, s) => setTimeout(() => s.write(OK), 20));
    vu = new VuHttp(defaults({ batchPerHost: 3 }));
    const ctx = collector();
    const res = await vu.batch(Array.from({ length: 7 }, () => srv.url), ctx);
    expect(res.every((r) => r.body === 'ok')).toBe(true);
    expect(new Set(srv.requests.map((r) => r.conn)).size).toBe(3);
    ctx.clear();
    await vu.batch([srv.url, srv.url, srv.url], ctx);
    expect(ctx.of('http_req_connecting').every((x) => x.value === 0)).toBe(true);
  });
});
