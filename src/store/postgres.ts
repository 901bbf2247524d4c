/**
 * PostgreSQL through `pg`, imported only when a store URL asks for it, so SQLite users never load it. A
 * `schema` query parameter (`postgres://host/db?schema=perf`) keeps Telltale's tables in their own schema.
 */
import { PostgresDialect } from 'kysely';
import { TelltaleError } from '../errors.ts';

const INT8_OID = 20;
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export interface PostgresTarget {
  /** the connection string handed to pg (without `schema`) */
  connectionString: string;
  schema?: string;
  /** the URL with its password replaced, for messages */
  redacted: string;
}

export function parsePostgresUrl(url: string): PostgresTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TelltaleError('TT_USAGE', `--store: ${JSON.stringify(redactUrl(url))} is not a valid PostgreSQL URL`, { field: '--store' });
  }
  const schema = u.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new TelltaleError('TT_USAGE', `--store: schema ${JSON.stringify(schema)} is not a plain identifier (letters, digits, _)`, { field: '--store' });
  }
  u.searchParams.delete('schema');
  const out: PostgresTarget = { connectionString: u.toString(), redacted: redactUrl(url) };
  if (schema !== undefined) out.schema = schema;
  return out;
}

/** The URL with any password replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):[^@/]*@/i, '$1:***@');
}

export async function openPostgresDialect(target: PostgresTarget): Promise<PostgresDialect> {
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max: 4,
    // every network call has a timeout: connecting, and each statement
    connectionTimeoutMillis: 10_000,
    query_timeout: 60_000,
    idleTimeoutMillis: 10_000,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
    // BIGINT columns hold epoch milliseconds and counts, all far below 2^53
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // an idle client losing its connection must not crash the process; the next query reports the problem
  pool.on('error', () => undefined);
  return new PostgresDialect({ pool });
}
