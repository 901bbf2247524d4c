/**
 * Bytes per sample on disk after compaction, for realistic scrape data (bench/lib/tsdb-scrape-data.ts),
 * and append throughput through the Appender while doing it; optionally the same data through the real
 * Prometheus' block writer (`promtool tsdb create-blocks-from openmetrics`) as the peer.
 *
 *   node bench/tsdb-storage.ts                          # 10k series × 24 h (57.6 M samples)
 *   node bench/tsdb-storage.ts --series 1000 --hours 6 --peer
 *   node bench/tsdb-storage.ts --keep /tmp/tsdb-10k    # leave the store for bench/tsdb-select.ts
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTsdb } from '../src/tsdb/db.ts';
import { formatLabels } from '../src/series/labels.ts';
import { ScrapeData, SCRAPE_MS } from './lib/tsdb-scrape-data.ts';
import { fmt, hasCommand, machineInfo, numberFlag, parseFlags, runCommand, table, warnIfBusy, writeResult } from './lib/util.ts';

const flags = parseFlags(process.argv.slice(2));
const seriesCount = numberFlag(flags, 'series', 10_000);
const hours = numberFlag(flags, 'hours', 24);
const peer = flags.has('peer');
const keep = flags.get('keep');
if (keep === true) throw new Error('--keep needs a directory');
const START = Date.UTC(2026, 0, 1);
const scrapes = Math.floor((hours * 3600_000) / SCRAPE_MS);

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? await dirBytes(p) : (await stat(p)).size;
  }
  return total;
}

warnIfBusy();
const machine = machineInfo();
const dir = keep ?? (await mkdtemp(join(tmpdir(), 'tt-bench-tsdb-')));
const data = new ScrapeData(seriesCount);
const values = new Float64Array(data.seriesCount);
const db = await openTsdb({ dir, maintenanceIntervalMs: 0, clock: () => START + hours * 3600_000 });
let appendNs = 0n;
let compactNs = 0n;
let samples = 0;
const started = performance.now();
const cpu0 = process.cpuUsage();
for (let n = 0; n < scrapes; n++) {
  data.next(values);
  const t0 = process.hrtime.bigint();
  const app = db.appender();
  for (let s = 0; s < data.seriesCount; s++) {
    if (app.append(data.labels[s], data.timestamp(n, s, START), values[s]) !== undefined) throw new Error('refused');
  }
  await app.commit();
  const t1 = process.hrtime.bigint();
  appendNs += t1 - t0;
  samples += data.seriesCount;
  // Compact as the background timer would, once a range is due.
  if (n % 240 === 239) {
    await db.compact();
    compactNs += process.hrtime.bigint() - t1;
  }
}
await db.compact();
const stats = db.stats();
const metas = db.blockMetas();
const blockSamples = metas.reduce((a, m) => a + m.stats.numSamples, 0);
const blockChunks = metas.reduce((a, m) => a + m.stats.numChunks, 0);
const wallS = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuS = (cpu.user + cpu.system) / 1e6;
await db.close();
const blockBytes = await dirBytes(join(dir, 'blocks'));
const walBytes = await dirBytes(join(dir, 'wal'));
if (!keep) await rm(dir, { recursive: true, force: true });

const result: Record<string, unknown> = {
  date: new Date().toISOString(),
  command: `node bench/tsdb-storage.ts ${process.argv.slice(2).join(' ')}`.trim(),
  machine,
  series: data.seriesCount,
  hours,
  samples,
  blocks: metas.length,
  blockSamples,
  blockChunks,
  blockBytes,
  bytesPerSample: blockBytes / blockSamples,
  walBytesAfter: walBytes,
  appendSamplesPerSec: samples / (Number(appendNs) / 1e9),
  compactSeconds: Number(compactNs) / 1e9,
  wallSeconds: wallS,
  cpuSeconds: cpuS,
  walFsyncs: stats.walFsyncs,
};

if (peer) {
  if (!hasCommand('promtool')) throw new Error('--peer needs promtool on PATH');
  // The same samples as OpenMetrics text, turned into blocks by Prometheus' own writer.
  const pdir = await mkdtemp(join(tmpdir(), 'tt-bench-prom-'));
  const file = join(pdir, 'data.om');
  const out = createWriteStream(file);
  const again = new ScrapeData(seriesCount);
  const names = again.labels.map((l) => formatLabels(l).replace(/, /g, ','));
  for (let n = 0; n < scrapes; n++) {
    again.next(values);
    let chunk = '';
    for (let s = 0; s < again.seriesCount; s++) chunk += `${names[s]} ${values[s]} ${(again.timestamp(n, s, START) / 1000).toFixed(3)}\n`;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end('# EOF\n', () => r()));
  const blocksOut = join(pdir, 'blocks');
  const r = await runCommand('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, blocksOut], { timeoutMs: 30 * 60_000 });
  if (r.code !== 0) throw new Error(`promtool failed: ${r.stderr}`);
  const promBytes = await dirBytes(blocksOut);
  result.prometheus = { blockBytes: promBytes, bytesPerSample: promBytes / samples, note: 'promtool writes every sample (no head left)' };
  await rm(pdir, { recursive: true, force: true });
}

const file = writeResult(`tsdb-storage-${data.seriesCount}x${hours}h${peer ? '-peer' : ''}`, result);
const rows = [
  ['telltale blocks', fmt(blockSamples), fmt(blockBytes), fmt(blockBytes / blockSamples, 3)],
];
const prom = result.prometheus as { blockBytes: number; bytesPerSample: number } | undefined;
if (prom) rows.push(['prometheus (promtool)', fmt(samples), fmt(prom.blockBytes), fmt(prom.bytesPerSample, 3)]);
console.log(table(['store', 'samples', 'bytes', 'bytes/sample'], rows));
console.log(`append: ${fmt(result.appendSamplesPerSec as number)} samples/s (one commit of ${data.seriesCount} per scrape), compaction ${fmt(result.compactSeconds as number, 1)} s, wall ${fmt(wallS, 1)} s, CPU ${fmt(cpuS, 1)} s (data generation included), load ${machine.loadAvg.join(' ')}`);
console.log(`result: ${file}`);
