import { expect, it } from 'vitest';
import { runTest } from '../../src/load/run.ts';
import { fixture } from '../helpers/cli.ts';

it.each([
  ['empties the VU cookie jar at the start of every iteration', '0', 0],
  ['keeps it across iterations with noCookiesReset', '1', 2],
])('%s', async (_title, keep, expected) => {
  const outcome = await runTest({ script: fixture('cookie-reset.ts'), env: { KEEP: keep }, workers: 1 });
  expect(outcome.report.summary.metrics.cookies_from_earlier_iterations.values.count).toBe(expected);
});
