/**
 * A small sample HTTP API for `npm run demo` and the end-to-end tests: a product catalogue with a fast
 * read path, a slower write path with occasional server errors, and a health endpoint.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DemoInstrumentation } from './instrumentation.ts';

export interface DemoServerOptions {
  /** Base latency added to every response (ms). */
  delayMs?: number;
  /** Fraction of POST /api/orders answered with 500. */
  orderErrorRate?: number;
  /** Deterministic pseudo-random source for latency jitter and errors. */
  random?: () => number;
  /** Port to listen on (default: any free port). */
  port?: number;
}

export interface DemoServer {
  url: string;
  port: number;
  requests: number;
  /** the golden-signal metrics served at /metrics */
  instrumentation: DemoInstrumentation;
  close(): Promise<void>;
}

const PRODUCTS = Array.from({ length: 50 }, (_, i) => ({
  id: i + 1,
  name: `Product ${i + 1}`,
  price: Math.round((5 + ((i * 37) % 95)) * 100) / 100,
  stock: (i * 13) % 40,
}));

export async function startDemoServer(opts: DemoServerOptions = {}): Promise<DemoServer> {
  const delay = opts.delayMs ?? 2;
  const errorRate = opts.orderErrorRate ?? 0.005;
  const random = opts.random ?? Math.random;
  let orderId = 1000;
  const state = { requests: 0 };
  const instrumentation = new DemoInstrumentation();

  const server = http.createServer((req, res) => {
    state.requests++;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/metrics' && req.method === 'GET') {
      const text = instrumentation.render();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    const started = performance.now();
    instrumentation.begin();
    let route = 'unmatched';
    const send = (status: number, body: unknown, extraDelay = 0) => {
      const payload = JSON.stringify(body);
      const wait = delay + extraDelay + random() * delay;
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
        res.end(payload);
        instrumentation.end(req.method ?? 'GET', route, status, (performance.now() - started) / 1000);
      }, wait);
    };
    if (url.pathname === '/health') {
      route = '/health';
      return send(200, { status: 'ok' }, -delay);
    }
    if (url.pathname === '/api/search' && req.method === 'GET') {
      // the slow endpoint: a long-tailed query whose latency grows with the length of the search term
      route = '/api/search';
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const items = PRODUCTS.filter((p) => p.name.toLowerCase().includes(q)).slice(0, 10);
      const tail = random() < 0.05 ? 20 * delay : 0;
      return send(200, { items, total: items.length }, 10 * delay + q.length * delay + tail);
    }
    if (url.pathname === '/api/products' && req.method === 'GET') {
      route = '/api/products';
      const limit = Math.min(50, Number(url.searchParams.get('limit') ?? 20) || 20);
      return send(200, { items: PRODUCTS.slice(0, limit), total: PRODUCTS.length });
    }
    const m = /^\/api\/products\/(\d+)$/.exec(url.pathname);
    if (m && req.method === 'GET') {
      route = '/api/products/:id';
      const p = PRODUCTS[Number(m[1]) - 1];
      return p ? send(200, p) : send(404, { error: 'not found' });
    }
    if (url.pathname === '/api/orders' && req.method === 'POST') {
      route = '/api/orders';
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body: { productId?: unknown; quantity?: unknown };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          return send(400, { error: 'invalid JSON' });
        }
        if (typeof body.productId !== 'number' || !PRODUCTS[body.productId - 1]) return send(422, { error: 'unknown productId' });
        if (random() < errorRate) return send(500, { error: 'payment backend unavailable' }, delay * 4);
        return send(201, { id: ++orderId, productId: body.productId, quantity: Number(body.quantity ?? 1) }, delay * 3);
      });
      return;
    }
    send(404, { error: 'not found' });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return state.requests;
    },
    instrumentation,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
