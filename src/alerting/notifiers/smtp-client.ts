/**
 * A small SMTP client for the e-mail receiver: EHLO, STARTTLS when the server offers it (required unless
 * require_tls is false), implicit TLS on port 465, AUTH PLAIN, MAIL FROM / RCPT TO, DATA with dot-stuffing,
 * QUIT. Replies 4xx and broken connections are retryable; 5xx are final. Every step is bounded by the
 * attempt's abort signal.
 */
import net from 'node:net';
import tls from 'node:tls';
import { NotifyError } from './delivery.ts';

export interface SmtpOptions {
  host: string;
  port: number;
  hello: string;
  from: string;
  to: readonly string[];
  username?: string;
  password?: string;
  identity?: string;
  requireTls: boolean;
  /** PEM CA certificates to trust besides the system's */
  ca?: string;
  insecureSkipVerify?: boolean;
}

interface Reply {
  code: number;
  text: string;
}

class Connection {
  private socket: net.Socket;
  private buffer = '';
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private readonly onData = (d: Buffer) => {
    this.buffer += d.toString('utf8');
    this.pump();
  };
  private readonly onEnd = () => this.fail(new NotifyError('SMTP server closed the connection', true));
  private readonly onError = (e: Error) => this.fail(new NotifyError(`SMTP connection: ${e.message}`, true));

  constructor(socket: net.Socket) {
    this.socket = socket;
    this.attach();
  }

  private attach(): void {
    this.socket.on('data', this.onData);
    this.socket.on('end', this.onEnd);
    this.socket.on('error', this.onError);
  }

  private detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('error', this.onError);
  }

  fail(e: Error): void {
    this.failure ??= e;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(this.failure);
  }

  /** A complete (possibly multi-line) reply, when the buffer holds one. */
  private take(): Reply | undefined {
    const lines: string[] = [];
    let offset = 0;
    for (;;) {
      const end = this.buffer.indexOf('\n', offset);
      if (end < 0) return undefined;
      const line = this.buffer.slice(offset, end).replace(/\r$/, '');
      offset = end + 1;
      const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
      if (!m) {
        this.fail(new NotifyError(`SMTP server sent a malformed reply ${JSON.stringify(line.slice(0, 80))}`, true));
        return undefined;
      }
      lines.push(m[3]);
      if (m[2] !== '-') {
        this.buffer = this.buffer.slice(offset);
        return { code: Number(m[1]), text: lines.join('\n') };
      }
    }
  }

  private pump(): void {
    if (!this.waiting) return;
    const r = this.take();
    if (!r) return;
    const w = this.waiting;
    this.waiting = undefined;
    w.resolve(r);
  }

  read(): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.pump();
    });
  }

  write(text: string): void {
    this.socket.write(text);
  }

  async command(line: string, expect: readonly number[], what = line.split(' ')[0]): Promise<Reply> {
    this.write(`${line}\r\n`);
    return check(await this.read(), expect, what);
  }

  async upgrade(options: tls.ConnectionOptions): Promise<void> {
    this.detach();
    const secure = tls.connect({ ...options, socket: this.socket });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', (e) => reject(new NotifyError(`SMTP STARTTLS: ${e.message}`, false)));
    });
    this.socket = secure;
    this.buffer = '';
    this.attach();
  }

  close(): void {
    this.detach();
    this.socket.on('error', () => undefined);
    this.socket.destroy();
  }
}

function check(r: Reply, expect: readonly number[], what: string): Reply {
  if (expect.includes(r.code)) return r;
  throw new NotifyError(`SMTP ${what}: ${r.code} ${r.text.split('\n')[0]}`, r.code >= 400 && r.code < 500, r.code);
}

/** Lines starting with a dot get a second one (RFC 5321 §4.5.2); line ends become CRLF. */
export function dotStuff(message: string): string {
  return message
    .replace(/\r?\n/g, '\r\n')
    .split('\r\n')
    .map((l) => (l.startsWith('.') ? `.${l}` : l))
    .join('\r\n');
}

function extensions(ehlo: Reply): Set<string> {
  return new Set(ehlo.text.split('\n').slice(1).map((l) => l.trim().toUpperCase()));
}

export async function sendMail(o: SmtpOptions, message: string, signal: AbortSignal): Promise<void> {
  const tlsOptions: tls.ConnectionOptions = {
    servername: net.isIP(o.host) ? undefined : o.host,
    host: o.host,
    rejectUnauthorized: !o.insecureSkipVerify,
    ...(o.ca ? { ca: [...tls.rootCertificates, o.ca] } : {}),
  };
  const implicitTls = o.port === 465;
  const socket = implicitTls ? tls.connect({ ...tlsOptions, port: o.port }) : net.connect({ host: o.host, port: o.port });
  const conn = new Connection(socket);
  const abort = () => conn.fail(new NotifyError(`SMTP ${o.host}:${o.port}: ${(signal.reason as Error)?.message ?? 'aborted'}`, true));
  if (signal.aborted) abort();
  signal.addEventListener('abort', abort, { once: true });
  try {
    check(await conn.read(), [220], 'greeting');
    let ehlo = await conn.command(`EHLO ${o.hello}`, [250]);
    let secure = implicitTls;
    if (!secure && extensions(ehlo).has('STARTTLS')) {
      await conn.command('STARTTLS', [220]);
      await conn.upgrade(tlsOptions);
      secure = true;
      ehlo = await conn.command(`EHLO ${o.hello}`, [250]);
    }
    if (!secure && o.requireTls) throw new NotifyError(`SMTP ${o.host}:${o.port} does not offer STARTTLS and require_tls is true`, false);
    if (o.username !== undefined) {
      const auth = [...extensions(ehlo)].find((e) => e.startsWith('AUTH'));
      if (!auth || !/\bPLAIN\b/.test(auth)) throw new NotifyError(`SMTP ${o.host}:${o.port} does not offer AUTH PLAIN`, false);
      // as Go's smtp.PlainAuth (Alertmanager's): credentials only over TLS, or to this machine
      if (!secure && !['localhost', '127.0.0.1', '::1'].includes(o.host)) {
        throw new NotifyError('SMTP: refusing to send a password over an unencrypted connection', false);
      }
      const token = Buffer.from(`${o.identity ?? ''}\u0000${o.username}\u0000${o.password ?? ''}`).toString('base64');
      await conn.command(`AUTH PLAIN ${token}`, [235], 'AUTH');
    }
    await conn.command(`MAIL FROM:<${address(o.from)}>`, [250], 'MAIL FROM');
    for (const to of o.to) await conn.command(`RCPT TO:<${address(to)}>`, [250, 251], 'RCPT TO');
    await conn.command('DATA', [354]);
    const body = dotStuff(message);
    conn.write(`${body}${body.endsWith('\r\n') ? '' : '\r\n'}.\r\n`);
    check(await conn.read(), [250], 'DATA');
    // the message is accepted: a QUIT that goes wrong must not make the caller send it again
    conn.write('QUIT\r\n');
    await conn.read().catch(() => undefined);
  } finally {
    signal.removeEventListener('abort', abort);
    conn.close();
  }
}

/** `Ops <ops@example.com>` → `ops@example.com`. */
export function address(s: string): string {
  const m = /<([^>]*)>/.exec(s);
  return (m ? m[1] : s).trim();
}
