/**
 * Runs `node bin/telltale.js run ...` for a benchmark: bounded in time, optionally pinned, with its
 * summary export read back and its memory sampled from /proc while it runs.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { TELLTALE_BIN, pinned, readJson, runCommand, telltaleUnavailable } from './util.ts';

export interface MemorySample {
  /** ms since the process started */
  t: number;
  /** Resident set of the telltale process (all its threads) plus any child processes, in bytes. */
  rss: number;
  /** The kernel's high-water mark of the telltale process's own RSS, in bytes. */
  hwm: number;
}

function statusKb(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s*(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The process and all its descendants. Worker threads are part of the process and need no listing. */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let tids: string[];
    try { tids = readdirSync(`/proc/${out[i]}/task`); } catch { continue; }
    for (const tid of tids) {
      try {
        for (const c of readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').trim().split(/\s+/)) if (c) out.push(Number(c));
      } catch {
        // thread exited
      }
    }
  }
  return out;
}

export function sampleMemory(pid: number, t: number): MemorySample | undefined {
  try {
    // Until taskset has exec'd the engine, the PID is taskset's own small process.
    if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'taskset') return undefined;
  } catch {
    return undefined;
  }
  const own = statusKb(pid, 'VmRSS');
  if (own === 0) return undefined;
  const rss = processTree(pid).reduce((sum, p) => sum + (p === pid ? own : statusKb(p, 'VmRSS')), 0);
  return { t, rss, hwm: statusKb(pid, 'VmHWM') };
}

export interface TelltaleRunOptions {
  /** Arguments after `run`, script path last. */
  args: string[];
  timeoutMs: number;
  cpu?: number | null;
  /** Sample memory this often (ms); no sampling when absent. */
  sampleEveryMs?: number;
  onSample?: (s: MemorySample) => void;
}

export interface TelltaleRunResult {
  ok: boolean;
  /** Why the run failed or could not start. */
  note?: string;
  exitCode?: number | null;
  summary?: unknown;
  samples: MemorySample[];
  wallMs?: number;
  pinned?: boolean;
}

/** Runs telltale with `--summary-export`; never throws for a failing or missing engine, reports it instead. */
export async function runTelltale(opts: TelltaleRunOptions): Promise<TelltaleRunResult> {
  const why = telltaleUnavailable();
  if (why) return { ok: false, note: `not available: ${why}`, samples: [] };
  const dir = mkdtempSync(join(os.tmpdir(), 'telltale-bench-'));
  const out = join(dir, 'summary.json');
  const samples: MemorySample[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const args = ['run', '--summary-export', out, ...opts.args];
    const cmd = pinned(opts.cpu ?? null, process.execPath, [TELLTALE_BIN, ...args]);
    let started = 0;
    const r = await runCommand(cmd.cmd, cmd.args, {
      timeoutMs: opts.timeoutMs,
      onStart: (pid) => {
        started = performance.now();
        if (opts.sampleEveryMs === undefined) return;
        const take = (): void => {
          const s = sampleMemory(pid, performance.now() - started);
          if (s) {
            samples.push(s);
            opts.onSample?.(s);
          }
        };
        take();
        timer = setInterval(take, opts.sampleEveryMs);
      },
    });
    if (timer) clearInterval(timer);
    if (r.code !== 0) {
      const msg = `${r.stderr}${r.stdout}`.trim().split('\n').slice(-3).join(' ').slice(0, 300);
      return { ok: false, exitCode: r.code, note: `exit ${r.code ?? r.signal}${r.timedOut ? ' (timed out)' : ''}: ${msg}`, samples, wallMs: r.wallMs, pinned: cmd.pinned };
    }
    let summary: unknown;
    try {
      summary = readJson(out);
    } catch (err) {
      return { ok: false, exitCode: r.code, note: `no summary export (${(err as Error).message})`, samples, wallMs: r.wallMs, pinned: cmd.pinned };
    }
    return { ok: true, exitCode: r.code, summary, samples, wallMs: r.wallMs, pinned: cmd.pinned };
  } finally {
    if (timer) clearInterval(timer);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Least-squares slope of y over x. */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

export const MB = 1024 * 1024;
