import http from 'k6/http';
import { check, group } from 'k6';

export function fetchItem(base, id) {
  const res = http.get(`${base}/api/items/${id}`);
  check(res, { 'item fetched by the helper': (r) => r.status === 200 });
  return res.json();
}

export function fetchAll(base, ids) {
  return ids.map((id) => fetchItem(base, id));
}

export class ApiClient {
  constructor(base) {
    this.base = base;
    this.token = null;
  }

  login(username, password) {
    const res = http.post(`${this.base}/login`, JSON.stringify({ username, password }), {
      headers: { 'Content-Type': 'application/json' },
    });
    this.token = res.json('token');
    return this.token;
  }

  me() {
    return group('profile', () => http.get(`${this.base}/me`, { headers: { Authorization: `Bearer ${this.token}` } }).json());
  }
}
