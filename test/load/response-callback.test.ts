import { afterAll, beforeAll, expect, it } from 'vitest';
import { runTest } from '../../src/load/run.ts';
import { startDemoServer, type DemoServer } from '../../src/demo/server.ts';
import { fixture } from '../helpers/cli.ts';

let server: DemoServer;
beforeAll(async () => {
  server = await startDemoServer({ delayMs: 0 });
});
afterAll(() => server.close());

it('http.setResponseCallback in the init context applies to every VU, in a VU function to that VU from then on', async () => {
  const outcome = await runTest({ script: fixture('response-callback.ts'), env: { BASE_URL: server.url }, workers: 1 });
  const failed = outcome.report.summary.metrics.http_req_failed.values;
  // Each VU: iteration 0 expects 404 (not failed); from iteration 1 only 200 is expected, so 404 fails.
  // shared-iterations hands 6 iterations to 2 VUs; every VU's first iteration is the only one not failed.
  expect(failed.passes + failed.fails).toBe(6);
  expect(failed.fails).toBe(2);
});
