import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTestFile } from '../../src/promql/promqltest/runner.ts';

const dir = join(import.meta.dirname, 'testdata');
const files = readdirSync(dir).filter((f) => f.endsWith('.test')).sort();

describe('PromQL test files', () => {
  it('finds test files', () => {
    expect(files.length).toBeGreaterThan(5);
  });
  for (const file of files) {
    it(file, async () => {
      const failures = await runTestFile(readFileSync(join(dir, file), 'utf8'), file);
      expect(failures.map((f) => `${file}:${f.line}: ${f.expr}: ${f.message}`)).toEqual([]);
    });
  }
});
