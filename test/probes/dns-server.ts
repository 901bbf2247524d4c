/**
 * A tiny authoritative DNS responder on UDP for tests: answers A, TXT, MX and CNAME questions from a
 * zone table, and can answer NXDOMAIN, SERVFAIL, a malformed packet or nothing at all.
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

export type ZoneEntry =
  | { A: string[]; AAAA?: string[] }
  | { TXT: (string | string[])[] }
  | { MX: [number, string][] }
  | { CNAME: string }
  | { rcode: number }
  | 'malformed'
  | 'silent';

const TYPES: Record<number, string> = { 1: 'A', 5: 'CNAME', 15: 'MX', 16: 'TXT', 28: 'AAAA' };

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'ascii')])), Buffer.from([0])]);
}

/** 16 bytes of an IPv6 address written with at most one "::". */
function ipv6Bytes(ip: string): Buffer {
  const [head, tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function parseQuestion(msg: Buffer): { id: number; rd: number; name: string; qtype: number; end: number } {
  const id = msg.readUInt16BE(0);
  const rd = msg[2] & 1;
  let i = 12;
  const labels: string[] = [];
  while (msg[i] !== 0) {
    labels.push(msg.subarray(i + 1, i + 1 + msg[i]).toString('ascii'));
    i += msg[i] + 1;
  }
  i++;
  const qtype = msg.readUInt16BE(i);
  return { id, rd, name: labels.join('.').toLowerCase(), qtype, end: i + 4 };
}

function record(type: number, rdata: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0); // pointer to the question's name
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(1, 4); // IN
  head.writeUInt32BE(60, 6);
  head.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([head, rdata]);
}

function answersFor(entry: ZoneEntry, qtype: number): Buffer[] {
  if (typeof entry === 'string' || 'rcode' in entry) return [];
  const want = TYPES[qtype];
  if ('A' in entry && want === 'A') return entry.A.map((ip) => record(1, Buffer.from(ip.split('.').map(Number))));
  if ('A' in entry && want === 'AAAA') return (entry.AAAA ?? []).map((ip) => record(28, ipv6Bytes(ip)));
  if ('TXT' in entry && want === 'TXT') {
    return entry.TXT.map((t) => record(16, Buffer.concat((Array.isArray(t) ? t : [t]).map((s) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s)])))));
  }
  if ('MX' in entry && want === 'MX') {
    return entry.MX.map(([pref, host]) => {
      const p = Buffer.alloc(2);
      p.writeUInt16BE(pref);
      return record(15, Buffer.concat([p, encodeName(host)]));
    });
  }
  if ('CNAME' in entry && want === 'CNAME') return [record(5, encodeName(entry.CNAME))];
  return [];
}

export interface DnsServer {
  port: number;
  /** Questions received, as "name TYPE". */
  queries: string[];
  close(): Promise<void>;
}

export async function startDnsServer(zone: Record<string, ZoneEntry>): Promise<DnsServer> {
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (msg, rinfo) => {
    let q: ReturnType<typeof parseQuestion>;
    try {
      q = parseQuestion(msg);
    } catch {
      return;
    }
    queries.push(`${q.name} ${TYPES[q.qtype] ?? q.qtype}`);
    const entry = zone[q.name];
    if (entry === 'silent') return;
    const header = Buffer.alloc(12);
    header.writeUInt16BE(q.id, 0);
    if (entry === 'malformed') {
      // A header promising three answers, followed by nothing.
      header.writeUInt16BE(0x8180, 2);
      header.writeUInt16BE(1, 4);
      header.writeUInt16BE(3, 6);
      socket.send(Buffer.concat([header, msg.subarray(12, q.end), Buffer.from([0xc0, 0x0c, 0, 1])]), rinfo.port, rinfo.address);
      return;
    }
    const rcode = entry === undefined ? 3 : 'rcode' in entry ? entry.rcode : 0;
    const answers = entry === undefined ? [] : answersFor(entry, q.qtype);
    header.writeUInt16BE(0x8000 | 0x0400 | (q.rd << 8) | 0x80 | rcode, 2); // QR, AA, RD as asked, RA
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    socket.send(Buffer.concat([header, msg.subarray(12, q.end), ...answers]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: (socket.address() as AddressInfo).port,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
