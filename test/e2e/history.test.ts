import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecord } from '../../src/runs/json.ts';
import { createPgSchema, type PgSchema } from '../helpers/postgres.ts';
import { fixture, runCli } from '../helpers/cli.ts';

let server: Server;
let baseUrl: string;
let dir: string;
let pgSchema: PgSchema;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(req.url === '/items' ? '[1,2,3]' : '{"id":1}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(path.join(tmpdir(), 'telltale-history-'));
  pgSchema = await createPgSchema('tt_e2e');
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
  await pgSchema.drop();
});

const GITHUB = { GITHUB_ACTIONS: 'true', GITHUB_SHA: '0123456789abcdef', GITHUB_REF_NAME: 'main', GITHUB_HEAD_REF: '', GITHUB_REF: 'refs/heads/main', GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '77' };

describe('run history end to end', () => {
  it('records a run, lists it, exports it and imports it into another store unchanged', async () => {
    const store = path.join(dir, 'a.db');
    const out = path.join(dir, 'record.json');
    const run = await runCli(['run', '-q', '--no-summary', '--record', '--store', store, '--record-out', out, '-e', `BASE_URL=${baseUrl}`, fixture('history.ts')], { env: GITHUB });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const list = await runCli(['runs', 'list', '--store', store, '--json']);
    expect(list.code).toBe(0);
    const runs = JSON.parse(list.stdout);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      testName: 'history e2e',
      exitCode: 0,
      thresholdsPassed: true,
      git: { commit: '0123456789abcdef', branch: 'main' },
      ciProvider: 'github-actions',
    });
    const id: string = runs[0].id;
    expect((await runCli(['runs', 'list', '--store', store])).stdout).toContain(id.slice(0, 8));

    const record = parseRecord(await readFile(out, 'utf8'), out);
    expect(record.id).toBe(id);
    expect(record.ci).toEqual({ provider: 'github-actions', buildId: '77', buildUrl: 'https://github.com/acme/shop/actions/runs/77' });
    expect(record.summary.metrics.http_reqs.values.count).toBe(60);
    expect(record.endpoints.map((e) => [e.name, e.requests])).toEqual([
      ['item', 30],
      ['list', 30],
    ]);
    expect(record.timeline.reduce((n, p) => n + p.httpReqs, 0)).toBe(60);
    expect(Object.keys(record.histograms)).toContain('http_req_duration');

    const exported = path.join(dir, 'exported.json');
    const exp = await runCli(['runs', 'export', id.slice(0, 8), '--store', store, '-o', exported]);
    expect(exp.code).toBe(0);
    expect(await readFile(exported, 'utf8')).toBe(await readFile(out, 'utf8'));

    const imp = await runCli(['runs', 'import', exported, '--store', pgSchema.spec]);
    expect(imp.stderr).toContain('imported');
    expect(imp.code).toBe(0);
    const again = await runCli(['runs', 'import', exported, '--store', pgSchema.spec]);
    expect(again.stderr).toContain('already in the store');
    const back = await runCli(['runs', 'export', id, '--store', pgSchema.spec]);
    expect(back.code).toBe(0);
    expect(back.stdout).toBe(await readFile(out, 'utf8'));

    const show = await runCli(['runs', 'show', id.slice(0, 6), '--store', pgSchema.spec]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/test:\s+history e2e/);
    expect(show.stdout).toMatch(/item\s+30\s+0/);

    const set = await runCli(['baseline', 'set', '--last-passing', '--branch', 'main', '--store', store]);
    expect(set.code).toBe(0);
    const shown = JSON.parse((await runCli(['baseline', 'show', '--json', '--store', store])).stdout);
    expect(shown).toMatchObject([{ testName: 'history e2e', runId: id, run: { id } }]);
    const none = await runCli(['baseline', 'set', '--last-passing', '--branch', 'feature', '--store', store]);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/no passing run of test "history e2e" on branch "feature" in .*a\.db \[TT_BASELINE_NOT_FOUND\]/);
  });

  it('refuses a damaged record file whole, naming the file', async () => {
    const store = path.join(dir, 'b.db');
    const good = path.join(dir, 'good.json');
    const run = await runCli(['run', '-q', '--no-summary', '--no-record', '--record-out', good, '-e', `BASE_URL=${baseUrl}`, fixture('history.ts')]);
    expect(run.code).toBe(0);
    const text = await readFile(good, 'utf8');
    const truncated = path.join(dir, 'truncated.json');
    await writeFile(truncated, text.slice(0, Math.floor(text.length / 2)));
    const imp = await runCli(['runs', 'import', good, truncated, '--store', store]);
    expect(imp.code).toBe(3);
    expect(imp.stderr).toContain(`error: ${truncated}: run record is not valid JSON`);
    // the good file named first was not imported either
    const list = await runCli(['runs', 'list', '--store', store, '--json']);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('records by default inside CI, to TELLTALE_STORE, unless --no-record', async () => {
    const store = path.join(dir, 'ci.db');
    const env = { CI: 'true', TELLTALE_RECORD: '', TELLTALE_STORE: store };
    const off = await runCli(['run', '-q', '--no-summary', '--no-record', '-e', `BASE_URL=${baseUrl}`, fixture('history.ts')], { env });
    expect(off.code).toBe(0);
    const on = await runCli(['run', '--no-summary', '--test-name', 'ci smoke', '-e', `BASE_URL=${baseUrl}`, fixture('history.ts')], { env });
    expect(on.code).toBe(0);
    expect(on.stderr).toMatch(/run [0-9a-f-]{36} \(test "ci smoke"\) recorded to .*ci\.db/);
    const runs = JSON.parse((await runCli(['runs', 'list', '--json'], { env })).stdout);
    expect(runs.map((r: { testName: string }) => r.testName)).toEqual(['ci smoke']);
  });

  it('keeps the run\'s output and says why when the record cannot be written', async () => {
    const run = await runCli(['run', '-q', '--record', '--store', 'postgres://postgres:pw@127.0.0.1:1/x', '-e', `BASE_URL=${baseUrl}`, fixture('history.ts')]);
    expect(run.stdout).toMatch(/http_reqs/);
    expect(run.stderr).toMatch(/the run record was not written: .*127\.0\.0\.1:1.* \[TT_STORE_UNAVAILABLE\]/);
    expect(run.stderr).not.toContain(':pw@');
    expect(run.code).toBe(3);
  });
});
