import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, TelltaleError } from '../../src/errors.ts';

describe('docs/errors.md', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  for (const [code, { exitCode }] of Object.entries(ERROR_CODES)) {
    it(`documents ${code} with exit code ${exitCode}`, () => {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
      expect(row, `${code} missing from docs/errors.md`).toBeDefined();
      expect(row!.split('|')[2].trim()).toBe(String(exitCode));
    });
  }
});

describe('TelltaleError', () => {
  it('formats file, line and column before the message', () => {
    const e = new TelltaleError('TT_SCRIPT_BUNDLE', 'Unexpected "}"', { file: 'a.ts', line: 3, column: 7 });
    expect(e.format()).toBe('a.ts:3:7: Unexpected "}" [TT_SCRIPT_BUNDLE]');
    expect(e.exitCode).toBe(107);
  });
  it('lets an exit code be overridden', () => {
    expect(new TelltaleError('TT_INTERNAL', 'x', { exitCode: 1 }).exitCode).toBe(1);
  });
});
