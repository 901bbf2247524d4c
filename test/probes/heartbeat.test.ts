import fc from 'fast-check';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/load/clock.ts';
import type { HeartbeatCheck } from '../../src/probes/check-types.ts';
import { runHeartbeatCheck } from '../../src/probes/heartbeat-check.ts';
import { registerHeartbeatRoutes } from '../../src/probes/heartbeat-routes.ts';
import { HeartbeatStore } from '../../src/probes/heartbeat-store.ts';
import { ProbeService } from '../../src/probes/probe-service.ts';
import { defineCheck } from './helpers.ts';
import { MemoryStorage } from './memory-storage.ts';

const T0 = 1_700_000_000_000;
const beat = (extra: Record<string, unknown> = {}) =>
  defineCheck<HeartbeatCheck>({ name: 'backup', type: 'heartbeat', token: 'backup-token-1234', period: '1h', grace: '5m', interval: '1m', ...extra });

function judge(store: HeartbeatStore, def: HeartbeatCheck, clock: FakeClock) {
  return runHeartbeatCheck(def, store, { signal: new AbortController().signal, now: () => clock.now(), elapsed: () => 0 });
}

describe('heartbeat checks', () => {
  it('pass within period + grace of the last ping (or of registration), fail after', async () => {
    const clock = new FakeClock(T0);
    const store = new HeartbeatStore(() => clock.now());
    const def = beat();
    store.register(def);
    await clock.advance(65 * 60_000 - 1);
    expect(judge(store, def, clock).status).toBe('passed');
    await clock.advance(2);
    const late = judge(store, def, clock);
    expect(late.status).toBe('failed');
    expect(late.failures[0]).toBe('no ping since the check started at 2023-11-14T22:13:20.000Z; one was due every 3600s (+300s grace), by 2023-11-14T23:18:20.000Z');
    store.ping(def.token, true);
    const ok = judge(store, def, clock);
    expect(ok.status).toBe('passed');
    expect(ok.heartbeat).toMatchObject({ lastPingAt: clock.now(), reportedFailure: false, deadline: clock.now() + 65 * 60_000 });
  });

  it('fail at once on a /fail ping, with its message, until the next good ping', () => {
    const clock = new FakeClock(T0);
    const store = new HeartbeatStore(() => clock.now());
    const def = beat();
    store.register(def);
    store.ping(def.token, false, '  pg_dump: connection refused\n');
    const r = judge(store, def, clock);
    expect(r.status).toBe('failed');
    expect(r.failures).toEqual(['the job reported a failure at 2023-11-14T22:13:20.000Z: pg_dump: connection refused']);
    store.ping(def.token, true);
    expect(judge(store, def, clock).status).toBe('passed');
  });

  it('keep the last ping when re-registered with the same token', () => {
    const clock = new FakeClock(T0);
    const store = new HeartbeatStore(() => clock.now());
    store.register(beat());
    store.ping('backup-token-1234', true);
    store.register(beat({ period: '2h' }));
    expect(store.state('backup')!.pings).toBe(1);
    store.register(beat({ token: 'another-token-999' }));
    expect(store.state('backup')!.pings).toBe(0);
    expect(store.ping('backup-token-1234', true)).toBeUndefined();
    expect(() => { store.register(beat({ name: 'other', token: 'another-token-999' })); }).toThrow(/already used by backup/);
  });
});

describe('heartbeat routes', () => {
  async function app() {
    const clock = new FakeClock(T0);
    const store = new HeartbeatStore(() => clock.now());
    store.register(beat());
    const pinged: string[] = [];
    const server = Fastify();
    await server.register(registerHeartbeatRoutes, { heartbeats: store, onPing: (s) => pinged.push(`${s.check.name}:${s.last!.ok}`) });
    // The rest of the server keeps its own JSON parsing.
    server.post('/other', async (req) => ({ got: req.body }));
    await server.ready();
    return { server, store, pinged, clock };
  }

  it('GET, POST and HEAD record a good ping; /fail a failed one with its body', async () => {
    const { server, store, pinged } = await app();
    const get = await server.inject({ method: 'GET', url: '/api/v1/heartbeat/backup-token-1234' });
    expect(get.statusCode).toBe(200);
    expect(get.body).toBe('OK\n');
    expect(get.headers['cache-control']).toBe('no-store');
    expect((await server.inject({ method: 'HEAD', url: '/api/v1/heartbeat/backup-token-1234' })).statusCode).toBe(200);
    const post = await server.inject({ method: 'POST', url: '/api/v1/heartbeat/backup-token-1234', payload: 'done in 42s', headers: { 'content-type': 'text/plain' } });
    expect(post.statusCode).toBe(200);
    expect(store.state('backup')!.last).toMatchObject({ ok: true, message: 'done in 42s' });
    const fail = await server.inject({ method: 'POST', url: '/api/v1/heartbeat/backup-token-1234/fail', payload: '{"error":"disk full"}', headers: { 'content-type': 'application/json' } });
    expect(fail.statusCode).toBe(200);
    expect(store.state('backup')!.last).toMatchObject({ ok: false, message: '{"error":"disk full"}' });
    const failGet = await server.inject({ method: 'GET', url: '/api/v1/heartbeat/backup-token-1234/fail' });
    expect(failGet.statusCode).toBe(200);
    expect(pinged).toEqual(['backup:true', 'backup:true', 'backup:true', 'backup:false', 'backup:false']);
    expect(store.state('backup')!.pings).toBe(5);
    const other = await server.inject({ method: 'POST', url: '/other', payload: { a: 1 } });
    expect(other.json()).toEqual({ got: { a: 1 } });
    await server.close();
  });

  it('can be called directly as well as registered', async () => {
    const store = new HeartbeatStore(() => T0);
    store.register(beat());
    const server = Fastify();
    await registerHeartbeatRoutes(server, { heartbeats: store });
    await server.ready();
    expect((await server.inject({ method: 'POST', url: '/api/v1/heartbeat/backup-token-1234/fail' })).statusCode).toBe(200);
    expect(store.state('backup')!.last!.ok).toBe(false);
    await server.close();
  });

  it('unknown tokens are 404, oversized bodies 413, odd content types accepted', async () => {
    const { server, store } = await app();
    expect((await server.inject({ method: 'GET', url: '/api/v1/heartbeat/nope-nope-nope' })).statusCode).toBe(404);
    expect((await server.inject({ method: 'GET', url: '/api/v1/heartbeat/' })).statusCode).toBe(404);
    expect((await server.inject({ method: 'GET', url: `/api/v1/heartbeat/${'%00'.repeat(10)}` })).statusCode).toBe(404);
    const big = await server.inject({ method: 'POST', url: '/api/v1/heartbeat/backup-token-1234', payload: 'x'.repeat(20_000), headers: { 'content-type': 'text/plain' } });
    expect(big.statusCode).toBe(413);
    expect(store.state('backup')!.pings).toBe(0);
    const binary = await server.inject({ method: 'POST', url: '/api/v1/heartbeat/backup-token-1234', payload: Buffer.from([0xff, 0x00, 0x41]), headers: { 'content-type': 'application/octet-stream' } });
    expect(binary.statusCode).toBe(200);
    const long = await server.inject({ method: 'POST', url: '/api/v1/heartbeat/backup-token-1234/fail', payload: 'y'.repeat(5000), headers: { 'content-type': 'text/plain' } });
    expect(long.statusCode).toBe(200);
    expect(store.state('backup')!.last!.message!.length).toBe(1001);
    await server.close();
  });

  it('hostile paths, methods and bodies never make it fail', async () => {
    const { server, store } = await app();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant('backup-token-1234'), fc.string({ maxLength: 40 })),
        fc.constantFrom('', '/fail', '/fail/x', '/', '/..'),
        fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE'),
        fc.oneof(fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b))),
        fc.constantFrom('text/plain', 'application/json', 'application/octet-stream', 'multipart/form-data; boundary=x', ''),
        async (token, suffix, method, payload, type) => {
          const before = store.state('backup')!.pings;
          const res = await server.inject({ method, url: `/api/v1/heartbeat/${encodeURIComponent(token)}${suffix}`, payload: method === 'GET' || method === 'HEAD' ? undefined : payload, headers: type ? { 'content-type': type } : {} });
          expect(res.statusCode).toBeLessThan(500);
          const counted = store.state('backup')!.pings - before;
          expect(counted).toBe(res.statusCode === 200 ? 1 : 0);
        },
      ),
      { numRuns: 300 },
    );
    await server.close();
  });

  it('a ping turns the check\'s status at once through the probe service', async () => {
    const clock = new FakeClock(T0);
    const storage = new MemoryStorage();
    const service = new ProbeService({ storage, clock, elapsed: () => clock.now() });
    const server = Fastify();
    await server.register(registerHeartbeatRoutes, { heartbeats: service.heartbeats, onPing: service.onPing });
    await service.start([beat({ period: '10m', grace: '1m' })]);
    // Aligned to the 1m interval: the first evaluation is at T0 (passing), then every minute.
    await clock.advance(12 * 60_000);
    expect(service.history.latest('backup')!.status).toBe('failed');
    await server.inject({ method: 'GET', url: '/api/v1/heartbeat/backup-token-1234' });
    await clock.advance(0);
    expect(service.history.latest('backup')!.status).toBe('passed');
    expect(service.history.latest('backup')!.startedAt).toBe(T0 + 12 * 60_000);
    const success = storage.samples('probe_success').map((s) => s.v);
    expect(success.slice(0, 11).every((v) => v === 1)).toBe(true);
    expect(success.at(-2)).toBe(0);
    expect(success.at(-1)).toBe(1);
    await service.stop();
    await server.close();
  });
});
