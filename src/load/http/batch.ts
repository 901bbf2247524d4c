/**
 * `http.batch()`: the accepted request shapes and the concurrency limits, after k6's js/modules/k6/http/request.go
 * and lib/netext/httpext/batch.go: min(n, batch) workers pull requests in order, and a per-host slot limiter
 * (keyed by host[:port]) holds at most batchPerHost of them in flight per host.
 */
import { isTemplatedUrl, resolveTarget, type HttpUrl } from './url.ts';
import type { BatchRequest, Params, RequestBody } from './types.ts';

export interface BatchItem {
  method: string;
  url: string | HttpUrl;
  body: RequestBody | null | undefined;
  params: Params | undefined;
}

export function parseBatchItem(val: BatchRequest, key: string | number): BatchItem {
  if (typeof val === 'string' || isTemplatedUrl(val)) return { method: 'GET', url: val, body: null, params: undefined };
  if (Array.isArray(val)) {
    if (val.length < 2) throw new TypeError(`invalid batch request '${JSON.stringify(val)}'`);
    if (typeof val[0] !== 'string') throw new TypeError(`invalid method type '${String(val[0])}'`);
    return { method: val[0], url: val[1], body: val[2], params: val[3] ?? undefined };
  }
  if (typeof val === 'object' && val !== null) {
    const obj = val as Exclude<BatchRequest, string | HttpUrl | readonly unknown[]>;
    if (!('url' in obj)) throw new TypeError(`batch request ${key} doesn't have a url key`);
    let method = 'GET';
    let body = obj.body;
    if (obj.method !== undefined) {
      if (typeof obj.method !== 'string') throw new TypeError(`invalid method type '${String(obj.method)}'`);
      method = obj.method.toUpperCase();
      if (method === 'GET' || method === 'HEAD') body = null;
    }
    return { method, url: obj.url, body, params: obj.params ?? undefined };
  }
  // k6 hands anything else to its URL parser, which rejects it as an invalid URL (code 1020).
  return { method: 'GET', url: String(val), body: null, params: undefined };
}

/** Counting semaphore; waiters are served in arrival order. */
class Slots {
  #free: number;
  readonly #waiters: Array<() => void> = [];

  constructor(n: number) {
    this.#free = n;
  }

  acquire(): Promise<void> | null {
    if (this.#free > 0) {
      this.#free--;
      return null;
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) next();
    else this.#free++;
  }
}

function hostOf(url: string | HttpUrl): string {
  try {
    return resolveTarget(typeof url === 'string' ? url : url.url).host;
  } catch {
    return '';
  }
}

/**
 * Runs `run` for every item with at most `limit` in flight overall (0: no limit) and `perHost` per host
 * (0: no limit). Results keep the items' order.
 */
export async function runBatch<T>(
  items: readonly BatchItem[],
  limit: number,
  perHost: number,
  run: (item: BatchItem) => Promise<T>,
): Promise<T[]> {
  const n = items.length;
  const results = new Array<T>(n);
  const hosts = new Map<string, Slots>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const item = items[i];
      let slots: Slots | null = null;
      if (perHost > 0) {
        const host = hostOf(item.url);
        slots = hosts.get(host) ?? null;
        if (slots === null) {
          slots = new Slots(perHost);
          hosts.set(host, slots);
        }
        const wait = slots.acquire();
        if (wait !== null) await wait;
      }
      try {
        results[i] = await run(item);
      } finally {
        slots?.release();
      }
    }
  };
  const workers = Math.min(n, limit > 0 ? limit : n);
  const all: Promise<void>[] = [];
  for (let w = 0; w < workers; w++) all.push(worker());
  await Promise.all(all);
  return results;
}
