import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAlertState, writeAlertState } from '../../src/rules/state-file.ts';
import { TelltaleError } from '../../src/errors.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('alert state file', () => {
  it('round-trips state, NaN values included, and reads a missing file as empty', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-state-'));
    const file = join(dir, 'rules', 'alert-state.json');
    expect(await readAlertState(file)).toEqual({ version: 1, groups: {} });
    const alert = { labels: { alertname: 'X' }, annotations: {}, state: 'firing' as const, value: NaN, activeAt: 1, firedAt: 2, resolvedAt: 0, lastSentAt: 2, keepFiringSince: 0, validUntil: 9 };
    await writeAlertState(file, { version: 1, groups: { 'f\ng': { X: [alert] } } });
    const back = await readAlertState(file);
    expect(back.groups['f\ng'].X[0]).toEqual(alert);
  });

  it('refuses a damaged file with a clear error naming it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-state-'));
    const file = join(dir, 'alert-state.json');
    writeFileSync(file, '{"version":1,"groups":{"g":{"X":[{"labels":{}}]}}}');
    await expect(readAlertState(file)).rejects.toThrow(/alert state is malformed at groups\.g\.X\.0/);
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 80 }), async (text) => {
        writeFileSync(file, text);
        try {
          await readAlertState(file);
        } catch (err) {
          expect(err).toBeInstanceOf(TelltaleError);
          expect((err as TelltaleError).file).toBe(file);
        }
      }),
      { numRuns: 200 },
    );
  });
});
