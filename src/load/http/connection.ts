/**
 * A VU's connections: one Conn is one TCP (or TLS) socket carrying at most one request at a time, so everything
 * that happens on the socket while a request is current belongs to that request. Connections are never shared
 * between VUs (k6 gives every VU its own transport). A Conn never reconnects: when its socket ends, the Conn is
 * dead and the pool opens a new one for the next request.
 *
 * The request is written as prebuilt bytes (see request-head.ts) in one write; what the socket reads goes, through
 * one read callback per connection, into the Conn's parser, which hands body ranges to the current Exchange.
 */
import net from 'node:net';
import tls from 'node:tls';
import { ConnectionClosedError, RequestTimeoutError } from './error-codes.ts';
import type { Clock, Exchange } from './exchange.ts';
import { FAILED, NEED_MORE, ResponseParser } from './parser.ts';
import type { Target } from './url.ts';

/** k6's dialer gives up after 30s; the request timeout usually fires first. */
const DIAL_TIMEOUT_MS = 30_000;
/** k6's dialer enables TCP keep-alive probes at this interval. */
const TCP_KEEPALIVE_MS = 30_000;
/** Bodies up to this size are copied behind the head and written with it; larger ones are written as they are. */
const COALESCE_MAX = 64 * 1024;
/**
 * Every socket of the thread reads into this one buffer (Node's `onread`), and what a response keeps is copied
 * out of it right away. That spares each read the allocation and later release of a fresh buffer and the
 * Readable stream steps behind a 'data' event; reads are handled one at a time, so sharing it is safe.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Where a pool's connections go and how. */
export interface Endpoint {
  readonly tls: boolean;
  /** Host name or IP address, without the brackets of an IPv6 literal. */
  readonly host: string;
  readonly port: number;
  readonly rejectUnauthorized: boolean;
  /** Every connection serves one request and closes (k6's noConnectionReuse). */
  readonly closeAfterEach: boolean;
}

export function endpointOf(target: Target, insecureSkipTLSVerify: boolean, noConnectionReuse: boolean): Endpoint {
  const u = target.parsed;
  const secure = target.protocol === 'https:';
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return {
    tls: secure,
    host,
    port: u.port === '' ? (secure ? 443 : 80) : Number(u.port),
    rejectUnauthorized: !insecureSkipTLSVerify,
    closeAfterEach: noConnectionReuse,
  };
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
  readonly pool: HostPool;
  readonly socket: net.Socket;
  readonly parser = new ResponseParser();
  busy = false;
  /** The socket has ended or is being closed; the pool drops the Conn once it is not busy. */
  dead = false;
  /** TCP connect or TLS handshake still under way. */
  dialing = true;
  /** The exchange in flight on this connection, if any. */
  current: Exchange | null = null;

  /** When TCP connect began: after DNS, as Go's ConnectStart (DNS time counts as blocked, like in k6). */
  connectStart: number;
  connectDone = 0;
  tlsDone = 0;
  remoteIp = '';
  remotePort = 0;
  tlsVersion = '';
  tlsCipherSuite = '';

  #clock: Clock;
  readonly #tls: boolean;
  readonly #dialDeadline: number;
  /** A request has been written on this socket: later ones are reuses. */
  #used = false;
  /** Close the socket once the current response is complete. */
  #closeAfter = false;
  /** Sending lasts until the socket's write buffer drains. */
  #awaitingDrain = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #timerMs = 0;
  /** TLS: the TCP handle under the TLS socket, whose counters include records and handshake. */
  #raw: Counters | null = null;
  /**
   * Plain TCP: every byte goes through #send and the read callback, so counting them there is exact, and cheaper
   * than the socket's bytesWritten, which walks its write queue.
   */
  #read = 0;
  #written = 0;
  #readBase = 0;
  #writtenBase = 0;

  constructor(pool: HostPool, clock: Clock) {
    this.pool = pool;
    this.#clock = clock;
    const ep = pool.endpoint;
    this.#tls = ep.tls;
    this.connectStart = clock.now();
    this.#dialDeadline = this.connectStart + DIAL_TIMEOUT_MS;
    // Names go through dns.lookup inside connect (and its 'lookup' event moves connectStart past DNS); IP
    // literals connect directly.
    const onread: net.OnReadOpts = { buffer: READ_BUFFER, callback: this.#onRead };
    // tls.connect passes onread on to its socket; its option type does not list it.
    const tlsOptions: tls.ConnectionOptions & { onread: net.OnReadOpts } = {
      host: ep.host,
      port: ep.port,
      // SNI takes host names only.
      servername: net.isIP(ep.host) === 0 ? ep.host : undefined,
      rejectUnauthorized: ep.rejectUnauthorized,
      ALPNProtocols: ['http/1.1'],
      onread,
      // Go's transport, which k6 uses, does not resume TLS sessions unless told to; no session is offered
      // here either, so every new connection pays a full handshake and tls_handshaking means the same.
    };
    const socket = ep.tls
      ? tls.connect(tlsOptions)
      : net.connect({
        host: ep.host,
        port: ep.port,
        noDelay: true,
        keepAlive: true,
        keepAliveInitialDelay: TCP_KEEPALIVE_MS,
        onread,
      });
    this.socket = socket;
    if (ep.tls) {
      // Kept until the TCP handle exists and applied to it then.
      socket.setNoDelay(true);
      socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
    }
    socket.on('lookup', this.#onLookup);
    socket.on('connect', this.#onConnect);
    if (ep.tls) socket.on('secureConnect', this.#onSecure);
    socket.on('drain', this.#onDrain);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
  }

  /**
   * Takes `ex` as the connection's request: written now, or once the connection is up. `ms` bounds it (the
   * request's remaining time).
   */
  begin(ex: Exchange, ms: number): void {
    this.current = ex;
    this.#clock = ex.clock;
    this.#closeAfter = this.pool.endpoint.closeAfterEach;
    this.parser.start(ex.noBody);
    this.#watch(ms);
    if (!this.dialing) this.#send(ex);
  }

  /** Ends `ex`, the current exchange, with `err`; the socket is closed. */
  fail(ex: Exchange, err: Error): void {
    if (ex.settled || this.current !== ex) return;
    this.#end(ex, err);
  }

  /** Closes the socket at once; a request still on it fails with EOF. */
  destroy(): void {
    if (!this.dead) {
      this.dead = true;
      const ex = this.current;
      if (ex !== null) this.#end(ex, new ConnectionClosedError());
    }
    this.#close();
  }

  #send(ex: Exchange): void {
    const clock = ex.clock;
    ex.gotConn = clock.now();
    if (this.#used) {
      ex.reused = true;
    } else {
      this.#used = true;
      ex.connecting = this.connectDone > this.connectStart ? this.connectDone - this.connectStart : 0;
      ex.tlsHandshaking = this.tlsDone > this.connectDone ? this.tlsDone - this.connectDone : 0;
    }
    const socket = this.socket;
    const head = ex.reqHead!;
    const body = ex.reqBody;
    let taken: boolean;
    if (body === null) {
      taken = socket.write(head);
      this.#written += head.length;
    } else {
      const bodyLength = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
      const length = `Content-Length: ${bodyLength}\r\n\r\n`;
      const total = head.length + length.length + bodyLength;
      if (total <= COALESCE_MAX) {
        const out = Buffer.allocUnsafe(total);
        head.copy(out, 0);
        const at = head.length + out.write(length, head.length, 'latin1');
        if (typeof body === 'string') out.write(body, at, 'utf8');
        else body.copy(out, at);
        taken = socket.write(out);
      } else {
        socket.cork();
        socket.write(head);
        socket.write(length, 'latin1');
        taken = socket.write(body);
        socket.uncork();
      }
      this.#written += total;
    }
    ex.wrote = clock.now();
    // A request the socket could not take at once (write() says so past its high-water mark) is sent when the
    // write buffer drains, which is when Go's WroteRequest (k6's end of sending) would fire.
    if (!taken) this.#awaitingDrain = true;
  }

  readonly #onLookup = (): void => {
    if (this.connectDone === 0) this.connectStart = this.#clock.now();
  };

  readonly #onConnect = (): void => {
    this.connectDone = this.#clock.now();
    if (!this.#tls) this.#ready();
  };

  readonly #onSecure = (): void => {
    this.tlsDone = this.#clock.now();
    const t = this.socket as tls.TLSSocket;
    const proto = t.getProtocol();
    this.tlsVersion = proto === null ? '' : TLS_VERSIONS[proto] ?? proto;
    this.tlsCipherSuite = t.getCipher()?.standardName ?? '';
    // A TLSSocket counts plaintext; the TCP handle under it counts what crossed the wire (records, handshake),
    // which is what k6 reports, since it counts on the raw connection.
    const tcp = (t as unknown as { _handle?: { _parent?: Counters } })._handle?._parent;
    if (tcp !== undefined && typeof tcp.bytesRead === 'number' && typeof tcp.bytesWritten === 'number') this.#raw = tcp;
    this.#ready();
  };

  #ready(): void {
    this.dialing = false;
    this.remoteIp = this.socket.remoteAddress ?? '';
    this.remotePort = this.socket.remotePort ?? 0;
    // A timer shortened to the dial timeout finds the connection up when it fires and waits for the rest.
    const ex = this.current;
    if (ex !== null && !ex.settled) this.#send(ex);
  }

  readonly #onRead = (n: number, buf: Uint8Array): boolean => {
    const chunk = Buffer.allocUnsafe(n);
    chunk.set(n === buf.length ? buf : buf.subarray(0, n));
    this.#onData(chunk);
    return true;
  };

  #onData(chunk: Buffer): void {
    this.#read += chunk.length;
    const ex = this.current;
    if (ex === null) {
      // Bytes no request asked for: Go drops such a connection too.
      this.destroy();
      return;
    }
    if (ex.firstByte === 0) ex.firstByte = ex.clock.now();
    const r = this.parser.execute(chunk, 0, ex);
    if (r === NEED_MORE) return;
    if (r === FAILED) {
      this.#end(ex, this.parser.error ?? new ConnectionClosedError());
      return;
    }
    // Anything after the response is unsolicited, so the connection cannot be trusted with another request;
    // nor can it when the server answered before taking the whole request (Go closes it then too).
    if (r < chunk.length || !this.parser.keepAlive || this.#awaitingDrain) this.#closeAfter = true;
    this.#end(ex, null);
  }

  readonly #onDrain = (): void => {
    if (!this.#awaitingDrain) return;
    this.#awaitingDrain = false;
    const ex = this.current;
    if (ex !== null) ex.wrote = ex.clock.now();
  };

  readonly #onEnd = (): void => {
    this.dead = true;
    const ex = this.current;
    if (ex !== null) {
      // A body delimited by the connection closing ends here; anything else was cut short.
      const done = this.parser.finish() !== FAILED;
      this.#end(ex, done ? null : new ConnectionClosedError());
    }
    this.#close();
  };

  readonly #onError = (err: Error): void => {
    this.dead = true;
    const ex = this.current;
    if (ex !== null) this.#end(ex, err);
    this.#close();
  };

  readonly #onClose = (): void => {
    this.dead = true;
    const ex = this.current;
    if (ex !== null) this.#end(ex, new ConnectionClosedError());
    this.#close();
  };

  /** Settles the current exchange; closes the socket first when the connection cannot serve another request. */
  #end(ex: Exchange, err: Error | null): void {
    this.current = null;
    this.#awaitingDrain = false;
    ex.end = ex.clock.now();
    if (err !== null) {
      ex.error = err;
    } else {
      const p = this.parser;
      ex.status = p.status;
      ex.statusText = p.statusText;
      ex.head = p.head;
      ex.headStart = p.headStart;
      ex.headEnd = p.headEnd;
      ex.encoded = p.encoded;
      ex.setCookie = p.setCookie;
    }
    this.#takeBytes(ex);
    if (ex.gotConn !== 0) {
      ex.remoteIp = this.remoteIp;
      ex.remotePort = this.remotePort;
      ex.tlsVersion = this.tlsVersion;
      ex.tlsCipherSuite = this.tlsCipherSuite;
    }
    if (err !== null || this.#closeAfter) {
      this.dead = true;
      this.#close();
    }
    ex.settle();
  }

  /**
   * Stores into `ex` the bytes read and written on the wire since the previous call: everything a request
   * caused, including the TCP/TLS setup of a connection opened for it. Between-request traffic (e.g. TLS session
   * tickets) lands on the next request of the connection. A closed TLS handle reads as 0; such a drop is ignored.
   */
  #takeBytes(ex: Exchange): void {
    const raw = this.#raw;
    const read = raw === null ? this.#read : raw.bytesRead;
    const written = raw === null ? this.#written : raw.bytesWritten;
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
   * Arms the deadline of the current exchange. One timer per connection, re-armed with refresh() while the
   * duration stays the same (the common case: every request with the default timeout), is cheaper than a timer
   * per request; it may run late by the few microseconds between the deadline's computation and this call.
   * While dialing, the dial timeout may come first.
   */
  #watch(ms: number): void {
    if (this.dialing) ms = Math.min(ms, this.#dialDeadline - this.#clock.now());
    if (this.#timer !== null && this.#timerMs === ms) {
      this.#timer.refresh();
      return;
    }
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timerMs = ms;
    // Unref'd: an idle connection's stale timer must not keep a worker alive; a request in flight has its socket.
    this.#timer = setTimeout(expire, Math.max(1, ms), this).unref();
  }

  /** Called by the timer: fails the exchange in flight if its deadline has passed, else waits for the rest. */
  expire(): void {
    this.#timer = null;
    const ex = this.current;
    if (ex === null || ex.settled) return;
    const now = ex.clock.now();
    // Go reports a deadline hit while dialing as a dial timeout (k6 code 1211), anything later as 1050.
    if (this.dialing && now >= this.#dialDeadline - 1) {
      this.#end(ex, new RequestTimeoutError(true));
      return;
    }
    const left = ex.deadline - now;
    if (left > 1) {
      this.#watch(left);
      return;
    }
    this.#end(ex, new RequestTimeoutError(ex.gotConn === 0 && this.dialing));
  }

  #close(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (!this.socket.destroyed) this.socket.destroy();
    if (!this.busy) this.pool.drop(this);
  }
}

function expire(conn: Conn): void {
  conn.expire();
}

/** The connections of one VU to one origin. Sequential requests reuse the first; batches open more. */
export class HostPool {
  readonly endpoint: Endpoint;
  readonly conns: Conn[] = [];
  readonly #maxIdle: number;

  constructor(endpoint: Endpoint, maxIdle: number) {
    this.endpoint = endpoint;
    this.#maxIdle = Math.max(1, maxIdle);
  }

  acquire(clock: Clock): Conn {
    const conns = this.conns;
    for (let i = 0; i < conns.length; i++) {
      const c = conns[i];
      if (!c.busy && !c.dead) {
        c.busy = true;
        return c;
      }
    }
    const c = new Conn(this, clock);
    c.busy = true;
    conns.push(c);
    return c;
  }

  /** Returns a Conn after its request; closes it when the pool keeps more idle connections than allowed. */
  release(conn: Conn): void {
    conn.busy = false;
    if (conn.dead) {
      this.drop(conn);
      return;
    }
    if (this.conns.length <= this.#maxIdle) return;
    let idle = 0;
    for (const c of this.conns) if (!c.busy) idle++;
    if (idle > this.#maxIdle) conn.destroy();
  }

  drop(conn: Conn): void {
    const i = this.conns.indexOf(conn);
    if (i !== -1) this.conns.splice(i, 1);
  }

  destroy(): void {
    for (const c of this.conns.splice(0)) c.destroy();
  }
}
