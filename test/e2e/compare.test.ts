import * as cheerio from 'cheerio';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRecordFile } from '../../src/runs/files.ts';
import { runCli } from '../helpers/cli.ts';
import { sampleRecord } from '../runs/helpers.ts';

let dir: string;
let store: string;
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'telltale-compare-'));
  store = file('runs.db');
  await writeRecordFile(file('a.json'), sampleRecord({ id: '11111111-aaaa', seconds: 20, seed: 1 }));
  await writeRecordFile(file('b.json'), sampleRecord({ id: '22222222-bbbb', seconds: 20, seed: 2, slowdown: 5 }));
  await writeRecordFile(file('other.json'), sampleRecord({ id: '33333333-cccc', testName: 'search', seconds: 20, seed: 3 }));
  const full = await readFile(file('a.json'), 'utf8');
  await writeFile(file('truncated.json'), full.slice(0, Math.floor(full.length / 2)));
  expect((await runCli(['runs', 'import', file('a.json'), file('b.json'), '--store', store])).code).toBe(0);
}, 30_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('telltale compare', () => {
  it('compares two stored runs by id prefix into one HTML file and JSON', async () => {
    const out = file('report.html');
    const json = file('report.json');
    const r = await runCli(['compare', '1111', '2222', '--store', store, '--out', out, '--json', json]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/compared 11111111-aaaa \(A\) with 22222222-bbbb \(B\): the gate fails B against A; report in /);
    const $ = cheerio.load(await readFile(out, 'utf8'));
    expect($('head > title').text()).toBe('Run comparison · load · 11111111 vs 22222222');
    expect($('#verdicts tbody tr').first().find('td').first().text()).toBe('regression');
    const diff = JSON.parse(await readFile(json, 'utf8'));
    expect(diff.a.id).toBe('11111111-aaaa');
    expect(diff.gate.passed).toBe(false);
    const p95 = $('#percentiles tbody tr').eq(2).find('td').map((_, td) => $(td).text()).get();
    expect(p95.slice(0, 3)).toEqual(['p95', `${diff.a.latency.p95.toFixed(2)} ms`, `${diff.b.latency.p95.toFixed(2)} ms`]);
  }, 30_000);

  it('compares record files without a store, and flags runs of different tests', async () => {
    const out = file('other.html');
    const r = await runCli(['compare', file('a.json'), file('other.json'), '--out', out], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/WARN the runs are of different tests \("load" and "search"\)/);
    expect(r.stderr).toMatch(/no verdicts/);
    expect(cheerio.load(await readFile(out, 'utf8'))('.warn').text()).toMatch(/different tests/);
  }, 30_000);

  const bad: [string, (s: string) => string[], number, RegExp][] = [
    ['a missing run', (s) => ['compare', 'ffff', '2222', '--store', s, '--out', file('x.html')], 3, /ffff.*\[TT_RUN_NOT_FOUND\]/],
    ['a missing file', () => ['compare', file('nope.json'), file('b.json'), '--out', file('x.html')], 3, /no run record file .*nope\.json \[TT_RUN_NOT_FOUND\]/],
    ['a truncated file', () => ['compare', file('truncated.json'), file('b.json'), '--out', file('x.html')], 3, /truncated\.json: run record is not valid JSON.*\[TT_RECORD_INVALID\]/],
    ['no output named', () => ['compare', file('a.json'), file('b.json')], 2, /give --out report\.html, --json FILE or both/],
  ];
  for (const [name, args, code, message] of bad) {
    it(`${name}: exit ${code}, a clear message, no report`, async () => {
      const r = await runCli(args(store), { cwd: dir });
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      await expect(readFile(file('x.html'))).rejects.toThrow();
    }, 30_000);
  }
});
