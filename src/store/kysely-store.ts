/**
 * The run store on Kysely: the same queries for SQLite and PostgreSQL. A record is kept as a row of header
 * columns (what lists and filters need) plus JSON text for its body, one row per histogram and one per
 * endpoint, so listing runs never reads their series and a comparison can read only what it compares.
 */
import { Kysely, sql, type Dialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import { TelltaleError, isTelltaleError } from '../errors.ts';
import type { CiProvider } from '../runs/environment.ts';
import { serializeRecord, toJson, validateRecord } from '../runs/json.ts';
import type { RunRecord } from '../runs/schema.ts';
import { migrationProvider } from './migrations/index.ts';
import type { RunsTable, Tables } from './tables.ts';
import type { Baseline, RunFilter, RunStore, RunSummary } from './types.ts';

export interface StoreEngine {
  dialect: Dialect;
  /** where the store is, for messages (passwords removed) */
  description: string;
  /** PostgreSQL schema holding the tables, when not the default one */
  schema?: string;
}

export interface StoreOptions {
  /** epoch ms; injected by tests */
  now?: () => number;
}

const ID_PREFIX = /^[A-Za-z0-9._-]{1,64}$/;

/** The columns of `runs` that a listing reads (not the JSON bodies). */
const HEADER_COLUMNS = [
  'id', 'test_name', 'started_at', 'ended_at', 'exit_code', 'thresholds_passed', 'git_commit', 'git_branch', 'git_pr',
  'ci_provider', 'script_sha256', 'recorded_at',
] as const;
type HeaderRow = Pick<RunsTable, (typeof HEADER_COLUMNS)[number]>;

function summaryOf(r: HeaderRow): RunSummary {
  const git: RunSummary['git'] = {};
  if (r.git_commit !== null) git.commit = r.git_commit;
  if (r.git_branch !== null) git.branch = r.git_branch;
  if (r.git_pr !== null) git.pr = r.git_pr;
  return {
    id: r.id,
    testName: r.test_name,
    startTime: Number(r.started_at),
    endTime: Number(r.ended_at),
    exitCode: Number(r.exit_code),
    thresholdsPassed: Number(r.thresholds_passed) === 1,
    git,
    ciProvider: r.ci_provider as CiProvider | null,
    scriptSha256: r.script_sha256,
    recordedAt: Number(r.recorded_at),
  };
}

export class KyselyRunStore implements RunStore {
  readonly description: string;
  private readonly db: Kysely<Tables>;
  private readonly now: () => number;

  private constructor(db: Kysely<Tables>, description: string, now: () => number) {
    this.db = db;
    this.description = description;
    this.now = now;
  }

  /** Connects and brings the schema up to date. */
  static async open(engine: StoreEngine, options: StoreOptions = {}): Promise<KyselyRunStore> {
    const db = new Kysely<Tables>({ dialect: engine.dialect });
    try {
      await migrate(db, engine);
    } catch (err) {
      await db.destroy().catch(() => undefined);
      throw err;
    }
    return new KyselyRunStore(db, engine.description, options.now ?? Date.now);
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isTelltaleError(err)) throw err;
      throw new TelltaleError('TT_STORE_UNAVAILABLE', `run store ${this.description}: cannot ${what}: ${(err as Error).message}`, { cause: err });
    }
  }

  async saveRun(record: RunRecord): Promise<'created' | 'unchanged'> {
    const existing = await this.getRun(record.id);
    if (existing !== undefined) {
      if (serializeRecord(existing) === serializeRecord(record)) return 'unchanged';
      throw new TelltaleError('TT_RUN_EXISTS', `run store ${this.description} already holds a different run with id ${record.id}`);
    }
    const { timeline, histograms, endpoints, ...document } = record;
    await this.guard(`save run ${record.id}`, () =>
      this.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('runs')
          .values({
            id: record.id,
            test_name: record.testName,
            started_at: Math.floor(record.startTime),
            ended_at: Math.floor(record.endTime),
            exit_code: record.status.exitCode,
            thresholds_passed: record.status.thresholdsPassed ? 1 : 0,
            git_commit: record.git.commit ?? null,
            git_branch: record.git.branch ?? null,
            git_pr: record.git.pr ?? null,
            ci_provider: record.ci.provider,
            script_sha256: record.script.sha256,
            recorded_at: Math.floor(this.now()),
            document: toJson(document),
            timeline: toJson(timeline),
          })
          .execute();
        const hist = Object.entries(histograms).map(([key, data]) => ({ run_id: record.id, metric_key: key, data: toJson(data) }));
        if (hist.length > 0) await tx.insertInto('run_histograms').values(hist).execute();
        const eps = endpoints.map((e, i) => ({
          run_id: record.id,
          position: i,
          name: e.name,
          other: e.other ? 1 : 0,
          requests: e.requests,
          failed: e.failed,
          data: toJson({ durations: e.durations, series: e.series }),
        }));
        if (eps.length > 0) await tx.insertInto('run_endpoints').values(eps).execute();
      }),
    );
    return 'created';
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const parts = await this.guard(`read run ${id}`, async () => {
      const row = await this.db.selectFrom('runs').select(['document', 'timeline']).where('id', '=', id).executeTakeFirst();
      if (row === undefined) return undefined;
      const hist = await this.db.selectFrom('run_histograms').select(['metric_key', 'data']).where('run_id', '=', id).execute();
      const eps = await this.db
        .selectFrom('run_endpoints')
        .select(['name', 'other', 'requests', 'failed', 'data'])
        .where('run_id', '=', id)
        .orderBy('position')
        .execute();
      return { row, hist, eps };
    });
    if (parts === undefined) return undefined;
    const source = `${this.description} (run ${id})`;
    let value: unknown;
    try {
      value = {
        ...JSON.parse(parts.row.document),
        histograms: Object.fromEntries(parts.hist.map((h) => [h.metric_key, JSON.parse(h.data)])),
        timeline: JSON.parse(parts.row.timeline),
        endpoints: parts.eps.map((e) => ({
          name: e.name,
          other: Number(e.other) === 1,
          requests: Number(e.requests),
          failed: Number(e.failed),
          ...JSON.parse(e.data),
        })),
      };
    } catch (err) {
      throw new TelltaleError('TT_RECORD_INVALID', `stored run record is damaged: ${(err as Error).message}`, { file: source, cause: err });
    }
    return validateRecord(value, source);
  }

  async resolveRunId(idOrPrefix: string): Promise<string> {
    const wanted = idOrPrefix.trim();
    if (!ID_PREFIX.test(wanted)) throw new TelltaleError('TT_RUN_NOT_FOUND', `${JSON.stringify(idOrPrefix)} is not a run id`);
    const ids = await this.guard('look up runs', async () => {
      const exact = await this.db.selectFrom('runs').select('id').where('id', '=', wanted).executeTakeFirst();
      if (exact) return [exact.id];
      const rows = await this.db
        .selectFrom('runs')
        .select('id')
        .where(sql<string>`substr(id, 1, ${wanted.length})`, '=', wanted)
        .orderBy('id')
        .limit(11)
        .execute();
      return rows.map((r) => r.id);
    });
    if (ids.length === 1) return ids[0];
    if (ids.length === 0) throw new TelltaleError('TT_RUN_NOT_FOUND', `no run with id ${wanted} in ${this.description}`);
    const list = ids.slice(0, 10).join(', ') + (ids.length > 10 ? ', ...' : '');
    throw new TelltaleError('TT_RUN_AMBIGUOUS', `run id prefix ${wanted} matches several runs: ${list}`);
  }

  async listRuns(filter: RunFilter = {}): Promise<RunSummary[]> {
    const rows = await this.guard('list runs', () => {
      let q = this.db.selectFrom('runs').select([...HEADER_COLUMNS]);
      if (filter.ids !== undefined) q = filter.ids.length > 0 ? q.where('id', 'in', [...filter.ids]) : q.where(sql<boolean>`1 = 0`);
      if (filter.testName !== undefined) q = q.where('test_name', '=', filter.testName);
      if (filter.branch !== undefined) q = q.where('git_branch', '=', filter.branch);
      if (filter.passed === true) q = q.where('thresholds_passed', '=', 1).where('exit_code', '=', 0);
      if (filter.passed === false) q = q.where((eb) => eb.or([eb('thresholds_passed', '=', 0), eb('exit_code', '<>', 0)]));
      q = q.orderBy('started_at', 'desc').orderBy('id', 'desc');
      if (filter.limit !== undefined) q = q.limit(filter.limit);
      return q.execute();
    });
    return rows.map(summaryOf);
  }

  async testNames(): Promise<string[]> {
    const rows = await this.guard('list tests', () => this.db.selectFrom('runs').select('test_name').distinct().execute());
    return rows.map((r) => r.test_name).sort();
  }

  async setBaseline(runId: string): Promise<Baseline> {
    return this.guard(`set the baseline to run ${runId}`, async () => {
      const run = await this.db.selectFrom('runs').select('test_name').where('id', '=', runId).executeTakeFirst();
      if (run === undefined) throw new TelltaleError('TT_RUN_NOT_FOUND', `no run with id ${runId} in ${this.description}`);
      const baseline: Baseline = { testName: run.test_name, runId, setAt: Math.floor(this.now()) };
      await this.db
        .insertInto('baselines')
        .values({ test_name: baseline.testName, run_id: runId, set_at: baseline.setAt })
        .onConflict((oc) => oc.column('test_name').doUpdateSet({ run_id: runId, set_at: baseline.setAt }))
        .execute();
      return baseline;
    });
  }

  async getBaseline(testName: string): Promise<Baseline | undefined> {
    const row = await this.guard('read baselines', () =>
      this.db.selectFrom('baselines').selectAll().where('test_name', '=', testName).executeTakeFirst(),
    );
    return row === undefined ? undefined : { testName: row.test_name, runId: row.run_id, setAt: Number(row.set_at) };
  }

  async listBaselines(): Promise<Baseline[]> {
    const rows = await this.guard('read baselines', () => this.db.selectFrom('baselines').selectAll().execute());
    return rows
      .map((r) => ({ testName: r.test_name, runId: r.run_id, setAt: Number(r.set_at) }))
      .sort((a, b) => (a.testName < b.testName ? -1 : a.testName > b.testName ? 1 : 0));
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

async function migrate(db: Kysely<Tables>, engine: StoreEngine): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    // named for Telltale so a database shared with an application's own Kysely migrations keeps them apart
    migrationTableName: 'telltale_migration',
    migrationLockTableName: 'telltale_migration_lock',
    ...(engine.schema ? { migrationTableSchema: engine.schema } : {}),
  });
  let error: unknown;
  try {
    ({ error } = await migrator.migrateToLatest());
  } catch (err) {
    error = err;
  }
  if (error === undefined) return;
  const message = error instanceof Error ? error.message : String(error);
  if (/previously executed migration .* is missing/.test(message)) {
    throw new TelltaleError('TT_STORE_VERSION', `run store ${engine.description} was migrated by a newer Telltale (${message})`, { cause: error });
  }
  throw new TelltaleError('TT_STORE_UNAVAILABLE', `run store ${engine.description}: ${message}`, { cause: error });
}
