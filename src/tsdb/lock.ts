/**
 * The store directory's lock: a `lock` file holding the owner's PID, created with O_EXCL so exactly one
 * process wins. A lock whose PID is no longer running (the owner was killed) is taken over; a live owner
 * makes the open fail with TT_TSDB_LOCKED naming the directory and the PID.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TelltaleError } from '../errors.ts';
import { unavailable } from './fs-durable.ts';

/** Directories this process holds, so a lock file with our own PID left by a previous process is stale. */
const held = new Set<string>();

export interface DirLock {
  release(): Promise<void>;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireLock(dir: string): Promise<DirLock> {
  const abs = resolve(dir);
  const file = join(abs, 'lock');
  if (held.has(abs)) {
    throw new TelltaleError('TT_TSDB_LOCKED', `series store ${abs} is already open in this process (PID ${process.pid})`, { file });
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      held.add(abs);
      return {
        async release() {
          held.delete(abs);
          const content = await readFile(file, 'utf8').catch(() => '');
          if (Number.parseInt(content, 10) === process.pid) await rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw unavailable('cannot create the lock file', file, err);
    }
    const content = await readFile(file, 'utf8').catch(() => undefined);
    if (content === undefined) continue; // released meanwhile: try again
    const pid = Number.parseInt(content, 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
      throw new TelltaleError('TT_TSDB_LOCKED', `series store ${abs} is locked by running process ${pid} (${file})`, { file });
    }
    // Stale: move it aside (atomic, so of several contenders only one moves this file) and retry.
    const aside = `${file}.stale-${process.pid}-${attempt}`;
    try {
      await rename(file, aside);
      await rm(aside, { force: true });
    } catch {
      // Another process took it over first; the next attempt sees its lock.
    }
  }
  throw new TelltaleError('TT_TSDB_LOCKED', `series store ${abs}: could not take the lock file ${file}`, { file });
}
