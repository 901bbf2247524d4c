/**
 * The write-ahead log: numbered segment files of framed records (wal-records.ts) and, after a compaction, a
 * checkpoint file holding what the head still keeps, so the segments before it can be deleted.
 *
 * Group commit: records are queued in batches; one writer drains the queue, writing each batch with a single
 * synchronous write (see DSYNC), and resolves every commit waiting on that batch. Commits that arrive while a
 * sync is in flight join the next batch, so the number of fsyncs stays flat as writers are added.
 */
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ByteReader } from './byte-buffer.ts';
import { corrupt, fsyncDir, unavailable } from './fs-durable.ts';
import { readFrame } from './wal-records.ts';

const SEGMENT_NAME = /^\d{8}$/;
const CHECKPOINT_NAME = /^checkpoint\.(\d{8})$/;
/**
 * Segments are opened with O_DSYNC where the platform has it: each write returns once its data is on disk,
 * as a write followed by fdatasync would, but in one system call (one trip through the thread pool, so a
 * commit is acknowledged one event-loop turn sooner). Elsewhere each write is followed by fdatasync.
 */
const DSYNC = typeof constants.O_DSYNC === 'number' && process.platform === 'linux' ? constants.O_DSYNC : 0;
const SEGMENT_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | DSYNC;

export function segmentName(n: number): string {
  return String(n).padStart(8, '0');
}

interface Batch {
  segment: number;
  bufs: Uint8Array[];
  bytes: number;
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

export interface WalOptions {
  dir: string;
  /** A segment is closed and a new one started past this size. */
  segmentBytes: number;
}

/** What replay found: one call per intact record, in log order. */
export type RecordVisitor = (type: number, payload: ByteReader, segment: number, file: string) => void;

export interface ReplayResult {
  /** The highest segment index seen (the checkpoint's when there is no segment after it). */
  lastSegment: number;
  /** Bytes cut from the end of the last segment because its final write was torn. */
  tornBytes: number;
}

export class Wal {
  readonly dir: string;
  private readonly segmentBytes: number;
  private segment: number;
  private segmentSize = 0;
  private handle: FileHandle | undefined;
  private handleSegment = -1;
  private queue: Batch[] = [];
  private writing = false;
  private failed: unknown;
  fsyncs = 0;
  bytesWritten = 0;

  constructor(options: WalOptions, firstSegment: number) {
    this.dir = options.dir;
    this.segmentBytes = options.segmentBytes;
    this.segment = firstSegment;
    // Create the first segment before any later cut can create the next one (no gap on disk).
    this.queue.push({ segment: firstSegment, bufs: [], bytes: 0, waiters: [] });
    void this.drain();
  }

  get currentSegment(): number {
    return this.segment;
  }

  /** Queues a framed record; it is durable once a later `sync()` resolves. */
  log(record: Uint8Array): void {
    if (this.segmentSize >= this.segmentBytes) this.cut();
    let last = this.queue[this.queue.length - 1];
    if (!last || last.segment !== this.segment || (this.writing && this.queue.length === 1)) {
      last = { segment: this.segment, bufs: [], bytes: 0, waiters: [] };
      this.queue.push(last);
    }
    last.bufs.push(record);
    last.bytes += record.length;
    this.segmentSize += record.length;
  }

  /** Resolves once every record logged so far is on disk (fdatasync). */
  sync(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const last = this.queue[this.queue.length - 1];
    if (!last) return Promise.resolve();
    // The last batch holds the newest record, whether or not it is already being written.
    return this.waitOn(last);
  }

  private waitOn(batch: Batch): Promise<void> {
    const p = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    if (!this.writing) void this.drain();
    return p;
  }

  /**
   * Starts a new segment: records logged from now on go there. Returns its index. The file is created in
   * queue order even if nothing is logged into it, so the segments on disk never have a gap.
   */
  cut(): number {
    this.segment++;
    this.segmentSize = 0;
    this.queue.push({ segment: this.segment, bufs: [], bytes: 0, waiters: [] });
    if (!this.writing) void this.drain();
    return this.segment;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue[0];
        try {
          const h = await this.fileFor(batch.segment);
          if (batch.bytes > 0) {
            const buf = batch.bufs.length === 1 ? batch.bufs[0] : Buffer.concat(batch.bufs);
            // a regular file takes the whole buffer in one write, but a short write must not lose the rest
            for (let off = 0; off < buf.length; ) {
              const { bytesWritten } = await h.write(buf, off, buf.length - off);
              if (bytesWritten === 0) throw new Error(`write of ${buf.length - off} bytes made no progress`);
              off += bytesWritten;
            }
            this.bytesWritten += buf.length;
            if (DSYNC === 0) await h.datasync();
            this.fsyncs++;
          }
          this.queue.shift();
          for (const w of batch.waiters) w.resolve();
        } catch (err) {
          this.failed = unavailable('cannot write the WAL segment', join(this.dir, segmentName(batch.segment)), err);
          for (const b of this.queue) for (const w of b.waiters) w.reject(this.failed);
          this.queue = [];
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async fileFor(segment: number): Promise<FileHandle> {
    if (this.handle && this.handleSegment === segment) return this.handle;
    if (this.handle) await this.handle.close();
    this.handle = await open(join(this.dir, segmentName(segment)), SEGMENT_FLAGS, 0o666);
    this.handleSegment = segment;
    // The new file's name must be durable before anything written into it is acknowledged.
    await fsyncDir(this.dir);
    return this.handle;
  }

  /** Waits for queued writes, then closes the open segment. */
  async close(): Promise<void> {
    if (this.queue.length > 0) await this.sync().catch(() => undefined);
    if (this.handle) await this.handle.close();
    this.handle = undefined;
  }

  /** Deletes segments and checkpoints older than `segment` (they are covered by blocks and a checkpoint). */
  async removeBefore(segment: number, keepCheckpoint: number): Promise<void> {
    for (const name of await readdir(this.dir)) {
      const cp = CHECKPOINT_NAME.exec(name);
      if ((SEGMENT_NAME.test(name) && Number(name) < segment) || (cp && Number(cp[1]) < keepCheckpoint)) {
        await rm(join(this.dir, name), { force: true });
      }
    }
  }

  async sizeOnDisk(): Promise<number> {
    let total = 0;
    for (const name of await readdir(this.dir)) total += (await stat(join(this.dir, name)).catch(() => ({ size: 0 }))).size;
    return total;
  }
}

/**
 * Reads the checkpoint and the segments after it, calling `visit` for every intact record. A damaged record
 * at the end of the last segment is a torn final write: the file is cut back to the last intact record.
 * Damage anywhere else — an earlier segment, the checkpoint, or intact records after the damage — could lose
 * acknowledged samples if skipped, so it is TT_TSDB_CORRUPT naming the file and offset.
 */
export async function replayWal(dir: string, visit: RecordVisitor): Promise<ReplayResult> {
  await mkdir(dir, { recursive: true });
  const names = await readdir(dir);
  for (const n of names) if (n.endsWith('.tmp')) await rm(join(dir, n), { force: true });
  let checkpoint = -1;
  for (const n of names) {
    const m = CHECKPOINT_NAME.exec(n);
    if (m) checkpoint = Math.max(checkpoint, Number(m[1]));
  }
  const segments = names.filter((n) => SEGMENT_NAME.test(n)).map(Number).filter((n) => n > checkpoint).sort((a, b) => a - b);
  if (checkpoint >= 0) {
    const file = join(dir, `checkpoint.${segmentName(checkpoint)}`);
    const buf = await readFile(file);
    const bad = visitRecords(buf, checkpoint, file, visit);
    if (bad !== buf.length) throw corrupt(`WAL checkpoint ${file} is damaged at byte ${bad}`, file);
  }
  let tornBytes = 0;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (i > 0 && seg !== segments[i - 1] + 1) {
      throw corrupt(`WAL segment ${segmentName(segments[i - 1] + 1)} is missing in ${dir}`, dir);
    }
    const file = join(dir, segmentName(seg));
    const buf = await readFile(file);
    const bad = visitRecords(buf, seg, file, visit);
    if (bad === buf.length) continue;
    if (i < segments.length - 1 || hasRecordAfter(buf, bad)) {
      throw corrupt(`WAL segment ${file} is damaged at byte ${bad} and intact records follow`, file);
    }
    tornBytes = buf.length - bad;
    try {
      await truncate(file, bad);
      const h = await open(file, 'r+');
      await h.sync();
      await h.close();
    } catch (err) {
      throw unavailable('cannot cut the torn end of', file, err);
    }
  }
  const lastSegment = segments.length > 0 ? segments[segments.length - 1] : checkpoint;
  return { lastSegment, tornBytes };
}

/** Visits records from the start; returns the offset of the first byte that is not an intact record. */
function visitRecords(buf: Uint8Array, segment: number, file: string, visit: RecordVisitor): number {
  let pos = 0;
  while (pos < buf.length) {
    const f = readFrame(buf, pos);
    if (!f) return pos;
    try {
      visit(f.type, new ByteReader(buf, f.start, f.end), segment, file);
    } catch (err) {
      if (err instanceof RangeError) throw corrupt(`WAL record at byte ${pos} of ${file} does not decode`, file, err);
      throw err;
    }
    pos = f.end;
  }
  return pos;
}

function hasRecordAfter(buf: Uint8Array, from: number): boolean {
  for (let p = from + 1; p < buf.length; p++) if (readFrame(buf, p)) return true;
  return false;
}
