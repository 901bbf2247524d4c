import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, runCli } from '../helpers/cli.ts';

let server: Server;
let baseUrl: string;
let dir: string;
let delayMs = 2;

beforeAll(async () => {
  server = createServer((_req, res) => {
    setTimeout(() => res.end('ok'), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(path.join(tmpdir(), 'telltale-gate-'));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('telltale gate end to end', () => {
  it('run, baseline set, a slower run, gate: exits 99 and writes a step summary, JUnit and JSON', async () => {
    const store = path.join(dir, 'runs.db');
    const run = () => runCli(['run', '-q', '--no-summary', '--record', '--store', store, '-e', `BASE_URL=${baseUrl}`, fixture('gate.ts')]);
    delayMs = 2;
    expect((await run()).code).toBe(0);
    const set = await runCli(['baseline', 'set', '--last-passing', '--store', store]);
    expect(set.code).toBe(0);

    delayMs = 12;
    expect((await run()).code).toBe(0);

    const summary = path.join(dir, 'step-summary.md');
    const junit = path.join(dir, 'junit.xml');
    const json = path.join(dir, 'gate.json');
    const gate = await runCli(['gate', '--store', store, '--min-intervals', '5', '--junit', junit, '--json', json], {
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
    });
    expect(gate.code).toBe(99);
    expect(gate.stdout).toMatch(/^gate FAILED for test "gate e2e": 1 regression/);
    expect(gate.stdout).toMatch(/^::error title=gate e2e%3A regression \(all requests\)::p95 relative_increase > 10%/m);

    const result = JSON.parse(await readFile(json, 'utf8'));
    expect(result).toMatchObject({ testName: 'gate e2e', passed: false, counts: { regression: 1, 'no change': 1 } });
    expect(result.verdicts[0]).toMatchObject({ metric: 'p95', endpoint: null, verdict: 'regression' });
    expect(result.verdicts[0].change).toBeGreaterThan(0.5);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="gate e2e" tests="2" failures="1" skipped="0">/);
    expect(xml).toMatch(/<testcase classname="gate e2e" name="p95 relative_increase &gt; 10% · all requests">\s*<failure message="regression">/);
    expect(await readFile(summary, 'utf8')).toMatch(/### ❌ Performance gate: gate e2e[\s\S]*\| 🔴 \| regression \|/);

    // the same comparison from files alone, without a store: the baseline compared with itself is refused
    const a = path.join(dir, 'a.json');
    const list = JSON.parse((await runCli(['runs', 'list', '--json', '--store', store])).stdout);
    await runCli(['runs', 'export', list[1].id, '-o', a, '--store', store]);
    const same = await runCli(['gate', '--current', a, '--baseline', a]);
    expect(same.code).toBe(3);
    expect(same.stderr).toMatch(/is its own baseline: nothing to compare \[TT_GATE_MISMATCH\]/);
  }, 60_000);
});
