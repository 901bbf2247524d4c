import { describe, expect, it } from 'vitest';
import { runTestFile } from '../../src/promql/promqltest/runner.ts';
import { parseTestFile } from '../../src/promql/promqltest/test-file.ts';
import { TelltaleError } from '../../src/errors.ts';

describe('PromQL test runner', () => {
  it('reports wrong values, missing and extra series, and unexpected errors with the line', async () => {
    const failures = await runTestFile(
      [
        'load 1m',
        '  m{a="1"} 1 2 3',
        '  m{a="2"} 5',
        '',
        'eval instant at 2m m{a="1"}',
        '  m{a="1"} 4',
        '',
        'eval instant at 0 m',
        '  m{a="1"} 1',
        '',
        'eval instant at 0 m{a="3"}',
        '  m{a="3"} 1',
        '',
        'eval instant at 0 sum(',
        '',
        'eval_fail instant at 0 m',
        '',
        'eval_fail instant at 0 rate(m)',
        '  expected_fail_message something else',
        '',
        'eval range from 0 to 2m step 1m m{a="1"}',
        '  m{a="1"} 1 _ 3',
        '',
        'eval_ordered instant at 0 sort_desc(m)',
        '  m{a="1"} 1',
        '  m{a="2"} 5',
      ].join('\n'),
    );
    expect(failures.map((f) => f.line)).toEqual([5, 8, 11, 14, 16, 18, 21, 24]);
    expect(failures[0].message).toContain('expected 4, got 3');
  });

  it('passes matching results, scalars, strings and expected failures', async () => {
    const failures = await runTestFile(
      [
        'load 30s',
        '  m 0+1x4 stale _ 9',
        'eval instant at 1m m',
        '  m 2',
        'eval instant at 2m30s m',
        'eval instant at 3m30s m',
        '  m 9',
        'eval instant at 0 1 + 1',
        '  2',
        'eval instant at 0 "x"',
        '  "x"',
        'eval range from 0 to 1m step 30s m',
        '  m 0 1 2',
        'eval_fail instant at 0 rate(m)',
        '  expected_fail_message expected type range vector',
        'clear',
        'eval instant at 1m m',
      ].join('\n'),
    );
    expect(failures).toEqual([]);
  });

  it('names the line of malformed commands', () => {
    expect(() => parseTestFile('load 1m\n  m 1 2\nevaluate instant at 0 m\n', 'x.test')).toThrow(/x\.test:3: unknown test command/);
    expect(() => parseTestFile('load 1m\n  m 1 a\n', 'x.test')).toThrow(TelltaleError);
    expect(() => parseTestFile('load 0s\n', 'x.test')).toThrow(/x\.test:1: invalid load interval/);
    expect(() => parseTestFile('eval instant at soon m\n', 'x.test')).toThrow(/invalid time/);
  });
});
