import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'telltale-history-bad-'));
  await writeFile(path.join(dir, 'garbage.json'), '{"format": "telltale-run", "id": ');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

// Each: a clear one-line error naming what is wrong, the documented exit code, never a stack trace.
const cases: { name: string; args: (store: string) => string[]; code: number; message: RegExp }[] = [
  { name: 'runs show of an unknown id', args: (s) => ['runs', 'show', 'nope', '--store', s], code: 3, message: /nope/ },
  { name: 'baseline set of an unknown run', args: (s) => ['baseline', 'set', 'abc123', '--store', s], code: 3, message: /abc123/ },
  { name: 'baseline set --last-passing in an empty store', args: (s) => ['baseline', 'set', '--last-passing', '--test', 'checkout', '--store', s], code: 3, message: /checkout|passing/ },
  { name: 'gate with nothing recorded', args: (s) => ['gate', '--store', s], code: 3, message: /run|baseline/i },
  { name: 'gate with a malformed --rule', args: (s) => ['gate', '--store', s, '--rule', 'p95 up a lot'], code: 2, message: /--rule "p95 up a lot"/ },
  { name: 'gate with a truncated --current file', args: (s) => ['gate', '--store', s, '--current', path.join(dir, 'garbage.json')], code: 3, message: /garbage\.json/ },
  { name: 'gate with a missing --baseline file', args: (s) => ['gate', '--store', s, '--current', path.join(dir, 'garbage.json'), '--baseline', path.join(dir, 'missing.json')], code: 3, message: /json/ },
  { name: 'runs import of a truncated file', args: (s) => ['runs', 'import', path.join(dir, 'garbage.json'), '--store', s], code: 3, message: /garbage\.json/ },
  { name: 'a store path that is a directory', args: () => ['runs', 'list', '--store', dir], code: 3, message: /store|database/i },
];

describe('run history with bad input', () => {
  for (const c of cases) {
    it(`${c.name}: a clear error, exit ${c.code}, no stack trace`, { timeout: 30_000 }, async () => {
      const store = path.join(dir, `${c.name.replace(/\W+/g, '-')}.db`);
      const r = await runCli(c.args(store), { cwd: dir });
      expect(r.code, r.stderr).toBe(c.code);
      expect(r.stderr).toMatch(c.message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
