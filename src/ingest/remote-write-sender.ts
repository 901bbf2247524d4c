/**
 * The remote_write sender: samples go into one of N shards by series hash; each shard batches and sends
 * (see remote-write-shard.ts). Every `reshardIntervalMs` the sender compares the incoming sample rate with
 * what one shard sends per second and changes the shard count when the need moved by more than 30%
 * (Prometheus' tolerance), draining the old shards' queues into the new ones in order. Memory is bounded:
 * each shard holds at most `capacity` samples and drops the oldest, counted, beyond that.
 */
import type { Clock } from '../load/clock.ts';
import { labelsKey } from '../series/labels.ts';
import type { Labels } from '../series/types.ts';
import { VERSION } from '../version.ts';
import { Shard, fetchPost, type HttpPost } from './remote-write-shard.ts';

export interface SenderOptions {
  url: string;
  clock: Clock;
  post?: HttpPost;
  /** Jitter source in [0, 1); injectable for tests. */
  random?: () => number;
  /** Added to every series sent (Prometheus' external_labels); a series' own label wins. */
  externalLabels?: Record<string, string>;
  headers?: Record<string, string>;
  capacity?: number;
  maxSamplesPerSend?: number;
  batchSendDeadlineMs?: number;
  minShards?: number;
  maxShards?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  maxRetries?: number;
  timeoutMs?: number;
  reshardIntervalMs?: number;
}

export interface SenderConfig {
  url: string;
  post: HttpPost;
  random: () => number;
  headers: Record<string, string>;
  userAgent: string;
  capacity: number;
  maxSamplesPerSend: number;
  batchSendDeadlineMs: number;
  minShards: number;
  maxShards: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  maxRetries: number;
  timeoutMs: number;
  reshardIntervalMs: number;
}

export interface SenderStats {
  samplesIn: number;
  samplesSent: number;
  /** Dropped because a shard's queue was full (oldest first). */
  samplesDropped: number;
  /** Dropped after a non-retryable answer or when retries ran out. */
  samplesFailed: number;
  batchesSent: number;
  retries: number;
  /** Time spent in sends (for resharding), ms. */
  sendDurationMs: number;
  shards: number;
  lastError?: string;
}

export class RemoteWriteSender {
  readonly stats: SenderStats = {
    samplesIn: 0, samplesSent: 0, samplesDropped: 0, samplesFailed: 0, batchesSent: 0, retries: 0, sendDurationMs: 0, shards: 0,
  };
  private readonly cfg: SenderConfig;
  private readonly clock: Clock;
  private readonly external: [string, string][];
  private shards: Shard[] = [];
  private reshardTimer: AbortController | undefined;
  private lastReshard = { at: 0, samplesIn: 0, samplesSent: 0, sendDurationMs: 0 };
  private resharding: Promise<void> | undefined;
  private closed = false;
  /** Samples that arrive while shards are replaced; they go after the old shards' queues, keeping order. */
  private holding: { labels: Labels; t: number; v: number }[] | undefined;

  constructor(options: SenderOptions) {
    this.clock = options.clock;
    // defaults as Prometheus 2.x's queue_config, except a bounded number of retries
    this.cfg = {
      url: options.url,
      post: options.post ?? fetchPost,
      random: options.random ?? Math.random,
      headers: options.headers ?? {},
      userAgent: `Telltale/${VERSION}`,
      capacity: options.capacity ?? 2500,
      maxSamplesPerSend: options.maxSamplesPerSend ?? 500,
      batchSendDeadlineMs: options.batchSendDeadlineMs ?? 5000,
      minShards: options.minShards ?? 1,
      maxShards: options.maxShards ?? 50,
      minBackoffMs: options.minBackoffMs ?? 30,
      maxBackoffMs: options.maxBackoffMs ?? 5000,
      maxRetries: options.maxRetries ?? 10,
      timeoutMs: options.timeoutMs ?? 30_000,
      reshardIntervalMs: options.reshardIntervalMs ?? 10_000,
    };
    this.external = Object.entries(options.externalLabels ?? {});
    this.startShards(this.cfg.minShards);
    this.lastReshard.at = this.clock.now();
    void this.reshardLoop();
  }

  private startShards(n: number): void {
    this.shards = Array.from({ length: n }, () => new Shard(this.cfg, this.stats, this.clock, labelsKey));
    this.stats.shards = n;
  }

  private shardFor(labels: Labels): Shard {
    const key = labelsKey(labels);
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    return this.shards[(h >>> 0) % this.shards.length];
  }

  /** Queues one sample (called with what a commit accepted). */
  enqueue(labels: Labels, t: number, v: number): void {
    if (this.closed) return;
    let l = labels;
    if (this.external.length > 0) {
      const merged: Record<string, string> = { ...labels };
      for (const [k, val] of this.external) if (!merged[k]) merged[k] = val;
      l = merged;
    }
    this.stats.samplesIn++;
    if (this.holding) this.holding.push({ labels: l, t, v });
    else this.shardFor(l).push(l, t, v);
  }

  /** Queued, not yet sent. */
  pending(): number {
    return this.shards.reduce((n, s) => n + s.ring.length, 0) + (this.holding?.length ?? 0);
  }

  /** The shard count the last interval's rates call for (Prometheus' calculateDesiredShards, simplified). */
  desiredShards(now: number): number {
    const elapsedS = (now - this.lastReshard.at) / 1000;
    const sent = this.stats.samplesSent - this.lastReshard.samplesSent;
    const inRate = (this.stats.samplesIn - this.lastReshard.samplesIn) / Math.max(elapsedS, 1e-9);
    const current = this.shards.length;
    if (sent === 0 || elapsedS <= 0) return this.pending() > this.cfg.capacity * current * 0.5 ? Math.min(current * 2, this.cfg.maxShards) : current;
    // time one shard needs per sample, from how long sends took
    const msPerSample = (this.stats.sendDurationMs - this.lastReshard.sendDurationMs) / sent;
    // keep up with the incoming rate and work off 5% of the backlog per second
    const needed = ((inRate + 0.05 * this.pending()) * msPerSample) / 1000;
    const desired = Math.ceil(needed);
    const bounded = Math.max(this.cfg.minShards, Math.min(this.cfg.maxShards, desired));
    const low = current * 0.7;
    const high = current * 1.3;
    return bounded >= low && bounded <= high ? current : bounded;
  }

  private async reshardLoop(): Promise<void> {
    while (!this.closed) {
      this.reshardTimer = new AbortController();
      try {
        await this.clock.sleep(this.cfg.reshardIntervalMs, this.reshardTimer.signal);
      } catch {
        return;
      }
      const now = this.clock.now();
      const desired = this.desiredShards(now);
      this.lastReshard = { at: now, samplesIn: this.stats.samplesIn, samplesSent: this.stats.samplesSent, sendDurationMs: this.stats.sendDurationMs };
      if (desired !== this.shards.length) await this.reshard(desired);
    }
  }

  /** Replaces the shards: the old ones finish their in-flight send, their queues move to the new ones in order. */
  async reshard(n: number): Promise<void> {
    if (this.resharding) await this.resharding;
    const old = this.shards;
    const run = (async () => {
      this.holding = [];
      // the old shards finish the batch in flight and keep the rest, which moves over before newer samples
      await Promise.all(old.map((s) => s.stop(false)));
      this.startShards(n);
      for (const s of old) for (const x of s.ring.drain()) this.shardFor(x.labels).push(x.labels, x.t, x.v);
      const held = this.holding;
      this.holding = undefined;
      for (const x of held) this.shardFor(x.labels).push(x.labels, x.t, x.v);
    })();
    this.resharding = run;
    await run;
    this.resharding = undefined;
  }

  /** Sends everything queued (within the retry bounds) and stops; `abandon` gives up pending retries instead. */
  async close(abandon = false): Promise<void> {
    this.closed = true;
    this.reshardTimer?.abort();
    if (this.resharding) await this.resharding;
    await Promise.all(this.shards.map((s) => (abandon ? s.kill() : s.stop(true))));
  }
}
