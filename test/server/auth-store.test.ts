/**
 * The auth store (users, sessions, API tokens) on SQLite and on the real PostgreSQL: the same contract on
 * both, kept across reopening, and sharing one database with the run and alert stores.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAuthStore, type ApiToken, type AuthStore } from '../../src/server/auth/auth-store.ts';
import { openAlertStore } from '../../src/alerting/alert-store.ts';
import { openStore } from '../../src/store/index.ts';
import { createPgSchema } from '../helpers/postgres.ts';

interface Engine {
  name: string;
  create(): Promise<{ spec: string; dispose(): Promise<void> }>;
}

const engines: Engine[] = [
  {
    name: 'SQLite',
    async create() {
      const dir = await mkdtemp(path.join(tmpdir(), 'tt-auth-'));
      return { spec: path.join(dir, 'telltale.db'), dispose: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    async create() {
      const s = await createPgSchema('tt_auth');
      return { spec: s.spec, dispose: s.drop };
    },
  },
];

const token = (over: Partial<ApiToken> = {}): ApiToken => ({
  id: 'abc123',
  name: 'remote write',
  hash: 'h'.repeat(64),
  scopes: ['ingest'],
  createdAt: 1000,
  createdBy: 'admin',
  lastUsedAt: null,
  expiresAt: null,
  revokedAt: null,
  ...over,
});

for (const engine of engines) {
  describe(`auth store on ${engine.name}`, () => {
    let spec: string;
    let dispose: () => Promise<void>;
    let store: AuthStore;
    beforeEach(async () => {
      ({ spec, dispose } = await engine.create());
      store = await openAuthStore(spec);
    });
    afterEach(async () => {
      await store.close();
      await dispose();
    });

    it('creates, lists, updates and deletes users; a name is taken once', async () => {
      expect(await store.countUsers()).toBe(0);
      expect(await store.createUser({ username: 'admin', role: 'admin', passwordHash: 'scrypt$a', createdAt: 1, updatedAt: 1 })).toBe(true);
      expect(await store.createUser({ username: 'admin', role: 'viewer', passwordHash: 'scrypt$b', createdAt: 2, updatedAt: 2 })).toBe(false);
      expect(await store.createUser({ username: 'bob', role: 'viewer', passwordHash: 'scrypt$c', createdAt: 3, updatedAt: 3 })).toBe(true);
      expect(await store.countUsers()).toBe(2);
      expect(await store.getUser('admin')).toEqual({ username: 'admin', role: 'admin', passwordHash: 'scrypt$a', createdAt: 1, updatedAt: 1 });
      expect(await store.getUser('nobody')).toBeUndefined();
      expect(await store.updateUser('bob', { role: 'editor', updatedAt: 9 })).toBe(true);
      expect(await store.updateUser('nobody', { role: 'editor', updatedAt: 9 })).toBe(false);
      expect((await store.listUsers()).map((u) => [u.username, u.role, u.passwordHash, u.updatedAt])).toEqual([['admin', 'admin', 'scrypt$a', 1], ['bob', 'editor', 'scrypt$c', 9]]);
      expect(await store.deleteUser('bob')).toBe(true);
      expect(await store.deleteUser('bob')).toBe(false);
      expect(await store.countUsers()).toBe(1);
    });

    it('keeps sessions with their user, drops them with the user, on request and when expired', async () => {
      await store.createUser({ username: 'ann', role: 'editor', passwordHash: 'x', createdAt: 1, updatedAt: 1 });
      await store.createSession({ idHash: 's1', username: 'ann', csrfToken: 'c1', createdAt: 10, expiresAt: 100 });
      await store.createSession({ idHash: 's2', username: 'ann', csrfToken: 'c2', createdAt: 10, expiresAt: 1000 });
      await store.createSession({ idHash: 's3', username: 'ann', csrfToken: 'c3', createdAt: 10, expiresAt: 1000 });
      expect(await store.getSession('s1')).toEqual({ session: { idHash: 's1', username: 'ann', csrfToken: 'c1', createdAt: 10, expiresAt: 100 }, user: { username: 'ann', role: 'editor', passwordHash: 'x', createdAt: 1, updatedAt: 1 } });
      expect(await store.pruneSessions(500)).toBe(1);
      expect(await store.getSession('s1')).toBeUndefined();
      await store.deleteSessionsOf('ann', 's2');
      expect(await store.getSession('s2')).toBeDefined();
      expect(await store.getSession('s3')).toBeUndefined();
      await store.deleteSession('s2');
      expect(await store.getSession('s2')).toBeUndefined();
      await store.createSession({ idHash: 's4', username: 'ann', csrfToken: 'c4', createdAt: 10, expiresAt: 1000 });
      await store.deleteUser('ann');
      expect(await store.getSession('s4')).toBeUndefined();
    });

    it('finds tokens by digest, records use, revokes once, and frees a revoked name', async () => {
      expect(await store.createToken(token({ expiresAt: 5000 }))).toBe(true);
      expect(await store.createToken(token({ id: 'other', hash: 'i'.repeat(64) }))).toBe(false);
      expect(await store.getTokenByHash('h'.repeat(64))).toEqual(token({ expiresAt: 5000 }));
      expect(await store.getTokenByHash('nope')).toBeUndefined();
      await store.touchToken('abc123', 2000);
      expect((await store.getTokenByHash('h'.repeat(64)))?.lastUsedAt).toBe(2000);
      expect(await store.revokeToken('abc123', 3000)).toBe(true);
      expect(await store.revokeToken('abc123', 4000)).toBe(false);
      expect(await store.revokeToken('missing', 4000)).toBe(false);
      expect(await store.createToken(token({ id: 'second', hash: 'j'.repeat(64), scopes: ['read', 'runs:write'] }))).toBe(true);
      const list = await store.listTokens();
      expect(list.map((t) => [t.id, t.revokedAt, t.scopes])).toEqual([['abc123', 3000, ['ingest']], ['second', null, ['read', 'runs:write']]]);
    });

    it('keeps everything across reopening, beside the run and alert stores in one database', async () => {
      await store.createUser({ username: 'admin', role: 'admin', passwordHash: 'x', createdAt: 1, updatedAt: 1 });
      await store.createToken(token());
      await store.close();
      const runs = await openStore({ spec, env: {} });
      const alerts = await openAlertStore(spec);
      store = await openAuthStore(spec);
      try {
        expect(await store.countUsers()).toBe(1);
        expect(await store.listTokens()).toHaveLength(1);
        expect(await runs.listRuns()).toEqual([]);
        expect(await alerts.listSilences()).toEqual([]);
      } finally {
        await runs.close();
        await alerts.close();
      }
    });
  });
}

describe('auth store errors', () => {
  it('names the store when it cannot be opened', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tt-auth-'));
    try {
      await writeFile(path.join(dir, 'file'), 'x');
      const spec = path.join(dir, 'file', 'telltale.db');
      await expect(openAuthStore(spec)).rejects.toMatchObject({ code: 'TT_STORE_UNAVAILABLE', message: expect.stringContaining(`auth store ${spec}`) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
