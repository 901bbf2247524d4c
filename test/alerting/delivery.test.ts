/**
 * Faults between the dispatcher and its receivers, with local servers: timeouts, 5xx and 429 are retried
 * with backoff and the notification arrives once (the same Idempotency-Key on every attempt); other 4xx are
 * not retried; the notification log stops a restarted dispatcher from sending the same page again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAlertStore } from '../../src/alerting/alert-store.ts';
import { backoffDelay } from '../../src/alerting/notifiers/delivery.ts';
import { createPgSchema } from '../helpers/postgres.ts';
import { freePort } from '../helpers/prometheus.ts';
import { advanceBy, FakeClock, harness, startCapture, type Capture } from './helpers.ts';

let hook: Capture;
beforeEach(async () => {
  hook = await startCapture();
});
afterEach(async () => {
  await hook.close();
});

const MIN = 60_000;
const config = (receiverExtra = '') => `
route:
  receiver: web
  group_by: [alertname]
  group_wait: 10s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: web
    webhook_configs:
      - url: ${hook.url}/hook
        timeout: 300ms
        max_attempts: 4
${receiverExtra}`;

const alert = (clock: FakeClock) => ({ labels: { alertname: 'Down', job: 'api' }, endsAt: clock.t + 24 * 3_600_000 });

describe('retries', () => {
  it('retries a receiver that times out and delivers once', async () => {
    hook.respond = (_r, n) => (n === 0 ? { status: 200, delayMs: 1500 } : { status: 200 });
    const h = await harness(config());
    h.dispatcher.receive([alert(h.clock)]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    expect(hook.requests).toHaveLength(2);
    expect(new Set(hook.requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(h.events.filter((e) => e.type === 'notified')).toEqual([expect.objectContaining({ attempts: 2 })]);
    await advanceBy(h.dispatcher, h.clock, 30 * MIN);
    expect(hook.requests).toHaveLength(2);
  });

  it('retries 500 with growing, jittered backoff and delivers once', async () => {
    hook.respond = (_r, n) => ({ status: n < 2 ? 500 : 200 });
    const h = await harness(config());
    h.dispatcher.receive([alert(h.clock)]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    expect(hook.requests).toHaveLength(3);
    expect(h.sleeps).toEqual([backoffDelay(1, () => 0.5), backoffDelay(2, () => 0.5)]);
    expect(h.sleeps[1]).toBeGreaterThan(h.sleeps[0]);
    await advanceBy(h.dispatcher, h.clock, 30 * MIN);
    expect(hook.requests).toHaveLength(3);
  });

  it('honours Retry-After on 429', async () => {
    hook.respond = (_r, n) => (n === 0 ? { status: 429, headers: { 'retry-after': '3' } } : { status: 200 });
    const h = await harness(config());
    h.dispatcher.receive([alert(h.clock)]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    expect(hook.requests).toHaveLength(2);
    expect(h.sleeps).toEqual([3000]);
  });

  it('does not retry other 4xx; the next flush tries again', async () => {
    hook.respond = (_r, n) => ({ status: n === 0 ? 400 : 200, body: 'bad' });
    const h = await harness(config());
    h.dispatcher.receive([alert(h.clock)]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    expect(hook.requests).toHaveLength(1);
    expect(h.events).toEqual([expect.objectContaining({ type: 'notify_failed', error: expect.stringMatching(/HTTP 400 "bad"/) })]);
    await advanceBy(h.dispatcher, h.clock, 5 * MIN);
    expect(hook.requests).toHaveLength(2);
    expect(h.events.at(-1)).toMatchObject({ type: 'notified' });
  });

  it('gives up after max_attempts and reports it, then retries at the next group_interval', async () => {
    hook.respond = () => ({ status: 503 });
    const h = await harness(config());
    h.dispatcher.receive([alert(h.clock)]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    expect(hook.requests).toHaveLength(4);
    expect(h.events.at(-1)).toMatchObject({ type: 'notify_failed', error: expect.stringMatching(/HTTP 503/) });
    hook.respond = () => ({ status: 200 });
    await advanceBy(h.dispatcher, h.clock, 5 * MIN);
    expect(hook.requests).toHaveLength(5);
  });

  it('a network error (nothing listening) is retried and reported', async () => {
    const h = await harness(config().replace(`${hook.url}/hook`, `http://127.0.0.1:${await freePort()}/hook`));
    h.dispatcher.receive([alert(h.clock)]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    expect(h.sleeps).toHaveLength(3);
    expect(h.events.at(-1)).toMatchObject({ type: 'notify_failed', error: expect.stringMatching(/ECONNREFUSED|connect/) });
  });
});

const stores: Array<{ name: string; create(): Promise<{ spec: string; dispose(): Promise<void> }> }> = [
  {
    name: 'SQLite',
    async create() {
      const dir = await mkdtemp(path.join(tmpdir(), 'tt-alert-store-'));
      return { spec: path.join(dir, 'alerts.db'), dispose: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    async create() {
      const s = await createPgSchema('tt_nflog');
      return { spec: s.spec, dispose: s.drop };
    },
  },
];

for (const engine of stores) {
  describe(`the notification log across a restart (${engine.name})`, () => {
    it('a new dispatcher on the same store does not resend within repeat_interval, and does after it', async () => {
      const { spec, dispose } = await engine.create();
      try {
        const clock = new FakeClock();
        const first = await harness(config(), { clock, store: await openAlertStore(spec) });
        first.dispatcher.receive([alert(clock)]);
        await advanceBy(first.dispatcher, clock, 11_000);
        expect(hook.requests).toHaveLength(1);
        await first.store.close();

        // the process restarts two minutes later; Prometheus re-sends the same alert
        clock.t += 2 * MIN;
        const second = await harness(config(), { clock, store: await openAlertStore(spec) });
        second.dispatcher.receive([alert(clock)]);
        await advanceBy(second.dispatcher, clock, 60 * MIN);
        expect(hook.requests).toHaveLength(1);
        await advanceBy(second.dispatcher, clock, 4 * 60 * MIN);
        expect(hook.requests).toHaveLength(2);
        await second.store.close();
      } finally {
        await dispose();
      }
    });
  });
}

describe('an unreachable store', () => {
  it('reports the flush as failed and sends once the store is back', async () => {
    const h = await harness(config());
    const real = h.store.getNotification.bind(h.store);
    let down = true;
    h.store.getNotification = async (...args) => {
      if (down) throw new Error('connection refused');
      return real(...args);
    };
    h.dispatcher.receive([alert(h.clock)]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    expect(hook.requests).toHaveLength(0);
    expect(h.events).toEqual([expect.objectContaining({ type: 'flush_failed', error: 'connection refused' })]);
    down = false;
    await advanceBy(h.dispatcher, h.clock, 5 * MIN);
    expect(hook.requests).toHaveLength(1);
  });
});
