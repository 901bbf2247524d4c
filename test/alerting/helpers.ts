/** Test doubles for the dispatcher: a clock tests move by hand, and a local HTTP server that records requests. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dispatcher, type DispatchEvent, type DispatcherOptions } from '../../src/alerting/dispatcher.ts';
import { loadAlertingConfig } from '../../src/alerting/config.ts';
import { openAlertStore, type AlertStore } from '../../src/alerting/alert-store.ts';

export class FakeClock {
  t: number;
  constructor(start = Date.parse('2026-01-05T10:00:00Z')) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
}

/** Moves the clock to `to`, stopping at every instant the dispatcher has work due, and doing that work. */
export async function advanceTo(d: Dispatcher, clock: FakeClock, to: number): Promise<void> {
  for (let guard = 0; guard < 10_000; guard++) {
    const next = d.nextDueAt();
    if (next === undefined || next > to) break;
    clock.t = Math.max(clock.t, next);
    await d.runDue();
  }
  clock.t = Math.max(clock.t, to);
  await d.runDue();
}

export async function advanceBy(d: Dispatcher, clock: FakeClock, ms: number): Promise<void> {
  await advanceTo(d, clock, clock.t + ms);
}

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface Capture {
  url: string;
  requests: Received[];
  /** decides each response; 200 by default */
  respond: (req: Received, n: number) => { status: number; headers?: Record<string, string>; delayMs?: number; body?: string };
  close(): Promise<void>;
}

export async function startCapture(): Promise<Capture> {
  const cap: Capture = {
    url: '',
    requests: [],
    respond: () => ({ status: 200 }),
    close: async () => undefined,
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      const answer = cap.respond(r, cap.requests.length);
      cap.requests.push(r);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cap.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cap.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return cap;
}

export interface Harness {
  clock: FakeClock;
  store: AlertStore;
  dispatcher: Dispatcher;
  events: DispatchEvent[];
  sleeps: number[];
}

/** A dispatcher on a fake clock, an in-memory SQLite store (or the one given) and retries that do not sleep. */
export async function harness(
  yaml: string,
  {
    store: givenStore, clock: givenClock, externalURL, ...options
  }: { store?: AlertStore; clock?: FakeClock; externalURL?: string } & Partial<Omit<DispatcherOptions, 'clock' | 'store'>> = {},
): Promise<Harness> {
  const clock = givenClock ?? new FakeClock();
  const store = givenStore ?? (await openAlertStore(':memory:'));
  const events: DispatchEvent[] = [];
  const sleeps: number[] = [];
  const dispatcher = await Dispatcher.create({
    config: loadAlertingConfig(yaml, externalURL ? { externalURL } : {}),
    store,
    clock,
    delivery: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
    onEvent: (e) => events.push(e),
    ...options,
  });
  return { clock, store, dispatcher, events, sleeps };
}
