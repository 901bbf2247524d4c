// The demo load test: browse the catalogue, look at a product, sometimes order it.
// Run it against your own API with: npx telltale run examples/demo.ts -e BASE_URL=http://127.0.0.1:8080
import http from 'k6/http';
import { check, group, sleep } from 'k6';
import { Trend } from 'k6/metrics';

declare const __ENV: Record<string, string | undefined>;

const BASE = __ENV.BASE_URL ?? 'http://127.0.0.1:8080';
const orderLatency = new Trend('order_latency', true);

export const options = {
  scenarios: {
    browse: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '3s', target: 20 },
        { duration: '6s', target: 20 },
        { duration: '2s', target: 0 },
      ],
      gracefulRampDown: '2s',
    },
    orders: {
      executor: 'constant-arrival-rate',
      exec: 'order',
      rate: 20,
      timeUnit: '1s',
      duration: '10s',
      preAllocatedVUs: 5,
      maxVUs: 20,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<500', 'p(99)<1000'],
    'http_req_duration{name:product}': ['p(95)<200'],
    checks: ['rate>0.99'],
    order_latency: ['p(95)<800'],
  },
};

export default async function () {
  await group('catalogue', async () => {
    const list = await http.get(`${BASE}/api/products?limit=10`);
    check(list, {
      'list is 200': (r) => r.status === 200,
      'list has items': (r) => (r.json('items') as unknown[]).length === 10,
    });
    const id = 1 + Math.floor(Math.random() * 50);
    const product = await http.get(`${BASE}/api/products/${id}`, { tags: { name: 'product' } });
    check(product, { 'product is 200': (r) => r.status === 200 });
  });
  await sleep(0.5);
}

export async function order() {
  const res = await http.post(`${BASE}/api/orders`, JSON.stringify({ productId: 7, quantity: 1 }), {
    headers: { 'Content-Type': 'application/json' },
  });
  orderLatency.add(res.timings.duration);
  check(res, { 'order created': (r) => r.status === 201 });
}
