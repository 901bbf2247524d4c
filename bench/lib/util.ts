/**
 * Shared plumbing of the benchmarks: bounded child processes, CPU pinning, flags, machine description,
 * result files and tables.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');
/** TELLTALE_BENCH_BIN points the benchmarks at another build of the CLI (same flags and summary export). */
export const TELLTALE_BIN = process.env.TELLTALE_BENCH_BIN || join(REPO_ROOT, 'bin', 'telltale.js');
export const AUTOCANNON_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'autocannon');

function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-').map(Number);
    for (let c = a; c <= (b ?? a); c++) cpus.push(c);
  }
  return cpus;
}

/** CPUs this process may run on (the affinity mask, which containers often narrow below nproc). */
export function allowedCpus(): number[] {
  try {
    const list = /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (list) return parseCpuList(list);
  } catch {
    // not Linux: fall through
  }
  return os.cpus().map((_, i) => i);
}

/**
 * CPUs a child may be pinned to: the container's (cgroup cpuset), not this process' own mask, so a benchmark
 * started under `taskset -c 1` still puts its server on CPU 0.
 */
export function pinnableCpus(): number[] {
  for (const file of ['/sys/fs/cgroup/cpuset.cpus.effective', '/sys/fs/cgroup/cpuset/cpuset.effective_cpus', '/sys/fs/cgroup/cpuset/cpuset.cpus']) {
    try {
      const cpus = parseCpuList(readFileSync(file, 'utf8'));
      if (cpus.length > 0) return cpus;
    } catch {
      // not this cgroup layout
    }
  }
  return os.cpus().map((_, i) => i);
}

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Prefixes a command with `taskset -c <cpu>` when that CPU exists and taskset is installed, so server and
 * generator do not compete for a core. Without it the command runs unpinned and `pinned` says so.
 */
export function pinned(cpu: number | null, cmd: string, args: string[]): { cmd: string; args: string[]; pinned: boolean } {
  if (cpu === null || !pinnableCpus().includes(cpu) || !hasCommand('taskset')) return { cmd, args, pinned: false };
  return { cmd: 'taskset', args: ['-c', String(cpu), cmd, ...args], pinned: true };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  wallMs: number;
}

export interface RunOptions {
  /** Hard limit: the child gets SIGTERM, then SIGKILL 5 s later. */
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called once with the child's PID right after it starts (taskset execs the command, keeping the PID). */
  onStart?: (pid: number) => void;
}

/** Runs a command to completion, capturing its output, never longer than `timeoutMs`. */
export function runCommand(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd ?? REPO_ROOT, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try { process.kill(child.pid, 'SIGTERM'); } catch { /* already gone */ }
        killTimer = setTimeout(() => {
          try { process.kill(child.pid!, 'SIGKILL'); } catch { /* already gone */ }
        }, 5000);
      }
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('spawn', () => { if (child.pid !== undefined) opts.onStart?.(child.pid); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      resolve({ code, signal, stdout, stderr, timedOut, wallMs: performance.now() - started });
    });
  });
}

/** Minimal `--name value` / `--flag` parser; numeric values come back as strings. */
export function parseFlags(argv: string[]): Map<string, string | true> {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags.set(a.slice(2), argv[++i]);
    else flags.set(a.slice(2), true);
  }
  return flags;
}

export function numberFlag(flags: Map<string, string | true>, name: string, fallback: number): number {
  const v = flags.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === true || !Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number`);
  return n;
}

/** A core number for taskset; `none` disables pinning. */
export function cpuFlag(flags: Map<string, string | true>, name: string, fallback: number): number | null {
  const v = flags.get(name);
  if (v === undefined) return fallback;
  if (v === 'none') return null;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a core number or "none"`);
  return n;
}

export interface MachineInfo {
  cpuModel: string;
  nproc: number;
  allowedCpus: number[];
  memTotal: string;
  kernel: string;
  node: string;
  /** 1/5/15-minute load averages when the benchmark started: other work on the machine skews results. */
  loadAvg: number[];
  nginx?: string;
  wrk?: string;
}

function firstLine(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return undefined;
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0] || undefined;
}

export function machineInfo(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model?.trim() || 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // keep os.cpus()' model
  }
  return {
    cpuModel,
    nproc: os.availableParallelism(),
    allowedCpus: allowedCpus(),
    memTotal: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAvg: os.loadavg().map((l) => Math.round(l * 100) / 100),
    nginx: firstLine('nginx', ['-v']),
    wrk: firstLine('wrk', ['-v']),
  };
}

/** Warns when something else keeps the CPUs busy, since every figure here assumes idle cores. */
export function warnIfBusy(): void {
  const [load1] = os.loadavg();
  if (load1 > 0.5) process.stderr.write(`warning: 1-minute load average is ${load1.toFixed(2)}; other work on this machine will skew the figures\n`);
}

export function writeResult(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}

export function tempFile(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** Left-aligned first column, right-aligned others. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function fmt(n: number | undefined | null, digits = 0): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '-';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtMs(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '-';
  return n < 10 ? `${n.toFixed(2)}ms` : `${n.toFixed(1)}ms`;
}

/** Why `node bin/telltale.js` cannot run yet, or undefined when it looks runnable. */
export function telltaleUnavailable(): string | undefined {
  if (!existsSync(TELLTALE_BIN)) return 'bin/telltale.js is missing';
  const probe = spawnSync(process.execPath, [TELLTALE_BIN, '--help'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
  if (probe.error) return probe.error.message;
  if (probe.status !== 0) {
    const msg = `${probe.stderr}${probe.stdout}`.trim().split('\n').find((l) => /error/i.test(l)) ?? `exit code ${probe.status}`;
    return msg.slice(0, 200);
  }
  return undefined;
}

/**
 * A metric from a summary export, in either k6 shape: `--summary-export` puts stats directly on the
 * metric (`{ count, rate }`), handleSummary data nests them under `values`.
 */
export function summaryStat(summary: unknown, metric: string, stat: string): number | undefined {
  const m = (summary as { metrics?: Record<string, Record<string, unknown>> })?.metrics?.[metric];
  if (!m) return undefined;
  const direct = m[stat];
  if (typeof direct === 'number') return direct;
  const nested = (m.values as Record<string, unknown> | undefined)?.[stat];
  return typeof nested === 'number' ? nested : undefined;
}

export function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

export function ensureDir(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
