/**
 * The annotations API on the server app (SQLite store), hostile bodies and query parameters, and
 * `telltale annotate` posting to a listening server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAnnotationStore, type AnnotationStore } from '../../src/annotations/annotation-store.ts';
import { buildApp } from '../../src/server/app.ts';
import { annotationRoutes, parseTime, toAnnotation } from '../../src/server/routes/annotations.ts';
import { runCli } from '../helpers/cli.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
let dir: string;
let store: AnnotationStore;
let app: FastifyInstance;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tt-annotation-routes-'));
  store = await openAnnotationStore(path.join(dir, 'telltale.db'));
  app = await buildApp({ plugins: [annotationRoutes({ store, now: () => NOW + 0.25 })] });
});
afterEach(async () => {
  await app.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (body: unknown) => app.inject({ method: 'POST', url: '/api/telltale/annotations', payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('annotations API', () => {
  it('creates, lists with filters and deletes annotations', async () => {
    const r = await post({ service: 'shop', kind: 'deploy', version: 'v2', text: 'canary', tags: ['ci'], time: '2026-03-01T11:50:00Z' });
    expect(r.statusCode).toBe(201);
    const created = r.json().data;
    expect(created).toMatchObject({ service: 'shop', kind: 'deploy', version: 'v2', time: NOW - 600_000, tags: ['ci'], labels: {}, createdAt: NOW });
    expect((await post({ service: 'cart', kind: 'deploy', version: 'v9' })).json().data.time).toBe(NOW);
    // Grafana's annotation body, as a Grafana user would send it
    expect((await post({ time: NOW - 3_600_000, timeEnd: NOW - 3_000_000, text: 'maintenance', tags: ['ops'], dashboardUID: 'abc', panelId: 2 })).statusCode).toBe(201);

    const list = async (q: string) => (await app.inject(`/api/telltale/annotations${q}`)).json();
    expect((await list('')).data.map((a: { kind: string }) => a.kind)).toEqual(['deploy', 'deploy', 'event']);
    expect((await list('?service=shop&kind=deploy')).data).toEqual([created]);
    expect((await list(`?from=${NOW - 60_000}&to=${NOW}`)).data.map((a: { service: string }) => a.service)).toEqual(['cart']);
    expect((await list('?from=2026-03-01T11:00:00Z&to=2026-03-01T11:10:00Z')).data.map((a: { text: string }) => a.text)).toEqual(['maintenance']);
    expect(await list('?kind=event&format=grafana')).toEqual([{ id: expect.any(String), time: NOW - 3_600_000, timeEnd: NOW - 3_000_000, text: 'maintenance', tags: ['ops', 'event'] }]);

    const del = await app.inject({ method: 'DELETE', url: `/api/telltale/annotations/${created.id}` });
    expect(del.json()).toEqual({ status: 'success', data: { id: created.id } });
    const again = await app.inject({ method: 'DELETE', url: `/api/telltale/annotations/${created.id}` });
    expect(again.statusCode).toBe(404);
    expect(again.json()).toMatchObject({ status: 'error', errorType: 'not_found', code: 'TT_ANNOTATION_NOT_FOUND' });
  });

  it('refuses malformed bodies with the error envelope naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ kind: 'deploy', timeEnd: NOW - 1, time: NOW }, 'timeEnd'],
      [{ kind: 'de ploy' }, 'kind'],
      [{ kind: '' }, 'kind'],
      [{ time: 'yesterday' }, 'time'],
      [{ time: 1.5 }, 'time'],
      [{ service: 42 }, 'service'],
      [{ service: '' }, 'service'],
      [{ tags: 'ci' }, 'tags'],
      [{ tags: [1] }, 'tags.0'],
      [{ labels: { 'bad-name': 'x' } }, 'labels.bad-name'],
      [{ colour: 'red' }, 'colour'],
      [[], 'body'],
      ['deploy', 'body'],
    ];
    for (const [body, field] of cases) {
      const r = await post(body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json(), JSON.stringify(body)).toMatchObject({ status: 'error', errorType: 'bad_data', code: 'TT_ANNOTATION_INPUT', field });
      expect(r.json().error).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
    }
    const notJson = await app.inject({ method: 'POST', url: '/api/telltale/annotations', payload: '{"kind":', headers: { 'content-type': 'application/json' } });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().status).toBe('error');
    for (const [q, field] of [['from=soon', 'from'], ['to=2026-13-45T00:00:00Z', 'to'], ['limit=0', 'limit'], ['limit=abc', 'limit'], ['format=csv', 'format']]) {
      const r = await app.inject(`/api/telltale/annotations?${q}`);
      expect(r.statusCode, q).toBe(400);
      expect(r.json(), q).toMatchObject({ code: 'TT_ANNOTATION_INPUT', field });
    }
    expect(await store.list()).toEqual([]);
  });

  it('turns any JSON value into an annotation or a TT_ANNOTATION_INPUT, never anything else', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          const a = toAnnotation(v, NOW);
          expect(Number.isInteger(a.time)).toBe(true);
          expect(a.timeEnd === undefined || a.timeEnd > a.time).toBe(true);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('TT_ANNOTATION_INPUT');
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.record({ time: fc.oneof(fc.string(), fc.integer(), fc.double()), kind: fc.string(), tags: fc.array(fc.string()) }, { requiredKeys: [] }), (v) => {
        try {
          toAnnotation(v, NOW);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('TT_ANNOTATION_INPUT');
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(fc.property(fc.string(), (s) => { const t = parseTime(s); expect(t === undefined || Number.isFinite(t)).toBe(true); }));
  });
});

describe('telltale annotate', () => {
  it('posts a deployment to a running server, with the token from the environment', async () => {
    let auth: string | undefined;
    app.addHook('onRequest', async (request) => {
      auth = request.headers.authorization;
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const r = await runCli(['annotate', 'deploy', '--service', 'shop', '--version', 'v1.2.3', '--text', 'from CI', '--json'], { env: { TELLTALE_URL: url, TELLTALE_TOKEN: 's3cret' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'deploy', service: 'shop', version: 'v1.2.3', text: 'from CI', time: NOW });
    expect(auth).toBe('Bearer s3cret');
    expect(await store.list({ service: 'shop', kind: 'deploy' })).toHaveLength(1);

    const bad = await runCli(['annotate', 'deploy', '--service', 'shop', '--time', 'later', '--server', url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/time: expected epoch milliseconds.*\[TT_ANNOTATION_INPUT\]/);
  });

  it('exits 3 when no server answers, and 2 for a URL that is not one', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    await app.close();
    const down = await runCli(['annotate', 'deploy', '--service', 'shop', '--server', `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED \[TT_SERVER_REQUEST\]/);
    const usage = await runCli(['annotate', 'deploy', '--server', 'not a url']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--server/);
  });
});
