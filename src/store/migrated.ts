/**
 * Opening a Kysely database for one of the server's relational stores by spec (a `postgres://` URL with an
 * optional `?schema=`, a SQLite file path, or `:memory:`) and bringing its tables up to date with the
 * store's own migration table, so several stores can share one database.
 */
import { Kysely, type Dialect } from 'kysely';
import { Migrator, type Migration } from 'kysely/migration';
import { TelltaleError } from '../errors.ts';
import { openPostgresDialect, parsePostgresUrl } from './postgres.ts';
import { openSqliteDialect } from './sqlite.ts';

export interface MigratedStoreOptions {
  /** the store's name in messages, e.g. "auth store" */
  what: string;
  /** prefix of the migration tables: `<prefix>_migration`, `<prefix>_migration_lock` */
  migrationTable: string;
  migrations: Record<string, Migration>;
}

export async function openMigratedStore<T>(spec: string, options: MigratedStoreOptions): Promise<{ db: Kysely<T>; description: string }> {
  let dialect: Dialect;
  let description = spec;
  let schema: string | undefined;
  if (/^postgres(ql)?:\/\//i.test(spec)) {
    const target = parsePostgresUrl(spec);
    description = target.redacted;
    schema = target.schema;
    dialect = await openPostgresDialect(target);
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
    migrationTableName: `${options.migrationTable}_migration`,
    migrationLockTableName: `${options.migrationTable}_migration_lock`,
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
