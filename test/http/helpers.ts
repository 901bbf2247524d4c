/** Local servers and a sample-collecting context for the HTTP client tests. Everything listens on 127.0.0.1:0. */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import type { Sample, Tags } from '../../src/metrics/types.ts';
import type { HttpDefaults, RequestContext } from '../../src/load/http/index.ts';

export const TLS_DIR = join(import.meta.dirname, '..', 'fixtures', 'tls');
export const tlsKey = readFileSync(join(TLS_DIR, 'key.pem'));
export const tlsCert = readFileSync(join(TLS_DIR, 'cert.pem'));

export const ALL_SYSTEM_TAGS = new Set([
  'proto', 'subproto', 'status', 'method', 'url', 'name', 'group', 'check', 'error', 'error_code', 'tls_version',
  'scenario', 'service', 'expected_response', 'ip',
]);

export function defaults(over: Partial<HttpDefaults> = {}): HttpDefaults {
  return {
    userAgent: 'telltale-test/1.0',
    timeoutMs: 60_000,
    maxRedirects: 10,
    discardResponseBodies: false,
    insecureSkipTLSVerify: false,
    noConnectionReuse: false,
    batchPerHost: 6,
    batch: 20,
    systemTags: ALL_SYSTEM_TAGS,
    ...over,
  };
}

export interface Collector extends RequestContext {
  samples: Sample[];
  /** Samples of one metric, in emission order. */
  of(metric: string): Sample[];
  clear(): void;
}

export function collector(baseTags: Tags = { scenario: 'default' }, extra: Partial<RequestContext> = {}): Collector {
  const samples: Sample[] = [];
  const origin = performance.timeOrigin;
  return {
    baseTags,
    samples,
    emit: (s) => samples.push(s),
    now: () => origin + performance.now(),
    of: (metric) => samples.filter((s) => s.metric === metric),
    clear: () => {
      samples.length = 0;
    },
    ...extra,
  };
}

export interface Started<S> {
  server: S;
  port: number;
  url: string;
  close(): Promise<void>;
}

async function listen<S extends net.Server>(server: S, scheme: string): Promise<Started<S>> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    server,
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void;

/** A node:http server whose handler also gets the fully read request body. */
export function httpServer(handler: Handler): Promise<Started<http.Server>> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  return listen(server, 'http');
}

export function httpsServer(handler: Handler): Promise<Started<https.Server>> {
  const server = https.createServer({ key: tlsKey, cert: tlsCert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  return listen(server, 'https');
}

/** A raw TCP server: `onData` sees what the client sent and may answer anything, or nothing. */
export function tcpServer(onConnection: (socket: net.Socket) => void): Promise<Started<net.Server>> {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    onConnection(s);
  });
  return listen(server, 'http');
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
