/**
 * Runs one scrape loop per target of a scrape configuration. Each target scrapes at a fixed offset within
 * its interval, derived from a hash of its labels and a per-process seed (as Prometheus spreads targets, so
 * a fleet of them does not scrape in lockstep); missed ticks are skipped, never bunched. Applying a new
 * configuration keeps the loops of unchanged targets, starts new ones and stops removed ones, whose series
 * get staleness markers. Time comes from the injected clock.
 */
import type { Clock } from '../load/clock.ts';
import type { Storage } from '../series/types.ts';
import type { ScrapeConfigFile, ScrapeJobConfig } from './scrape-config.ts';
import { ScrapeLoop, type HttpGet, type ScrapeReport } from './scrape-loop.ts';
import { jobTargets, type ScrapeTarget } from './scrape-targets.ts';

export interface ScrapeManagerOptions {
  storage: Storage;
  clock: Clock;
  http?: HttpGet;
  /** Mixed into every target's offset; fixed in tests, random per process otherwise. */
  offsetSeed?: number;
  keepCreatedSeries?: boolean;
  /** Called after every scrape (for logs and the targets page). */
  onScrape?: (target: ScrapeTarget, report: ScrapeReport) => void;
}

interface Running {
  loop: ScrapeLoop;
  jobKey: string;
  abort: AbortController;
  done: Promise<void>;
}

function fnv1a(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The first scrape time at or after `now` whose position within the interval is the target's offset. */
export function firstScrapeTime(now: number, intervalMs: number, targetKey: string, seed: number): number {
  const offset = fnv1a(targetKey, seed) % intervalMs;
  let next = now - (now % intervalMs) + offset;
  if (next < now) next += intervalMs;
  return next;
}

function jobKey(job: ScrapeJobConfig): string {
  // everything that changes what a loop does, regexes included
  return JSON.stringify(job, (_k, v) => (v instanceof RegExp ? v.source : v));
}

export class ScrapeManager {
  private readonly options: ScrapeManagerOptions;
  private readonly seed: number;
  private readonly running = new Map<string, Running>();

  constructor(options: ScrapeManagerOptions) {
    this.options = options;
    this.seed = options.offsetSeed ?? Math.floor(Math.random() * 2 ** 32);
  }

  /** Starts, keeps or stops loops so that they match the configuration. */
  async apply(config: ScrapeConfigFile): Promise<void> {
    const wanted = new Map<string, { job: ScrapeJobConfig; target: ScrapeTarget }>();
    for (const job of config.scrapeConfigs) {
      for (const target of jobTargets(job)) wanted.set(`${job.jobName}\xff${target.key}`, { job, target });
    }
    const stopping: Promise<void>[] = [];
    for (const [id, r] of this.running) {
      const w = wanted.get(id);
      if (!w || jobKey(w.job) !== r.jobKey) {
        this.running.delete(id);
        stopping.push(this.stopLoop(r));
      }
    }
    await Promise.all(stopping);
    for (const [id, { job, target }] of wanted) {
      if (!this.running.has(id)) this.running.set(id, this.startLoop(job, target));
    }
  }

  /** The running targets with their last scrape. */
  targets(): { job: string; target: ScrapeTarget; last?: ScrapeReport }[] {
    return [...this.running.values()].map((r) => ({ job: r.loop.job.jobName, target: r.loop.target, last: r.loop.lastReport }));
  }

  /** Stops every loop; their series get staleness markers. */
  async stop(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((r) => this.stopLoop(r)));
  }

  private startLoop(job: ScrapeJobConfig, target: ScrapeTarget): Running {
    const { storage, clock, http, keepCreatedSeries, onScrape } = this.options;
    const loop = new ScrapeLoop({ target, job, storage, clock, http, keepCreatedSeries });
    const abort = new AbortController();
    const run = async () => {
      let next = firstScrapeTime(clock.now(), job.intervalMs, target.key, this.seed);
      for (;;) {
        await clock.sleepUntil(next, abort.signal);
        const report = await loop.scrape();
        onScrape?.(target, report);
        if (abort.signal.aborted) return;
        next += job.intervalMs;
        const now = clock.now();
        if (next <= now) next += Math.ceil((now - next) / job.intervalMs) * job.intervalMs;
      }
    };
    const done = run().catch((err: unknown) => {
      if (!abort.signal.aborted) throw err;
    });
    return { loop, jobKey: jobKey(job), abort, done };
  }

  private async stopLoop(r: Running): Promise<void> {
    r.abort.abort();
    await r.done;
    await r.loop.markStale();
  }
}
