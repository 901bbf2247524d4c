// A multi-step synthetic check: list the catalogue, open a product, place an order.
// Telltale runs it for one iteration with one VU on the check's schedule; every check() must pass.
import http from 'k6/http';
import { check, group } from 'k6';

declare const __ENV: Record<string, string | undefined>;

const BASE = __ENV.BASE_URL ?? 'http://127.0.0.1:8080';

export const options = {
  thresholds: { http_req_duration: ['max<2000'] },
};

export default async function () {
  const id = await group('browse', async () => {
    const list = await http.get(`${BASE}/api/products?limit=3`);
    check(list, { 'catalogue answers 200': (r) => r.status === 200 });
    const first = list.json('items.0.id') as number;
    const product = await http.get(`${BASE}/api/products/${first}`);
    check(product, { 'product has a price': (r) => typeof r.json('price') === 'number' });
    return first;
  });
  await group('order', async () => {
    const res = await http.post(`${BASE}/api/orders`, JSON.stringify({ productId: id, quantity: 1 }), {
      headers: { 'Content-Type': 'application/json' },
    });
    check(res, { 'order is created': (r) => r.status === 201 });
  });
}
