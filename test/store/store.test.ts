import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { openStore, resolveStoreLocation } from '../../src/store/index.ts';
import { createPgSchema } from '../helpers/postgres.ts';
import { storeContract } from './store-contract.ts';

storeContract({
  name: 'SQLite (node:sqlite, temp file)',
  async create() {
    const dir = await mkdtemp(path.join(tmpdir(), 'telltale-store-'));
    const file = path.join(dir, 'nested', 'runs.db');
    return {
      spec: file,
      async exec(sql) {
        const db = new DatabaseSync(file);
        try {
          db.exec(sql);
        } finally {
          db.close();
        }
      },
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  },
});

storeContract({
  name: 'PostgreSQL (127.0.0.1:5432)',
  async create() {
    const schema = await createPgSchema();
    return { spec: schema.spec, exec: schema.exec, dispose: schema.drop };
  },
});

async function failure(p: Promise<unknown>): Promise<TelltaleError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TelltaleError);
    return err as TelltaleError;
  }
  throw new Error('expected a failure');
}

describe('opening a store', () => {
  it('defaults to .telltale/telltale.db under the working directory, then TELLTALE_STORE, then --store', () => {
    expect(resolveStoreLocation({ cwd: '/work/x', env: {} })).toEqual({ kind: 'sqlite', file: '/work/x/.telltale/telltale.db' });
    expect(resolveStoreLocation({ cwd: '/work/x', env: { TELLTALE_STORE: 'runs.db' } })).toEqual({ kind: 'sqlite', file: '/work/x/runs.db' });
    expect(resolveStoreLocation({ cwd: '/w', env: { TELLTALE_STORE: 'runs.db' }, spec: 'postgres://u@h/db' })).toEqual({ kind: 'postgres', url: 'postgres://u@h/db' });
    expect(resolveStoreLocation({ cwd: '/w', spec: 'sqlite:///tmp/a.db' })).toEqual({ kind: 'sqlite', file: '/tmp/a.db' });
    expect(() => resolveStoreLocation({ spec: 'mysql://h/db' })).toThrow(/unsupported store "mysql:"/);
  });

  it('creates the SQLite file and its folder on demand, in WAL mode', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'telltale-store-'));
    try {
      const store = await openStore({ cwd: dir, env: {} });
      expect(store.description).toBe(path.join(dir, '.telltale', 'telltale.db'));
      await store.close();
      const db = new DatabaseSync(store.description);
      expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a file that is not a database, without crashing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'telltale-store-'));
    try {
      const file = path.join(dir, 'not-a-db');
      await writeFile(file, 'hello, this is not SQLite'.repeat(100));
      const err = await failure(openStore({ spec: file }));
      expect(err.code).toBe('TT_STORE_UNAVAILABLE');
      expect(err.message).toContain(file);
      await mkdir(path.join(dir, 'a-dir.db'));
      expect((await failure(openStore({ spec: path.join(dir, 'a-dir.db') }))).code).toBe('TT_STORE_UNAVAILABLE');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a PostgreSQL server that does not answer, with the password hidden', async () => {
    const err = await failure(openStore({ spec: 'postgres://postgres:s3cret@127.0.0.1:1/test' }));
    expect(err.code).toBe('TT_STORE_UNAVAILABLE');
    expect(err.message).toContain('postgres://postgres:***@127.0.0.1:1/test');
    expect(err.message).not.toContain('s3cret');
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    const err = await failure(openStore({ spec: 'postgres://postgres@127.0.0.1:5432/test?schema=a;drop' }));
    expect(err.code).toBe('TT_USAGE');
  });

  it('keeps Telltale tables inside the given PostgreSQL schema', async () => {
    const schema = await createPgSchema();
    try {
      const store = await openStore({ spec: schema.spec });
      await store.close();
      const other = await createPgSchema();
      // the second schema starts empty: nothing leaked into a shared search path
      const store2 = await openStore({ spec: other.spec });
      expect(await store2.listRuns()).toEqual([]);
      await store2.close();
      await other.drop();
    } finally {
      await schema.drop();
    }
  });
});
