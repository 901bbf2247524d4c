/**
 * One shard of the remote_write sender: a bounded FIFO of samples (dropping the oldest, counted, when
 * full) and a loop that sends a batch when it holds `maxSamplesPerSend` samples or when its oldest
 * pending sample has waited `batchSendDeadlineMs`. A failed send is retried with exponential backoff and
 * jitter on network errors, 5xx and 429 (bounded by `maxRetries`); any other 4xx drops the batch, counted.
 * A series always hashes to the same shard, so its samples are sent in order.
 */
import type { Clock } from '../load/clock.ts';
import type { Labels } from '../series/types.ts';
import { encodeWriteRequest, snappyEncode, type EncodableSeries } from './remote-write-codec.ts';
import type { SenderConfig, SenderStats } from './remote-write-sender.ts';

export interface PostResponse {
  status: number;
  /** The Retry-After header, when present. */
  retryAfter?: string | null;
  body: string;
}

/** An HTTP POST with a timeout; injectable so tests need no server. */
export type HttpPost = (url: string, body: Uint8Array, headers: Record<string, string>, timeoutMs: number) => Promise<PostResponse>;

export const fetchPost: HttpPost = async (url, body, headers, timeoutMs) => {
  const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
};

export class SampleRing {
  private labels: (Labels | undefined)[];
  private ts: Float64Array;
  private vs: Float64Array;
  private head = 0;
  length = 0;
  constructor(capacity: number) {
    this.labels = new Array<Labels | undefined>(capacity);
    this.ts = new Float64Array(capacity);
    this.vs = new Float64Array(capacity);
  }
  get capacity(): number {
    return this.ts.length;
  }
  /** Adds a sample; returns true when the oldest one had to be dropped to make room. */
  push(labels: Labels, t: number, v: number): boolean {
    let dropped = false;
    if (this.length === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.length--;
      dropped = true;
    }
    const at = (this.head + this.length) % this.capacity;
    this.labels[at] = labels;
    this.ts[at] = t;
    this.vs[at] = v;
    this.length++;
    return dropped;
  }
  /** Removes up to `n` samples from the front, grouped by series in first-seen order. */
  take(n: number, keyOf: (l: Labels) => string): { series: EncodableSeries[]; count: number } {
    const groups = new Map<string, { labels: Labels; timestamps: number[]; slots: number[] }>();
    const count = Math.min(n, this.length);
    for (let i = 0; i < count; i++) {
      const at = (this.head + i) % this.capacity;
      const labels = this.labels[at]!;
      const key = keyOf(labels);
      let g = groups.get(key);
      if (!g) {
        g = { labels, timestamps: [], slots: [] };
        groups.set(key, g);
      }
      g.timestamps.push(this.ts[at]);
      g.slots.push(at);
      this.labels[at] = undefined;
    }
    const series: EncodableSeries[] = [];
    for (const g of groups.values()) {
      // copy values slot to slot so NaN payloads (the staleness marker) are kept bit for bit
      const values = new Float64Array(g.slots.length);
      for (let i = 0; i < g.slots.length; i++) values[i] = this.vs[g.slots[i]];
      series.push({ labels: g.labels, timestamps: g.timestamps, values });
    }
    this.head = (this.head + count) % this.capacity;
    this.length -= count;
    return { series, count };
  }
  /** Every sample, oldest first (used when resharding). */
  drain(): { labels: Labels; t: number; v: number }[] {
    const out: { labels: Labels; t: number; v: number }[] = [];
    for (let i = 0; i < this.length; i++) {
      const at = (this.head + i) % this.capacity;
      out.push({ labels: this.labels[at]!, t: this.ts[at], v: this.vs[at] });
    }
    this.head = 0;
    this.length = 0;
    return out;
  }
}

export class Shard {
  readonly ring: SampleRing;
  private readonly cfg: SenderConfig;
  private readonly stats: SenderStats;
  private readonly clock: Clock;
  private readonly keyOf: (l: Labels) => string;
  private oldestAt = 0;
  private wake: AbortController | undefined;
  private stopping = false;
  private flushing = false;
  private readonly stopSignal = new AbortController();
  /** Resolves when the loop has exited (after flushing when asked to). */
  readonly done: Promise<void>;

  constructor(cfg: SenderConfig, stats: SenderStats, clock: Clock, keyOf: (l: Labels) => string) {
    this.cfg = cfg;
    this.stats = stats;
    this.clock = clock;
    this.keyOf = keyOf;
    this.ring = new SampleRing(cfg.capacity);
    this.done = this.loop();
  }

  push(labels: Labels, t: number, v: number): void {
    if (this.ring.length === 0) this.oldestAt = this.clock.now();
    if (this.ring.push(labels, t, v)) this.stats.samplesDropped++;
    if (this.ring.length >= this.cfg.maxSamplesPerSend) this.wake?.abort();
  }

  /**
   * Stops the loop after the batch in flight (with its retries). With `flush` it first sends everything
   * queued; without, what is queued stays in `ring` (resharding moves it to the new shards).
   */
  stop(flush: boolean): Promise<void> {
    this.stopping = true;
    this.flushing = flush;
    this.wake?.abort();
    return this.done;
  }

  /** Stops at once: a batch waiting for a retry is given up (counted as failed). */
  kill(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    this.wake?.abort();
    return this.done;
  }

  private async loop(): Promise<void> {
    for (;;) {
      const due = this.ring.length >= this.cfg.maxSamplesPerSend ||
        (this.ring.length > 0 && (this.flushing || this.clock.now() >= this.oldestAt + this.cfg.batchSendDeadlineMs));
      if (this.stopping && (!this.flushing || this.stopSignal.signal.aborted)) return;
      if (due) {
        const batch = this.ring.take(this.cfg.maxSamplesPerSend, this.keyOf);
        if (this.ring.length > 0) this.oldestAt = this.clock.now();
        await this.send(batch.series, batch.count);
        continue;
      }
      if (this.stopping) return;
      this.wake = new AbortController();
      const signal = AbortSignal.any([this.wake.signal, this.stopSignal.signal]);
      const until = this.ring.length > 0 ? this.oldestAt + this.cfg.batchSendDeadlineMs : Number.POSITIVE_INFINITY;
      try {
        if (until === Number.POSITIVE_INFINITY) await abortable(signal);
        else await this.clock.sleepUntil(until, signal);
      } catch {
        // woken: a full batch, a stop, or a flush
      }
      this.wake = undefined;
    }
  }

  private async send(series: EncodableSeries[], count: number): Promise<void> {
    const body = snappyEncode(encodeWriteRequest(series));
    const headers = {
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'User-Agent': this.cfg.userAgent,
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      ...this.cfg.headers,
    };
    let backoff = this.cfg.minBackoffMs;
    for (let attempt = 0; ; attempt++) {
      const started = this.clock.now();
      let retryable: boolean;
      let wait = 0;
      let reason: string;
      try {
        const res = await this.cfg.post(this.cfg.url, body, headers, this.cfg.timeoutMs);
        this.stats.sendDurationMs += this.clock.now() - started;
        if (res.status >= 200 && res.status < 300) {
          this.stats.samplesSent += count;
          this.stats.batchesSent++;
          return;
        }
        retryable = res.status >= 500 || res.status === 429;
        reason = `HTTP ${res.status}: ${res.body.trim().slice(0, 200)}`;
        if (res.status === 429 && res.retryAfter) {
          const secs = Number(res.retryAfter);
          if (Number.isFinite(secs) && secs >= 0) wait = Math.min(secs * 1000, this.cfg.maxBackoffMs);
        }
      } catch (err) {
        this.stats.sendDurationMs += this.clock.now() - started;
        retryable = true;
        reason = (err as Error).message;
      }
      this.stats.lastError = reason;
      if (!retryable || attempt >= this.cfg.maxRetries || this.stopSignal.signal.aborted) {
        this.stats.samplesFailed += count;
        return;
      }
      this.stats.retries++;
      // full jitter over the upper half: spreads shards out while keeping the backoff's growth
      const delay = wait > 0 ? wait : backoff / 2 + this.cfg.random() * (backoff / 2);
      backoff = Math.min(backoff * 2, this.cfg.maxBackoffMs);
      try {
        await this.clock.sleep(delay, this.stopSignal.signal);
      } catch {
        this.stats.samplesFailed += count;
        return;
      }
    }
  }
}

function abortable(signal: AbortSignal): Promise<void> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
