import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDemoServer, type DemoServer } from '../../src/demo/server.ts';
import { fixture, runCli } from '../helpers/cli.ts';

/** A service that answers 503 to whatever exceeds LIMIT requests in the current second. */
const LIMIT = 60;
let limited: http.Server;
let limitedUrl: string;
let demo: DemoServer;
let dir: string;

beforeAll(async () => {
  let second = 0;
  let count = 0;
  limited = http.createServer((_req, res) => {
    const now = Math.floor(Date.now() / 1000);
    if (now !== second) {
      second = now;
      count = 0;
    }
    count++;
    res.writeHead(count > LIMIT ? 503 : 200, { 'content-length': '2' });
    res.end('ok');
  });
  await new Promise<void>((r) => limited.listen(0, '127.0.0.1', r));
  limitedUrl = `http://127.0.0.1:${(limited.address() as AddressInfo).port}`;
  demo = await startDemoServer({ delayMs: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'telltale-prof-'));
});
afterAll(async () => {
  limited.closeAllConnections();
  await new Promise((r) => limited.close(r));
  await demo.close();
});

describe('profiles', () => {
  it('runs the spike profile scaled down, replacing the script scenarios with its arrival-rate shape', async () => {
    const out = path.join(dir, 'spike.json');
    const r = await runCli([
      'run', '-q', '--profile', 'spike', '--profile-time-scale', '0.005', '--profile-rate-scale', '0.05',
      '--summary-export', out, '-e', `BASE_URL=${demo.url}`, fixture('failing-threshold.ts'), '--no-thresholds',
    ]);
    expect(r.stderr).not.toMatch(/ERRO/);
    expect(r.code).toBe(0);
    const m = JSON.parse(await readFile(out, 'utf8')).metrics;
    // 3 s in all: 1.5 s at 5/s, 0.6 s at 100/s, 0.9 s at 5/s  => about 7.5 + 60 + 4.5 = 72 iterations
    expect(m.iterations.count).toBeGreaterThan(60);
    expect(m.iterations.count).toBeLessThan(85);
  });

  it('rejects an unknown profile and a sustained profile without --capacity', async () => {
    const a = await runCli(['run', '-q', '--profile', 'nope', fixture('failing-threshold.ts')]);
    expect(a.code).toBe(104);
    expect(a.stderr).toMatch(/baseline.*progressive.*spike/);
    const b = await runCli(['run', '-q', '--profile', 'sustained', fixture('failing-threshold.ts')]);
    expect(b.code).toBe(104);
    expect(b.stderr).toMatch(/--capacity/);
  });
});

describe('abortOnFail', () => {
  it('stops the run once the threshold fails after delayAbortEval, exit 99', async () => {
    const started = Date.now();
    const r = await runCli(['run', '-q', '-e', `BASE_URL=${demo.url}`, fixture('abort-on-fail.ts')]);
    expect(r.code).toBe(99);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.stderr).toMatch(/abortOnFail/);
  });
});

describe('telltale capacity', () => {
  it(`finds the rate at which the service starts failing (about ${LIMIT}/s)`, async () => {
    const r = await runCli(
      ['capacity', fixture('capacity.ts'), '-e', `BASE_URL=${limitedUrl}`, '--start-rate', '15', '--max-rate', '400', '--step-duration', '2s', '--precision', '0.1'],
      { timeoutMs: 120_000 },
    );
    expect(r.code).toBe(0);
    const m = /capacity: (\d+) iterations\/s/.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    const capacity = Number(m![1]);
    expect(capacity).toBeGreaterThanOrEqual(LIMIT * 0.8);
    expect(capacity).toBeLessThanOrEqual(LIMIT * 1.15);
    expect(r.stderr).toMatch(/FAIL/);
  }, 120_000);

  it('exits 99 when even the start rate fails', async () => {
    const r = await runCli(['capacity', fixture('capacity.ts'), '-q', '-e', `BASE_URL=${limitedUrl}`, '--start-rate', '200', '--max-rate', '400', '--step-duration', '1s'], { timeoutMs: 60_000 });
    expect(r.code).toBe(99);
    expect(r.stderr).toMatch(/TT_CAPACITY_FAILED/);
  });
});
