import Fastify, { type FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerPrometheusApi } from '../../src/server/routes/prometheus-api.ts';
import { MemoryStorage } from '../../src/series/memory.ts';

describe('GET/POST /api/v1/query_exemplars', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    registerPrometheusApi(app, { queryable: new MemoryStorage(), clock: () => 1_700_000_000_000 });
    await app.ready();
  });
  afterAll(() => app.close());

  const post = async (form: Record<string, string>) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/query_exemplars', payload: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    return { status: res.statusCode, body: res.json() };
  };

  it('answers an empty success for a valid query', async () => {
    expect(await post({ query: 'rate(x[5m])', start: '1', end: '2' })).toEqual({ status: 200, body: { status: 'success', data: [] } });
    const res = await app.inject({ method: 'GET', url: '/api/v1/query_exemplars?query=up' });
    expect(res.json()).toEqual({ status: 'success', data: [] });
  });

  it('refuses a query that does not parse, a missing query and a backwards range as Prometheus 2.42 words them', async () => {
    expect(await post({ query: 'rate(' })).toEqual({ status: 400, body: { status: 'error', errorType: 'bad_data', error: '1:6: parse error: unclosed left parenthesis' } });
    expect((await post({})).body.errorType).toBe('bad_data');
    expect(await post({ query: 'up', start: '10', end: '5' })).toEqual({ status: 400, body: { status: 'error', errorType: 'bad_data', error: 'end timestamp must not be before start timestamp' } });
    expect((await post({ query: 'up', start: 'yesterday' })).body.error).toBe('invalid parameter "start": cannot parse "yesterday" to a valid timestamp');
  });

  it('answers any parameters with 200 or 400, never a server error (property)', async () => {
    await fc.assert(fc.asyncProperty(fc.dictionary(fc.constantFrom('query', 'start', 'end', 'limit', 'match[]'), fc.string()), async (form) => {
      const r = await post(form);
      expect([200, 400]).toContain(r.status);
      expect(['success', 'error']).toContain(r.body.status);
    }), { numRuns: 200 });
  });
});
