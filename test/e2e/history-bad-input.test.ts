import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRecordFile } from '../../src/runs/files.ts';
import { runCli } from '../helpers/cli.ts';
import { sampleRecord } from '../runs/helpers.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'telltale-history-bad-'));
  await writeFile(path.join(dir, 'garbage.json'), '{"format": "telltale-run", "id": ');
  await writeRecordFile(path.join(dir, 'checkout.json'), sampleRecord({ id: 'checkout-1', testName: 'checkout', seconds: 12 }));
  await writeRecordFile(path.join(dir, 'checkout-2.json'), sampleRecord({ id: 'checkout-2', testName: 'checkout', seconds: 12, seed: 3 }));
  await writeRecordFile(path.join(dir, 'search.json'), sampleRecord({ id: 'search-1', testName: 'search', seconds: 12 }));
  await writeRecordFile(path.join(dir, 'idle.json'), sampleRecord({ id: 'idle-1', testName: 'checkout', seconds: 12, requestsPerSecond: 0 }));
  await writeFile(path.join(dir, 'bad-gate.yaml'), 'alpha: 0.01\nbaseline:\n  run: abc\n  file: x.json\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

// Each: a clear one-line error naming what is wrong, the documented exit code, never a stack trace.
const cases: { name: string; args: (store: string) => string[]; setup?: (store: string) => string[]; code: number; message: RegExp }[] = [
  { name: 'runs show of an unknown id', args: (s) => ['runs', 'show', 'nope', '--store', s], code: 3, message: /nope/ },
  { name: 'baseline set of an unknown run', args: (s) => ['baseline', 'set', 'abc123', '--store', s], code: 3, message: /abc123/ },
  { name: 'baseline set --last-passing in an empty store', args: (s) => ['baseline', 'set', '--last-passing', '--test', 'checkout', '--store', s], code: 3, message: /checkout|passing/ },
  { name: 'gate with nothing recorded', args: (s) => ['gate', '--store', s], code: 3, message: /run|baseline/i },
  { name: 'gate with a malformed --rule', args: (s) => ['gate', '--store', s, '--rule', 'p95 up a lot'], code: 2, message: /--rule "p95 up a lot"/ },
  { name: 'gate with a truncated --current file', args: (s) => ['gate', '--store', s, '--current', path.join(dir, 'garbage.json')], code: 3, message: /garbage\.json/ },
  { name: 'gate with a missing --baseline file', args: (s) => ['gate', '--store', s, '--current', path.join(dir, 'garbage.json'), '--baseline', path.join(dir, 'missing.json')], code: 3, message: /json/ },
  { name: 'gate with a baseline file of another test', args: () => ['gate', '--current', path.join(dir, 'checkout.json'), '--baseline', path.join(dir, 'search.json')], code: 3, message: /baseline is a run of test "search", not "checkout".*\[TT_GATE_MISMATCH\]/ },
  {
    name: 'gate with a baseline run of another test in the store',
    args: (s) => ['gate', '--store', s, '--run', 'checkout-1', '--baseline-run', 'search-1'],
    setup: (s) => ['runs', 'import', path.join(dir, 'checkout.json'), path.join(dir, 'search.json'), '--store', s],
    code: 3,
    message: /baseline search-1 is a run of test "search", the current run checkout-1 of "checkout" \[TT_GATE_MISMATCH\]/,
  },
  { name: 'gate of a run with no HTTP requests', args: () => ['gate', '--current', path.join(dir, 'idle.json'), '--baseline', path.join(dir, 'checkout.json')], code: 3, message: /the current run made no HTTP requests: nothing to compare \[TT_GATE_MISMATCH\]/ },
  { name: 'gate against a baseline with no HTTP requests', args: () => ['gate', '--current', path.join(dir, 'checkout.json'), '--baseline', path.join(dir, 'idle.json')], code: 3, message: /the baseline run made no HTTP requests/ },
  { name: 'gate with a missing --config file', args: () => ['gate', '--config', path.join(dir, 'nope.yaml'), '--current', path.join(dir, 'checkout.json'), '--baseline', path.join(dir, 'checkout-2.json')], code: 3, message: /nope\.yaml: gate config: cannot read the file.*\[TT_GATE_CONFIG\]/ },
  { name: 'gate with an invalid --config file', args: () => ['gate', '--config', path.join(dir, 'bad-gate.yaml'), '--current', path.join(dir, 'checkout.json')], code: 3, message: /bad-gate\.yaml:3: gate config: baseline: give one of file, run and last-passing/ },
  { name: 'runs import of a truncated file', args: (s) => ['runs', 'import', path.join(dir, 'garbage.json'), '--store', s], code: 3, message: /garbage\.json/ },
  { name: 'a store path that is a directory', args: () => ['runs', 'list', '--store', dir], code: 3, message: /store|database/i },
];

describe('run history with bad input', () => {
  for (const c of cases) {
    it(`${c.name}: a clear error, exit ${c.code}, no stack trace`, { timeout: 30_000 }, async () => {
      const store = path.join(dir, `${c.name.replace(/\W+/g, '-')}.db`);
      if (c.setup) expect((await runCli(c.setup(store), { cwd: dir })).code).toBe(0);
      const r = await runCli(c.args(store), { cwd: dir });
      // a tool error is never a pass, and prints no verdicts
      expect(r.stdout).not.toMatch(/gate PASSED/);
      expect(r.code, r.stderr).toBe(c.code);
      expect(r.stderr).toMatch(c.message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
