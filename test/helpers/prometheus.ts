/**
 * The real Prometheus (Debian package `prometheus`; .ci/ensure-prometheus installs it) for tests that prove
 * compatibility against it. Each call starts its own server on a free loopback port with a throw-away data
 * directory and stops it (by PID) in `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS_BIN = process.env.TELLTALE_TEST_PROMETHEUS ?? '/usr/bin/prometheus';
export const PROMTOOL_BIN = process.env.TELLTALE_TEST_PROMTOOL ?? '/usr/bin/promtool';

export function hasPrometheus(): boolean {
  return existsSync(PROMETHEUS_BIN);
}

export interface PrometheusOptions {
  /** prometheus.yml contents; an empty config (no scrapes) by default */
  config?: string;
  /** a data directory to use (for example one filled by `promtool tsdb create-blocks-from`); a new temp dir otherwise */
  dataDir?: string;
  /** extra flags, e.g. `--web.enable-remote-write-receiver` */
  args?: string[];
}

export interface RunningPrometheus {
  url: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  /** stderr so far, for failure messages */
  log(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startPrometheus(options: PrometheusOptions = {}): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'tt-prom-'));
  const dataDir = options.dataDir ?? join(dir, 'data');
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, options.config ?? 'global:\n  scrape_interval: 15s\n');
  const port = await freePort();
  const child = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 100_000) stderr = stderr.slice(-50_000);
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return { url, port, dataDir, process: child, log: () => stderr, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`prometheus did not become ready on ${url}:\n${stderr}`);
}
