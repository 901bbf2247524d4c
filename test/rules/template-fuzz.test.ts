/** Hostile template text: anything either renders or fails with TT_TEMPLATE_INVALID, never another error. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isTelltaleError } from '../../src/errors.ts';
import { checkAlertTemplate, expandAlertTemplate } from '../../src/rules/template/index.ts';
import { HARNESS, harnessQuery } from './promtool-harness.ts';

const PIECES = [
  '{{', '}}', '{{-', '-}}', ' ', '.', '$', '$x', ':=', '=', '|', '(', ')', '"', '`', "'", ',', '/*', '*/', '\n', '\\',
  'if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue', 'nil', 'true',
  '.Labels', '.Labels.job', '$labels', '$value', '.Value', 'printf', '"%d"', '"%s"', '"%.2f"', 'humanize', 'query', '"up"',
  'first', 'index', 'slice', 'len', 'eq', 'lt', 'and', 'or', 'not', 'print', 'args', '1', '1.5', '-3', '0x1F', '"a"',
  'reReplaceAll', '"(.*)"', '"$1"', 'match', 'toUpper', 'title', 'humanizeDuration', 'js', 'html', 'urlquery', 'call',
];

const templateText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.array(fc.constantFrom(...PIECES), { maxLength: 25 }).map((a) => a.join('')),
  fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 3 })), { maxLength: 20 }).map((a) => a.join(' ')),
);

async function outcome(text: string): Promise<'ok' | 'telltale'> {
  try {
    await expandAlertTemplate(text, { ...HARNESS, query: harnessQuery });
    return 'ok';
  } catch (err) {
    if (isTelltaleError(err) && err.code === 'TT_TEMPLATE_INVALID') return 'telltale';
    throw err;
  }
}

describe('alert templates on hostile input', () => {
  it('render or fail with TT_TEMPLATE_INVALID, never crash', async () => {
    await fc.assert(fc.asyncProperty(templateText, async (t) => {
      await outcome(t);
      // the rule-file check parses the same way and never throws
      const err = checkAlertTemplate(t, 'Fuzz');
      if (err) expect(err.code).toBe('TT_TEMPLATE_INVALID');
    }), { numRuns: 3000 });
  }, 60_000);

  it('renders literal text without {{ unchanged', async () => {
    const literal = fc.string({ unit: 'grapheme', maxLength: 200 }).filter((s) => !s.includes('{{'));
    await fc.assert(fc.asyncProperty(literal, async (s) => {
      expect(await expandAlertTemplate(s, HARNESS)).toBe(s);
    }), { numRuns: 1000 });
  });

  it('prints any string constant back unchanged', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 50 }), async (s) => {
      const quoted = JSON.stringify(s).replace(/\\u([0-9a-fA-F]{4})/g, '\\u$1');
      expect(await expandAlertTemplate(`{{ ${quoted} }}|{{ printf "%s" ${quoted} }}`, HARNESS)).toBe(`${s}|${s}`);
    }), { numRuns: 500 });
  });

  it('reports line and column of a parse error', () => {
    const err = checkAlertTemplate('first line\n  {{ nosuch 1 }}', 'A');
    expect(err?.message).toBe('template: __alert_A:2: function "nosuch" not defined');
    expect(err?.line).toBe(2);
    expect(err?.column).toBe(6);
  });

  it('rejects absurd nesting with a clear error, not a stack overflow', () => {
    expect(checkAlertTemplate(`{{ ${'('.repeat(5000)}1${')'.repeat(5000)} }}`, 'A')?.message).toBe('template: __alert_A:1: max expression depth exceeded');
    expect(checkAlertTemplate(`${'{{ if 1 }}'.repeat(3000)}${'{{ end }}'.repeat(3000)}`, 'A')?.message).toBe('template: __alert_A:1: max expression depth exceeded');
  });

  it('runs deep recursion into a clear depth error, not a stack overflow', async () => {
    const err = await expandAlertTemplate('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}', HARNESS).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/exceeded maximum template depth \(1000\)/);
  });
});
