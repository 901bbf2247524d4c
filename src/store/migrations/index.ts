/**
 * The store's migrations, in order. Names sort in the order they run; a migration, once released, never
 * changes: a change to the schema is a new migration.
 */
import type { Migration, MigrationProvider } from 'kysely/migration';
import { runs } from './0001-runs.ts';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-runs': runs,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};
