/** `telltale run --push URL`: the run record goes to a running `telltale serve`, which keeps it and its series. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, runCli } from '../helpers/cli.ts';
import { assembleServer, type AssembledServer } from '../../src/server/assemble.ts';
import { telltaleConfigSchema } from '../../src/config/telltale-config.ts';

let target: Server;
let baseUrl: string;
let dir: string;
let serve: AssembledServer;
let ci: string;
let reader: string;
const get = (p: string) => fetch(`${serve.url}${p}`, { headers: { authorization: `Bearer ${reader}` } });

beforeAll(async () => {
  target = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  dir = mkdtempSync(path.join(tmpdir(), 'tt-run-push-'));
  const config = telltaleConfigSchema.parse({ server: { store: path.join(dir, 'runs.db'), self_metrics_interval: 0 } });
  serve = await assembleServer({ config, listen: '127.0.0.1:0', dataDir: path.join(dir, 'data'), buildDashboard: false });
  ci = (await serve.auth.createToken({ name: 'ci', scopes: ['runs:write'] }, 'test')).token;
  reader = (await serve.auth.createToken({ name: 'reader', scopes: ['read'] }, 'test')).token;
}, 30_000);
afterAll(async () => {
  await serve?.close();
  await new Promise((resolve) => target.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('telltale run --push', () => {
  it('sends the record: the server lists the run and answers PromQL over its per-second series', async () => {
    const r = await runCli(['run', '-q', '--no-summary', '--no-record', '--push', serve.url, '-e', `BASE_URL=${baseUrl}`, fixture('gate.ts')], { env: { TELLTALE_TOKEN: ci } });
    expect(r.code, r.stderr).toBe(0);
    const list = (await (await get('/api/telltale/runs')).json()) as { data: { runs: Array<{ id: string; testName: string }> } };
    expect(list.data.runs.map((x) => x.testName)).toEqual(['gate e2e']);
    const q = encodeURIComponent('max_over_time(k6_http_reqs_total{testid="gate e2e", name="api"}[1h])');
    const res = (await (await get(`/api/v1/query?query=${q}`)).json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    expect(res.data.result).toHaveLength(1);
    expect(res.data.result[0].metric.run_id).toBe(list.data.runs[0].id);
    expect(Number(res.data.result[0].value[1])).toBeGreaterThan(10);
  }, 60_000);

  it('fails with TT_RUN_PUSH (exit 3) without a token that may push, naming the answer', async () => {
    const r = await runCli(['run', '-q', '--no-summary', '--no-record', '--push', serve.url, '-d', '1s', '-e', `BASE_URL=${baseUrl}`, fixture('gate.ts')], { env: { TELLTALE_TOKEN: reader } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--push: http:\/\/127\.0\.0\.1:\d+\/api\/telltale\/runs answered 403/);
  }, 60_000);

  it('fails with TT_RUN_PUSH (exit 3) when nothing listens there, and says so', async () => {
    const r = await runCli(['run', '-q', '--no-summary', '--no-record', '--push', 'http://127.0.0.1:9', '-d', '1s', '-e', `BASE_URL=${baseUrl}`, fixture('gate.ts')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--push: cannot reach http:\/\/127\.0\.0\.1:9\/api\/telltale\/runs/);
  }, 60_000);
});
