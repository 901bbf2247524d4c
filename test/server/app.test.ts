import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import { TelltaleError } from '../../src/errors.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('server app', () => {
  it('answers liveness, readiness and its own metrics', async () => {
    let ready = false;
    app = await buildApp({ readiness: [{ name: 'store', check: () => (ready ? undefined : 'store not open') }] });
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const notReady = await app.inject('/readyz');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().problems).toEqual([{ check: 'store', problem: 'store not open' }]);
    ready = true;
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    const metrics = await app.inject('/metrics');
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toMatch(/^telltale_http_requests_total\{method="GET",route="\/readyz",code="503"\} 1$/m);
    expect(metrics.body).toMatch(/^telltale_http_request_duration_seconds_count\{method="GET",route="\/healthz",code="200"\} 1$/m);
    expect(metrics.body).toMatch(/^process_resident_memory_bytes \d+$/m);
  });

  it('turns errors into a JSON envelope and unknown routes into 404', async () => {
    app = await buildApp({
      plugins: [
        (a) => {
          a.get('/bad', async () => {
            throw new TelltaleError('TT_INGEST_INVALID', 'line 3: expected a value', { field: 'line 3' });
          });
          a.get('/boom', async () => {
            throw new Error('kaput');
          });
        },
      ],
    });
    const bad = await app.inject('/bad');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ status: 'error', errorType: 'bad_data', error: 'line 3: expected a value', code: 'TT_INGEST_INVALID' });
    const boom = await app.inject('/boom');
    expect(boom.statusCode).toBe(500);
    expect(boom.json()).toMatchObject({ status: 'error', errorType: 'internal' });
    const missing = await app.inject('/nope?x=1');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('no route for GET /nope');
  });

  it('never logs credentials', async () => {
    let logged = '';
    const stream = new Writable({
      write(chunk, _enc, cb) {
        logged += chunk.toString();
        cb();
      },
    });
    app = await buildApp({
      logger: { level: 'info', stream },
      plugins: [
        (a) => {
          a.get('/echo', async (req) => {
            req.log.info({ req, body: { password: 'hunter2', token: 'tok-secret' } }, 'seen');
            return 'ok';
          });
        },
      ],
    });
    await app.inject({ url: '/echo', headers: { authorization: 'Bearer sekrit-token', cookie: 'sid=abc' } });
    expect(logged).toContain('seen');
    expect(logged).not.toContain('sekrit-token');
    expect(logged).not.toContain('sid=abc');
    expect(logged).not.toContain('hunter2');
    expect(logged).not.toContain('tok-secret');
  });
});
