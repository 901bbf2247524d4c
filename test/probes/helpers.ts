import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../src/load/clock.ts';
import type { CheckDefinition } from '../../src/probes/check-types.ts';
import { parseChecks } from '../../src/probes/parse-checks.ts';
import type { CheckResult } from '../../src/probes/result-types.ts';
import { runCheck } from '../../src/probes/run-check.ts';

export const TLS_CERT = readFileSync(new URL('../fixtures/tls/cert.pem', import.meta.url), 'utf8');
export const TLS_KEY = readFileSync(new URL('../fixtures/tls/key.pem', import.meta.url), 'utf8');
/** notAfter of the fixture certificate. */
export const TLS_CERT_EXPIRY = Date.parse('2126-10-30T15:46:36Z');

/** One validated check from its input form (name defaults to "t"). */
export function defineCheck<T extends CheckDefinition = CheckDefinition>(input: Record<string, unknown>): T {
  return parseChecks([{ name: 't', ...input }])[0] as T;
}

/** Runs a check for real (system clock, real sockets). */
export function probe(input: Record<string, unknown>): Promise<CheckResult> {
  return runCheck(defineCheck(input), { clock: systemClock });
}

export interface Closable {
  port: number;
  close(): Promise<void>;
}

function closer(server: net.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
}

async function listen(server: net.Server, host = '127.0.0.1'): Promise<Closable> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // The TLS server's raw sockets arrive on 'connection' too; its TLS sockets on 'secureConnection'.
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { port: (server.address() as AddressInfo).port, close: closer(server, sockets) };
}

export function startHttp(handler: http.RequestListener): Promise<Closable> {
  return listen(http.createServer(handler));
}

export function startHttps(handler: http.RequestListener): Promise<Closable> {
  return listen(https.createServer({ cert: TLS_CERT, key: TLS_KEY }, handler));
}

/** A raw TCP server: `onConnection` decides what the socket gets (garbage, nothing, an early close). */
export function startTcp(onConnection: (socket: net.Socket) => void, host = '127.0.0.1'): Promise<Closable> {
  return listen(net.createServer(onConnection), host);
}
