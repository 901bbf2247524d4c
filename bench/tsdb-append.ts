/**
 * Append throughput through the store's Appender, in batches the size of a remote_write request
 * (Prometheus' default max_samples_per_send is 2000): each batch is appended and committed (WAL fsync), by
 * one sender and by four concurrent senders (group commit shares fsyncs between them). The "append only"
 * row times the `append` calls alone, without commit, on the same batches. On a shared machine wall time
 * includes waiting for a core, so samples per CPU-second (the process' user + system time, data generation
 * included) is reported too.
 *
 *   node bench/tsdb-append.ts                 # 20k series, 5 M samples per row
 *   node bench/tsdb-append.ts --samples 1000000 --batch 500
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTsdb } from '../src/tsdb/db.ts';
import { ScrapeData } from './lib/tsdb-scrape-data.ts';
import { fmt, machineInfo, numberFlag, parseFlags, table, warnIfBusy, writeResult } from './lib/util.ts';

const flags = parseFlags(process.argv.slice(2));
const seriesCount = numberFlag(flags, 'series', 20_000);
const total = numberFlag(flags, 'samples', 5_000_000);
const batch = numberFlag(flags, 'batch', 2000);
const START = Date.UTC(2026, 0, 1);

interface Row {
  mode: string;
  senders: number;
  samples: number;
  seconds: number;
  samplesPerSec: number;
  fsyncs: number;
  cpuSeconds: number;
}

async function run(mode: 'commit' | 'append-only', senders: number): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'tt-bench-append-'));
  const db = await openTsdb({ dir, maintenanceIntervalMs: 0 });
  const data = new ScrapeData(seriesCount);
  const values = new Float64Array(data.seriesCount);
  const scrapes = Math.ceil(total / data.seriesCount);
  let appended = 0;
  let busyNs = 0n;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let n = 0; n < scrapes; n++) {
    data.next(values);
    // The scrape's samples, cut into batches and spread over the senders.
    const jobs: Array<Promise<void>> = [];
    const perSender = Math.ceil(data.seriesCount / batch / senders);
    for (let w = 0; w < senders; w++) {
      jobs.push(
        (async () => {
          for (let b = w * perSender; b < (w + 1) * perSender; b++) {
            const from = b * batch;
            if (from >= data.seriesCount) break;
            const app = db.appender();
            const a0 = process.hrtime.bigint();
            for (let s = from; s < Math.min(from + batch, data.seriesCount); s++) {
              if (app.append(data.labels[s], data.timestamp(n, s, START), values[s]) !== undefined) throw new Error('refused');
              appended++;
            }
            busyNs += process.hrtime.bigint() - a0;
            if (mode === 'commit') await app.commit();
            else app.rollback();
          }
        })(),
      );
    }
    await Promise.all(jobs);
  }
  const seconds = mode === 'commit' ? (performance.now() - t0) / 1000 : Number(busyNs) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const fsyncs = db.stats().walFsyncs;
  await db.close();
  await rm(dir, { recursive: true, force: true });
  return { mode, senders, samples: appended, seconds, samplesPerSec: appended / seconds, fsyncs, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

warnIfBusy();
const machine = machineInfo();
const rows: Row[] = [];
rows.push(await run('append-only', 1));
rows.push(await run('commit', 1));
rows.push(await run('commit', 4));
const file = writeResult('tsdb-append', { date: new Date().toISOString(), command: `node bench/tsdb-append.ts ${process.argv.slice(2).join(' ')}`.trim(), machine, seriesCount, batch, rows });
console.log(
  table(
    ['mode', 'senders', 'samples', 'seconds', 'samples/s', 'fsyncs', 'cpu s', 'samples/cpu-s'],
    rows.map((r) => [r.mode, String(r.senders), fmt(r.samples), fmt(r.seconds, 2), fmt(r.samplesPerSec), fmt(r.fsyncs), fmt(r.cpuSeconds, 2), fmt(r.samples / r.cpuSeconds)]),
  ),
);
console.log(`load average at start: ${machine.loadAvg.join(' ')}; result: ${file}`);
