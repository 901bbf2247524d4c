/**
 * The alert store (notification log, silences, acknowledgements) on SQLite and on the real PostgreSQL, and
 * the silence book's Alertmanager semantics for updates and expiry, persisted across reopening.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAlertStore, type AlertStore } from '../../src/alerting/alert-store.ts';
import { Silences } from '../../src/alerting/silences.ts';
import { createPgSchema } from '../helpers/postgres.ts';
import { FakeClock } from './helpers.ts';

interface Engine {
  name: string;
  /** a store spec that stays the same when reopened */
  create(): Promise<{ spec: string; dispose(): Promise<void> }>;
}

const engines: Engine[] = [
  {
    name: 'SQLite',
    async create() {
      const dir = await mkdtemp(path.join(tmpdir(), 'tt-alerts-'));
      return { spec: path.join(dir, 'a.db'), dispose: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    async create() {
      const s = await createPgSchema('tt_alerting');
      return { spec: s.spec, dispose: s.drop };
    },
  },
];

for (const engine of engines) {
  describe(`alert store on ${engine.name}`, () => {
    let spec: string;
    let dispose: () => Promise<void>;
    let store: AlertStore;
    beforeEach(async () => {
      ({ spec, dispose } = await engine.create());
      store = await openAlertStore(spec);
    });
    afterEach(async () => {
      await store.close();
      await dispose();
    });

    it('keeps the notification log per group and receiver, replaces entries and prunes old ones', async () => {
      await store.putNotification({ groupKey: '{}:{a="1"}', receiver: 'web/webhook[0]', firing: ['f1'], resolved: [], sentAt: 1000 });
      await store.putNotification({ groupKey: '{}:{a="1"}', receiver: 'web/webhook[0]', firing: ['f1', 'f2'], resolved: ['f0'], sentAt: 2000 });
      await store.putNotification({ groupKey: '{}:{a="2"}', receiver: 'web/webhook[0]', firing: ['f3'], resolved: [], sentAt: 500 });
      expect(await store.getNotification('{}:{a="1"}', 'web/webhook[0]')).toEqual({ groupKey: '{}:{a="1"}', receiver: 'web/webhook[0]', firing: ['f1', 'f2'], resolved: ['f0'], sentAt: 2000 });
      expect(await store.getNotification('{}:{a="1"}', 'other/webhook[0]')).toBeUndefined();
      expect(await store.pruneNotifications(1000)).toBe(1);
      expect(await store.getNotification('{}:{a="2"}', 'web/webhook[0]')).toBeUndefined();
    });

    it('persists silences and acknowledgements across reopening', async () => {
      const clock = new FakeClock();
      const book = new Silences(store, clock);
      const id = await book.upsert({ matchers: [{ name: 'job', value: 'api', isRegex: false, isEqual: true }], startsAt: clock.t, endsAt: clock.t + 3_600_000, createdBy: 'me', comment: 'why' });
      await store.putAck({ target: 'abc', acknowledged: true, by: 'alice', comment: 'mine', at: clock.t });
      await store.close();
      store = await openAlertStore(spec);
      const again = new Silences(store, clock);
      await again.load();
      expect(again.get(id)).toMatchObject({ id, state: 'active', createdBy: 'me', comment: 'why' });
      expect(again.mutedBy({ job: 'api', alertname: 'x' })).toEqual([id]);
      expect(await store.listAcks()).toEqual([{ target: 'abc', acknowledged: true, by: 'alice', comment: 'mine', at: clock.t }]);
      await store.deleteAck('abc');
      expect(await store.listAcks()).toEqual([]);
    });
  });
}

describe('silence updates (Alertmanager semantics)', () => {
  let store: AlertStore;
  let clock: FakeClock;
  let book: Silences;
  const m = (value: string) => [{ name: 'job', value, isRegex: false, isEqual: true }];
  beforeEach(async () => {
    store = await openAlertStore(':memory:');
    clock = new FakeClock();
    book = new Silences(store, clock);
  });
  afterEach(async () => {
    await store.close();
  });

  it('changes an active silence in place when only its end or comment changes', async () => {
    const id = await book.upsert({ matchers: m('api'), startsAt: clock.t, endsAt: clock.t + 60_000, createdBy: 'a', comment: 'c' });
    clock.t += 1000;
    const same = await book.upsert({ id, matchers: m('api'), startsAt: book.get(id)!.startsAt, endsAt: clock.t + 120_000, createdBy: 'a', comment: 'longer' });
    expect(same).toBe(id);
    expect(book.get(id)).toMatchObject({ comment: 'longer', state: 'active' });
  });

  it('expires an active silence and creates a new one when its matchers change', async () => {
    const id = await book.upsert({ matchers: m('api'), startsAt: clock.t, endsAt: clock.t + 60_000, createdBy: 'a', comment: 'c' });
    clock.t += 1000;
    const next = await book.upsert({ id, matchers: m('db'), startsAt: clock.t, endsAt: clock.t + 60_000, createdBy: 'a', comment: 'c' });
    expect(next).not.toBe(id);
    expect(book.get(id)!.state).toBe('expired');
    expect(book.mutedBy({ job: 'db' })).toEqual([next]);
    expect(book.mutedBy({ job: 'api' })).toEqual([]);
  });

  it('a pending silence becomes active at its start; expiring a pending one ends it at once', async () => {
    const id = await book.upsert({ matchers: m('api'), startsAt: clock.t + 60_000, endsAt: clock.t + 120_000, createdBy: 'a', comment: 'c' });
    expect(book.get(id)!.state).toBe('pending');
    expect(book.mutedBy({ job: 'api' })).toEqual([]);
    expect(book.nextChangeAt()).toBe(clock.t + 60_000);
    clock.t += 60_000;
    expect(book.mutedBy({ job: 'api' })).toEqual([id]);
    const p2 = await book.upsert({ matchers: m('x'), startsAt: clock.t + 60_000, endsAt: clock.t + 120_000, createdBy: 'a', comment: 'c' });
    await book.expire(p2);
    expect(book.get(p2)).toMatchObject({ state: 'expired', startsAt: clock.t, endsAt: clock.t });
    await expect(book.expire(p2)).rejects.toThrow(/already expired/);
    await expect(book.expire('missing')).rejects.toThrow(/no silence with id missing/);
  });

  it('lists active, then pending, then expired', async () => {
    const a = await book.upsert({ matchers: m('a'), startsAt: clock.t, endsAt: clock.t + 60_000, createdBy: 'a', comment: 'c' });
    const p = await book.upsert({ matchers: m('p'), startsAt: clock.t + 10_000, endsAt: clock.t + 60_000, createdBy: 'a', comment: 'c' });
    const e = await book.upsert({ matchers: m('e'), startsAt: clock.t, endsAt: clock.t + 60_000, createdBy: 'a', comment: 'c' });
    await book.expire(e);
    expect(book.list().map((s) => s.id)).toEqual([a, p, e]);
    expect(book.list({ state: 'pending' }).map((s) => s.id)).toEqual([p]);
  });
});
