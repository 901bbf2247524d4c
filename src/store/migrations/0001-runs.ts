/** Run records and baselines. */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const runs: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('test_name', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint', (c) => c.notNull())
      .addColumn('exit_code', 'integer', (c) => c.notNull())
      .addColumn('thresholds_passed', 'integer', (c) => c.notNull())
      .addColumn('git_commit', 'text')
      .addColumn('git_branch', 'text')
      .addColumn('git_pr', 'text')
      .addColumn('ci_provider', 'text')
      .addColumn('script_sha256', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'bigint', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('timeline', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('runs_test_started').on('runs').columns(['test_name', 'started_at']).execute();
    await db.schema
      .createTable('run_histograms')
      .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
      .addColumn('metric_key', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('run_histograms_pk', ['run_id', 'metric_key'])
      .execute();
    await db.schema
      .createTable('run_endpoints')
      .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('other', 'integer', (c) => c.notNull())
      .addColumn('requests', 'bigint', (c) => c.notNull())
      .addColumn('failed', 'bigint', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('run_endpoints_pk', ['run_id', 'position'])
      .execute();
    await db.schema
      .createTable('baselines')
      .addColumn('test_name', 'text', (c) => c.primaryKey())
      .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id'))
      .addColumn('set_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('baselines').execute();
    await db.schema.dropTable('run_endpoints').execute();
    await db.schema.dropTable('run_histograms').execute();
    await db.schema.dropTable('runs').execute();
  },
};
