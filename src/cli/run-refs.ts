/** What the history commands share: a run named by id or prefix in the store, and writing a report file. */
import { writeFile } from 'node:fs/promises';
import { TelltaleError } from '../errors.ts';
import type { RunRecord } from '../runs/schema.ts';
import type { RunStore } from '../store/index.ts';

/** The record of the one run whose id is or starts with `ref` (TT_RUN_NOT_FOUND, TT_RUN_AMBIGUOUS). */
export async function readStoredRun(store: RunStore, ref: string): Promise<RunRecord> {
  const id = await store.resolveRunId(ref);
  const record = await store.getRun(id);
  if (record === undefined) throw new TelltaleError('TT_RUN_NOT_FOUND', `no run with id ${id} in ${store.description}`);
  return record;
}

/** Writes a report file a flag named; a failure is TT_OUTPUT_INVALID naming the flag and the file. */
export async function writeOutputFile(file: string, content: string, flag: string): Promise<void> {
  try {
    await writeFile(file, content);
  } catch (err) {
    throw new TelltaleError('TT_OUTPUT_INVALID', `${flag}: cannot write ${file}: ${(err as Error).message}`, { file, cause: err });
  }
}
