/**
 * A private nginx for the benchmarks: its own config, PID, logs and temp dirs under a fresh temp
 * directory, an unprivileged port on loopback, one worker pinned to one core. The system service (if
 * any) is never touched; this process is stopped by its own PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinned, sleep } from './util.ts';

const TEMPLATE = fileURLToPath(new URL('../nginx/nginx.conf.template', import.meta.url));

export interface NginxOptions {
  /** Loopback only: 127.0.0.1 (default) or ::1. */
  host?: '127.0.0.1' | '::1';
  /** 0 or absent: a free port above 1024. */
  port?: number;
  /** Core to pin nginx to; default 0. null: no pinning. */
  cpu?: number | null;
  nginxBin?: string;
}

export interface NginxServer {
  url: string;
  host: string;
  port: number;
  pid: number;
  prefix: string;
  pinned: boolean;
  /** Stops nginx (SIGTERM to its master, SIGKILL after 5 s) and removes its temp directory. */
  stop(): Promise<void>;
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function getOnce(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startNginx(opts: NginxOptions = {}): Promise<NginxServer> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1') throw new Error('the benchmark nginx listens on loopback only');
  const port = opts.port || (await freePort(host));
  if (port <= 1024) throw new Error(`port ${port} is privileged; use a port above 1024`);
  const prefix = mkdtempSync(join(os.tmpdir(), 'telltale-bench-nginx-'));
  const listenHost = host === '::1' ? '[::1]' : host;
  const conf = readFileSync(TEMPLATE, 'utf8')
    .replaceAll('{{PREFIX}}', prefix)
    .replaceAll('{{HOST}}', listenHost)
    .replaceAll('{{PORT}}', String(port));
  const confFile = join(prefix, 'nginx.conf');
  writeFileSync(confFile, conf);

  const bin = opts.nginxBin ?? 'nginx';
  // -e: nginx opens its default error log before reading the config; keep that inside the prefix too.
  const cmd = pinned(opts.cpu === undefined ? 0 : opts.cpu, bin, ['-p', prefix, '-c', confFile, '-e', join(prefix, 'error.log')]);
  const child = spawn(cmd.cmd, cmd.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const pid = child.pid!;

  const cleanupOnExit = (): void => {
    try { process.kill(pid, 'SIGTERM'); } catch { /* already stopped */ }
  };
  process.once('exit', cleanupOnExit);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', cleanupOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      try { process.kill(pid, 'SIGTERM'); } catch { /* already stopped */ }
      const killed = await Promise.race([exited(child).then(() => true), sleep(5000).then(() => false)]);
      if (!killed) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* already stopped */ }
        await exited(child);
      }
    }
    rmSync(prefix, { recursive: true, force: true });
  };

  const url = `http://${listenHost}:${port}/`;
  const deadline = Date.now() + 10_000;
  while (true) {
    if (child.exitCode !== null || child.signalCode !== null) {
      let log = '';
      try { log = readFileSync(join(prefix, 'error.log'), 'utf8'); } catch { /* none written */ }
      await stop();
      throw new Error(`nginx exited during startup (${child.exitCode ?? child.signalCode}): ${(stderr + log).trim()}`);
    }
    try {
      if ((await getOnce(url)) === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not answer on ${url} within 10 s: ${stderr.trim()}`);
    }
    await sleep(50);
  }
  return { url, host, port, pid, prefix, pinned: cmd.pinned, stop };
}

/** Stops the server when the benchmark is interrupted, then exits with the usual signal status. */
export function stopOnSignals(server: NginxServer): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void server.stop().finally(() => process.exit(128 + (sig === 'SIGINT' ? 2 : 15)));
    });
  }
}
