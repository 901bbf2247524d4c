/**
 * Recent results per check, in memory, for the dashboard: a bounded ring per check (the oldest result is
 * dropped first), with every failure message kept. Long-range views (uptime over 30 days) read the
 * probe_success series instead (uptime.ts).
 */
import type { CheckResult } from './result-types.ts';

export const DEFAULT_HISTORY_SIZE = 100;

class Ring {
  readonly #items: (CheckResult | undefined)[];
  #next = 0;
  #size = 0;

  constructor(capacity: number) {
    this.#items = new Array<CheckResult | undefined>(capacity);
  }

  push(r: CheckResult): void {
    this.#items[this.#next] = r;
    this.#next = (this.#next + 1) % this.#items.length;
    this.#size = Math.min(this.#size + 1, this.#items.length);
  }

  /** Newest first. */
  list(limit: number): CheckResult[] {
    const out: CheckResult[] = [];
    const n = Math.min(limit, this.#size);
    for (let i = 1; i <= n; i++) out.push(this.#items[(this.#next - i + this.#items.length) % this.#items.length]!);
    return out;
  }
}

export class ResultHistory {
  readonly #capacity: number;
  readonly #rings = new Map<string, Ring>();

  constructor(capacity = DEFAULT_HISTORY_SIZE) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('history capacity must be a positive integer');
    this.#capacity = capacity;
  }

  add(r: CheckResult): void {
    let ring = this.#rings.get(r.check);
    if (ring === undefined) {
      ring = new Ring(this.#capacity);
      this.#rings.set(r.check, ring);
    }
    ring.push(r);
  }

  /** The check's results, newest first (at most `limit`). */
  recent(check: string, limit = this.#capacity): CheckResult[] {
    return this.#rings.get(check)?.list(limit) ?? [];
  }

  latest(check: string): CheckResult | undefined {
    return this.recent(check, 1)[0];
  }

  /** The latest failed runs of the check, newest first, with their failure messages. */
  failures(check: string, limit = 10): CheckResult[] {
    return this.recent(check).filter((r) => r.status === 'failed').slice(0, limit);
  }

  checks(): string[] {
    return [...this.#rings.keys()].sort();
  }

  remove(check: string): void {
    this.#rings.delete(check);
  }
}
