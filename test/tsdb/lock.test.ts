import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openTsdb } from '../../src/tsdb/db.ts';
import { removeTempDirs, tempDir } from './helpers.ts';

afterEach(removeTempDirs);

const base = { maintenanceIntervalMs: 0 };

describe('directory lock', () => {
  it('holds our PID and refuses a second open', async () => {
    const dir = await tempDir();
    const db = await openTsdb({ dir, ...base });
    expect((await readFile(join(dir, 'lock'), 'utf8')).trim()).toBe(String(process.pid));
    await expect(openTsdb({ dir, ...base })).rejects.toMatchObject({ code: 'TT_TSDB_LOCKED' });
    await db.close();
    const again = await openTsdb({ dir, ...base });
    await again.close();
  });

  it('refuses a lock held by another running process, naming directory and PID', async () => {
    const dir = await tempDir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await writeFile(join(dir, 'lock'), `${child.pid}\n`);
      const err = await openTsdb({ dir, ...base }).then(
        () => undefined,
        (e: unknown) => e as Error & { code: string },
      );
      expect(err?.code).toBe('TT_TSDB_LOCKED');
      expect(err?.message).toContain(dir);
      expect(err?.message).toContain(String(child.pid));
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('takes over a stale lock left by a dead process', async () => {
    const dir = await tempDir();
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((r) => child.on('exit', r));
    await writeFile(join(dir, 'lock'), `${child.pid}\n`);
    const db = await openTsdb({ dir, ...base });
    expect((await readFile(join(dir, 'lock'), 'utf8')).trim()).toBe(String(process.pid));
    await db.close();
  });

  it('takes over a lock file with garbage in it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'lock'), 'not a pid');
    const db = await openTsdb({ dir, ...base });
    await db.close();
  });
});
