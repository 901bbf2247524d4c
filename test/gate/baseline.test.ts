import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { loadBaseline, setBaseline } from '../../src/gate/baseline.ts';
import { serializeRecord } from '../../src/runs/json.ts';
import { openStore, type RunStore } from '../../src/store/index.ts';
import { sampleRecord, T0 } from '../runs/helpers.ts';

let store: RunStore;
let dir: string;
beforeEach(async () => {
  store = await openStore({ spec: ':memory:' });
  dir = await mkdtemp(path.join(tmpdir(), 'telltale-baseline-'));
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TelltaleError);
    return (err as TelltaleError).code;
  }
  return 'no error';
}

const main = { ci: { provider: null }, git: { branch: 'main' } };
const feature = { ci: { provider: null }, git: { branch: 'feature' } };

describe('baselines', () => {
  it('takes the newest passing run, of a branch if asked, and needs --test when the store holds several tests', async () => {
    await store.saveRun(sampleRecord({ id: 'old', testName: 'checkout', startTime: T0, environment: main }));
    await store.saveRun(sampleRecord({ id: 'failed', testName: 'checkout', startTime: T0 + 1000, environment: main, passed: false }));
    await store.saveRun(sampleRecord({ id: 'branch', testName: 'checkout', startTime: T0 + 2000, environment: feature }));
    expect((await setBaseline(store, { lastPassing: true })).runId).toBe('branch');
    expect((await setBaseline(store, { lastPassing: true, branch: 'main' })).runId).toBe('old');
    await store.saveRun(sampleRecord({ id: 'other', testName: 'search' }));
    expect(await code(setBaseline(store, { lastPassing: true }))).toBe('TT_USAGE');
    expect((await setBaseline(store, { lastPassing: true, testName: 'search' })).runId).toBe('other');
    expect(await code(setBaseline(store, { lastPassing: true, testName: 'checkout', branch: 'nope' }))).toBe('TT_BASELINE_NOT_FOUND');
  });

  it('sets a run by id prefix, and checks it belongs to the test named', async () => {
    await store.saveRun(sampleRecord({ id: 'run-abc', testName: 'checkout' }));
    expect(await setBaseline(store, { runId: 'run-a' })).toMatchObject({ testName: 'checkout', runId: 'run-abc' });
    expect(await code(setBaseline(store, { runId: 'run-abc', testName: 'search' }))).toBe('TT_USAGE');
    expect(await code(setBaseline(store, {}))).toBe('TT_USAGE');
    expect(await code(setBaseline(store, { runId: 'run-abc', lastPassing: true }))).toBe('TT_USAGE');
  });

  it('loads the baseline from the store or a file, and refuses one of another test', async () => {
    expect(await code(loadBaseline(store, 'checkout'))).toBe('TT_BASELINE_NOT_FOUND');
    const record = sampleRecord({ id: 'b1', testName: 'checkout' });
    await store.saveRun(record);
    await store.setBaseline('b1');
    expect((await loadBaseline(store, 'checkout')).id).toBe('b1');
    const file = path.join(dir, 'baseline.json');
    await writeFile(file, serializeRecord(sampleRecord({ id: 'f1', testName: 'search' })));
    expect(await code(loadBaseline(undefined, 'checkout', file))).toBe('TT_GATE_MISMATCH');
    expect((await loadBaseline(undefined, 'search', file)).id).toBe('f1');
    expect(await code(loadBaseline(undefined, 'search', path.join(dir, 'missing.json')))).toBe('TT_RECORD_INVALID');
  });
});
