/**
 * Raw throughput of the per-VU HTTP client (src/load/http) next to autocannon, against the same server.
 *
 *   node bench/http-client.ts
 *
 * Environment:
 *   BENCH_URL       target an existing server (e.g. nginx) instead of starting one
 *   BENCH_SERVER    which local servers to start, comma-separated: `http` (node:http) and/or `raw` (a canned
 *                   response over node:net, cheap enough that the clients, not the server, are measured).
 *                   Default: http,raw
 *   BENCH_DURATION  seconds per measurement (default 5)
 *   BENCH_VUS       concurrent loops / connections (default 50)
 *   BENCH_ROUNDS    interleaved rounds of (ours no-op, ours counting, autocannon); medians are shown (default 3).
 *                   Odd rounds run autocannon first, so drift in the machine's load hits both sides alike.
 *   BENCH_PIN       server core,client core (default 0,1, as bench/http-throughput.ts; `none` to not pin): the
 *                   server child runs on the first, this process and the autocannon child on the second.
 *                   Needs taskset and both cores; otherwise nothing is pinned.
 *
 * Every server runs in its own child process and so does autocannon (-c VUS, pipelining 1), so neither shares
 * the event loop of the client under test. Both clients first get WARMUP_S seconds of unmeasured traffic. Ours
 * runs VUS VuHttp instances (one per VU, as in a worker thread), each looping `await request('GET', url)`, once
 * with a no-op emit and once with an emit that counts samples. Besides req/s it prints the client's CPU time per
 * request (user + system, from process.cpuUsage), which is less sensitive to other load on the machine than
 * throughput is; both columns are medians over the rounds, each taken on its own.
 */
import { fork, spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Sample } from '../src/metrics/types.ts';
import { VuHttp, type HttpDefaults, type RequestContext } from '../src/load/http/index.ts';
import { hasCommand, pinnableCpus } from './lib/util.ts';

const SELF = fileURLToPath(import.meta.url);
/** Both clients get this much unmeasured traffic first, so JIT warm-up is not measured. */
const WARMUP_S = 1;
const BODY = 'hello world';

function serve(kind: string): void {
  const onListen = (srv: net.Server) => () => process.send?.({ port: (srv.address() as net.AddressInfo).port });
  if (kind === 'http') {
    const srv = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': BODY.length });
      res.end(BODY);
    });
    srv.keepAliveTimeout = 60_000;
    srv.listen(0, '127.0.0.1', onListen(srv));
    return;
  }
  // Answers every request head (GETs carry no body) with the same bytes: no parsing beyond finding "\r\n\r\n".
  const response = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`);
  const srv = net.createServer((sock) => {
    sock.setNoDelay(true);
    let carry = '';
    sock.on('data', (chunk) => {
      const text = carry + chunk.toString('latin1');
      let n = 0;
      let at = 0;
      let last = -1;
      while ((at = text.indexOf('\r\n\r\n', at)) !== -1) {
        n++;
        last = at;
        at += 4;
      }
      carry = last === -1 ? text : text.slice(last + 4);
      if (n === 1) sock.write(response);
      else if (n > 1) sock.write(Buffer.concat(new Array<Buffer>(n).fill(response)));
    });
    sock.on('error', () => {});
  });
  srv.listen(0, '127.0.0.1', onListen(srv));
}

interface AutocannonResult {
  requests: { total: number };
  errors: number;
  non2xx: number;
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  pipelining: number;
}) => Promise<AutocannonResult>;

async function runAutocannon(url: string, connections: number, seconds: number): Promise<void> {
  // A computed specifier: autocannon ships no type declarations.
  const specifier = 'autocannon';
  const { default: autocannon } = (await import(specifier)) as { default: Autocannon };
  await autocannon({ url, connections, duration: WARMUP_S, pipelining: 1 });
  const cpu = process.cpuUsage();
  const result = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  const used = process.cpuUsage(cpu);
  process.send?.({
    reqPerSec: result.requests.total / seconds,
    errors: result.errors + result.non2xx,
    cpuUsPerReq: (used.user + used.system) / result.requests.total,
  });
}

interface RunResult {
  reqPerSec: number;
  errors: number;
  cpuUsPerReq: number;
}

const children = new Set<ReturnType<typeof fork>>();
process.on('exit', () => {
  for (const c of children) c.kill();
});

/** [server core, client core], or null when not pinning. */
function pinning(): [number, number] | null {
  const spec = process.env.BENCH_PIN ?? '0,1';
  if (spec === 'none') return null;
  const cores = spec.split(',').map(Number);
  if (cores.length !== 2 || !cores.every((c) => Number.isInteger(c) && pinnableCpus().includes(c)) || !hasCommand('taskset')) return null;
  return [cores[0], cores[1]];
}

/** Moves every thread of a process to one core. */
function pin(pid: number | undefined, core: number | undefined): void {
  if (pid !== undefined && core !== undefined) spawnSync('taskset', ['-a', '-pc', String(core), String(pid)], { stdio: 'ignore' });
}

const PIN = pinning();

function child(args: string[], core?: number): Promise<{ proc: ReturnType<typeof fork>; msg: Record<string, number> }> {
  const proc = fork(SELF, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  pin(proc.pid, core);
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  return new Promise((resolve, reject) => {
    proc.once('message', (msg) => resolve({ proc, msg: msg as Record<string, number> }));
    proc.once('exit', (code) => reject(new Error(`child ${args.join(' ')} exited with ${code}`)));
  });
}

const DEFAULTS: HttpDefaults = {
  userAgent: 'telltale-bench/0.1',
  timeoutMs: 60_000,
  maxRedirects: 10,
  discardResponseBodies: false,
  insecureSkipTLSVerify: false,
  noConnectionReuse: false,
  batchPerHost: 6,
  batch: 20,
  systemTags: new Set(['proto', 'status', 'method', 'url', 'name', 'group', 'check', 'error', 'error_code', 'tls_version', 'scenario', 'expected_response']),
};

async function runOurs(url: string, vus: number, seconds: number, emit: (s: Sample) => void): Promise<RunResult> {
  const origin = performance.timeOrigin;
  const ctx: RequestContext = { baseTags: { scenario: 'default' }, emit, now: () => origin + performance.now() };
  const clients = Array.from({ length: vus }, () => new VuHttp(DEFAULTS));
  let done = 0;
  let errors = 0;
  let running = true;
  const timer = setTimeout(() => {
    running = false;
  }, seconds * 1000);
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(clients.map(async (vu) => {
    while (running) {
      const res = await vu.request('GET', url, null, undefined, ctx);
      if (res.status !== 200) errors++;
      done++;
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  clearTimeout(timer);
  await Promise.all(clients.map((c) => c.close()));
  return { reqPerSec: done / elapsed, errors, cpuUsPerReq: (used.user + used.system) / done };
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Median req/s and, on its own, median CPU per request; errors of the median-req/s round. */
function median(runs: RunResult[]): RunResult {
  const mid = [...runs].sort((a, b) => a.reqPerSec - b.reqPerSec)[Math.floor((runs.length - 1) / 2)];
  return { reqPerSec: mid.reqPerSec, errors: mid.errors, cpuUsPerReq: medianOf(runs.map((r) => r.cpuUsPerReq)) };
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_DURATION ?? 5);
  const vus = Number(process.env.BENCH_VUS ?? 50);
  const targets: Array<{ label: string; url: string; proc?: ReturnType<typeof fork> }> = [];
  if (process.env.BENCH_URL) {
    targets.push({ label: 'BENCH_URL', url: process.env.BENCH_URL });
  } else {
    for (const kind of (process.env.BENCH_SERVER ?? 'http,raw').split(',')) {
      const { proc, msg } = await child(['--serve', kind], PIN?.[0]);
      targets.push({ label: kind === 'http' ? 'node:http server' : 'raw canned server', url: `http://127.0.0.1:${msg.port}/`, proc });
    }
  }
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
  if (PIN !== null) pin(process.pid, PIN[1]);
  const where = PIN === null ? 'not pinned' : `server on core ${PIN[0]}, clients on core ${PIN[1]}`;
  console.log(`node ${process.version}, ${vus} VUs/connections, ${seconds}s per run, ${rounds} round(s), ${where}\n`);
  for (const t of targets) {
    const noop: RunResult[] = [];
    const counting: RunResult[] = [];
    const ac: RunResult[] = [];
    let samples = 0;
    let durationSum = 0;
    let blockedSum = 0;
    await runOurs(t.url, vus, WARMUP_S, () => {});
    const autocannonRound = async (): Promise<void> => {
      const { proc, msg } = await child(['--autocannon', t.url, String(vus), String(seconds)], PIN?.[1]);
      proc.kill();
      ac.push({ reqPerSec: msg.reqPerSec, errors: msg.errors, cpuUsPerReq: msg.cpuUsPerReq });
    };
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 1) await autocannonRound();
      noop.push(await runOurs(t.url, vus, seconds, () => {}));
      counting.push(await runOurs(t.url, vus, seconds, (s) => {
        samples++;
        if (s.metric === 'http_req_duration') durationSum += s.value;
        else if (s.metric === 'http_req_blocked') blockedSum += s.value;
      }));
      if (r % 2 === 0) await autocannonRound();
    }
    const base = median(ac);
    console.log(`${t.label} (${t.url})`);
    const row = (name: string, runs: RunResult[]) => {
      const m = median(runs);
      const all = runs.length > 1
        ? `   [${runs.map((x) => `${Math.round(x.reqPerSec)}/${x.cpuUsPerReq.toFixed(1)}`).join(', ')}]`
        : '';
      console.log(`  ${name.padEnd(22)} ${Math.round(m.reqPerSec).toString().padStart(8)} req/s  x${(m.reqPerSec / base.reqPerSec).toFixed(2)}`
        + `  ${m.cpuUsPerReq.toFixed(1).padStart(6)} CPU-us/req  x${(m.cpuUsPerReq / base.cpuUsPerReq).toFixed(2)}`
        + `${m.errors ? `  (${m.errors} errors)` : ''}${all}`);
    };
    row('telltale, no-op emit', noop);
    row('telltale, counting', counting);
    row('autocannon', ac);
    const reqs = Math.max(1, samples / 11);
    console.log(`  (counting runs: ${samples} samples; mean http_req_duration ${(durationSum / reqs).toFixed(3)} ms,`
      + ` http_req_blocked ${(blockedSum / reqs).toFixed(3)} ms)\n`);
    t.proc?.kill();
  }
}

const [mode, ...rest] = process.argv.slice(2);
// A child goes when its parent does, however the parent ends.
if (mode !== undefined) process.on('disconnect', () => process.exit(0));
if (mode === '--serve') serve(rest[0]);
else if (mode === '--autocannon') await runAutocannon(rest[0], Number(rest[1]), Number(rest[2])).then(() => process.exit(0));
else await main();
