/**
 * Ingests into a series store until killed, printing `ack <writer> <step>` once the commit of that step has
 * resolved (the store's durability promise). Run by bench/lib/tsdb-crash.ts, which SIGKILLs it mid-ingest.
 *
 *   node bench/lib/tsdb-crash-child.ts DIR SERIES
 *
 * Each writer resumes after the newest step the store holds for its series (one commit is one WAL record,
 * so a step is either wholly there or not at all). Step k holds, for each series of a writer, the sample (k * 1000 ms, crashValue(series, k)). Two writers
 * (even and odd series) commit concurrently so group commit is exercised; compaction runs on a short timer
 * with a 20 s block range, so kills also land during compaction and checkpointing.
 */
import { openTsdb } from '../../src/tsdb/db.ts';
import { crashLabels, crashValue } from './tsdb-crash-values.ts';

const [dir, seriesArg] = process.argv.slice(2);
const seriesCount = Number(seriesArg);

// The odd writer can fall behind the even one by more than half a block range, below the compaction
// boundary: the out-of-order window takes those samples (and puts the out-of-order path under the test).
const db = await openTsdb({
  dir,
  blockRangeMs: 20_000,
  outOfOrderWindowMs: 60_000,
  maintenanceIntervalMs: 25,
  onWarning: (m) => process.stderr.write(`${m}\n`),
});

async function resumeStep(w: number): Promise<number> {
  let newest = -1;
  for (const s of await db.select([{ type: '=', name: 'writer', value: String(w) }], -Infinity, Infinity)) {
    const it = s.iterator();
    let last = -1;
    while (it.next()) last = it.t() / 1000;
    newest = Math.max(newest, last);
  }
  return newest + 1;
}

async function writer(w: number): Promise<void> {
  for (let step = await resumeStep(w); ; step++) {
    const app = db.appender();
    for (let s = w; s < seriesCount; s += 2) {
      const r = app.append(crashLabels(s), step * 1000, crashValue(s, step));
      if (r !== undefined) throw new Error(`sample refused: ${r}`);
    }
    await app.commit();
    process.stdout.write(`ack ${w} ${step}\n`);
  }
}

await Promise.all([writer(0), writer(1)]);
