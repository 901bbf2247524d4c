/**
 * One round of the kill -9 test: start the ingesting child, let it acknowledge a number of steps, SIGKILL
 * it, then reopen the store and check that every acknowledged sample is there, bit for bit.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openTsdb } from '../../src/tsdb/db.ts';
import { hiBits, loBitsOfLast } from '../../src/tsdb/float-bits.ts';
import { crashValue } from './tsdb-crash-values.ts';

const CHILD = fileURLToPath(new URL('./tsdb-crash-child.ts', import.meta.url));

export interface CrashRound {
  /** Highest acknowledged step per writer (-1: none), over this and earlier rounds. */
  acked: [number, number];
  /** Blocks in the store after the round (compaction ran in the child). */
  blocks: number;
  /** Samples the store holds after the crash. */
  samples: number;
  /** Acknowledged samples missing or wrong after reopening (must be 0). */
  lost: number;
  /** Samples that were never written but appeared (must be 0). */
  unexpected: number;
  /** What the child wrote on stderr. */
  stderr: string;
}

function bits(v: number): string {
  const hi = hiBits(v);
  return `${hi}:${loBitsOfLast()}`;
}

/** Runs a round; `acked` holds what earlier rounds acknowledged and is updated. */
export async function crashRound(dir: string, acked: [number, number], series: number, killAfterAcks: number): Promise<CrashRound> {
  const child = spawn(process.execPath, [CHILD, dir, String(series)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let acks = 0;
  const lines = createInterface({ input: child.stdout });
  await new Promise<void>((resolve) => {
    lines.on('line', (line) => {
      const [, w, step] = line.split(' ');
      acked[Number(w)] = Math.max(acked[Number(w)], Number(step));
      if (++acks === killAfterAcks) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    void exited.then(() => resolve());
  });
  await exited;
  // Lines already read before the kill count; anything printed after the kill is impossible.
  lines.close();

  const db = await openTsdb({ dir, blockRangeMs: 20_000, outOfOrderWindowMs: 60_000, maintenanceIntervalMs: 0 });
  let samples = 0;
  let lost = 0;
  let unexpected = 0;
  let blocks: number;
  try {
    blocks = db.stats().blocks;
    const have = new Map<number, Map<number, string>>();
    for (const s of await db.select([{ type: '=', name: '__name__', value: 'crash_test' }], -Infinity, Infinity)) {
      const id = Number(s.labels.series);
      const m = new Map<number, string>();
      const it = s.iterator();
      while (it.next()) {
        m.set(it.t(), bits(it.v()));
        samples++;
        const step = it.t() / 1000;
        if (!Number.isInteger(step) || bits(crashValue(id, step)) !== bits(it.v())) unexpected++;
      }
      have.set(id, m);
    }
    for (let id = 0; id < series; id++) {
      const m = have.get(id);
      for (let step = 0; step <= acked[id % 2]; step++) {
        if (m?.get(step * 1000) !== bits(crashValue(id, step))) lost++;
      }
    }
  } finally {
    await db.close();
  }
  return { acked: [acked[0], acked[1]], blocks, samples, lost, unexpected, stderr };
}
