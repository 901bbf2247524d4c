/**
 * The contract every RunStore engine meets, run against each real engine (store.test.ts): SQLite in a temp
 * file and the real PostgreSQL in a schema of its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { serializeRecord } from '../../src/runs/json.ts';
import { openStore, type RunStore } from '../../src/store/index.ts';
import { sampleRecord, T0 } from '../runs/helpers.ts';

export interface StoreTarget {
  /** what openStore's `spec` takes to open this store */
  spec: string;
  /** runs SQL directly against the store's database (bypassing the store) */
  exec(sql: string): Promise<void>;
  dispose(): Promise<void>;
}

export interface StoreEngineUnderTest {
  name: string;
  /** a fresh, empty store location */
  create(): Promise<StoreTarget>;
}

async function rejection(p: Promise<unknown>): Promise<TelltaleError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TelltaleError);
    return err as TelltaleError;
  }
  throw new Error('expected a rejection');
}

export function storeContract(engine: StoreEngineUnderTest): void {
  describe(`RunStore contract: ${engine.name}`, () => {
    let target: StoreTarget | undefined;
    const open: RunStore[] = [];
    let clock = T0;
    const now = () => (clock += 1000);

    async function fresh(): Promise<RunStore> {
      target = await engine.create();
      return reopen();
    }
    async function reopen(): Promise<RunStore> {
      const store = await openStore({ spec: (target as StoreTarget).spec, now });
      open.push(store);
      return store;
    }

    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
      await target?.dispose();
      target = undefined;
    });

    it('gives back exactly the record it was given, non-finite numbers and every endpoint included', async () => {
      const store = await fresh();
      const record = sampleRecord({ endpoints: 7, seconds: 12, nonFinite: true });
      expect(await store.saveRun(record)).toBe('created');
      const back = await store.getRun(record.id);
      expect(back).toEqual(record);
      expect(serializeRecord(back!)).toBe(serializeRecord(record));
      expect(back!.histograms.odd_trend.max).toBe(Infinity);
      expect(await store.getRun('no-such-run')).toBeUndefined();
    });

    it('keeps runs across close and reopen (migrations run once)', async () => {
      const store = await fresh();
      const record = sampleRecord();
      await store.saveRun(record);
      await store.close();
      open.splice(open.indexOf(store), 1);
      const again = await reopen();
      expect(serializeRecord((await again.getRun(record.id))!)).toBe(serializeRecord(record));
    });

    it('treats saving an identical record as a no-op and refuses a different one with the same id', async () => {
      const store = await fresh();
      const record = sampleRecord({ id: 'run-1' });
      await store.saveRun(record);
      expect(await store.saveRun(sampleRecord({ id: 'run-1' }))).toBe('unchanged');
      const other = sampleRecord({ id: 'run-1', slowdown: 5 });
      expect((await rejection(store.saveRun(other))).code).toBe('TT_RUN_EXISTS');
      expect(serializeRecord((await store.getRun('run-1'))!)).toBe(serializeRecord(record));
    });

    it('lists runs newest first, filtered by test, branch and outcome', async () => {
      const store = await fresh();
      const env = (branch: string) => ({ ci: { provider: 'github-actions' as const }, git: { commit: `c-${branch}`, branch, pr: '12' } });
      await store.saveRun(sampleRecord({ id: 'a', testName: 'checkout', startTime: T0, environment: env('main') }));
      await store.saveRun(sampleRecord({ id: 'b', testName: 'checkout', startTime: T0 + 60_000, environment: env('feature'), passed: false }));
      await store.saveRun(sampleRecord({ id: 'c', testName: 'checkout', startTime: T0 + 120_000, environment: env('main') }));
      await store.saveRun(sampleRecord({ id: 'd', testName: 'search', startTime: T0 + 30_000, environment: env('main') }));
      expect((await store.listRuns()).map((r) => r.id)).toEqual(['c', 'b', 'd', 'a']);
      expect((await store.listRuns({ testName: 'checkout' })).map((r) => r.id)).toEqual(['c', 'b', 'a']);
      expect((await store.listRuns({ testName: 'checkout', branch: 'main' })).map((r) => r.id)).toEqual(['c', 'a']);
      expect((await store.listRuns({ passed: false })).map((r) => r.id)).toEqual(['b']);
      expect((await store.listRuns({ passed: true, limit: 2 })).map((r) => r.id)).toEqual(['c', 'd']);
      expect((await store.listRuns({ ids: ['a', 'd', 'zz'] })).map((r) => r.id)).toEqual(['d', 'a']);
      expect(await store.listRuns({ ids: [] })).toEqual([]);
      const [c] = await store.listRuns({ limit: 1 });
      expect(c).toMatchObject({
        id: 'c',
        testName: 'checkout',
        startTime: T0 + 120_000,
        endTime: T0 + 125_000,
        exitCode: 0,
        thresholdsPassed: true,
        git: { commit: 'c-main', branch: 'main', pr: '12' },
        ciProvider: 'github-actions',
      });
      expect(c.scriptSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(await store.testNames()).toEqual(['checkout', 'search']);
    });

    it('resolves unique id prefixes, and says which runs an ambiguous prefix matches', async () => {
      const store = await fresh();
      for (const id of ['abc-1', 'abc-2', 'abd', 'a_c']) await store.saveRun(sampleRecord({ id }));
      expect(await store.resolveRunId('abd')).toBe('abd');
      expect(await store.resolveRunId('abc-2')).toBe('abc-2');
      const ambiguous = await rejection(store.resolveRunId('abc'));
      expect(ambiguous.code).toBe('TT_RUN_AMBIGUOUS');
      expect(ambiguous.message).toMatch(/abc-1, abc-2/);
      // `_` is an ordinary character in ids, not a wildcard
      expect(await store.resolveRunId('a_')).toBe('a_c');
      expect((await rejection(store.resolveRunId('zzz'))).code).toBe('TT_RUN_NOT_FOUND');
      expect((await rejection(store.resolveRunId("a' or 1=1"))).code).toBe('TT_RUN_NOT_FOUND');
    });

    it('sets, replaces and lists one baseline per test name', async () => {
      const store = await fresh();
      await store.saveRun(sampleRecord({ id: 'a', testName: 'checkout' }));
      await store.saveRun(sampleRecord({ id: 'b', testName: 'checkout' }));
      await store.saveRun(sampleRecord({ id: 'c', testName: 'search' }));
      expect(await store.getBaseline('checkout')).toBeUndefined();
      const first = await store.setBaseline('a');
      expect(first).toEqual({ testName: 'checkout', runId: 'a', setAt: expect.any(Number) });
      const second = await store.setBaseline('b');
      expect(second.setAt).toBeGreaterThan(first.setAt);
      await store.setBaseline('c');
      expect(await store.getBaseline('checkout')).toEqual(second);
      expect((await store.listBaselines()).map((b) => [b.testName, b.runId])).toEqual([
        ['checkout', 'b'],
        ['search', 'c'],
      ]);
      expect((await rejection(store.setBaseline('nope'))).code).toBe('TT_RUN_NOT_FOUND');
    });

    it('leaves no trace of a save that fails half way', async () => {
      const store = await fresh();
      await (target as StoreTarget).exec('DROP TABLE run_endpoints');
      const err = await rejection(store.saveRun(sampleRecord({ id: 'half' })));
      expect(err.code).toBe('TT_STORE_UNAVAILABLE');
      expect(await store.listRuns()).toEqual([]);
    });

    it('refuses a store migrated by a newer Telltale', async () => {
      const store = await fresh();
      await store.close();
      open.splice(open.indexOf(store), 1);
      await (target as StoreTarget).exec("INSERT INTO telltale_migration (name, timestamp) VALUES ('9999-from-the-future', '2099-01-01T00:00:00.000Z')");
      const err = await rejection(reopen());
      expect(err.code).toBe('TT_STORE_VERSION');
    });
  });
}
