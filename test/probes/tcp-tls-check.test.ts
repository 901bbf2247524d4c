import tls from 'node:tls';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/load/clock.ts';
import type { TlsCheck } from '../../src/probes/check-types.ts';
import { runCheck } from '../../src/probes/run-check.ts';
import { defineCheck, probe, startTcp, TLS_CERT, TLS_CERT_EXPIRY, TLS_KEY, type Closable } from './helpers.ts';

describe('TCP check', () => {
  let redis: Closable;
  beforeAll(async () => {
    // Answers PING with +PONG, like Redis.
    redis = await startTcp((sock) => {
      sock.on('data', (d) => {
        if (d.toString().startsWith('PING')) sock.write('+PONG\r\n');
        else sock.end('-ERR unknown command\r\n');
      });
    });
  });
  afterAll(() => redis.close());

  it('passes when the port accepts a connection', async () => {
    const r = await probe({ type: 'tcp', host: '127.0.0.1', port: redis.port });
    expect(r.status).toBe('passed');
    expect(r.tcp!.connectMs).toBeGreaterThanOrEqual(0);
  });

  it('sends, then waits for the expected answer', async () => {
    const r = await probe({ type: 'tcp', host: 'localhost', ipFamily: 4, port: redis.port, send: 'PING\r\n', expect: '^\\+PONG', assertions: [{ source: 'response', comparison: 'contains', target: 'PONG' }] });
    expect(r.failures).toEqual([]);
    expect(r.tcp!.received).toBe('+PONG\r\n');
    expect(r.tcp!.resolveMs).toBeGreaterThan(0);
  });

  it('fails when the server answers something else and closes', async () => {
    const r = await probe({ type: 'tcp', host: '127.0.0.1', port: redis.port, send: 'HELLO\r\n', expect: '^\\+PONG' });
    expect(r.status).toBe('failed');
    expect(r.error).toBe('the server closed the connection before sending text matching /^\\+PONG/ (received "-ERR unknown command\\r\\n")');
  });

  it('times out when the expected text never comes', async () => {
    const quiet = await startTcp(() => undefined);
    try {
      const r = await probe({ type: 'tcp', host: '127.0.0.1', port: quiet.port, expect: 'READY', timeout: '200ms' });
      expect(r.error).toBe('timed out after 200ms');
    } finally {
      await quiet.close();
    }
  });

  it('fails on a refused connection', async () => {
    const s = await startTcp(() => undefined);
    const port = s.port;
    await s.close();
    const r = await probe({ type: 'tcp', host: '127.0.0.1', port });
    expect(r.error).toMatch(/ECONNREFUSED/);
  });

  it('connects over TLS with the CA given', async () => {
    const server = tls.createServer({ cert: TLS_CERT, key: TLS_KEY }, (s) => s.end('220 ready\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const r = await probe({ type: 'tcp', host: '127.0.0.1', port, tls: true, tlsOptions: { ca: TLS_CERT }, expect: '^220' });
      expect(r.failures).toEqual([]);
      expect(r.tcp!.certificate!.earliestExpiry).toBe(TLS_CERT_EXPIRY);
      const untrusted = await probe({ type: 'tcp', host: '127.0.0.1', port, tls: true });
      expect(untrusted.status).toBe('failed');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('TLS certificate check', () => {
  let server: tls.Server;
  let port: number;
  beforeAll(async () => {
    server = tls.createServer({ cert: TLS_CERT, key: TLS_KEY }, (s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Runs the check as if the wall clock said `now`. */
  const at = (now: number, input: Record<string, unknown>) =>
    runCheck(defineCheck<TlsCheck>({ type: 'tls', host: 'localhost', ipFamily: 4, port, ...input }), { clock: { ...systemClock, now: () => now } });

  it('reads the chain: earliest expiry, trust, host name', async () => {
    const r = await probe({ type: 'tls', host: 'localhost', ipFamily: 4, port, tlsOptions: { ca: TLS_CERT } });
    expect(r.failures).toEqual([]);
    expect(r.status).toBe('passed');
    expect(r.tls).toMatchObject({ earliestExpiry: TLS_CERT_EXPIRY, leafExpiry: TLS_CERT_EXPIRY, chainTrusted: true, hostnameValid: true, subject: 'CN=localhost', issuer: 'CN=localhost' });
    expect(r.tls!.daysLeft).toBeGreaterThan(365 * 99);
  });

  it('fails an untrusted chain, unless insecureSkipVerify', async () => {
    const r = await probe({ type: 'tls', host: '127.0.0.1', port });
    expect(r.status).toBe('failed');
    expect(r.failures[0]).toMatch(/^the certificate chain is not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)$/);
    expect(r.tls!.chainTrusted).toBe(false);
    const skip = await probe({ type: 'tls', host: '127.0.0.1', port, tlsOptions: { insecureSkipVerify: true } });
    expect(skip.status).toBe('passed');
  });

  it('fails a host name the certificate does not cover', async () => {
    const r = await probe({ type: 'tls', host: '127.0.0.1', port, tlsOptions: { ca: TLS_CERT, servername: 'shop.example.com' } });
    expect(r.status).toBe('failed');
    expect(r.tls!.hostnameValid).toBe(false);
    expect(r.failures.join('\n')).toMatch(/shop\.example\.com/);
  });

  it('is degraded, then failed, as the expiry nears, and failed once expired', async () => {
    const day = 86_400_000;
    const opts = { tlsOptions: { ca: TLS_CERT }, degradedDaysLeft: 30, failedDaysLeft: 7 };
    expect((await at(TLS_CERT_EXPIRY - 40 * day, opts)).status).toBe('passed');
    const soon = await at(TLS_CERT_EXPIRY - 20 * day, opts);
    expect(soon.status).toBe('degraded');
    expect(soon.degradations[0]).toBe('a certificate of the chain expires in 20.0 days (2126-10-30T15:46:36.000Z), fewer than degradedDaysLeft 30');
    const verySoon = await at(TLS_CERT_EXPIRY - 3 * day, opts);
    expect(verySoon.status).toBe('failed');
    expect(verySoon.failures[0]).toMatch(/expires in 3\.0 days .* fewer than failedDaysLeft 7/);
    const expired = await at(TLS_CERT_EXPIRY + day, { ...opts, assertions: [{ source: 'daysLeft', comparison: 'lessThan', target: 0 }] });
    expect(expired.status).toBe('failed');
    expect(expired.failures).toEqual(['a certificate of the chain expired at 2126-10-30T15:46:36.000Z']);
  });

  it('fails on a server that does not speak TLS, or hangs', async () => {
    const plain = await startTcp((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const hang = net.createServer(() => undefined);
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    try {
      const r = await probe({ type: 'tls', host: '127.0.0.1', port: plain.port });
      expect(r.status).toBe('failed');
      expect(r.error).toMatch(/packet length too long|wrong version number|ssl|closed during the TLS handshake|ECONNRESET/i);
      const h = await probe({ type: 'tls', host: '127.0.0.1', port: (hang.address() as AddressInfo).port, timeout: '200ms' });
      expect(h.error).toBe('timed out after 200ms');
    } finally {
      await plain.close();
      hang.close();
    }
  });
});
