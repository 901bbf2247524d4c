/**
 * One HTTP round trip (one redirect hop) on one Conn, as a raw undici dispatch handler: no streams, body chunks
 * collected into an array, every timestamp taken from the request's clock.
 *
 * Timings, as k6 derives them from Go's httptrace (lib/netext/httpext/tracer.go):
 *   blocked          request start -> connection ready: DNS, TCP connect and TLS handshake of a new connection
 *                    (Go's GetConn -> GotConn). On a reused keep-alive connection undici writes only after one
 *                    event-loop turn, in which it checks that the server has not closed the idle socket; that
 *                    turn is what blocked shows then (tens of microseconds, more on a busy loop).
 *   connecting       TCP connect of a connection opened for this request (after DNS); 0 on reuse.
 *   tls_handshaking  TLS handshake of a connection opened for this request; 0 on reuse and for plain HTTP.
 *   sending          connection ready -> request head and body written to the socket (a body the socket could
 *                    not take at once counts until Node's write buffer drains).
 *   waiting          request sent -> first response byte (time to first byte); until the end when none came.
 *   receiving        first response byte -> last byte of the body.
 *   duration         sending + waiting + receiving.
 */
import type { Dispatcher } from 'undici';
import type { Conn } from './connection.ts';
import type { ResponseTimings } from './types.ts';

/** The request's clock (RequestContext has this shape), called as a method so contexts may rely on `this`. */
export interface Clock {
  now(): number;
}

export interface DispatchOptions {
  method: string;
  path: string;
  headers: string[];
  body: string | Buffer | null;
  reset: boolean;
}

const NO_CHUNKS: Buffer[] = [];

export class Exchange implements Dispatcher.DispatchHandler {
  /** null for a request that fails before it could get a connection (e.g. an unsupported scheme). */
  readonly conn: Conn | null;
  readonly clock: Clock;
  readonly collect: boolean;
  readonly start: number;
  gotConn = 0;
  wrote = 0;
  firstByte = 0;
  end = 0;
  connecting = 0;
  tlsHandshaking = 0;
  /** The request ran on a connection an earlier request had used. */
  reused = false;

  status = 0;
  statusMessage = '';
  rawHeaders: Buffer[] | null = null;
  chunks: Buffer[];
  size = 0;

  error: unknown = null;
  settled = false;
  received = 0;
  sent = 0;
  /** Copied from the connection when the exchange ends, as the connection may be reused or gone later. */
  remoteIp = '';
  remotePort = 0;
  tlsVersion = '';
  tlsCipherSuite = '';

  controller: Dispatcher.DispatchController | null = null;
  /** Epoch ms by which the exchange must have ended (k6's request timeout). */
  deadline = Infinity;
  readonly done: Promise<void>;
  #resolve!: () => void;

  /** `start`: when the request began, on `clock`. */
  constructor(conn: Conn | null, clock: Clock, collect: boolean, start: number) {
    this.conn = conn;
    this.clock = clock;
    this.collect = collect;
    this.chunks = collect ? [] : NO_CHUNKS;
    this.start = start;
    this.done = new Promise<void>((resolve) => {
      this.#resolve = resolve;
    });
  }

  dispatch(conn: Conn, opts: DispatchOptions): void {
    conn.clock = this.clock;
    conn.client.dispatch(opts as Dispatcher.DispatchOptions, this);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    this.gotConn = this.clock.now();
    const conn = this.conn!;
    if (!conn.fresh) {
      this.reused = true;
    } else {
      conn.fresh = false;
      this.connecting = conn.connectDone > conn.connectStart ? conn.connectDone - conn.connectStart : 0;
      this.tlsHandshaking = conn.tlsDone > conn.connectDone ? conn.tlsDone - conn.connectDone : 0;
    }
  }

  onRequestSent(): void {
    this.wrote = this.clock.now();
    // undici hands the whole request to the socket at once; a body larger than the socket takes is only sent
    // once Node's write buffer drains, which is when Go's WroteRequest (k6's end of sending) would fire.
    const socket = this.conn?.socket;
    if (socket != null && socket.writableLength > 0) socket.once('drain', () => this.#drained());
  }

  #drained(): void {
    if (!this.settled) this.wrote = this.clock.now();
  }

  onResponseStarted(): void {
    if (this.firstByte === 0) this.firstByte = this.clock.now();
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, _headers: unknown, statusMessage?: string): void {
    // 1xx informational responses precede the real one; Go's client skips them too.
    if (statusCode < 200) return;
    this.status = statusCode;
    this.statusMessage = statusMessage ?? '';
    this.rawHeaders = controller.rawHeaders as Buffer[];
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.size += chunk.length;
    if (this.collect) this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.end = this.clock.now();
    this.#settle();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, err: Error): void {
    if (this.settled) return;
    this.error = err;
    this.end = this.clock.now();
    this.#settle();
  }

  /**
   * Ends the exchange with `err` (timeout, VU interrupted). Once the request is on the socket, aborting it
   * destroys that socket; before that (still dialing or queued) the whole Client goes, as it serves only us.
   */
  fail(err: Error): void {
    if (this.settled) return;
    if (this.controller !== null) {
      this.controller.abort(err);
    } else {
      this.conn?.destroy(err);
    }
    // undici reports the abort synchronously in both cases; this covers any path where it does not.
    this.onResponseError(null, err);
  }

  #settle(): void {
    this.settled = true;
    const conn = this.conn;
    if (conn !== null) {
      if (conn.current === this) conn.current = null;
      conn.takeBytes(this);
      if (this.gotConn !== 0) {
        this.remoteIp = conn.remoteIp;
        this.remotePort = conn.remotePort;
        this.tlsVersion = conn.tlsVersion;
        this.tlsCipherSuite = conn.tlsCipherSuite;
      }
    }
    this.#resolve();
  }

  timings(): ResponseTimings {
    const { start, gotConn, wrote, firstByte, end } = this;
    const blocked = gotConn > start ? gotConn - start : 0;
    let sending = 0;
    let waiting = 0;
    if (wrote !== 0) {
      sending = wrote > gotConn ? wrote - gotConn : 0;
      if (firstByte === 0) waiting = end - wrote;
      else if (firstByte > wrote) waiting = firstByte - wrote;
    }
    const receiving = firstByte !== 0 ? end - firstByte : 0;
    return {
      blocked,
      connecting: this.connecting,
      tls_handshaking: this.tlsHandshaking,
      sending,
      waiting,
      receiving,
      duration: sending + waiting + receiving,
    };
  }
}
