/**
 * A minimal SMTP server for tests: EHLO with STARTTLS (using the test certificate) and AUTH PLAIN when
 * enabled, MAIL/RCPT/DATA with dot-unstuffing, QUIT. It records each accepted message, and `reply` can
 * answer any command differently (a 451 at RCPT, a dropped connection during DATA).
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

export const TEST_CERT = readFileSync(new URL('../fixtures/tls/cert.pem', import.meta.url), 'utf8');
const KEY = readFileSync(new URL('../fixtures/tls/key.pem', import.meta.url), 'utf8');

export interface Mail {
  from: string;
  to: string[];
  data: string;
  tls: boolean;
  auth?: string;
}

export interface SmtpServer {
  host: string;
  port: number;
  mails: Mail[];
  commands: string[];
  /** return a reply line to override the normal answer, 'drop' to cut the connection, 'silent' to never answer */
  reply: (command: string, n: number) => string | 'drop' | 'silent' | undefined;
  close(): Promise<void>;
}

export async function startSmtpServer(options: { starttls?: boolean; auth?: boolean } = {}): Promise<SmtpServer> {
  const sockets = new Set<net.Socket>();
  const srv: SmtpServer = { host: '127.0.0.1', port: 0, mails: [], commands: [], reply: () => undefined, close: async () => undefined };
  const server = net.createServer((raw) => {
    sockets.add(raw);
    let socket: net.Socket = raw;
    let secure = false;
    let buffer = '';
    let mail: Partial<Mail> & { to: string[] } = { to: [] };
    let inData = false;
    let auth: string | undefined;
    const send = (line: string) => socket.write(`${line}\r\n`);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const data = buffer.slice(0, end).split('\r\n').map((l) => (l.startsWith('..') ? l.slice(1) : l)).join('\n');
          buffer = buffer.slice(end + 5);
          inData = false;
          const over = srv.reply('.', srv.commands.length);
          if (over === 'drop') return void socket.destroy();
          if (over) send(over);
          else {
            srv.mails.push({ from: mail.from ?? '', to: mail.to, data, tls: secure, ...(auth ? { auth } : {}) });
            send('250 2.0.0 queued');
          }
          mail = { to: [] };
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        srv.commands.push(line);
        const verb = line.split(' ')[0].toUpperCase();
        const over = srv.reply(verb, srv.commands.length);
        if (over === 'drop') return void socket.destroy();
        if (over === 'silent') continue;
        if (over) {
          send(over);
          continue;
        }
        if (verb === 'EHLO') {
          const ext = [...(options.starttls && !secure ? ['STARTTLS'] : []), ...(options.auth ? ['AUTH PLAIN LOGIN'] : []), '8BITMIME'];
          send(`250${ext.length ? '-' : ' '}test.local greets ${line.slice(5)}`);
          ext.forEach((e, i) => send(`250${i === ext.length - 1 ? ' ' : '-'}${e}`));
        } else if (verb === 'STARTTLS') {
          send('220 2.0.0 ready');
          socket.off('data', onData);
          const secureSocket = new tls.TLSSocket(socket, { isServer: true, cert: TEST_CERT, key: KEY });
          secureSocket.on('data', onData);
          secureSocket.on('error', () => undefined);
          socket = secureSocket;
          secure = true;
        } else if (verb === 'AUTH') {
          auth = Buffer.from(line.split(' ')[2] ?? '', 'base64').toString('utf8');
          send(auth === '\u0000user\u0000pass' ? '235 2.7.0 ok' : '535 5.7.8 bad credentials');
        } else if (verb === 'MAIL') {
          mail.from = /<(.*)>/.exec(line)?.[1];
          send('250 ok');
        } else if (verb === 'RCPT') {
          mail.to.push(/<(.*)>/.exec(line)?.[1] ?? '');
          send('250 ok');
        } else if (verb === 'DATA') {
          inData = true;
          send('354 go ahead');
        } else if (verb === 'QUIT') {
          send('221 bye');
          socket.end();
        } else send('502 unknown');
      }
    };
    raw.on('data', onData);
    raw.on('error', () => undefined);
    raw.on('close', () => sockets.delete(raw));
    send('220 test.local ESMTP');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  srv.port = (server.address() as net.AddressInfo).port;
  srv.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return srv;
}
