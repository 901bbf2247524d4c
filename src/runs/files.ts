/** Run record files: what `runs export` writes and `runs import` and `--baseline FILE` read. */
import { readFile, writeFile } from 'node:fs/promises';
import { TelltaleError } from '../errors.ts';
import { parseRecord, serializeRecord } from './json.ts';
import type { RunRecord } from './schema.ts';

/** Largest record file read: far above a 2-hour run with 100 endpoints, far below what would exhaust memory. */
export const MAX_RECORD_FILE_BYTES = 512 * 1024 * 1024;

export async function readRecordFile(file: string): Promise<RunRecord> {
  let text: string;
  try {
    const data = await readFile(file);
    if (data.length > MAX_RECORD_FILE_BYTES) {
      throw new TelltaleError('TT_RECORD_INVALID', `run record file is ${data.length} bytes, more than the ${MAX_RECORD_FILE_BYTES} a record can be`, { file });
    }
    text = data.toString('utf8');
  } catch (err) {
    if (err instanceof TelltaleError) throw err;
    throw new TelltaleError('TT_RECORD_INVALID', `cannot read the run record: ${(err as Error).message}`, { file, cause: err });
  }
  return parseRecord(text, file);
}

export async function writeRecordFile(file: string, record: RunRecord): Promise<void> {
  try {
    await writeFile(file, serializeRecord(record));
  } catch (err) {
    throw new TelltaleError('TT_OUTPUT_INVALID', `cannot write ${file}: ${(err as Error).message}`, { file, cause: err });
  }
}
