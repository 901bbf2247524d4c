/**
 * A VU's connections. Each Conn is one undici Client, i.e. at most one socket, and carries at most one request at
 * a time; that makes attribution exact: the socket a request ran on is the Conn's current socket, and a socket
 * that no request has used yet was opened for the request that picks it up. Connections are never shared
 * between VUs (k6 gives every VU its own transport).
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { buildConnector, Client } from 'undici';
import { RequestTimeoutError } from './error-codes.ts';
import type { Clock, Exchange } from './exchange.ts';

export type Connector = ReturnType<typeof buildConnector>;

export function createConnector(insecureSkipTLSVerify: boolean): Connector {
  return buildConnector({
    rejectUnauthorized: !insecureSkipTLSVerify,
    allowH2: false,
    // Go's transport, which k6 uses, does not resume TLS sessions unless told to; every new connection pays a
    // full handshake, so tls_handshaking means the same in both.
    maxCachedSessions: 0,
    // k6's dialer gives up after 30s; the request timeout usually fires first.
    timeout: 30_000,
  });
}

/** Byte counters of a socket as it is on the wire. */
interface Counters {
  readonly bytesRead: number;
  readonly bytesWritten: number;
}

const TLS_VERSIONS: Record<string, string> = {
  'TLSv1.3': 'tls1.3', 'TLSv1.2': 'tls1.2', 'TLSv1.1': 'tls1.1', TLSv1: 'tls1.0', SSLv3: 'ssl3.0',
};

export class Conn {
  readonly client: Client;
  readonly pool: HostPool;
  busy = false;
  /** Set once the Client is destroyed; the pool drops the Conn. */
  dead = false;
  /** The connector was called and has not called back yet. */
  dialing = false;
  /** A socket is connected that no request has used yet. */
  fresh = false;
  /** Clock of the request this Conn currently serves; connection events are timed with it. */
  clock: Clock = Date;

  /** When TCP connect began: after DNS, as Go's ConnectStart (DNS time counts as blocked, like in k6). */
  connectStart = 0;
  connectDone = 0;
  tlsDone = 0;

  remoteIp = '';
  remotePort = 0;
  tlsVersion = '';
  tlsCipherSuite = '';

  /** The socket of the current connection. */
  socket: Socket | null = null;
  /** The exchange in flight on this connection, if any. */
  current: Exchange | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #timerMs = 0;
  #counters: Counters | null = null;
  #readBase = 0;
  #writtenBase = 0;

  constructor(pool: HostPool, connector: Connector) {
    this.pool = pool;
    this.client = new Client(pool.origin, {
      connect: (opts, cb) => this.#connect(connector, opts, cb),
      // The request timeout is ours (k6 semantics: one deadline over the whole request); undici's per-phase
      // timers would only add work.
      headersTimeout: 0,
      bodyTimeout: 0,
      // Go's transport (k6's) never drops idle connections on its own; undici's 4s default would make a VU
      // that sleeps a few seconds between iterations reconnect every time. A server's Keep-Alive: timeout
      // hint still shortens this, and a connection the server closed anyway is retried (see VuHttp).
      keepAliveTimeout: 60_000,
      allowH2: false,
      pipelining: 1,
    });
    // undici reports a handler that threw as an 'error' event; unheard, that would take the worker down. Every
    // request still settles (by its own error or its timeout), so dropping the connection is enough.
    (this.client as unknown as NodeJS.EventEmitter).on('error', () => this.destroy());
  }

  #connect(connector: Connector, opts: Parameters<Connector>[0], cb: Parameters<Connector>[1]): void {
    const tls = opts.protocol === 'https:';
    this.dialing = true;
    this.fresh = false;
    this.connectStart = this.clock.now();
    this.connectDone = 0;
    this.tlsDone = 0;
    // buildConnector returns the socket even though its type says void.
    const socket = (connector as unknown as (o: typeof opts, c: typeof cb) => Socket)(opts, (err, s) => {
      this.dialing = false;
      if (err !== null) {
        cb(err, null);
        return;
      }
      const now = this.clock.now();
      if (tls) {
        this.tlsDone = now;
        if (this.connectDone === 0) this.connectDone = now;
      } else {
        this.connectDone = now;
      }
      this.#adopt(s as Socket, tls);
      cb(null, s as Socket);
    });
    socket.once('lookup', () => {
      this.connectStart = this.clock.now();
    });
    if (tls) {
      socket.once('connect', () => {
        this.connectDone = this.clock.now();
      });
    }
  }

  #adopt(socket: Socket, tls: boolean): void {
    this.socket = socket;
    this.fresh = true;
    this.#readBase = 0;
    this.#writtenBase = 0;
    this.remoteIp = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.#counters = socket;
    this.tlsVersion = '';
    this.tlsCipherSuite = '';
    if (tls) {
      const t = socket as TLSSocket;
      const proto = t.getProtocol();
      this.tlsVersion = proto === null ? '' : TLS_VERSIONS[proto] ?? proto;
      this.tlsCipherSuite = t.getCipher()?.standardName ?? '';
      // A TLSSocket counts plaintext; the TCP handle under it counts what crossed the wire (records, handshake),
      // which is what k6 reports, since it counts on the raw connection.
      const tcp = (socket as unknown as { _handle?: { _parent?: Counters } })._handle?._parent;
      if (tcp !== undefined && typeof tcp.bytesRead === 'number' && typeof tcp.bytesWritten === 'number') this.#counters = tcp;
    }
  }

  /**
   * Stores into `ex` the bytes read and written on the wire since the previous call: everything a request
   * caused, including the TCP/TLS setup of a connection opened for it. Between-request traffic (e.g. TLS session
   * tickets) lands on the next request of the connection. A closed TLS handle reads as 0; such a drop is ignored.
   */
  takeBytes(ex: Exchange): void {
    const c = this.#counters;
    if (c === null) return;
    const read = c.bytesRead;
    const written = c.bytesWritten;
    if (read >= this.#readBase) {
      ex.received = read - this.#readBase;
      this.#readBase = read;
    }
    if (written >= this.#writtenBase) {
      ex.sent = written - this.#writtenBase;
      this.#writtenBase = written;
    }
  }

  /**
   * Watches `ex`'s deadline. One timer per connection, re-armed with refresh() while the duration stays the same
   * (the common case: every request with the default timeout), is cheaper than a timer per request; it may run
   * late by the few microseconds between the deadline's computation and this call.
   */
  watch(ex: Exchange, ms: number): void {
    this.current = ex;
    if (this.#timer !== null && this.#timerMs === ms) {
      this.#timer.refresh();
      return;
    }
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timerMs = ms;
    // Unref'd: an idle connection's stale timer must not keep a worker alive; a request in flight has its socket.
    this.#timer = setTimeout(expire, ms, this).unref();
  }

  /** Called by the timer: fails the exchange in flight if its deadline has passed, else waits for the rest. */
  expire(): void {
    this.#timer = null;
    const ex = this.current;
    if (ex === null || ex.settled) return;
    const left = ex.deadline - ex.clock.now();
    if (left > 1) {
      this.watch(ex, left);
      return;
    }
    // Go reports a deadline hit while dialing as a dial timeout (k6 code 1211), anything later as 1050.
    ex.fail(new RequestTimeoutError(ex.gotConn === 0 && this.dialing));
  }

  /** Closes the socket at once; a request still on it fails with `err`. */
  destroy(err?: Error): Promise<void> {
    if (this.dead) return Promise.resolve();
    this.dead = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    return this.client.destroy(err ?? null).catch(() => {});
  }
}

function expire(conn: Conn): void {
  conn.expire();
}

/** The connections of one VU to one origin. Sequential requests reuse the first; batches open more. */
export class HostPool {
  readonly origin: string;
  readonly conns: Conn[] = [];
  readonly #connector: Connector;
  readonly #maxIdle: number;

  constructor(origin: string, connector: Connector, maxIdle: number) {
    this.origin = origin;
    this.#connector = connector;
    this.#maxIdle = Math.max(1, maxIdle);
  }

  acquire(): Conn {
    const conns = this.conns;
    for (let i = 0; i < conns.length; i++) {
      const c = conns[i];
      if (!c.busy) {
        c.busy = true;
        return c;
      }
    }
    const c = new Conn(this, this.#connector);
    c.busy = true;
    conns.push(c);
    return c;
  }

  /** Returns a Conn after its request; closes it when the pool keeps more idle connections than allowed. */
  release(conn: Conn): void {
    conn.busy = false;
    if (conn.dead) {
      this.#remove(conn);
      return;
    }
    if (this.conns.length <= this.#maxIdle) return;
    let idle = 0;
    for (const c of this.conns) if (!c.busy) idle++;
    if (idle > this.#maxIdle) {
      this.#remove(conn);
      void conn.destroy();
    }
  }

  #remove(conn: Conn): void {
    const i = this.conns.indexOf(conn);
    if (i !== -1) this.conns.splice(i, 1);
  }

  destroy(): Promise<void>[] {
    const out: Promise<void>[] = [];
    for (const c of this.conns) out.push(c.destroy());
    this.conns.length = 0;
    return out;
  }
}
