/**
 * The crash loop: 20 times, start a process that ingests into one store (two concurrent writers,
 * compaction on a timer), SIGKILL it after a random number of acknowledged commits, reopen the store and
 * check that every acknowledged sample is there bit for bit (bench/lib/tsdb-crash.ts).
 *
 *   node bench/tsdb-crash.ts [--rounds 20] [--series 200]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crashRound, type CrashRound } from './lib/tsdb-crash.ts';
import { fmt, machineInfo, numberFlag, parseFlags, table, warnIfBusy, writeResult } from './lib/util.ts';

const flags = parseFlags(process.argv.slice(2));
const rounds = numberFlag(flags, 'rounds', 20);
const series = numberFlag(flags, 'series', 200);

warnIfBusy();
const machine = machineInfo();
const dir = await mkdtemp(join(tmpdir(), 'tt-bench-crash-'));
const acked: [number, number] = [-1, -1];
const results: Array<CrashRound & { killAfter: number }> = [];
let seed = 12345;
for (let r = 0; r < rounds; r++) {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  const killAfter = 20 + (seed % 400);
  const res = await crashRound(dir, acked, series, killAfter);
  results.push({ ...res, killAfter });
  process.stderr.write(`round ${r + 1}: acked ${res.acked.join('/')}, lost ${res.lost}, unexpected ${res.unexpected}, blocks ${res.blocks}\n`);
}
await rm(dir, { recursive: true, force: true });
const clean = results.filter((r) => r.lost === 0 && r.unexpected === 0 && r.stderr === '').length;
const file = writeResult('tsdb-crash', { date: new Date().toISOString(), command: `node bench/tsdb-crash.ts ${process.argv.slice(2).join(' ')}`.trim(), machine, series, rounds, clean, results });
console.log(
  table(
    ['round', 'kill after acks', 'acked steps', 'samples in store', 'blocks', 'lost', 'unexpected'],
    results.map((r, i) => [String(i + 1), String(r.killAfter), r.acked.join('/'), fmt(r.samples), String(r.blocks), String(r.lost), String(r.unexpected)]),
  ),
);
console.log(`${clean}/${rounds} rounds lost no acknowledged sample; load average at start: ${machine.loadAvg.join(' ')}; result: ${file}`);
if (clean !== rounds) process.exitCode = 1;
