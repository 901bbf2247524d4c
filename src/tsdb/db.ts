/**
 * The embedded series store: `openTsdb` locks the directory, opens the blocks, replays the WAL into the head
 * and returns a `Tsdb` — the `Storage` producers append to and the `Queryable` PromQL reads from.
 * Layout of the directory and the durability argument: docs/tsdb.md.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TelltaleError } from '../errors.ts';
import { compileMatchers } from '../series/matchers.ts';
import type { Appender, AppendRejection, Matcher, Queryable, SelectHints, Series, Storage } from '../series/types.ts';
import { HeadAppender, type AppendCounters } from './appender.ts';
import { BlockReader } from './block-reader.ts';
import { compactHead, STATE_FILE, type CompactionState } from './compactor.ts';
import { corrupt, unavailable } from './fs-durable.ts';
import { Head } from './head.ts';
import { acquireLock, type DirLock } from './lock.ts';
import { blocksBeyondRetention } from './retention.ts';
import { labelNamesOf, labelValuesOf, matchingLabelSets, selectSeries } from './querier.ts';
import { replayInto } from './replay.ts';
import { Wal } from './wal.ts';

export interface TsdbOptions {
  /** The store directory (created when missing). */
  dir: string;
  /** Wall clock in ms: retention by age and the out_of_bounds floor are measured against it. */
  clock?: () => number;
  /** Blocks whose newest sample is older than this go (0 or undefined: keep forever). */
  retentionMs?: number;
  /** Oldest blocks go while blocks plus WAL exceed this many bytes (0 or undefined: no limit). */
  retentionBytes?: number;
  /** How far behind the newest sample an out-of-order sample is still accepted (default 0: refused). */
  outOfOrderWindowMs?: number;
  /** Time range of one block (default 2 h, as Prometheus). */
  blockRangeMs?: number;
  /** Samples per chunk before a new one is cut (default 120, as Prometheus). */
  chunkSamples?: number;
  /** WAL segment size before a new segment starts (default 64 MiB). */
  walSegmentBytes?: number;
  /** How often compaction and retention run in the background (default 60 s; 0 disables the timer). */
  maintenanceIntervalMs?: number;
  /** Schedules the background maintenance (default: an unref'd setInterval); returns a canceller. */
  schedule?: (run: () => void, everyMs: number) => () => void;
  /** Receives problems of background maintenance (it never throws into the event loop). */
  onWarning?: (message: string, err?: unknown) => void;
}

export interface TsdbStats {
  samplesAppended: number;
  rejected: Record<AppendRejection, number>;
  series: number;
  headChunks: number;
  headMinTime: number | null;
  headMaxTime: number | null;
  blocks: number;
  compactions: number;
  blocksWritten: number;
  compactionFailures: number;
  blocksDeletedByRetention: number;
  walFsyncs: number;
  walBytesWritten: number;
  walReplayedSamples: number;
  walTornBytes: number;
  bytesOnDisk: { blocks: number; wal: number; total: number };
}

function scheduleInterval(run: () => void, everyMs: number): () => void {
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export async function openTsdb(options: TsdbOptions): Promise<Tsdb> {
  const dir = options.dir;
  try {
    await mkdir(join(dir, 'blocks'), { recursive: true });
    await mkdir(join(dir, 'wal'), { recursive: true });
  } catch (err) {
    throw unavailable('cannot create the series store directory', dir, err);
  }
  const lock = await acquireLock(dir);
  try {
    const db = new Tsdb(options, lock);
    await db.load();
    return db;
  } catch (err) {
    await lock.release();
    throw err;
  }
}

export class Tsdb implements Storage, Queryable {
  readonly dir: string;
  private readonly clock: () => number;
  private readonly options: TsdbOptions;
  private readonly blockRangeMs: number;
  private readonly chunkSamples: number;
  private readonly head: Head;
  private wal!: Wal;
  private blocks: BlockReader[] = [];
  private readonly lock: DirLock;
  private closed = false;
  private cancelTimer: (() => void) | undefined;
  private maintenance: Promise<unknown> = Promise.resolve();
  private walDiskBytes = 0;
  /** `wal.bytesWritten` when `walDiskBytes` was measured. */
  private walCounted = 0;
  private readonly counters: AppendCounters = {
    samplesAppended: 0,
    rejected: { invalid_labels: 0, out_of_order: 0, out_of_bounds: 0, duplicate_sample: 0 },
  };
  private compactions = 0;
  private blocksWritten = 0;
  private compactionFailures = 0;
  private blocksDeleted = 0;
  private replayed = 0;
  private tornBytes = 0;

  constructor(options: TsdbOptions, lock: DirLock) {
    this.options = options;
    this.dir = options.dir;
    this.lock = lock;
    this.clock = options.clock ?? Date.now;
    this.blockRangeMs = options.blockRangeMs ?? 2 * 3600_000;
    this.chunkSamples = options.chunkSamples ?? 120;
    if (!(this.blockRangeMs > 0) || !(this.chunkSamples >= 2 && this.chunkSamples <= 65535)) {
      throw new TelltaleError('TT_SERVE_CONFIG', 'blockRangeMs must be positive and chunkSamples within 2..65535', { field: 'blockRangeMs' });
    }
    this.head = new Head({ blockRangeMs: this.blockRangeMs, chunkSamples: this.chunkSamples, outOfOrderWindowMs: options.outOfOrderWindowMs ?? 0 });
  }

  /** Opens blocks and replays the WAL (called once by openTsdb). */
  async load(): Promise<void> {
    const blocksDir = join(this.dir, 'blocks');
    for (const name of await readdir(blocksDir)) {
      if (name.endsWith('.tmp')) await rm(join(blocksDir, name), { recursive: true, force: true });
      else this.blocks.push(await BlockReader.open(join(blocksDir, name)));
    }
    this.sortBlocks();
    const state = await this.readState();
    if (state) this.head.minValidTime = state.before;
    const walDir = join(this.dir, 'wal');
    const result = await replayInto(this.head, walDir, state);
    this.replayed = result.samples;
    this.tornBytes = result.tornBytes;
    if (result.tornBytes > 0) this.options.onWarning?.(`WAL: cut ${result.tornBytes} bytes of a torn final write`);
    this.wal = new Wal({ dir: walDir, segmentBytes: this.options.walSegmentBytes ?? 64 * 1024 * 1024 }, result.lastSegment + 1);
    await this.measureWal();
    this.refreshFloor();
    await this.applyRetention();
    const every = this.options.maintenanceIntervalMs ?? 60_000;
    if (every > 0) this.cancelTimer = (this.options.schedule ?? scheduleInterval)(() => void this.maintain(), every);
  }

  private async readState(): Promise<CompactionState | undefined> {
    const file = join(this.dir, STATE_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const s = JSON.parse(text) as CompactionState;
      if (typeof s.walSegment !== 'number' || typeof s.before !== 'number') throw new Error('missing fields');
      return s;
    } catch (err) {
      throw corrupt(`compaction state ${file} is damaged`, file, err);
    }
  }

  private async measureWal(): Promise<void> {
    this.walCounted = this.wal.bytesWritten;
    this.walDiskBytes = await this.wal.sizeOnDisk();
  }

  private sortBlocks(): void {
    this.blocks.sort((a, b) => a.meta.minTime - b.meta.minTime || a.meta.maxTime - b.meta.maxTime);
  }

  private refreshFloor(): void {
    const r = this.options.retentionMs;
    this.head.retentionFloor = r !== undefined && r > 0 ? this.clock() - r : -Infinity;
  }

  private checkOpen(): void {
    if (this.closed) throw new TelltaleError('TT_TSDB_UNAVAILABLE', `series store ${this.dir} is closed`);
  }

  appender(): Appender {
    this.checkOpen();
    this.refreshFloor();
    return new HeadAppender({
      head: this.head,
      wal: this.wal,
      counters: this.counters,
      beforeCommit: () => this.refreshFloor(),
      checkOpen: () => this.checkOpen(),
    });
  }

  async select(matchers: readonly Matcher[], mint: number, maxt: number, _hints?: SelectHints): Promise<Series[]> {
    this.checkOpen();
    return selectSeries(this.head, this.blocks, matchers, mint, maxt);
  }

  async labelNames(matchers: readonly Matcher[], mint: number, maxt: number): Promise<string[]> {
    this.checkOpen();
    return labelNamesOf(matchingLabelSets(this.head, this.blocks, compileMatchers(matchers), mint, maxt));
  }

  async labelValues(name: string, matchers: readonly Matcher[], mint: number, maxt: number): Promise<string[]> {
    this.checkOpen();
    return labelValuesOf(matchingLabelSets(this.head, this.blocks, compileMatchers(matchers), mint, maxt), name);
  }

  /** Compacts due head data into blocks, then applies retention. Runs one at a time. */
  compact(): Promise<number> {
    this.checkOpen();
    const run = this.maintenance.then(async () => {
      let written: number;
      try {
        written = await compactHead({
          dir: this.dir,
          blocksDir: join(this.dir, 'blocks'),
          walDir: join(this.dir, 'wal'),
          head: this.head,
          wal: this.wal,
          blockRangeMs: this.blockRangeMs,
          chunkSamples: this.chunkSamples,
          blocks: () => this.blocks,
          swapBlocks: (added, removed) => this.swapBlocks(added, removed),
        });
      } catch (err) {
        this.compactionFailures++;
        throw err;
      }
      if (written > 0) {
        this.compactions++;
        this.blocksWritten += written;
        await this.measureWal();
      }
      await this.applyRetention();
      return written;
    });
    this.maintenance = run.catch(() => undefined);
    return run;
  }

  /** Resolves when the maintenance running now (if any) has finished. */
  async whenIdle(): Promise<void> {
    await this.maintenance;
  }

  private async maintain(): Promise<void> {
    if (this.closed) return;
    try {
      await this.compact();
    } catch (err) {
      this.options.onWarning?.(`compaction failed: ${(err as Error).message}`, err);
    }
  }

  private async swapBlocks(added: BlockReader[], removed: BlockReader[]): Promise<void> {
    const gone = new Set(removed);
    this.blocks = [...this.blocks.filter((b) => !gone.has(b)), ...added];
    this.sortBlocks();
    for (const b of removed) {
      await b.close();
      await rm(b.dir, { recursive: true, force: true });
    }
  }

  /** Deletes blocks beyond the retention time or size; returns how many went. */
  async applyRetention(): Promise<number> {
    const doomed = blocksBeyondRetention(this.blocks, this.clock(), this.walDiskBytes, this.options);
    if (doomed.length === 0) return 0;
    await this.swapBlocks([], doomed);
    this.blocksDeleted += doomed.length;
    return doomed.length;
  }

  stats(): TsdbStats {
    const blockBytes = this.blocks.reduce((n, b) => n + b.bytes, 0);
    const walBytes = this.walDiskBytes + this.wal.bytesWritten - this.walCounted;
    const headMin = this.head.minTime();
    return {
      samplesAppended: this.counters.samplesAppended,
      rejected: { ...this.counters.rejected },
      series: this.head.numSeries,
      headChunks: this.head.chunkCount,
      headMinTime: Number.isFinite(headMin) ? headMin : null,
      headMaxTime: Number.isFinite(this.head.maxT) ? this.head.maxT : null,
      blocks: this.blocks.length,
      compactions: this.compactions,
      blocksWritten: this.blocksWritten,
      compactionFailures: this.compactionFailures,
      blocksDeletedByRetention: this.blocksDeleted,
      walFsyncs: this.wal.fsyncs,
      walBytesWritten: this.wal.bytesWritten,
      walReplayedSamples: this.replayed,
      walTornBytes: this.tornBytes,
      bytesOnDisk: { blocks: blockBytes, wal: walBytes, total: blockBytes + walBytes },
    };
  }

  /** Metadata of the blocks on disk, oldest first. */
  blockMetas(): Array<BlockReader['meta']> {
    return this.blocks.map((b) => b.meta);
  }

  /** Stops maintenance, flushes the WAL, closes files and releases the lock. Head data stays in the WAL. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelTimer?.();
    await this.maintenance;
    await this.wal.close();
    for (const b of this.blocks) await b.close();
    await this.lock.release();
  }
}
