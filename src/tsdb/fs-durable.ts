/** File-system steps that make writes durable: fsync of files and of the directories that name them. */
import { open, rename, writeFile } from 'node:fs/promises';
import { TelltaleError } from '../errors.ts';

export async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Writes a file so that after a crash either the old or the complete new content is there. */
export async function writeFileAtomic(path: string, data: Uint8Array | string, dir: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, data);
  const h = await open(tmp, 'r+');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, path);
  await fsyncDir(dir);
}

/** Wraps a file-system failure as TT_TSDB_UNAVAILABLE naming the file. */
export function unavailable(what: string, file: string, err: unknown): TelltaleError {
  return new TelltaleError('TT_TSDB_UNAVAILABLE', `${what} ${file}: ${(err as Error).message}`, { file, cause: err });
}

export function corrupt(what: string, file: string, err?: unknown): TelltaleError {
  const detail = err === undefined ? '' : `: ${(err as Error).message}`;
  return new TelltaleError('TT_TSDB_CORRUPT', `${what}${detail}`, { file, cause: err });
}
