/**
 * Opening a Kysely database for a part of the server that keeps its own tables beside the run store (the
 * alert store, the annotations, the auth store): a `postgres://` URL (with an optional `?schema=`), a SQLite file path or
 * `:memory:`, migrated under a migration table of its own so each part's schema history stays separate
 * while they share one database.
 */
import { Kysely, type Dialect } from 'kysely';
import { Migrator, type Migration } from 'kysely/migration';
import { TelltaleError } from '../errors.ts';
import { openPostgresDialect, parsePostgresUrl } from './postgres.ts';
import { openSqliteDialect } from './sqlite.ts';

export interface OwnSchemaOptions {
  /** what the database holds, for messages: `alert store` */
  what: string;
  migrations: Record<string, Migration>;
  /** migration table name; its lock table is `${migrationTable}_lock` */
  migrationTable: string;
}

export interface OpenedDatabase<T> {
  db: Kysely<T>;
  /** the file or the redacted URL */
  description: string;
}

export async function openOwnSchema<T>(spec: string, options: OwnSchemaOptions): Promise<OpenedDatabase<T>> {
  let dialect: Dialect;
  let description = spec;
  let schema: string | undefined;
  if (/^postgres(ql)?:\/\//i.test(spec)) {
    const target = parsePostgresUrl(spec);
    dialect = await openPostgresDialect(target);
    description = target.redacted;
    schema = target.schema;
  } else {
    try {
      dialect = await openSqliteDialect(spec);
    } catch (err) {
      throw new TelltaleError('TT_STORE_UNAVAILABLE', `${options.what} ${spec}: ${(err as Error).message}`, { cause: err });
    }
  }
  const db = new Kysely<T>({ dialect });
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...options.migrations }) },
    migrationTableName: options.migrationTable,
    migrationLockTableName: `${options.migrationTable}_lock`,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  let error: unknown;
  try {
    ({ error } = await migrator.migrateToLatest());
  } catch (err) {
    error = err;
  }
  if (error !== undefined) {
    await db.destroy().catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    if (/previously executed migration .* is missing/.test(message)) {
      throw new TelltaleError('TT_STORE_VERSION', `${options.what} ${description} was migrated by a newer Telltale (${message})`, { cause: error });
    }
    throw new TelltaleError('TT_STORE_UNAVAILABLE', `${options.what} ${description}: ${message}`, { cause: error });
  }
  return { db, description };
}

/** Runs one query of a store; a failure becomes TT_STORE_UNAVAILABLE naming the store and what it was doing. */
export async function guardStore<T>(store: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new TelltaleError('TT_STORE_UNAVAILABLE', `${store}: cannot ${what}: ${(err as Error).message}`, { cause: err });
  }
}
