/**
 * Buffered byte sink for the sample outputs. Lines are encoded straight into 1 MiB buffers (callers copy
 * pre-encoded pieces and write the ASCII parts), so a busy run makes a few large writes and no large
 * intermediate strings; handing the stream one huge concatenated string was several times slower. While
 * the stream is over its high-water mark, full buffers wait in a queue; nothing is ever dropped. A `.gz`
 * path is gzipped.
 */
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { TelltaleError } from '../../errors.ts';

const CHUNK_BYTES = 1 << 20;

export interface SinkOptions {
  /** Where `-` writes (process.stdout by default); never closed by the sink. */
  stdout?: Writable;
}

export class FileSink {
  readonly path: string;
  private readonly head: Writable;
  private readonly closed: Promise<void>;
  private readonly ownsStream: boolean;
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private off = 0;
  private readonly queue: Buffer[] = [];
  private waiting = false;
  private drainWaiters: (() => void)[] = [];
  private error: Error | undefined;
  private signalError: () => void = () => {};
  private readonly errored = new Promise<void>((resolve) => {
    this.signalError = resolve;
  });
  private ended = false;
  private closing: Promise<void> | undefined;

  private constructor(path: string, head: Writable, closed: Promise<void>, ownsStream: boolean) {
    this.path = path;
    this.head = head;
    this.closed = closed;
    this.ownsStream = ownsStream;
    head.on('error', (err: Error) => this.fail(err));
  }

  /** Opens (truncates) the file now, so a bad path fails before the run starts. `what` names the output in errors. */
  static open(path: string, what: string, opts: SinkOptions = {}): FileSink {
    if (path === '-') {
      const out = opts.stdout ?? process.stdout;
      return new FileSink(path, out, Promise.resolve(), false);
    }
    let fd: number;
    try {
      fd = fs.openSync(path, 'w');
    } catch (err) {
      throw new TelltaleError('TT_OUTPUT_INVALID', `cannot open the ${what} output file ${path}: ${(err as Error).message}`, {
        cause: err,
        file: path,
      });
    }
    const file = fs.createWriteStream(path, { fd });
    const closed = new Promise<void>((resolve) => file.once('close', () => resolve()));
    if (!path.endsWith('.gz')) return new FileSink(path, file, closed, true);
    const gzip = zlib.createGzip();
    gzip.pipe(file);
    const sink = new FileSink(path, gzip, closed, true);
    file.on('error', (err: Error) => sink.fail(err));
    return sink;
  }

  /** Throws when the sink was closed: samples written after close() would be lost silently. */
  assertOpen(): void {
    if (this.ended) throw new TelltaleError('TT_INTERNAL', `${this.path}: samples were added after the output was closed`);
  }

  /** Makes sure the next `bytes` bytes fit in the current buffer; call before bytes()/ascii(). */
  room(bytes: number): void {
    if (this.off + bytes <= this.buf.length) return;
    this.flushPending();
    if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(bytes);
  }

  /** Copies pre-encoded bytes (room() first). */
  bytes(b: Buffer): void {
    this.off += b.copy(this.buf, this.off);
  }

  /** Writes a string known to be ASCII, one byte per character (room() first). */
  ascii(s: string): void {
    this.off += this.buf.write(s, this.off, 'latin1');
  }

  /** Appends any text as UTF-8. */
  text(s: string): void {
    this.room(Buffer.byteLength(s));
    this.off += this.buf.write(s, this.off);
  }

  /** Writes everything buffered, ends the stream and waits until the file is closed. */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    this.ended = true;
    this.flushPending();
    await new Promise<void>((resolve) => {
      if (!this.waiting || this.error) resolve();
      else this.drainWaiters.push(resolve);
    });
    if (this.ownsStream && !this.error) {
      this.head.end();
      await Promise.race([this.closed, this.errored]);
    }
    return this.settle();
  }

  private settle(): void {
    if (this.error) {
      throw new TelltaleError('TT_OUTPUT_INVALID', `cannot write ${this.path}: ${this.error.message}`, {
        cause: this.error,
        file: this.path,
      });
    }
  }

  private fail(err: Error): void {
    this.error ??= err;
    this.queue.length = 0;
    this.waiting = false;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
    this.signalError();
  }

  private flushPending(): void {
    if (this.off === 0) return;
    const chunk = this.buf.subarray(0, this.off);
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    this.off = 0;
    if (this.error) return;
    if (this.waiting) {
      this.queue.push(chunk);
      return;
    }
    this.send(chunk);
  }

  private send(chunk: Buffer): void {
    if (!this.head.write(chunk)) {
      this.waiting = true;
      this.head.once('drain', () => this.onDrain());
    }
  }

  private onDrain(): void {
    this.waiting = false;
    while (this.queue.length > 0 && !this.waiting && !this.error) this.send(this.queue.shift()!);
    if (!this.waiting) {
      for (const resolve of this.drainWaiters.splice(0)) resolve();
    }
  }
}
