/**
 * The e-mail receiver against a local SMTP server: plain delivery with dot-stuffing, STARTTLS verified with
 * the test CA, AUTH PLAIN, require_tls refusing a server without STARTTLS, and 4xx / dropped connections
 * retried until the message is accepted once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dotStuff } from '../../src/alerting/notifiers/smtp-client.ts';
import { advanceBy, harness } from './helpers.ts';
import { startSmtpServer, TEST_CERT, type SmtpServer } from './smtp-server.ts';

let servers: SmtpServer[] = [];
let dirs: string[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  servers = [];
  dirs = [];
});

async function server(options: Parameters<typeof startSmtpServer>[0] = {}) {
  const s = await startSmtpServer(options);
  servers.push(s);
  return s;
}

function config(s: SmtpServer, extra = '') {
  const dir = mkdtempSync(path.join(tmpdir(), 'tt-mail-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'ca.pem'), TEST_CERT);
  return `
global:
  smtp_from: 'Telltale <alerts@example.com>'
  smtp_smarthost: '127.0.0.1:${s.port}'
route:
  receiver: mail
  group_by: [alertname]
  group_wait: 10s
receivers:
  - name: mail
    email_configs:
      - to: 'ops@example.com, lead@example.com'
        timeout: 2s
        max_attempts: 3
        tls_config: { ca_file: ${path.join(dir, 'ca.pem')} }
${extra}`;
}

function decodeParts(data: string): string[] {
  const parts = data.split(/--tt-[0-9a-f]+/).slice(1, -1);
  return parts.map((p) => Buffer.from(p.split('\n\n')[1].replace(/\s+/g, ''), 'base64').toString('utf8'));
}

describe('e-mail receiver', () => {
  it('delivers over STARTTLS with AUTH PLAIN, to every recipient, with text and HTML parts', async () => {
    const s = await server({ starttls: true, auth: true });
    const h = await harness(config(s, `        auth_username: user\n        auth_password: pass\n`));
    h.dispatcher.receive([{ labels: { alertname: 'DiskFull', instance: 'db-1' }, annotations: { summary: 'disk 95% — grüße' }, generatorURL: 'http://prom/graph' }]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    expect(h.events).toEqual([expect.objectContaining({ type: 'notified', integration: 'email[0]' })]);
    expect(s.mails).toHaveLength(1);
    const m = s.mails[0];
    expect(m).toMatchObject({ from: 'alerts@example.com', to: ['ops@example.com', 'lead@example.com'], tls: true, auth: '\u0000user\u0000pass' });
    expect(m.data).toMatch(/^From: Telltale <alerts@example.com>$/m);
    expect(m.data).toMatch(/^To: ops@example.com, lead@example.com$/m);
    expect(m.data).toMatch(/^Subject: \[FIRING:1\] DiskFull \(db-1\)$/m);
    const [text, html] = decodeParts(m.data);
    expect(text).toContain('[FIRING] disk 95% — grüße (alertname=DiskFull instance=db-1)');
    expect(html).toContain('<a href="http://prom/graph">source</a>');
    // STARTTLS came before AUTH, and EHLO was repeated on the encrypted connection
    expect(s.commands.map((c) => c.split(' ')[0])).toEqual(['EHLO', 'STARTTLS', 'EHLO', 'AUTH', 'MAIL', 'RCPT', 'RCPT', 'DATA', 'QUIT']);
  });

  it('dot-stuffs lines that start with a dot', () => {
    expect(dotStuff('a\n.b\n..c\r\n.')).toBe('a\r\n..b\r\n...c\r\n..');
    expect(dotStuff('no dots')).toBe('no dots');
  });

  it('with require_tls: false sends over a plain connection; headers override the subject', async () => {
    const s = await server();
    const h = await harness(config(s, `        require_tls: false\n        headers: { Subject: 'Alarm: ünïcode' }\n`));
    h.dispatcher.receive([{ labels: { alertname: 'X' }, annotations: { summary: '.leading dot' } }]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    expect(s.mails).toHaveLength(1);
    expect(s.mails[0].tls).toBe(false);
    expect(s.mails[0].data).toMatch(/^Subject: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/m);
    expect(decodeParts(s.mails[0].data)[0]).toContain('.leading dot');
  });

  it('refuses to send without TLS when require_tls is true (the default), without retrying', async () => {
    const s = await server();
    const h = await harness(config(s));
    h.dispatcher.receive([{ labels: { alertname: 'X' } }]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    expect(s.mails).toHaveLength(0);
    expect(h.sleeps).toEqual([]);
    expect(h.events).toEqual([expect.objectContaining({ type: 'notify_failed', error: expect.stringMatching(/does not offer STARTTLS/) })]);
  });

  it('retries a 451 at RCPT and a connection dropped during DATA, then delivers once', async () => {
    const s = await server({ starttls: true });
    let rcpt = 0;
    let dots = 0;
    s.reply = (verb) => {
      if (verb === 'RCPT' && rcpt++ === 0) return '451 4.3.0 try again';
      if (verb === '.' && dots++ === 0) return 'drop';
      return undefined;
    };
    const h = await harness(config(s));
    h.dispatcher.receive([{ labels: { alertname: 'X' } }]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    expect(s.mails).toHaveLength(1);
    expect(h.sleeps).toHaveLength(2);
    expect(h.events).toEqual([expect.objectContaining({ type: 'notified', attempts: 3 })]);
  });

  it('does not retry a 550 and reports the reply', async () => {
    const s = await server({ starttls: true });
    s.reply = (verb) => (verb === 'RCPT' ? '550 5.1.1 no such user' : undefined);
    const h = await harness(config(s));
    h.dispatcher.receive([{ labels: { alertname: 'X' } }]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    expect(h.sleeps).toEqual([]);
    expect(h.events).toEqual([expect.objectContaining({ type: 'notify_failed', error: expect.stringMatching(/RCPT TO: 550 5\.1\.1 no such user/) })]);
  });

  it('a server that never answers times out and is retried', async () => {
    const s = await server({ starttls: true });
    s.reply = (verb) => (verb === 'EHLO' ? 'silent' : undefined);
    const h = await harness(config(s).replace('timeout: 2s', 'timeout: 200ms'));
    h.dispatcher.receive([{ labels: { alertname: 'X' } }]);
    await advanceBy(h.dispatcher, h.clock, 11_000);
    expect(h.sleeps).toHaveLength(2);
    expect(h.events).toEqual([expect.objectContaining({ type: 'notify_failed', error: expect.stringMatching(/timed out/) })]);
  });
});
