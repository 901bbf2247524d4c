import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoServer, type DemoServer } from '../../src/demo/server.ts';
import { runCli } from '../helpers/cli.ts';

let server: DemoServer;
let dir: string;

beforeAll(async () => {
  server = await startDemoServer({ delayMs: 1, orderErrorRate: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'telltale-k6-'));
});
afterAll(async () => {
  await server.close();
});

describe('a synchronous k6 script run by telltale', () => {
  it('makes every request in order and reports its exception at the original line', async () => {
    const exportFile = path.join(dir, 'summary.json');
    const script = fileURLToPath(new URL('../fixtures/k6-transform/e2e/shop.js', import.meta.url));
    const r = await runCli(['run', '-q', '-e', `BASE_URL=${server.url}`, '--summary-export', exportFile, script]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/k6 script boom/);
    const source = await readFile(script, 'utf8');
    const line = source.split('\n').findIndex((l) => l.includes("throw new Error('k6 script boom')")) + 1;
    const column = source.split('\n')[line - 1].indexOf('new Error') + 1;
    expect(r.stderr).toContain(`shop.js:${line}:${column}`);
    const summary = JSON.parse(await readFile(exportFile, 'utf8'));
    expect(summary.metrics.iterations.count).toBe(3);
    // 3 iterations × (1 list + 2 products), plus the list fetched again before the exception.
    expect(summary.metrics.http_reqs.count).toBe(10);
    expect(summary.metrics.checks.passes).toBe(10);
    expect(summary.metrics.checks.fails).toBe(0);
    // Checks made inside the (now asynchronous) group callback are still attributed to the group.
    expect(summary.root_group.groups.shop.checks['products 200']).toMatchObject({ passes: 3, fails: 0 });
    expect(summary.root_group.groups.shop.checks['product 200']).toMatchObject({ passes: 6, fails: 0 });
    expect(summary.root_group.checks['products 200']).toMatchObject({ passes: 1, fails: 0 });
  });
});
