import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../../src/demo/server.ts';
import { probe } from './helpers.ts';

let demo: DemoServer;
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/probes/${name}`, import.meta.url));

beforeAll(async () => {
  demo = await startDemoServer({ delayMs: 1, orderErrorRate: 0 });
});
afterAll(() => demo.close());

describe('multistep check on the load engine', () => {
  it('runs the example flow once with one VU and passes', async () => {
    const script = fileURLToPath(new URL('../../examples/checks/order-flow.ts', import.meta.url));
    const requestsBefore = demo.requests;
    const r = await probe({ type: 'multistep', script, env: { BASE_URL: demo.url }, timeout: '20s', maxResponseTime: '10s' });
    expect(r.failures).toEqual([]);
    expect(r.status).toBe('passed');
    expect(r.script).toMatchObject({ iterations: 1, checksPassed: 3, checksFailed: 0, failedChecks: [], failedThresholds: [], scriptErrors: [] });
    // One iteration: list, product, order.
    expect(demo.requests - requestsBefore).toBe(3);
    expect(r.durationMs).toBeGreaterThan(0);
  }, 30_000);

  it('fails with the failing checks and thresholds, ignoring the script\'s own load options', async () => {
    const r = await probe({ type: 'multistep', script: fixture('failing-check.ts'), env: { BASE_URL: demo.url }, timeout: '20s' });
    expect(r.status).toBe('failed');
    expect(r.script!.iterations).toBe(1);
    expect(r.failures).toEqual([
      'check "::catalogue::product exists" failed 1 of 1 times',
      'threshold http_reqs: count>5 failed',
    ]);
    expect(r.script!.checksPassed).toBe(1);
  }, 30_000);

  it('fails when the iteration throws or the script does not bundle', async () => {
    const thrown = await probe({ type: 'multistep', script: fixture('throws.ts'), timeout: '20s' });
    expect(thrown.status).toBe('failed');
    expect(thrown.failures[0]).toMatch(/^the iteration threw: .*login form changed/);
    const broken = await probe({ type: 'multistep', script: fixture('bad-syntax.ts'), timeout: '20s' });
    expect(broken.status).toBe('failed');
    expect(broken.error).toMatch(/^the script could not run: .*bad-syntax\.ts:\d+:\d+: .*\[TT_SCRIPT_BUNDLE\]/);
    const missing = await probe({ type: 'multistep', script: fixture('nope.ts'), timeout: '20s' });
    expect(missing.error).toMatch(/TT_SCRIPT_NOT_FOUND|not found|does not exist/i);
  }, 60_000);

  it('a script that outlasts the timeout fails with it', async () => {
    const r = await probe({ type: 'multistep', script: fixture('slow.ts'), timeout: '3s' });
    expect(r.status).toBe('failed');
    expect(r.error).toBe('timed out after 3000ms');
  }, 30_000);
});
