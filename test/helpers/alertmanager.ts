/**
 * The real Alertmanager (Debian package `prometheus-alertmanager`) for tests that talk its v2 API. Each call
 * starts its own server on a free loopback port, without clustering, with a throw-away storage directory,
 * and stops it (by PID) in `stop()`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './prometheus.ts';

export const ALERTMANAGER_BIN = process.env.TELLTALE_TEST_ALERTMANAGER ?? '/usr/bin/prometheus-alertmanager';

export function hasAlertmanager(): boolean {
  return existsSync(ALERTMANAGER_BIN);
}

export interface RunningAlertmanager {
  url: string;
  port: number;
  log(): string;
  stop(): Promise<void>;
}

/** A route to a receiver that sends nothing: the tests look at the API, not at notifications. */
export const QUIET_CONFIG = 'route:\n  receiver: quiet\n  group_wait: 1s\n  group_interval: 1s\nreceivers:\n  - name: quiet\n';

export async function startAlertmanager(options: { config?: string; args?: string[] } = {}): Promise<RunningAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'tt-am-'));
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, options.config ?? QUIET_CONFIG);
  const port = await freePort();
  const child = spawn(
    ALERTMANAGER_BIN,
    [`--config.file=${configFile}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn', ...(options.args ?? [])],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-50_000);
  });
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
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok) return { url, port, log: () => stderr, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`alertmanager did not become ready on ${url}:\n${stderr}`);
}
