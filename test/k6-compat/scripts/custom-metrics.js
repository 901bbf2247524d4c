import http from 'k6/http';
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';

const BASE = __ENV.BASE_URL;

const orders = new Counter('orders_placed');
const cartSize = new Gauge('cart_size');
const orderOk = new Rate('order_ok');
const orderTime = new Trend('order_time', true);
const basketItems = new Trend('basket_items');

export const options = {
  vus: 1,
  iterations: 5,
  thresholds: {
    orders_placed: ['count==15'],
    'orders_placed{channel:web}': ['count==9'],
    'orders_placed{channel:app}': ['count==6'],
    cart_size: ['value==5'],
    order_ok: ['rate==0.8'],
    'order_ok{channel:web}': ['rate==1'],
    'order_ok{channel:app}': ['rate==0.5'],
    order_time: ['min==10', 'max==50', 'avg==30'],
    basket_items: ['min==1', 'max==5', 'avg==3', 'med>2.99', 'med<3.01'],
  },
};

export default function () {
  const i = __ITER;
  const channel = i % 2 === 0 ? 'web' : 'app';
  http.post(`${BASE}/anything/orders`, JSON.stringify({ i }), { headers: { 'Content-Type': 'application/json' } });
  orders.add(i + 1, { channel });
  cartSize.add(i + 1);
  orderOk.add(i !== 1, { channel });
  orderTime.add((i + 1) * 10);
  basketItems.add(i + 1);
}
