/** What `telltale run --record` / `--record-out` do once a run has finished. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TelltaleError } from '../errors.ts';
import type { RunOutcome } from '../load/run.ts';
import { openStore } from '../store/index.ts';
import { detectEnvironment, isCi, systemGit, type GitRunner } from './environment.ts';
import { serializeRecord } from './json.ts';
import { buildRunRecord } from './record.ts';
import type { RunRecord } from './schema.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface RecordRequest {
  outcome: RunOutcome;
  /** the script path as given */
  script: string;
  testName?: string;
  /** write the record to the store */
  toStore: boolean;
  /** `--store`; else TELLTALE_STORE, else the default SQLite file */
  storeSpec?: string;
  /** `--record-out`: also write the record as one JSON file */
  outFile?: string;
  env: Env;
  cwd: string;
  git?: GitRunner;
  now?: () => number;
}

export interface RecordResult {
  record: RunRecord;
  stored?: { store: string; status: 'created' | 'unchanged' };
  file?: string;
}

/**
 * Whether a run is recorded to the store: `--record`/`--no-record` when given, else TELLTALE_RECORD
 * (1/true/0/false), else only inside CI.
 */
export function recordingEnabled(flag: boolean | undefined, env: Env): boolean {
  if (flag !== undefined) return flag;
  const v = env.TELLTALE_RECORD?.trim().toLowerCase();
  if (v === '1' || v === 'true' || v === 'yes') return true;
  if (v === '0' || v === 'false' || v === 'no') return false;
  return isCi(env);
}

export async function recordRun(req: RecordRequest): Promise<RecordResult> {
  const scriptPath = path.resolve(req.cwd, req.script);
  const source = await readFile(scriptPath).catch((err: Error) => {
    throw new TelltaleError('TT_SCRIPT_NOT_FOUND', `cannot read the script to hash it: ${err.message}`, { file: req.script, cause: err });
  });
  const record = buildRunRecord({
    outcome: req.outcome,
    script: req.script,
    scriptSource: source,
    environment: detectEnvironment(req.env, path.dirname(scriptPath), req.git ?? systemGit),
    testName: req.testName,
  });
  const result: RecordResult = { record };
  if (req.outFile !== undefined) {
    try {
      await writeFile(path.resolve(req.cwd, req.outFile), serializeRecord(record));
    } catch (err) {
      throw new TelltaleError('TT_OUTPUT_INVALID', `--record-out: cannot write ${req.outFile}: ${(err as Error).message}`, { file: req.outFile, cause: err });
    }
    result.file = req.outFile;
  }
  if (req.toStore) {
    const store = await openStore({ spec: req.storeSpec, env: req.env, cwd: req.cwd, now: req.now });
    try {
      result.stored = { store: store.description, status: await store.saveRun(record) };
    } finally {
      await store.close();
    }
  }
  return result;
}
