import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providedModulePath, unsupportedReason } from '../../src/load/script/modules.ts';
import { fixture, runCli } from '../helpers/cli.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'telltale-k6-modules-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('k6/data, k6/encoding, k6/crypto and k6/html are provided', () => {
  it('resolves the k6 names and the telltale aliases to the runtime modules', () => {
    for (const name of ['data', 'encoding', 'crypto', 'html']) {
      expect(providedModulePath(`k6/${name}`)).toMatch(new RegExp(`runtime[\\\\/]k6-${name}\\.ts$`));
      expect(providedModulePath(`telltale/${name}`)).toBe(providedModulePath(`k6/${name}`));
    }
    expect(unsupportedReason('k6/timers')).toMatch(/not available yet/);
  });

  it('a script using all four passes every check on two worker threads', async () => {
    const out = path.join(dir, 'summary.json');
    const r = await runCli(['run', '-q', '--workers', '2', '--summary-export', out, fixture('k6-modules.ts')]);
    expect(r.stderr).not.toMatch(/ERRO|Error/);
    expect(r.code).toBe(0);
    const summary = JSON.parse(await readFile(out, 'utf8'));
    expect(summary.metrics.iterations.count).toBe(4);
    // 19 checks per iteration, none failed.
    expect(summary.metrics.checks.passes).toBe(76);
    expect(summary.metrics.checks.fails).toBe(0);
  });
});
