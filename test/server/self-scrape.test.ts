import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordSelfMetrics } from '../../src/server/self-scrape.ts';
import { SelfMetrics } from '../../src/server/self-metrics.ts';
import { FakeClock } from '../../src/load/clock.ts';
import { MemoryStorage } from '../../src/series/memory.ts';
import { assembleServer, type AssembledServer } from '../../src/server/assemble.ts';
import { telltaleConfigSchema } from '../../src/config/telltale-config.ts';

let server: AssembledServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("the server's own metrics in its store", () => {
  it('appends what /metrics shows, as job="telltale" with the instance, at the clock time', async () => {
    const clock = new FakeClock(1_700_000_000_000);
    const metrics = new SelfMetrics(() => clock.now());
    metrics.observeRequest('GET', '/api/v1/query', 200, 0.004);
    metrics.addCollector(() => [{ name: 'telltale_things', help: 'Things.', type: 'gauge', samples: [{ labels: { kind: 'a' }, value: 3 }] }]);
    const storage = new MemoryStorage();
    const n = await recordSelfMetrics({ metrics, storage, clock, instance: () => '127.0.0.1:7070' });
    expect(n).toBeGreaterThan(10);
    const [things] = await storage.select([{ type: '=', name: '__name__', value: 'telltale_things' }], 0, Infinity);
    expect(things.labels).toEqual({ __name__: 'telltale_things', job: 'telltale', instance: '127.0.0.1:7070', kind: 'a' });
    const it = things.iterator();
    expect(it.next()).toBe(true);
    expect([it.t(), it.v()]).toEqual([1_700_000_000_000, 3]);
    const reqs = await storage.select([{ type: '=', name: '__name__', value: 'telltale_http_requests_total' }], 0, Infinity);
    expect(reqs.map((s) => s.labels)).toEqual([{ __name__: 'telltale_http_requests_total', job: 'telltale', instance: '127.0.0.1:7070', method: 'GET', route: '/api/v1/query', code: '200' }]);
  });

  it('telltale serve records itself: PromQL sees its own request counter', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-self-'));
    const config = telltaleConfigSchema.parse({ server: { self_metrics_interval: '1s' } });
    server = await assembleServer({ config, listen: '127.0.0.1:0', dataDir: join(dir, 'data'), buildDashboard: false });
    await fetch(`${server.url}/healthz`);
    const { token } = await server.auth.createToken({ name: 'reader', scopes: ['read'] }, 'test');
    const deadline = Date.now() + 20_000;
    let result: Array<{ metric: Record<string, string> }> = [];
    while (Date.now() < deadline) {
      const res = await fetch(`${server.url}/api/v1/query?query=${encodeURIComponent('telltale_http_requests_total{job="telltale",route="/healthz"}')}`, { headers: { authorization: `Bearer ${token}` } });
      result = ((await res.json()) as { data: { result: typeof result } }).data.result;
      if (result.length > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(result).toHaveLength(1);
    expect(result[0].metric.instance).toBe(new URL(server.url).host);
  }, 30_000);
});
