/**
 * One HTTP round trip (one redirect hop, or one attempt of it) on one Conn: the request to write, the response
 * as it arrives (head and body kept as ranges of the socket's chunks), and every timestamp, taken from the
 * request's clock. The Conn fills it in; its owner hears once, through exchangeDone(), that it has ended.
 *
 * Timings, as k6 derives them from Go's httptrace (lib/netext/httpext/tracer.go):
 *   blocked          request start -> connection ready to write: DNS, TCP connect and TLS handshake of a new
 *                    connection (Go's GetConn -> GotConn); on a reused keep-alive connection, microseconds.
 *   connecting       TCP connect of a connection opened for this request (after DNS); 0 on reuse.
 *   tls_handshaking  TLS handshake of a connection opened for this request; 0 on reuse and for plain HTTP.
 *   sending          connection ready -> request head and body written to the socket (a body the socket could
 *                    not take at once counts until Node's write buffer drains).
 *   waiting          request sent -> first response byte (time to first byte); until the end when none came.
 *   receiving        first response byte -> last byte of the body.
 *   duration         sending + waiting + receiving.
 */
import type { Conn } from './connection.ts';
import { headerPairs, type BodySink } from './parser.ts';
import type { ResponseTimings } from './types.ts';

/** The request's clock (RequestContext has this shape), called as a method so contexts may rely on `this`. */
export interface Clock {
  now(): number;
}

export interface ExchangeOwner {
  exchangeDone(ex: Exchange): void;
}

const NO_CHUNKS: readonly Buffer[] = Object.freeze([]) as readonly Buffer[];

export class Exchange implements BodySink {
  readonly owner: ExchangeOwner;
  /** null for a request that fails before it could get a connection (e.g. an unsupported scheme). */
  readonly conn: Conn | null;
  readonly clock: Clock;
  readonly collect: boolean;
  readonly start: number;

  /** The serialized head; with a body, it ends before the Content-Length line. */
  reqHead: Buffer | null = null;
  reqBody: string | Buffer | null = null;
  /** A HEAD request: the response has no body whatever its headers say. */
  noBody = false;
  /** Epoch ms by which the exchange must have ended (k6's request timeout). */
  deadline = Infinity;

  gotConn = 0;
  wrote = 0;
  firstByte = 0;
  end = 0;
  connecting = 0;
  tlsHandshaking = 0;
  /** The request ran on a connection an earlier request had used. */
  reused = false;

  status = 0;
  statusText = '';
  /** The response's header lines are head[headStart, headEnd). */
  head: Buffer | null = null;
  headStart = 0;
  headEnd = 0;
  /** The response has a Content-Encoding header. */
  encoded = false;
  /** The response has a Set-Cookie header. */
  setCookie = false;
  #rawHeaders: string[] | null = null;
  /** The body while it is one range of one chunk, the common case; `chunks` once there are more. */
  #piece: Buffer | null = null;
  #pieceStart = 0;
  #pieceEnd = 0;
  #chunks: Buffer[] | null = null;
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

  /** `start`: when the request began, on `clock`. */
  constructor(owner: ExchangeOwner, conn: Conn | null, clock: Clock, collect: boolean, start: number) {
    this.owner = owner;
    this.conn = conn;
    this.clock = clock;
    this.collect = collect;
    this.start = start;
  }

  onBody(buf: Buffer, start: number, end: number): void {
    this.size += end - start;
    if (!this.collect) return;
    if (this.#chunks !== null) {
      this.#chunks.push(buf.subarray(start, end));
    } else if (this.#piece === null) {
      this.#piece = buf;
      this.#pieceStart = start;
      this.#pieceEnd = end;
    } else {
      this.#chunks = [this.#piece.subarray(this.#pieceStart, this.#pieceEnd), buf.subarray(start, end)];
      this.#piece = null;
    }
  }

  /** The body as chunks (empty when none was kept). */
  chunks(): Buffer[] {
    if (this.#chunks !== null) return this.#chunks;
    const piece = this.#piece;
    if (piece === null) return NO_CHUNKS as Buffer[];
    return [this.#pieceStart === 0 && this.#pieceEnd === piece.length ? piece : piece.subarray(this.#pieceStart, this.#pieceEnd)];
  }

  /** Response headers as [name, value, ...], decoded on first use. */
  rawHeaders(): string[] | null {
    if (this.#rawHeaders === null && this.head !== null) this.#rawHeaders = headerPairs(this.head, this.headStart, this.headEnd);
    return this.#rawHeaders;
  }

  /** Ends the exchange as it stands; the owner takes over. Called once, by the Conn or for an early failure. */
  settle(): void {
    this.settled = true;
    this.owner.exchangeDone(this);
  }

  /** Ends the exchange with `err` (timeout, VU interrupted); its connection, if any, is closed. */
  fail(err: Error): void {
    if (this.settled) return;
    if (this.conn !== null) {
      this.conn.fail(this, err);
      return;
    }
    this.error = err;
    this.end = this.clock.now();
    this.settle();
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
