/**
 * Failed-login throttling, per client address and per user name: the first few failures are free, then
 * each one locks the key out for twice as long as the last (1 s, 2 s, 4 s ... up to 15 minutes). A
 * successful login clears the user's and the address's record. Keys that have been quiet for longer than
 * the longest lockout are forgotten, and the table never holds more than `maxKeys`.
 */
export interface LoginLimiterOptions {
  now?: () => number;
  /** failures allowed before lockouts begin (default 5) */
  freeFailures?: number;
  baseLockMs?: number;
  maxLockMs?: number;
  maxKeys?: number;
}

interface Entry {
  failures: number;
  lockedUntil: number;
  last: number;
}

export class LoginLimiter {
  private readonly now: () => number;
  private readonly free: number;
  private readonly base: number;
  private readonly max: number;
  private readonly maxKeys: number;
  private readonly entries = new Map<string, Entry>();

  constructor(options: LoginLimiterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.free = options.freeFailures ?? 5;
    this.base = options.baseLockMs ?? 1000;
    this.max = options.maxLockMs ?? 15 * 60_000;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  /** Milliseconds until any of `keys` may try again; 0 when all may. */
  retryAfter(keys: string[]): number {
    const now = this.now();
    return Math.max(0, ...keys.map((k) => (this.entries.get(k)?.lockedUntil ?? 0) - now));
  }

  fail(keys: string[]): void {
    const now = this.now();
    this.prune(now);
    for (const k of keys) {
      const e = this.entries.get(k) ?? { failures: 0, lockedUntil: 0, last: now };
      e.failures += 1;
      e.last = now;
      if (e.failures >= this.free) e.lockedUntil = now + Math.min(this.max, this.base * 2 ** Math.min(30, e.failures - this.free));
      this.entries.delete(k);
      this.entries.set(k, e);
    }
    while (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value as string);
  }

  succeed(keys: string[]): void {
    for (const k of keys) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(now: number): void {
    for (const [k, e] of this.entries) {
      if (e.lockedUntil <= now && now - e.last > this.max) this.entries.delete(k);
    }
  }
}
