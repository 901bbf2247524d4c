import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = { vus: 1, iterations: 2 };

export default function () {
  const res = http.get(`${BASE}/html`);
  const doc = res.html();
  check(doc, {
    'res.html() parses the body': (d) => d.find('title').text() === 'Compat Shop',
    'three products listed': (d) => d.find('li.product').size() === 3,
    'attributes of a link': (d) => d.find('a#next').attr('href') === '/links/1',
    'data attributes': (d) => d.find('li.sale').data('price') === 30 || d.find('li.sale').attr('data-price') === '30',
  });

  const products = res.html('li.product');
  check(products, {
    'res.html(selector) returns the matches': (s) => s.size() === 3 && s.eq(1).text() === 'Beta',
    'selected option value': () => res.html('select[name=size]').val() === 'm',
  });
}
