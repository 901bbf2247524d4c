/**
 * promtool's `query` subcommands against `telltale serve`, unchanged: the same data remote-written into
 * Telltale and into the real Prometheus, and every command's output (promql and json formats) compared.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telltaleConfigSchema } from '../../src/config/telltale-config.ts';
import { encodeWriteRequest, snappyEncode } from '../../src/ingest/remote-write-codec.ts';
import { assembleServer, type AssembledServer } from '../../src/server/assemble.ts';
import { hasPrometheus, PROMTOOL_BIN, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.ts';

const run = promisify(execFile);
let dir: string;
let serve: AssembledServer;
let prom: RunningPrometheus;
/** the server's URL with a read token as Basic auth password (promtool 2.42 has no other way to send credentials) */
let servedUrl: string;
const END = Math.floor(Date.now() / 60_000) * 60_000;
const START = END - 30 * 60_000;

async function push(url: string, headers: Record<string, string> = {}): Promise<void> {
  const series = [];
  for (const job of ['api', 'db']) {
    for (const code of ['200', '500']) {
      const timestamps: number[] = [];
      const values: number[] = [];
      for (let t = START, k = 0; t <= END; t += 15_000, k++) {
        timestamps.push(t);
        values.push(k * (code === '200' ? 10 : 1) + (job === 'db' ? 0.5 : 0));
      }
      series.push({ labels: { __name__: 'http_requests_total', job, code, instance: `${job}:9100` }, timestamps, values });
    }
    const ts = [];
    for (let t = START; t <= END; t += 15_000) ts.push(t);
    series.push({ labels: { __name__: 'up', job, instance: `${job}:9100` }, timestamps: ts, values: ts.map(() => 1) });
  }
  const res = await fetch(`${url}/api/v1/write`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', ...headers },
    body: snappyEncode(encodeWriteRequest(series)),
  });
  expect(res.status).toBe(204);
}

async function promtool(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(PROMTOOL_BIN, ['query', ...args], { timeout: 30_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe.skipIf(!hasPrometheus())('promtool query against telltale serve', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tt-promtool-query-'));
    const config = telltaleConfigSchema.parse({ server: { store: path.join(dir, 'runs.db'), self_metrics_interval: 0 } });
    [serve, prom] = await Promise.all([
      assembleServer({ config, listen: '127.0.0.1:0', dataDir: path.join(dir, 'data'), buildDashboard: false }),
      startPrometheus({ args: ['--web.enable-remote-write-receiver'] }),
    ]);
    const ingest = (await serve.auth.createToken({ name: 'ingest', scopes: ['ingest'] }, 'test')).token;
    const read = (await serve.auth.createToken({ name: 'promtool', scopes: ['read'] }, 'test')).token;
    servedUrl = serve.url.replace('http://', `http://promtool:${read}@`);
    await Promise.all([push(serve.url, { authorization: `Bearer ${ingest}` }), push(prom.url)]);
  }, 60_000);
  afterAll(async () => {
    await serve?.close();
    await prom?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const at = String(END / 1000);
  const cases: Array<[string, string[]]> = [
    ['instant', ['instant', `--time=${at}`, '{server}', 'sum by (job) (rate(http_requests_total[5m]))']],
    ['instant, json', ['instant', '-o', 'json', `--time=${at}`, '{server}', 'http_requests_total{code="500"}']],
    ['instant, scalar', ['instant', `--time=${at}`, '{server}', 'scalar(sum(up))']],
    ['instant, parse error', ['instant', `--time=${at}`, '{server}', 'sum(']],
    ['range', ['range', `--start=${(END - 300_000) / 1000}`, `--end=${at}`, '--step=60s', '{server}', 'sum by (code) (increase(http_requests_total[2m]))']],
    ['range, json', ['range', '-o', 'json', `--start=${(END - 120_000) / 1000}`, `--end=${at}`, '--step=30s', '{server}', 'up']],
    ['series', ['series', '--match=up', `--start=${START / 1000}`, `--end=${at}`, '{server}']],
    ['series, two matchers', ['series', '--match=http_requests_total{code="200"}', '--match=up{job="db"}', `--start=${START / 1000}`, `--end=${at}`, '{server}']],
    ['labels', ['labels', `--start=${START / 1000}`, `--end=${at}`, '{server}', 'job']],
    ['labels, names', ['labels', `--start=${START / 1000}`, `--end=${at}`, '{server}', '__name__']],
  ];

  for (const [name, args] of cases) {
    it(`promtool query ${name}: the same output from both`, async () => {
      const [ours, theirs] = await Promise.all([
        promtool(args.map((a) => (a === '{server}' ? servedUrl : a))),
        promtool(args.map((a) => (a === '{server}' ? prom.url : a))),
      ]);
      expect(ours.code).toBe(theirs.code);
      expect(ours.out).toBe(theirs.out);
      if (!name.includes('error')) expect(ours.out.length).toBeGreaterThan(2);
    }, 60_000);
  }
});
