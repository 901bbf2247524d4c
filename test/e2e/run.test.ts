import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startDemoServer, type DemoServer } from '../../src/demo/server.ts';
import { fixture, runCli } from '../helpers/cli.ts';

let server: DemoServer;
let dir: string;

beforeAll(async () => {
  server = await startDemoServer({ delayMs: 1, orderErrorRate: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'telltale-e2e-'));
});
afterAll(async () => {
  await server.close();
});

const base = () => ['-e', `BASE_URL=${server.url}`];

describe('telltale run against a real local server', () => {
  it('runs setup, VUs on two workers, checks, groups, custom metrics and teardown; writes every output', async () => {
    const exportFile = path.join(dir, 'summary.json');
    const ndjson = path.join(dir, 'out.json.gz');
    const html = path.join(dir, 'report.html');
    const r = await runCli(['run', '--workers', '2', '-q', ...base(), '--summary-export', exportFile, '-o', `json=${ndjson}`, '-o', `html=${html}`, fixture('basic.ts')]);
    expect(r.stderr).not.toMatch(/ERRO/);
    expect(r.code).toBe(0);
    const summary = JSON.parse(await readFile(exportFile, 'utf8'));
    expect(summary.metrics.iterations.count).toBe(10);
    expect(summary.metrics.http_reqs.count).toBe(10);
    expect(summary.metrics.vu_iterations_seen.count).toBe(10);
    expect(summary.metrics.checks.passes).toBe(50);
    expect(summary.metrics.checks.fails).toBe(0);
    const lines = gunzipSync(await readFile(ndjson)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
    const points = lines.filter((l) => l.type === 'Point');
    expect(points.filter((p) => p.metric === 'http_reqs')).toHaveLength(10);
    const req = points.find((p) => p.metric === 'http_req_duration');
    expect(req.data.tags).toMatchObject({ method: 'GET', name: 'health', status: '200', group: '::api', scenario: 'default', expected_response: 'true' });
    const page = await readFile(html, 'utf8');
    expect(page).toContain('<svg');
    expect(r.stdout).toMatch(/status is 200/);
  });

  it('exits 99 and names the metric when a threshold fails', async () => {
    const r = await runCli(['run', '-q', ...base(), fixture('failing-threshold.ts')]);
    expect(r.code).toBe(99);
    expect(r.stderr).toMatch(/thresholds on metrics 'http_req_duration' have been crossed/);
  });

  it('records coordinated-omission-corrected latency and no drops at a modest arrival rate', async () => {
    const exportFile = path.join(dir, 'arrival.json');
    const r = await runCli(['run', '-q', ...base(), '--summary-export', exportFile, fixture('arrival.ts')]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(await readFile(exportFile, 'utf8'));
    expect(summary.metrics.iterations.count).toBeGreaterThanOrEqual(99);
    expect(summary.metrics.iterations.count).toBeLessThanOrEqual(100);
    expect(summary.metrics.http_req_corrected_duration.avg).toBeGreaterThanOrEqual(summary.metrics.http_req_duration.avg);
  });

  it('handleSummary replaces the default summary and writes its files', async () => {
    const out = path.join(dir, 'hs.json');
    const r = await runCli(['run', '-q', '-e', `OUT_FILE=${out}`, fixture('handle-summary.ts')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('custom summary: 2 iterations\n');
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual({ iterations: 2 });
  });

  it('exec.test.abort() stops the run with exit code 108', async () => {
    const r = await runCli(['run', '-q', fixture('abort.ts')]);
    expect(r.code).toBe(108);
    expect(r.stderr).toMatch(/aborted by the script/);
  });

  it('a VU that throws is reported with file and line, and the run goes on', async () => {
    const exportFile = path.join(dir, 'throws.json');
    const r = await runCli(['run', '-q', '--summary-export', exportFile, fixture('vu-throws.ts')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/boom on iteration 0/);
    expect(r.stderr).toMatch(/vu-throws\.ts:5:\d+/);
    const summary = JSON.parse(await readFile(exportFile, 'utf8'));
    expect(summary.metrics.iterations.count).toBe(4);
  });
});

describe('telltale run with bad input', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['a script that does not parse', [fixture('syntax-error.ts')], 107, /syntax-error\.ts:2:\d+: .*\[TT_SCRIPT_BUNDLE\]/],
    ['init code that throws', [fixture('init-throws.ts')], 107, /init-throws\.ts:1:\d+: .*JSON.*\[TT_SCRIPT_INIT\]/],
    ['a missing default export', [fixture('no-default.ts')], 107, /must export a default function.*\[TT_SCRIPT_EXPORT\]/],
    ['an unsupported k6 module', [fixture('unsupported-module.ts')], 107, /k6\/browser.*not supported.*\[TT_MODULE_UNSUPPORTED\]/],
    ['a remote module', [fixture('remote-module.ts')], 107, /jslib\.k6\.io.*relative path.*\[TT_MODULE_UNSUPPORTED\]/],
    ['bad options', [fixture('bad-options.ts')], 104, /scenarios\.checkout\.rate/],
    ['a threshold on an undefined metric', [fixture('unknown-metric-threshold.ts')], 104, /no_such_metric.*\[TT_THRESHOLD_UNKNOWN_METRIC\]/],
    ['a missing script', ['does-not-exist.ts'], 104, /script not found.*\[TT_SCRIPT_NOT_FOUND\]/],
    ['a bad --out', ['-o', 'influxdb=http://x', fixture('abort.ts')], 104, /influxdb.*\[TT_OUTPUT_INVALID\]/],
    ['a bad --vus', ['-u', 'many', fixture('abort.ts')], 2, /--vus/],
    ['a bad --duration', ['-d', '10 parsecs', fixture('abort.ts')], 104, /--duration/],
    ['a bad --script-mode', ['--script-mode', 'weird', fixture('abort.ts')], 2, /--script-mode "weird": expected auto, k6 or native/],
    ['a bad --summary-mode', ['--summary-mode', 'fancy', fixture('abort.ts')], 2, /--summary-mode "fancy": expected compact, full or legacy/],
    ['an -e without =', ['-e', 'NOVALUE', fixture('abort.ts')], 2, /--env "NOVALUE": expected KEY=VALUE/],
    ['a bad --stage', ['-s', 'soon:ten', fixture('abort.ts')], 2, /--stage/],
  ];
  for (const [name, args, code, message] of cases) {
    it(`reports ${name} clearly, without a stack trace`, async () => {
      const r = await runCli(['run', '-q', ...args]);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at .*node_modules/m);
      expect(r.code).toBe(code);
    });
  }

  it('an unreachable target is an error code in the metrics, not a crash', async () => {
    const r = await runCli(['run', '-q', '--no-thresholds', '-e', 'BASE_URL=http://127.0.0.1:1', '--summary-export', path.join(dir, 'unreach.json'), fixture('failing-threshold.ts')]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(await readFile(path.join(dir, 'unreach.json'), 'utf8'));
    expect(summary.metrics.http_req_failed.value).toBe(1);
  });
});

describe('telltale run interrupted', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`stops gracefully on ${signal}, prints the summary and exits 105`, async () => {
      const { spawn } = await import('node:child_process');
      const { BIN } = await import('../helpers/cli.ts');
      const child = spawn(process.execPath, [BIN, 'run', '--summary-export', path.join(dir, `${signal}.json`), fixture('long.ts')], {
        env: { ...process.env, NO_COLOR: '1', CI: 'true', TELLTALE_RECORD: '0' },
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      // Signal only once the run has started (a loaded machine can take seconds to get there).
      await new Promise<void>((resolve) => {
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (stderr.includes('VUs on')) resolve();
        });
      });
      await new Promise((r) => setTimeout(r, 1500));
      const started = Date.now();
      child.kill(signal);
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(105);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(stdout).toMatch(/iterations/);
      const summary = JSON.parse(await readFile(path.join(dir, `${signal}.json`), 'utf8'));
      expect(summary.metrics.iterations.count).toBeGreaterThan(4);
    });
  }
});
