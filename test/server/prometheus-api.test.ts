import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerPrometheusApi } from '../../src/server/routes/prometheus-api.ts';
import { MemoryStorage } from '../../src/series/memory.ts';
import { STALE_NAN } from '../../src/series/types.ts';

const NOW = 1_700_000_600_000;

function storage(): MemoryStorage {
  const s = new MemoryStorage();
  for (let i = 0; i <= 40; i++) {
    const t = 1_700_000_000_000 + i * 15_000;
    s.add({ __name__: 'req_total', job: 'api', code: '200' }, t, i * 10);
    s.add({ __name__: 'req_total', job: 'api', code: '500' }, t, i);
    s.add({ __name__: 'temp', room: 'a' }, t, i % 2 === 0 ? NaN : Infinity);
  }
  s.add({ __name__: 'gone', job: 'x' }, 1_700_000_000_000, 1);
  s.add({ __name__: 'gone', job: 'x' }, 1_700_000_015_000, STALE_NAN);
  return s;
}

describe('Prometheus HTTP API', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    registerPrometheusApi(app, { queryable: storage(), clock: () => NOW });
    await app.ready();
  });
  afterAll(() => app.close());

  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    return { status: res.statusCode, body: res.json() };
  };
  const post = async (url: string, form: Record<string, string>) => {
    const res = await app.inject({ method: 'POST', url, payload: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    return { status: res.statusCode, body: res.json() };
  };

  it('answers an instant query with the vector envelope, at the clock time by default', async () => {
    const r = await get(`/api/v1/query?query=${encodeURIComponent('req_total{code="500"}')}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { __name__: 'req_total', job: 'api', code: '500' }, value: [1_700_000_600, '40'] }] },
    });
  });

  it('formats NaN and infinities as Prometheus does', async () => {
    const r = await get(`/api/v1/query?query=temp&time=1700000015`);
    expect(r.body.data.result[0].value).toEqual([1_700_000_015, '+Inf']);
    const r2 = await get(`/api/v1/query?query=temp&time=1700000030`);
    expect(r2.body.data.result[0].value[1]).toBe('NaN');
    const r3 = await get(`/api/v1/query?query=-temp&time=1700000015`);
    expect(r3.body.data.result[0].value[1]).toBe('-Inf');
  });

  it('takes RFC3339 and float times and returns scalars and strings', async () => {
    const r = await get(`/api/v1/query?query=time()&time=2023-11-14T22:13:20.5Z`);
    expect(r.body.data).toEqual({ resultType: 'scalar', result: [1_700_000_000.5, '1700000000.5'] });
    const s = await get(`/api/v1/query?query=${encodeURIComponent('"hi"')}&time=1.25`);
    expect(s.body.data).toEqual({ resultType: 'string', result: [1.25, 'hi'] });
  });

  it('answers range queries by GET and form POST, with duration and float steps', async () => {
    const q = { query: 'rate(req_total{code="200"}[1m])', start: '1700000300', end: '1700000360', step: '30s' };
    const a = await post('/api/v1/query_range', q);
    expect(a.status).toBe(200);
    expect(a.body.data.resultType).toBe('matrix');
    expect(a.body.data.result).toEqual([{ metric: { job: 'api', code: '200' }, values: [[1_700_000_300, '0.6666666666666666'], [1_700_000_330, '0.6666666666666666'], [1_700_000_360, '0.6666666666666666']] }]);
    const b = await get(`/api/v1/query_range?${new URLSearchParams({ ...q, step: '30' })}`);
    expect(b.body).toEqual(a.body);
  });

  it('returns a matrix for an instant range-vector query', async () => {
    const r = await get(`/api/v1/query?query=${encodeURIComponent('req_total{code="500"}[30s]')}&time=1700000030`);
    expect(r.body.data).toEqual({
      resultType: 'matrix',
      result: [{ metric: { __name__: 'req_total', job: 'api', code: '500' }, values: [[1_700_000_000, '0'], [1_700_000_015, '1'], [1_700_000_030, '2']] }],
    });
  });

  it('reports parse errors as 400 bad_data with the position', async () => {
    const r = await get(`/api/v1/query?query=${encodeURIComponent('sum(')}`);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error: unclosed left parenthesis' });
  });

  it('refuses bad times, steps and ranges as bad_data', async () => {
    expect((await get('/api/v1/query?query=1&time=yesterday')).body.error).toBe('invalid parameter "time": cannot parse "yesterday" to a valid timestamp');
    const base = { query: '1', start: '100', end: '200' };
    expect((await post('/api/v1/query_range', { ...base, step: 'x' })).body.error).toContain('invalid parameter "step"');
    expect((await post('/api/v1/query_range', { ...base, step: '0' })).body.error).toContain('zero or negative query resolution step');
    const tooMany = await post('/api/v1/query_range', { query: '1', start: '0', end: '100000', step: '1' });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toContain('exceeded maximum resolution of 11,000 points per timeseries');
    const backwards = await post('/api/v1/query_range', { query: '1', start: '200', end: '100', step: '1' });
    expect(backwards.body.error).toContain('end timestamp must not be before start time');
    expect((await post('/api/v1/query_range', { query: 'req_total[5m]', start: '0', end: '10', step: '1' })).body.error).toContain('invalid expression type "range vector" for range query');
  });

  it('reports execution errors as 422', async () => {
    const r = await get(`/api/v1/query?query=${encodeURIComponent('req_total + ignoring(code) req_total')}&time=1700000300`);
    expect(r.status).toBe(422);
    expect(r.body.errorType).toBe('execution');
    expect(r.body.error).toContain('many-to-many matching not allowed');
  });

  it('reports a query over its deadline as 503 timeout', async () => {
    let t = 0;
    const slow = Fastify();
    // Every clock read advances a minute, so the deadline passes during evaluation.
    registerPrometheusApi(slow, { queryable: storage(), clock: () => (t += 60_000), limits: { timeout: 30_000 } });
    const res = await slow.inject({ method: 'GET', url: `/api/v1/query?query=${encodeURIComponent('sum(rate(req_total[5m]))')}&time=1700000300` });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'error', errorType: 'timeout' });
    await slow.close();
  });

  it('enforces the sample limit as an execution error', async () => {
    const small = Fastify();
    registerPrometheusApi(small, { queryable: storage(), clock: () => NOW, limits: { maxSamples: 5 } });
    const res = await small.inject({ method: 'GET', url: `/api/v1/query?query=${encodeURIComponent('req_total[5m]')}&time=1700000300` });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toContain('too many samples');
    await small.close();
  });

  it('lists series, label names and label values', async () => {
    const s = await get(`/api/v1/series?${new URLSearchParams([['match[]', 'req_total'], ['match[]', '{job="x"}']])}`);
    expect(s.body.data).toEqual([
      { __name__: 'gone', job: 'x' },
      { __name__: 'req_total', code: '200', job: 'api' },
      { __name__: 'req_total', code: '500', job: 'api' },
    ]);
    expect((await get('/api/v1/series')).body).toEqual({ status: 'error', errorType: 'bad_data', error: 'no match[] parameter provided' });
    expect((await get('/api/v1/labels')).body.data).toEqual(['__name__', 'code', 'job', 'room']);
    expect((await get(`/api/v1/labels?match[]=temp`)).body.data).toEqual(['__name__', 'room']);
    expect((await get('/api/v1/label/job/values')).body.data).toEqual(['api', 'x']);
    expect((await get('/api/v1/label/__name__/values')).body.data).toEqual(['gone', 'req_total', 'temp']);
    expect((await get('/api/v1/label/1bad/values')).status).toBe(400);
    expect((await get(`/api/v1/series?match[]=${encodeURIComponent('rate(x[5m])')}`)).status).toBe(400);
  });

  it('serves metadata, build info and format_query', async () => {
    expect((await get('/api/v1/metadata')).body).toEqual({ status: 'success', data: {} });
    expect((await get('/api/v1/status/buildinfo')).body.data.version).toMatch(/^\d+\.\d+\.\d+/);
    const f = await post('/api/v1/format_query', { query: 'sum   by(job)(rate(x{a="b"}[5m]  offset 1m))' });
    expect(f.body).toEqual({ status: 'success', data: 'sum by (job) (rate(x{a="b"}[5m] offset 1m))' });
    expect((await get('/api/v1/format_query?query=foo{')).status).toBe(400);
  });
});
