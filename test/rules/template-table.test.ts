import { describe, expect, it } from 'vitest';
import { isTelltaleError } from '../../src/errors.ts';
import { expandAlertTemplate } from '../../src/rules/template/index.ts';
import { CASES } from './template-cases.ts';
import { HARNESS, harnessQuery } from './promtool-harness.ts';

describe('alert templates: the table of Go outputs', () => {
  CASES.forEach((c, i) => {
    it(`#${i} ${c.t.length > 70 ? `${c.t.slice(0, 70)}…` : c.t}`, async () => {
      const run = expandAlertTemplate(c.t, { ...HARNESS, name: `__alert_A${i}`, query: harnessQuery });
      if (c.err !== undefined) {
        const err = await run.then(() => undefined, (e: unknown) => e);
        expect(isTelltaleError(err), `expected a TelltaleError, got ${String(err)}`).toBe(true);
        expect((err as Error).message).toBe(c.err);
        expect((err as { code: string }).code).toBe('TT_TEMPLATE_INVALID');
      } else {
        expect(await run).toBe(c.out);
      }
    });
  });
});
