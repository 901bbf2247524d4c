import { describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { compareRuns } from '../../src/gate/compare.ts';
import { MAD_TO_SD, noisePValue, runToRunNoise, SIGMA_FLOOR } from '../../src/gate/noise.ts';
import { renderGateMarkdown, renderGateText } from '../../src/gate/report.ts';
import { parseRule } from '../../src/gate/rules.ts';
import { incompleteBeta, logGamma, studentUpperTail } from '../../src/gate/student.ts';
import { sampleRecord } from '../runs/helpers.ts';

const P95 = [parseRule('p95 relative_increase > 10%')];

/** A seeded generator and normal deviates, so the calibration below is the same every time. */
function normals(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

describe("Student's t", () => {
  it('matches table values', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 10);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 10);
    expect(incompleteBeta(0.5, 2, 2)).toBeCloseTo(0.5, 10);
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 10);
    // t quantiles from any table: t(0.99; 9) = 2.821, t(0.975; 1) = 12.706, t(0.99; 30) = 2.457
    expect(studentUpperTail(2.821, 9)).toBeCloseTo(0.01, 4);
    expect(studentUpperTail(12.706, 1)).toBeCloseTo(0.025, 4);
    expect(studentUpperTail(2.457, 30)).toBeCloseTo(0.01, 4);
    // two degrees of freedom have a closed form: P(T > t) = 1/2 - t / (2 sqrt(t² + 2))
    for (const t of [-3, -1, 0, 0.5, 1, 4]) expect(studentUpperTail(t, 2)).toBeCloseTo(0.5 - t / (2 * Math.sqrt(t * t + 2)), 10);
    expect(studentUpperTail(Infinity, 3)).toBe(0);
    expect(studentUpperTail(Number.NaN, 3)).toBe(1);
  });
});

describe('run-to-run noise', () => {
  it('is the scaled MAD of the log values, robust to one disturbed run', () => {
    const values = [100, 102, 98, 101, 99, 103, 97].map((v) => v / 100);
    const n = runToRunNoise(values, 5);
    const logs = values.map(Math.log).sort((a, b) => a - b);
    const med = logs[3];
    const mad = logs.map((x) => Math.abs(x - med)).sort((a, b) => a - b)[3];
    expect(n).toEqual({ runs: 7, center: med, sigma: MAD_TO_SD * mad, dof: 0.37 * 6 });
    const disturbed = runToRunNoise([...values.slice(0, 6), 3], 5);
    expect(disturbed?.sigma).toBeLessThan(1.5 * (n?.sigma as number));
  });

  it('needs the minimum number of runs, ignores unusable values and never reports less spread than the histograms resolve', () => {
    expect(runToRunNoise([1, 2, 3, 4], 5)).toBeUndefined();
    expect(runToRunNoise([1, 2, 3, 4, 0, Number.NaN, -1], 5)).toBeUndefined();
    expect(runToRunNoise([5, 5, 5, 5, 5], 5)?.sigma).toBe(SIGMA_FLOOR);
  });

  it('predicts one more run: above the history is significant, the history median is not, and down mirrors up', () => {
    const noise = runToRunNoise([0.98, 0.99, 1, 1.01, 1.02, 0.995, 1.005], 5) as NonNullable<ReturnType<typeof runToRunNoise>>;
    expect(noisePValue(1, noise, true)).toBeCloseTo(0.5, 10);
    expect(noisePValue(1.2, noise, true)).toBeLessThan(0.01);
    expect(noisePValue(1.2, noise, false)).toBeGreaterThan(0.99);
    expect(noisePValue(1 / 1.2, noise, false)).toBeCloseTo(noisePValue(1.2, noise, true), 10);
  });

  it('keeps the test at or below its level on normal data (n = 5, 10, 20 runs)', () => {
    const z = normals(42);
    for (const runs of [5, 10, 20]) {
      let alarms = 0;
      const trials = 20_000;
      for (let k = 0; k < trials; k++) {
        const history = Array.from({ length: runs }, () => Math.exp(0.05 * z()));
        const noise = runToRunNoise(history, 5);
        if (noise === undefined) throw new Error('no noise estimate');
        // one more run of the same system
        if (noisePValue(Math.exp(0.05 * z()), noise, true) < 0.01) alarms++;
      }
      expect(alarms / trials, `${runs} runs`).toBeLessThanOrEqual(0.0115);
      expect(alarms / trials, `${runs} runs`).toBeGreaterThan(0.003);
    }
  });
});

describe('comparing runs with a history', () => {
  const base = sampleRecord({ id: 'base', seconds: 30, seed: 1 });
  const slower = sampleRecord({ id: 'cur', seconds: 30, seed: 2, slowdown: 3 });
  // the same system on runners whose whole runs are off by up to ±3 ms (about ±15% of p95)
  const noisy = [-3, -1.5, 0, 1.5, 3, -2, 2, 0.5].map((s, i) => sampleRecord({ id: `noisy-${i}`, seconds: 30, seed: 10 + i, slowdown: s }));
  const quiet = [0, 0, 0, 0, 0, 0].map((s, i) => sampleRecord({ id: `quiet-${i}`, seconds: 30, seed: 20 + i, slowdown: s }));

  it('a +20% whole-run offset alone is a regression; within a noisy history it is no change', () => {
    const alone = compareRuns(base, slower, P95);
    expect(alone.verdicts[0]).toMatchObject({ verdict: 'regression' });
    expect(alone.verdicts[0].noise).toBeUndefined();
    expect(alone.history).toEqual({ runs: 0, ids: [] });

    const r = compareRuns(base, slower, P95, {}, noisy);
    const v = r.verdicts[0];
    expect(r.history.runs).toBe(9);
    expect(r.history.ids).toContain('base');
    expect(v.verdict).toBe('no change');
    expect(v.noise?.runs).toBe(9);
    expect(v.noise?.sigma).toBeGreaterThan(0.05);
    expect(v.pValue).toBe(v.noise?.pValue);
    expect(v.reason).toMatch(/beyond the threshold, but within the run-to-run noise \(median \d+\.\d\dms, σ \d+\.\d% over 9 runs\)/);
    expect(r.passed).toBe(true);
  });

  it('a quiet history leaves the regression standing, and says so', () => {
    const r = compareRuns(base, slower, P95, {}, quiet);
    expect(r.verdicts[0].verdict).toBe('regression');
    expect(r.verdicts[0].noise?.sigma).toBeLessThan(0.03);
    expect(r.verdicts[0].reason).toMatch(/and beyond the run-to-run noise \(median \d+\.\d\dms, σ \d\.\d% over 7 runs\)/);
  });

  it('reports the history in text and Markdown', () => {
    const r = compareRuns(base, slower, P95, {}, noisy);
    expect(renderGateText(r).split('\n')[1]).toBe('history: 9 earlier runs (the baseline included): changes must also stand out from their run-to-run noise');
    const md = renderGateMarkdown(r);
    expect(md).toContain('| p | history median · σ |');
    expect(md).toMatch(/\| no change \| `p95 relative_increase > 10%` \| all requests \|.*\| \d+\.\d\d ms · \d+\.\d% \|/);
    expect(md).toContain('and a value beyond the run-to-run noise of 9 earlier runs');
    const alone = compareRuns(base, slower, P95);
    expect(renderGateText(alone).split('\n')[1]).toMatch(/^history: none \(a noise estimate needs at least 5 earlier passing runs/);
    expect(renderGateMarkdown(alone)).not.toContain('history median');
  });

  it('too short a history changes nothing; the current run is never its own history', () => {
    const r = compareRuns(base, slower, P95, {}, [...quiet.slice(0, 3), slower]);
    expect(r.history.runs).toBe(0);
    expect(r.verdicts[0].noise).toBeUndefined();
    expect(compareRuns(base, slower, P95, { minHistory: 4 }, [...quiet.slice(0, 3), slower]).history.runs).toBe(4);
  });

  it('error-rate and absolute rules do not use the history', () => {
    const r = compareRuns(base, slower, [parseRule('error_rate increase > 1%'), parseRule('p95 > 5')], {}, quiet);
    expect(r.verdicts.every((v) => v.noise === undefined)).toBe(true);
  });

  it('refuses a history of another test', () => {
    const other = sampleRecord({ id: 'other', testName: 'search' });
    expect(() => compareRuns(base, slower, P95, {}, [...quiet, other])).toThrow(TelltaleError);
    expect(() => compareRuns(base, slower, P95, {}, [...quiet, other])).toThrow(/history run other is a run of test "search"/);
  });
});
