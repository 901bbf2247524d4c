/**
 * Shared answers for identical queries. Dashboards ask the same questions at once: every open service page
 * sends the same range queries, aligned to the step (web/src/ranges.ts), every refresh. Identical requests in
 * flight share one evaluation, and an answer is reused for a short time — a range query's for one step
 * (bounded to 1–30 s), an instant query's for one second (at the server's time) or a few seconds (at a given
 * time) — so fifty viewers cost about what one does. Answers may thus lag new samples by up to that time.
 * Failures are never kept. Bounded by entries and by the points an answer holds.
 */
export interface QueryCacheOptions {
  now?: () => number;
  /** answers kept at most (oldest dropped first); default 512 */
  maxEntries?: number;
  /** answers with more points than this are shared while in flight but not kept; default 200,000 */
  maxPoints?: number;
}

interface Entry {
  value: Promise<unknown>;
  /** epoch ms after which the entry is not used; Infinity while in flight */
  expires: number;
}

export class QueryCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly maxEntries: number;
  readonly maxPoints: number;
  hits = 0;
  misses = 0;

  constructor(options: QueryCacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 512;
    this.maxPoints = options.maxPoints ?? 200_000;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The answer for `key`: shared if one is in flight or fresh, else computed. `points` sizes the answer. */
  get<T>(key: string, ttlMs: number, compute: () => Promise<T>, points: (value: T) => number): Promise<T> {
    const now = this.now();
    const found = this.entries.get(key);
    if (found && found.expires > now) {
      this.hits++;
      return found.value as Promise<T>;
    }
    this.misses++;
    if (found) this.entries.delete(key);
    const value = compute();
    const entry: Entry = { value, expires: Infinity };
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    value.then(
      (v) => {
        if (this.entries.get(key) !== entry) return;
        if (ttlMs <= 0 || points(v) > this.maxPoints) this.entries.delete(key);
        else entry.expires = this.now() + ttlMs;
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return value;
  }

  /** How long a range query's answer is kept: one step, at least 1 s and at most 30 s. */
  static rangeTtl(stepMs: number): number {
    return Math.min(30_000, Math.max(1000, stepMs));
  }
}
