import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadHistory } from '../../src/gate/history.ts';
import { openStore, type RunStore } from '../../src/store/index.ts';
import { sampleRecord, T0 } from '../runs/helpers.ts';

let store: RunStore;
beforeEach(async () => {
  store = await openStore({ spec: ':memory:' });
});
afterEach(() => store.close());

const env = (branch: string) => ({ ci: { provider: null }, git: { commit: 'abc', branch } });
const at = (i: number) => T0 + i * 60_000;

describe('the history the gate loads', () => {
  it("takes the newest passing runs of the baseline's test and branch, the baseline included, never the current run", async () => {
    const runs = [
      ...Array.from({ length: 6 }, (_, i) => sampleRecord({ id: `main-${i}`, startTime: at(i), environment: env('main') })),
      sampleRecord({ id: 'main-failed', startTime: at(6), environment: env('main'), passed: false }),
      sampleRecord({ id: 'feature-1', startTime: at(7), environment: env('feature') }),
      sampleRecord({ id: 'other-test', testName: 'search', startTime: at(8), environment: env('main') }),
      sampleRecord({ id: 'current', startTime: at(9), environment: env('feature') }),
    ];
    for (const r of runs) await store.saveRun(r);
    const baseline = runs[5];
    const current = runs[9];
    const ids = async (sel: Parameters<typeof loadHistory>[3], cur = current) => (await loadHistory(store, baseline, cur, sel)).map((r) => r.id);
    expect(await ids({ runs: 20 })).toEqual(['main-5', 'main-4', 'main-3', 'main-2', 'main-1', 'main-0']);
    expect(await ids({ runs: 3 })).toEqual(['main-5', 'main-4', 'main-3']);
    expect(await ids({ runs: 0 })).toEqual([]);
    expect(await ids({ runs: 20, branch: 'feature' })).toEqual(['feature-1']);
    // a current run that is itself among the newest passing runs is left out, and the window still holds `runs`
    expect(await ids({ runs: 3 }, runs[4])).toEqual(['main-5', 'main-3', 'main-2']);
    // the baseline record is the one given, not a second copy
    expect((await loadHistory(store, baseline, current, { runs: 1 }))[0]).toBe(baseline);
  });
});
