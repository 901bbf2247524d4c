/**
 * The real PostgreSQL the tests use (127.0.0.1:5432, trust auth, database `test`; .ci/run makes sure it runs).
 * Each user gets a schema of its own, dropped afterwards, so test files can run in parallel.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env.TELLTALE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface PgSchema {
  name: string;
  /** a store spec for the schema */
  spec: string;
  exec(sql: string): Promise<void>;
  drop(): Promise<void>;
}

export async function createPgSchema(prefix = 'tt_test'): Promise<PgSchema> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${name}`);
  } finally {
    await client.end();
  }
  const exec = async (sql: string) => {
    const c = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${name}` });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  return {
    name,
    spec: `${PG_URL}?schema=${name}`,
    exec,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
