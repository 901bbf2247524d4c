/**
 * The server's own metrics into its store: every interval, what `/metrics` shows is appended through the
 * same Appender as any scrape, as series of `job="telltale"` with the server's address as `instance`, so
 * rules and the dashboard see the server like any other target (Prometheus scrapes itself the same way).
 */
import { parseExposition } from '../ingest/exposition-parser.ts';
import type { Clock } from '../load/clock.ts';
import type { Storage } from '../series/types.ts';
import type { SelfMetrics } from './self-metrics.ts';
import type { Component } from './serve.ts';

export interface SelfScrapeOptions {
  metrics: SelfMetrics;
  storage: Storage;
  clock: Clock;
  /** ms between two recordings; 0 disables */
  intervalMs: number;
  /** the server's address, host:port, once it listens */
  instance: () => string;
  onWarning?: (message: string, err?: unknown) => void;
}

/** Appends one recording of the server's metrics at the clock's time; returns the samples the store accepted. */
export async function recordSelfMetrics(o: Pick<SelfScrapeOptions, 'metrics' | 'storage' | 'clock' | 'instance'>): Promise<number> {
  const t = Math.round(o.clock.now());
  const { samples } = parseExposition(o.metrics.render(), 'prometheus-text');
  const app = o.storage.appender();
  const instance = o.instance();
  let accepted = 0;
  for (const s of samples) {
    if (app.append({ ...s.labels, __name__: s.name, job: 'telltale', instance }, t, s.value) === undefined) accepted++;
  }
  await app.commit();
  return accepted;
}

export function selfScrapeComponent(o: SelfScrapeOptions): Component {
  const stop = new AbortController();
  let loop: Promise<void> | undefined;
  return {
    name: 'self metrics',
    start: () => {
      if (o.intervalMs <= 0) return;
      loop = (async () => {
        while (!stop.signal.aborted) {
          try {
            await recordSelfMetrics(o);
          } catch (err) {
            if (stop.signal.aborted) return;
            o.onWarning?.('recording the server metrics failed', err);
          }
          try {
            await o.clock.sleep(o.intervalMs, stop.signal);
          } catch {
            return;
          }
        }
      })();
    },
    stop: async () => {
      stop.abort();
      await loop;
    },
  };
}
