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
  /** `--push`: also POST the record to a `telltale serve` at this URL (with TELLTALE_TOKEN as a bearer token, if set) */
  pushUrl?: string;
  env: Env;
  cwd: string;
  git?: GitRunner;
  now?: () => number;
}

export interface RecordResult {
  record: RunRecord;
  stored?: { store: string; status: 'created' | 'unchanged' };
  file?: string;
  pushed?: { url: string; status: 'created' | 'unchanged' };
}

/** POSTs a record to a server's `/api/telltale/runs`; TT_RUN_PUSH with the server's answer when that fails. */
export async function pushRecord(serverUrl: string, record: RunRecord, token?: string, fetchImpl: typeof fetch = fetch): Promise<'created' | 'unchanged'> {
  const url = `${serverUrl.replace(/\/+$/, '')}/api/telltale/runs`;
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: serializeRecord(record),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    throw new TelltaleError('TT_RUN_PUSH', `--push: cannot reach ${url}: ${(err as Error).message}`, { field: '--push', cause: err });
  }
  const text = await res.text();
  if (res.status !== 200 && res.status !== 201) {
    let why = text.slice(0, 500);
    try {
      why = (JSON.parse(text) as { error?: string }).error ?? why;
    } catch {
      // not JSON: keep the text
    }
    throw new TelltaleError('TT_RUN_PUSH', `--push: ${url} answered ${res.status}: ${why}`, { field: '--push' });
  }
  return res.status === 201 ? 'created' : 'unchanged';
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
  if (req.pushUrl !== undefined) {
    result.pushed = { url: req.pushUrl, status: await pushRecord(req.pushUrl, record, req.env.TELLTALE_TOKEN || undefined) };
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
