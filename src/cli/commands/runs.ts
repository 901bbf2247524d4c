/** `telltale runs list|show|export|import` — the run history in the store. */
import type { Command } from 'commander';
import { TelltaleError } from '../../errors.ts';
import { readRecordFile, writeRecordFile } from '../../runs/files.ts';
import { serializeRecord } from '../../runs/json.ts';
import type { RunRecord } from '../../runs/schema.ts';
import { renderRun, renderRunList } from '../../runs/text.ts';
import { openStore, type RunStore } from '../../store/index.ts';
import { parseCount } from '../run-flags.ts';
import type { SetExit } from './run.ts';

export interface StoreFlags {
  store?: string;
}

const STORE_FLAG = ['--store <url|path>', 'run store: a SQLite file (default .telltale/telltale.db) or a postgres:// URL; env TELLTALE_STORE'] as const;

/** Opens the store the flags name, runs `fn`, and always closes it. */
export async function withStore<T>(flags: StoreFlags, fn: (store: RunStore) => Promise<T>): Promise<T> {
  const store = await openStore({ spec: flags.store, env: process.env, cwd: process.cwd() });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export function storeOption(cmd: Command): Command {
  return cmd.option(...STORE_FLAG);
}

interface ListFlags extends StoreFlags {
  test?: string;
  branch?: string;
  passed?: boolean;
  failed?: boolean;
  limit: string;
  json?: boolean;
}

export function registerRuns(program: Command, setExit: SetExit): void {
  const runs = program.command('runs').description('run history: list, show, export and import run records');

  storeOption(runs.command('list').description('list recorded runs, newest first'))
    .option('--test <name>', 'only runs of this test')
    .option('--branch <name>', 'only runs of this git branch')
    .option('--passed', 'only runs that passed')
    .option('--failed', 'only runs that did not pass')
    .option('--limit <n>', 'at most this many runs', '20')
    .option('--json', 'print JSON (one object per run, full ids)')
    .action(async (flags: ListFlags) => {
      if (flags.passed && flags.failed) throw new TelltaleError('TT_USAGE', '--passed and --failed exclude each other', { field: '--failed' });
      const limit = parseCount(flags.limit, '--limit', 1);
      const list = await withStore(flags, (store) =>
        store.listRuns({ testName: flags.test, branch: flags.branch, passed: flags.passed ? true : flags.failed ? false : undefined, limit }),
      );
      process.stdout.write(flags.json ? `${JSON.stringify(list, null, 2)}\n` : `${renderRunList(list)}\n`);
      setExit(0);
    });

  storeOption(runs.command('show').argument('<run>', 'run id or unique prefix').description('show one run'))
    .option('--json', 'print the whole run record as JSON')
    .action(async (run: string, flags: StoreFlags & { json?: boolean }) => {
      const record = await withStore(flags, (store) => getRecord(store, run));
      process.stdout.write(flags.json ? serializeRecord(record) : `${renderRun(record)}\n`);
      setExit(0);
    });

  storeOption(runs.command('export').argument('<run>', 'run id or unique prefix').description('write a run record as one JSON file (to stdout without -o)'))
    .option('-o, --output <file>', 'write to this file')
    .action(async (run: string, flags: StoreFlags & { output?: string }) => {
      const record = await withStore(flags, (store) => getRecord(store, run));
      if (flags.output === undefined) process.stdout.write(serializeRecord(record));
      else await writeRecordFile(flags.output, record);
      setExit(0);
    });

  storeOption(runs.command('import').argument('<files...>', 'run record JSON files').description('add run records from JSON files to the store'))
    .action(async (files: string[], flags: StoreFlags) => {
      // every file is read and validated before any is stored: a bad file imports nothing
      const records: { file: string; record: RunRecord }[] = [];
      for (const file of files) records.push({ file, record: await readRecordFile(file) });
      await withStore(flags, async (store) => {
        for (const { file, record } of records) {
          const status = await store.saveRun(record);
          process.stderr.write(`${file}: run ${record.id} (test "${record.testName}") ${status === 'created' ? 'imported' : 'already in the store'}\n`);
        }
      });
      setExit(0);
    });
}

async function getRecord(store: RunStore, run: string): Promise<RunRecord> {
  const id = await store.resolveRunId(run);
  const record = await store.getRun(id);
  if (record === undefined) throw new TelltaleError('TT_RUN_NOT_FOUND', `no run with id ${id} in ${store.description}`);
  return record;
}
