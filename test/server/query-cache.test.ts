import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { QueryCache } from '../../src/server/query-cache.ts';
import { registerPrometheusApi } from '../../src/server/routes/prometheus-api.ts';
import { MemoryStorage } from '../../src/series/memory.ts';
import type { Matcher } from '../../src/series/types.ts';

describe('QueryCache', () => {
  it('shares one evaluation between identical requests in flight, then for the TTL', async () => {
    let t = 0;
    const cache = new QueryCache({ now: () => t });
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const compute = async () => {
      calls++;
      await gate;
      return calls;
    };
    const a = cache.get('k', 1000, compute, () => 1);
    const b = cache.get('k', 1000, compute, () => 1);
    release();
    expect([await a, await b]).toEqual([1, 1]);
    t = 999;
    expect(await cache.get('k', 1000, compute, () => 1)).toBe(1);
    t = 1000;
    expect(await cache.get('k', 1000, compute, () => 1)).toBe(2);
    expect([cache.hits, cache.misses]).toEqual([2, 2]);
  });

  it('never keeps a failure, nor an answer over maxPoints, and stays within maxEntries', async () => {
    const cache = new QueryCache({ now: () => 0, maxEntries: 3, maxPoints: 10 });
    await expect(cache.get('bad', 1000, () => Promise.reject(new Error('x')), () => 0)).rejects.toThrow('x');
    expect(await cache.get('bad', 1000, async () => 'ok', () => 0)).toBe('ok');
    let n = 0;
    await cache.get('big', 1000, async () => ++n, () => 11);
    await cache.get('big', 1000, async () => ++n, () => 11);
    expect(n).toBe(2);
    for (const k of ['a', 'b', 'c', 'd']) await cache.get(k, 1000, async () => k, () => 1);
    expect(cache.size).toBeLessThanOrEqual(3);
  });

  it('keeps a range answer for one step, between 1 and 30 seconds', () => {
    expect(QueryCache.rangeTtl(15_000)).toBe(15_000);
    expect(QueryCache.rangeTtl(100)).toBe(1000);
    expect(QueryCache.rangeTtl(3_600_000)).toBe(30_000);
  });
});

describe('the Prometheus API with a shared cache', () => {
  it('evaluates identical range queries once and keeps answers apart by query, range and time', async () => {
    const storage = new MemoryStorage();
    storage.addSamples({ __name__: 'up', job: 'a' }, [0, 15_000, 30_000], [1, 1, 0]);
    let selects = 0;
    const counting = {
      select: (m: readonly Matcher[], mint: number, maxt: number) => {
        selects++;
        return storage.select(m, mint, maxt);
      },
      labelNames: storage.labelNames.bind(storage),
      labelValues: storage.labelValues.bind(storage),
    };
    let now = 60_000;
    const app = Fastify();
    registerPrometheusApi(app, { queryable: counting as never, clock: () => now, cache: new QueryCache({ now: () => now }) });
    const range = (query: string, end = 30) => app.inject({ url: `/api/v1/query_range?query=${encodeURIComponent(query)}&start=0&end=${end}&step=15` });
    const first = await Promise.all([range('up'), range('up'), range('up')]);
    expect(new Set(first.map((r) => r.body)).size).toBe(1);
    expect(selects).toBe(1);
    expect((await range('up', 15)).json().data.result[0].values).toHaveLength(2);
    expect((await range('up == 1')).json().data.result[0].values).toHaveLength(2);
    expect(selects).toBe(3);
    now += 15_000;
    await range('up');
    expect(selects).toBe(4);
    // instant queries at the server's time share within the second; at a given time, by that time
    const instant = (extra = '') => app.inject({ url: `/api/v1/query?query=up${extra}` });
    await Promise.all([instant(), instant()]);
    expect(selects).toBe(5);
    expect((await instant('&time=15')).json().data.result[0].value).toEqual([15, '1']);
    expect((await instant('&time=30')).json().data.result[0].value).toEqual([30, '0']);
    expect(selects).toBe(7);
    await app.close();
  });
});
