import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;

export const options = { vus: 1, iterations: 2 };

export default function () {
  const page = http.get(`${BASE}/forms/login`);

  const login = page.submitForm({
    formSelector: 'form#login',
    fields: { username: 'carol', password: 'secret' },
  });
  check(login, {
    'form posted to its action': (r) => r.json('method') === 'POST' && r.json('path') === '/anything/login',
    'fields override the form values': (r) => r.json('form.username') === 'carol' && r.json('form.password') === 'secret',
    'hidden and checked inputs are kept': (r) => r.json('form.csrf') === 'tok123' && r.json('form.remember') === 'yes',
    'submit button name and value are sent': (r) => r.json('form.action') === 'login',
  });

  const search = page.submitForm({ formSelector: 'form#search', fields: { q: 'shoes' } });
  check(search, { 'a GET form sends its fields in the query': (r) => r.json('method') === 'GET' && r.json('args.q') === 'shoes' });

  const links = http.get(`${BASE}/links`);
  const first = links.clickLink();
  check(first, { 'clickLink() follows the first link': (r) => r.html('h1').text() === 'Page 1' });

  const second = links.clickLink({ selector: 'a#second' });
  check(second, { 'a relative href resolves against the page URL': (r) => r.url === `${BASE}/links/2` && r.html('title').text() === 'Page 2' });

  const third = links.clickLink({ selector: 'a#third', params: { headers: { 'X-From': 'links' } } });
  check(third, { 'clickLink() with params': (r) => r.status === 200 && r.request.headers['X-From'][0] === 'links' });
}
