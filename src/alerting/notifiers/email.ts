/**
 * The e-mail receiver: one message per notification, text and HTML alternatives, subject and body from the
 * notification (Alertmanager's default subject `[FIRING:n] …`), sent with the SMTP client. Non-ASCII header
 * text is RFC 2047 encoded; bodies are base64, so any content survives any relay.
 */
import { randomBytes } from 'node:crypto';
import type { EmailConfig } from '../receiver-config.ts';
import { contextLines } from './context-text.ts';
import { alertLine, defaultTitle, templateData, type Notification, type Notifier } from './notification.ts';
import { address, sendMail } from './smtp-client.ts';

function encodeHeader(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value).toString('base64')}?=`;
}

function base64Lines(text: string): string {
  return (Buffer.from(text).toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function emailMessage(config: EmailConfig, n: Notification): string {
  const data = templateData(n);
  const subject = config.headers.Subject ?? config.headers.subject ?? defaultTitle(data);
  const lines = data.alerts.map((a) => `${a.status === 'firing' ? '[FIRING]' : '[RESOLVED]'} ${alertLine(a)}\r\n  since ${a.startsAt}${a.generatorURL ? `\r\n  ${a.generatorURL}` : ''}`);
  const context = contextLines(n, data.alerts);
  const contextText = context.length > 0 ? `Is this real?\r\n${context.join('\r\n')}\r\n\r\n` : '';
  const text = `${subject}\r\n\r\n${lines.join('\r\n\r\n')}\r\n\r\n${contextText}${data.externalURL}\r\n`;
  const html = `<!doctype html><html><body><h2>${escapeHtml(subject)}</h2><ul>${data.alerts
    .map((a) => `<li><strong>${a.status === 'firing' ? 'FIRING' : 'RESOLVED'}</strong> ${escapeHtml(alertLine(a))}${a.generatorURL ? ` — <a href="${escapeHtml(a.generatorURL)}">source</a>` : ''}</li>`)
    .join('')}</ul>${context.length > 0 ? `<p><strong>Is this real?</strong><br>${context.map(escapeHtml).join('<br>')}</p>` : ''}<p><a href="${escapeHtml(data.externalURL)}">${escapeHtml(data.externalURL)}</a></p></body></html>`;
  const boundary = `tt-${randomBytes(12).toString('hex')}`;
  const headers: Record<string, string> = {
    From: config.from,
    To: config.to.join(', '),
    Subject: subject,
    Date: new Date(n.now).toUTCString().replace('GMT', '+0000'),
    'Message-Id': `<${n.idempotencyKey}@${address(config.from).split('@')[1] ?? 'telltale'}>`,
    'MIME-Version': '1.0',
    'Content-Type': `multipart/alternative; boundary="${boundary}"`,
  };
  for (const [k, v] of Object.entries(config.headers)) {
    const canonical = Object.keys(headers).find((h) => h.toLowerCase() === k.toLowerCase()) ?? k;
    if (canonical !== 'Content-Type' && canonical !== 'MIME-Version') headers[canonical] = v;
  }
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${k === 'Content-Type' ? v : encodeHeader(v.replace(/[\r\n]+/g, ' '))}`)
    .join('\r\n');
  const part = (type: string, body: string) =>
    `--${boundary}\r\nContent-Type: ${type}; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(body)}\r\n`;
  return `${head}\r\n\r\n${part('text/plain', text)}${part('text/html', html)}--${boundary}--\r\n`;
}

export function emailNotifier(config: EmailConfig): Notifier {
  return {
    send: (n, signal) =>
      sendMail(
        {
          host: config.host,
          port: config.port,
          hello: config.hello,
          from: config.from,
          to: config.to,
          ...(config.authUsername !== undefined ? { username: config.authUsername } : {}),
          ...(config.authPassword !== undefined ? { password: config.authPassword } : {}),
          ...(config.authIdentity !== undefined ? { identity: config.authIdentity } : {}),
          requireTls: config.requireTls,
          insecureSkipVerify: config.insecureSkipVerify,
          ...(config.ca !== undefined ? { ca: config.ca } : {}),
        },
        emailMessage(config, n),
        signal,
      ),
  };
}
