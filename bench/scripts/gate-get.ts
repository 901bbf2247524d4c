// One named GET per iteration: the gate's loopback A/A and A/B benchmark (bench/gate-loopback.ts).
import http from 'k6/http';

declare const __ENV: Record<string, string>;

export const options = { vus: 20, duration: '20s', cloud: { name: 'gate-loopback' } };

export default async function () {
  await http.get(__ENV.URL, { tags: { name: 'api' } });
}
