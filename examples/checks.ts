// The checks of examples/checks.yaml, written in TypeScript for telltale.config.ts: defineChecks() gives
// completion and type errors for misspelt options; the definitions are validated when the config loads.
import { defineChecks } from '../src/probes/index.ts';

export const checks = defineChecks([
  {
    name: 'products-api',
    type: 'http',
    interval: '30s',
    timeout: '5s',
    retries: 1,
    labels: { team: 'shop' },
    service: 'catalogue',
    degradedResponseTime: '300ms',
    maxResponseTime: '2s',
    request: { url: 'http://127.0.0.1:8080/api/products?limit=5', headers: { Accept: 'application/json' } },
    assertions: [
      { source: 'statusCode', comparison: 'equals', target: 200 },
      { source: 'jsonBody', property: '$.items[0].id', comparison: 'equals', target: 1 },
      { source: 'responseTime', comparison: 'lessThan', target: 1000 },
    ],
  },
  { name: 'order-flow', type: 'multistep', interval: '5m', timeout: '30s', script: 'checks/order-flow.ts', env: { BASE_URL: 'http://127.0.0.1:8080' } },
  { name: 'postgres-port', type: 'tcp', host: '127.0.0.1', port: 5432, timeout: '3s' },
  { name: 'api-dns', type: 'dns', interval: '5m', query: 'localhost', server: '127.0.0.1:53', assertions: [{ source: 'answers', comparison: 'contains', target: '127.0.0.1' }] },
  { name: 'api-certificate', type: 'tls', host: 'example.com', interval: '6h', degradedDaysLeft: 30, failedDaysLeft: 7 },
  { name: 'nightly-backup', type: 'heartbeat', token: 'nightly-backup-2f9c4e', period: '24h', grace: '30m' },
]);
