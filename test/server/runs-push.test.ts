import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { runsRoutes } from '../../src/server/routes/runs.ts';
import { openStore, type RunStore } from '../../src/store/index.ts';
import { MemoryStorage } from '../../src/series/memory.ts';
import { serializeRecord } from '../../src/runs/json.ts';
import { sampleRecord } from '../runs/helpers.ts';

let dir: string;
let store: RunStore;
let app: FastifyInstance;
const storage = new MemoryStorage();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tt-runs-push-'));
  store = await openStore({ spec: path.join(dir, 'runs.db'), env: {} });
  app = await buildApp({ plugins: [runsRoutes({ store, storage })] });
});
afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const push = (payload: string) => app.inject({ method: 'POST', url: '/api/telltale/runs', headers: { 'content-type': 'application/json' }, payload });

async function values(name: string, labels: Record<string, string>): Promise<number[]> {
  const matchers = Object.entries({ __name__: name, ...labels }).map(([n, v]) => ({ type: '=' as const, name: n, value: v }));
  const [s] = await storage.select(matchers, 0, Infinity);
  if (!s) return [];
  const out: number[] = [];
  const it = s.iterator();
  while (it.next()) out.push(it.v());
  return out;
}

describe('POST /api/telltale/runs', () => {
  it('saves a pushed run and writes its per-second series with k6 output names', async () => {
    const record = sampleRecord({ id: 'pushed-0001', testName: 'checkout', seconds: 5, seed: 3 });
    const res = await push(serializeRecord(record));
    expect(res.statusCode).toBe(201);
    const body = res.json() as { data: { outcome: string; samples: number } };
    expect(body.data.outcome).toBe('created');
    expect(body.data.samples).toBeGreaterThan(0);
    expect((await store.getRun('pushed-0001'))?.testName).toBe('checkout');
    const base = { testid: 'checkout', run_id: 'pushed-0001' };
    expect(await values('k6_vus', base)).toEqual(record.timeline.map((p) => p.vus));
    let sum = 0;
    expect(await values('k6_iterations_total', base)).toEqual(record.timeline.map((p) => (sum += p.iterations)));
    const e = record.endpoints[0];
    let reqs = 0;
    expect(await values('k6_http_reqs_total', { ...base, name: e.name })).toEqual(e.series.requests.map((n) => (reqs += n)));
    expect(await values('k6_http_req_duration_p95', { ...base, name: e.name })).toEqual(e.series.p95.filter((v) => v !== null).map((ms) => ms! / 1000));
    // the same record again: unchanged, no second copy of the series
    const again = await push(serializeRecord(record));
    expect(again.statusCode).toBe(200);
    expect((again.json() as { data: { outcome: string; samples: number } }).data).toMatchObject({ outcome: 'unchanged', samples: 0 });
  });

  it('refuses a different record with the same id (409) and a damaged one (400, naming the field)', async () => {
    const other = sampleRecord({ id: 'pushed-0001', testName: 'checkout', seconds: 6, seed: 9 });
    expect((await push(serializeRecord(other))).statusCode).toBe(409);
    const broken = JSON.parse(serializeRecord(sampleRecord({ id: 'pushed-0002' }))) as Record<string, unknown>;
    broken.intervalMs = 500;
    const res = await push(JSON.stringify(broken));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'TT_RECORD_INVALID' });
    expect((res.json() as { error: string }).error).toMatch(/intervalMs/);
  });

  it('property: arbitrary bodies get a 4xx, never a 500, and store nothing', async () => {
    const valid = serializeRecord(sampleRecord({ id: 'pushed-0003' })).trimEnd();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.nat({ max: valid.length - 1 }).map((n) => valid.slice(0, n))), async (body) => {
        const res = await push(body);
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    expect(await store.getRun('pushed-0003')).toBeUndefined();
  });
});
