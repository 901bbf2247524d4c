import { describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { Engine } from '../../src/promql/engine.ts';
import { MemoryStorage } from '../../src/series/memory.ts';
import { isStaleNaN, STALE_NAN } from '../../src/series/types.ts';

function store(): MemoryStorage {
  const s = new MemoryStorage();
  for (let i = 0; i < 100; i++) {
    s.add({ __name__: 'm', a: '1' }, i * 1000, i);
    s.add({ __name__: 'm', a: '2' }, i * 1000, -i);
  }
  return s;
}

async function error(p: Promise<unknown>): Promise<TelltaleError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TelltaleError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('Engine limits', () => {
  it('refuses range queries with more than maxPoints steps', async () => {
    const e = new Engine({ limits: { maxPoints: 10 } });
    const err = await error(e.rangeQuery(store(), 'm', 0, 10_000, 1000));
    expect(err.code).toBe('TT_PROMQL_EXEC');
    expect(err.message).toBe('exceeded maximum resolution of 10 points per timeseries. Try decreasing the query resolution (?step=XX)');
    await expect(e.rangeQuery(store(), 'm', 0, 9000, 1000)).resolves.toMatchObject({ resultType: 'matrix' });
  });

  it('refuses queries that load more than maxSamples', async () => {
    const e = new Engine({ limits: { maxSamples: 50 } });
    const err = await error(e.instantQuery(store(), 'sum_over_time(m[1m])', 99_000));
    expect(err.code).toBe('TT_PROMQL_EXEC');
    expect(err.message).toContain('too many samples');
    await expect(e.instantQuery(store(), 'sum_over_time(m[10s])', 99_000)).resolves.toMatchObject({ resultType: 'vector' });
  });

  it('stops at the deadline and when the caller aborts', async () => {
    let now = 0;
    const e = new Engine({ now: () => (now += 1000), limits: { timeout: 500 } });
    const err = await error(e.instantQuery(store(), 'm', 0));
    expect(err.message).toBe('query timed out in expression evaluation');
    const ctl = new AbortController();
    ctl.abort();
    const err2 = await error(new Engine().instantQuery(store(), 'm', 0, { signal: ctl.signal }));
    expect(err2.message).toContain('canceled');
  });

  it('reports samples loaded', async () => {
    const r = await new Engine().instantQuery(store(), 'm[10s]', 50_000);
    expect(r.stats.totalSamples).toBe(22);
  });
});

describe('MemoryStorage', () => {
  it('keeps staleness markers, orders samples and refuses conflicting duplicates', async () => {
    const s = new MemoryStorage();
    expect(s.add({ __name__: 'x' }, 2000, 2)).toBeUndefined();
    expect(s.add({ __name__: 'x' }, 1000, 1)).toBeUndefined();
    expect(s.add({ __name__: 'x' }, 3000, STALE_NAN)).toBeUndefined();
    expect(s.add({ __name__: 'x' }, 2000, 2)).toBeUndefined();
    expect(s.add({ __name__: 'x' }, 2000, 5)).toBe('duplicate_sample');
    const [series] = await s.select([{ type: '=', name: '__name__', value: 'x' }], 0, 10_000);
    const it = series.iterator();
    const times: number[] = [];
    const stale: boolean[] = [];
    // Staleness is checked on the value straight from the iterator (a plain array would canonicalize the NaN).
    while (it.next()) {
      times.push(it.t());
      stale.push(isStaleNaN(it.v()));
    }
    expect(times).toEqual([1000, 2000, 3000]);
    expect(stale).toEqual([false, false, true]);
    expect(await s.select([{ type: '=', name: '__name__', value: 'x' }], 4000, 5000)).toEqual([]);
    const app = s.appender();
    expect(app.append({ a: 'no name' }, 1, 1)).toBe('invalid_labels');
    expect(app.append({ __name__: 'y' }, 1, 1)).toBeUndefined();
    app.rollback();
    await app.commit();
    expect(await s.labelValues('__name__', [], 0, 10_000)).toEqual(['x']);
  });
});
