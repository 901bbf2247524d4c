/**
 * Select latency on a store built by `bench/tsdb-storage.ts --keep DIR` (10k series × 24 h): a matcher that
 * picks 1,000 series over the whole 24 h — the time for `select` (postings, chunk reads from every block
 * and the head) and for iterating every sample of the result. Also a regex matcher and a single series.
 *
 *   node bench/tsdb-storage.ts --keep /tmp/tsdb-10k && node bench/tsdb-select.ts --dir /tmp/tsdb-10k
 */
import { openTsdb } from '../src/tsdb/db.ts';
import type { Matcher } from '../src/series/types.ts';
import { fmt, machineInfo, numberFlag, parseFlags, table, warnIfBusy, writeResult } from './lib/util.ts';

const flags = parseFlags(process.argv.slice(2));
const dir = flags.get('dir');
if (typeof dir !== 'string') throw new Error('--dir DIR (a store from bench/tsdb-storage.ts --keep DIR) is required');
const rounds = numberFlag(flags, 'rounds', 7);

const cases: Array<{ name: string; matchers: Matcher[] }> = [
  {
    name: 'http_requests_total{job=~"service-[0-4]"} (1,000 series)',
    matchers: [
      { type: '=', name: '__name__', value: 'http_requests_total' },
      { type: '=~', name: 'job', value: 'service-[0-4]' },
    ],
  },
  {
    name: 'request_duration_seconds_bucket{le="0.1"} (100 series)',
    matchers: [
      { type: '=', name: '__name__', value: 'request_duration_seconds_bucket' },
      { type: '=', name: 'le', value: '0.1' },
    ],
  },
  {
    name: 'up{instance="10.0.0.7:9100"} (1 series)',
    matchers: [
      { type: '=', name: '__name__', value: 'up' },
      { type: '=', name: 'instance', value: '10.0.0.7:9100' },
    ],
  },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

warnIfBusy();
const machine = machineInfo();
const db = await openTsdb({ dir, maintenanceIntervalMs: 0 });
const st = db.stats();
const mint = st.headMaxTime! - 24 * 3600_000;
const maxt = st.headMaxTime!;
const rows = [];
for (const c of cases) {
  const selectMs: number[] = [];
  const iterateMs: number[] = [];
  let series = 0;
  let samples = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const result = await db.select(c.matchers, mint, maxt);
    const t1 = performance.now();
    let n = 0;
    let sum = 0;
    for (const s of result) {
      const it = s.iterator();
      while (it.next()) {
        sum += it.v();
        n++;
      }
    }
    const t2 = performance.now();
    if (sum === 42) console.log('');
    selectMs.push(t1 - t0);
    iterateMs.push(t2 - t1);
    series = result.length;
    samples = n;
  }
  rows.push({ name: c.name, series, samples, selectMs: median(selectMs), iterateMs: median(iterateMs), selectMinMs: Math.min(...selectMs), iterateMinMs: Math.min(...iterateMs) });
}
await db.close();
const file = writeResult('tsdb-select', { date: new Date().toISOString(), command: `node bench/tsdb-select.ts ${process.argv.slice(2).join(' ')}`, machine, blocks: st.blocks, rows });
console.log(`store: ${fmt(st.series)} head series, ${st.blocks} blocks, range ${new Date(mint).toISOString()} .. ${new Date(maxt).toISOString()}`);
console.log(
  table(
    ['selector', 'series', 'samples', 'select ms (median)', 'iterate ms (median)', 'samples/s iterated'],
    rows.map((r) => [r.name, fmt(r.series), fmt(r.samples), fmt(r.selectMs, 1), fmt(r.iterateMs, 1), fmt(r.samples / (r.iterateMs / 1000))]),
  ),
);
console.log(`median of ${rounds} rounds; load average at start: ${machine.loadAvg.join(' ')}; result: ${file}`);
