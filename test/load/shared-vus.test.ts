import { describe, expect, it } from 'vitest';
import { runTest } from '../../src/load/run.ts';
import type { Sample } from '../../src/metrics/types.ts';
import { fixture } from '../helpers/cli.ts';

describe('VUs shared between scenarios', () => {
  it('hands the VUs of a finished scenario to one that starts later, with __ITER from 0; overlapping ones get their own', { timeout: 30_000 }, async () => {
    const samples: Sample[] = [];
    const outcome = await runTest({
      script: fixture('shared-vus.ts'),
      workers: 1,
      collectSamples: true,
      observer: { onSamples: (s) => samples.push(...s) },
    });
    const m = outcome.report.summary.metrics;
    // first (2 VUs) ends at 1s; second (2) reuses them; third (1) overlaps second and needs a third VU.
    expect(m.vus_max.values.max).toBe(3);
    const seen = samples.filter((s) => s.metric === 'seen');
    const vusOf = (name: string) => new Set(seen.filter((s) => s.tags.scenario_seen === name).map((s) => s.tags.vu));
    expect(vusOf('first').size).toBe(2);
    expect([...vusOf('second')].sort()).toEqual([...vusOf('first')].sort());
    expect(seen.filter((s) => s.tags.scenario_seen === 'second').map((s) => s.tags.iter).sort()).toEqual(['0', '0', '1', '1']);
    expect(seen.filter((s) => s.tags.scenario_seen === 'third')).toHaveLength(1);
    for (const id of [...vusOf('first'), ...vusOf('third')]) expect(Number(id)).toBeLessThanOrEqual(3);
  });
});
