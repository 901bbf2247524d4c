import { afterEach, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../../src/demo/server.ts';
import { startTraffic } from '../../src/demo/traffic.ts';

let server: DemoServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function sample(body: string, name: string, labels: string): number {
  const line = body.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? NaN : Number(line.split(' ').pop());
}

describe('demo service', () => {
  it('serves golden-signal metrics per route, method and status', async () => {
    server = await startDemoServer({ delayMs: 0, orderErrorRate: 0 });
    await (await fetch(`${server.url}/api/products`)).text();
    await (await fetch(`${server.url}/api/products/3`)).text();
    await (await fetch(`${server.url}/api/products/999`)).text();
    await (await fetch(`${server.url}/api/search?q=pro`)).text();
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    expect(sample(body, 'http_requests_total', 'method="GET",route="/api/products",code="200"')).toBe(1);
    expect(sample(body, 'http_requests_total', 'method="GET",route="/api/products/:id",code="200"')).toBe(1);
    expect(sample(body, 'http_requests_total', 'method="GET",route="/api/products/:id",code="404"')).toBe(1);
    expect(sample(body, 'http_request_duration_seconds_count', 'method="GET",route="/api/search",code="200"')).toBe(1);
    expect(sample(body, 'http_request_duration_seconds_bucket', 'method="GET",route="/api/search",code="200",le="+Inf"')).toBe(1);
    expect(body).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
    expect(body).toMatch(/^http_requests_in_flight 0$/m);
  });

  it('drives a bounded mix of requests at the demo API', async () => {
    server = await startDemoServer({ delayMs: 0, orderErrorRate: 0 });
    const traffic = startTraffic({ baseUrl: server.url, rate: 2000, maxRequests: 60, random: mulberry(7) });
    await traffic.done;
    expect(traffic.sent).toBe(60);
    const body = await (await fetch(`${server.url}/metrics`)).text();
    const total = body
      .split('\n')
      .filter((l) => l.startsWith('http_requests_total{'))
      .reduce((a, l) => a + Number(l.split(' ').pop()), 0);
    expect(total).toBe(60);
    expect(body).toContain('route="/api/orders"');
  });

  it('refuses to target anything but loopback', () => {
    expect(() => startTraffic({ baseUrl: 'http://192.0.2.1:80', maxRequests: 1 })).toThrow(/loopback/);
  });
});

function mulberry(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
