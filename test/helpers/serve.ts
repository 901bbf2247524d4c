/**
 * A real `telltale serve` child process on 127.0.0.1 with an ephemeral port, for end-to-end tests and
 * benchmarks, and `api()`, the one place requests to it are made (so credentials, when the server asks for
 * them, are added here and nowhere else).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { encodeWriteRequest, snappyEncode, type EncodableSeries } from '../../src/ingest/remote-write-codec.ts';
import { BIN, ROOT } from './cli.ts';

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** an admin API token made for this server before it started (`api()` sends the latest one) */
  token: string;
  stderr(): string;
  exit: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code */
  stop(graceMs?: number): Promise<number | null>;
}

export interface ServeOptions {
  cwd?: string;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

let latestToken: string | undefined;
let tokens = 0;

/** An admin token in the auth store the server with these args will use, made with `telltale token create`. */
export function makeAdminToken(args: readonly string[], options: ServeOptions = {}): string {
  const pass = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 && i + 1 < args.length ? [flag, args[i + 1]] : [];
  };
  const r = spawnSync(process.execPath, [BIN, 'token', 'create', ...pass('--config'), ...pass('--data'), '--name', `e2e admin ${process.pid} ${++tokens}`, '--scope', 'admin', '--json'], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`telltale token create failed (${r.status}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as { token: string }).token;
}

/**
 * Starts `telltale serve --listen 127.0.0.1:0 ARGS...` and resolves once it says where it listens; an admin
 * token is made for it first, and `api()` sends it from then on.
 */
export function startServe(args: string[], options: ServeOptions = {}): Promise<ServeProcess> {
  const token = makeAdminToken(args, options);
  latestToken = token;
  const child = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--log-level', 'warn', ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const stop = async (graceMs = 20_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exit;
    clearTimeout(timer);
    return code;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start:\n${err}`));
    }, options.startTimeoutMs ?? 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], token, stderr: () => err, exit, stop });
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`serve exited:\n${err}`));
    });
  });
}

/** Headers every request to the server carries: the token of the server started last. */
export function apiHeaders(): Record<string, string> {
  return latestToken ? { authorization: `Bearer ${latestToken}` } : {};
}

/** fetch against the server, with `apiHeaders()` merged in. */
export function api(base: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}${path}`, { ...init, headers: { ...apiHeaders(), ...(init.headers as Record<string, string> | undefined) } });
}

/** Polls `fn` until it returns a value (not undefined), every `everyMs`, failing after `timeoutMs`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 40_000, everyMs = 300): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Sends series to a remote_write 1.0 endpoint (snappy-compressed protobuf), as Prometheus' remote write does. */
export async function remoteWrite(base: string, series: readonly EncodableSeries[], headers: Record<string, string> = {}): Promise<Response> {
  const body = snappyEncode(encodeWriteRequest(series));
  return api(base, '/api/v1/write', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', ...headers },
  });
}
