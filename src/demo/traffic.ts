/**
 * Background traffic for the demo API, so a newcomer's `telltale serve --demo` shows live golden signals:
 * an open-model request stream whose rate swings slowly around its mean (a compressed day), over a route
 * mix like a shop's (mostly catalogue reads, some searches, a few orders). It only ever targets the demo
 * server's loopback URL and stops by itself after `durationMs` or `maxRequests`.
 */
import http from 'node:http';

export interface TrafficOptions {
  /** the demo API, e.g. http://127.0.0.1:PORT (must be loopback) */
  baseUrl: string;
  /** mean requests per second (default 20) */
  rate?: number;
  /** how long to keep going (default 1 h) */
  durationMs?: number;
  /** stop after this many requests (default: rate × duration) */
  maxRequests?: number;
  /** period of the rate's swing (default 10 min) */
  periodMs?: number;
  random?: () => number;
}

export interface Traffic {
  readonly sent: number;
  /** resolves when the stream has stopped and every request has finished */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

const ROUTES: Array<{ weight: number; method: 'GET' | 'POST'; path: (r: () => number) => string; body?: (r: () => number) => string }> = [
  { weight: 50, method: 'GET', path: () => '/api/products?limit=20' },
  { weight: 25, method: 'GET', path: (r) => `/api/products/${1 + Math.floor(r() * 55)}` },
  { weight: 12, method: 'GET', path: (r) => `/api/search?q=${'product'.slice(0, 1 + Math.floor(r() * 7))}` },
  { weight: 8, method: 'POST', path: () => '/api/orders', body: (r) => JSON.stringify({ productId: 1 + Math.floor(r() * 50), quantity: 1 }) },
  { weight: 5, method: 'GET', path: () => '/health' },
];
const TOTAL_WEIGHT = ROUTES.reduce((a, r) => a + r.weight, 0);

export function startTraffic(options: TrafficOptions): Traffic {
  const base = new URL(options.baseUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname)) throw new Error(`demo traffic only targets loopback, not ${base.hostname}`);
  const rate = options.rate ?? 20;
  const durationMs = options.durationMs ?? 3_600_000;
  const maxRequests = options.maxRequests ?? Math.ceil((rate * durationMs) / 1000);
  const periodMs = options.periodMs ?? 600_000;
  const random = options.random ?? Math.random;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
  const started = Date.now();
  let sent = 0;
  let inFlight = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const finishIfIdle = () => {
    if (stopped && inFlight === 0) {
      agent.destroy();
      resolveDone();
    }
  };

  const fire = () => {
    let pick = random() * TOTAL_WEIGHT;
    const route = ROUTES.find((r) => (pick -= r.weight) < 0) ?? ROUTES[0];
    const body = route.body?.(random);
    inFlight++;
    sent++;
    const req = http.request(
      { host: base.hostname.replace(/^\[|\]$/g, ''), port: base.port, path: route.path(random), method: route.method, agent, timeout: 10_000, headers: body ? { 'content-type': 'application/json' } : {} },
      (res) => {
        res.resume();
        res.on('end', () => {
          inFlight--;
          finishIfIdle();
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      inFlight--;
      finishIfIdle();
    });
    req.end(body);
  };

  const schedule = () => {
    const elapsed = Date.now() - started;
    if (stopped || elapsed >= durationMs || sent >= maxRequests) {
      stopped = true;
      finishIfIdle();
      return;
    }
    fire();
    // a slow swing between 40% and 160% of the mean, with exponential gaps (Poisson arrivals)
    const now = rate * (1 + 0.6 * Math.sin((2 * Math.PI * elapsed) / periodMs));
    const gap = (-Math.log(1 - random()) / now) * 1000;
    timer = setTimeout(schedule, Math.min(gap, 5000));
  };
  timer = setTimeout(schedule, 0);

  return {
    get sent() {
      return sent;
    },
    done,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      finishIfIdle();
      await done;
    },
  };
}
