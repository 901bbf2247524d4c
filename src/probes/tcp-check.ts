/**
 * The TCP check: connect to host:port (optionally over TLS), optionally write `send`, and, with `expect`, read
 * until the received text matches the regular expression. Passing means the connection was accepted (and
 * the expectation met) within the timeout. Sources: responseTime (ms until done) and response (the text
 * received).
 */
import net from 'node:net';
import tls from 'node:tls';
import { evaluateAssertions, NOT_FOUND, type Actual, type CompiledAssertion } from './assertions.ts';
import { certificateInfo, loadCa } from './certificate.ts';
import type { TcpCheck } from './check-types.ts';
import type { CertificateInfo, ProbeOutcome, TcpDetails } from './result-types.ts';
import { describeError, verdict, type ProbeContext } from './verdict.ts';

/** What is kept of the received text, for `expect` and the `response` source. */
const MAX_RECEIVED = 64 * 1024;

export async function runTcpCheck(def: TcpCheck, ctx: ProbeContext): Promise<ProbeOutcome> {
  const start = ctx.elapsed();
  let details: TcpDetails;
  try {
    const ca = def.tls ? await loadCa(def.tlsOptions) : undefined;
    details = await converse(def, ca, ctx, start);
  } catch (err) {
    const e = err as Error & { details?: TcpDetails };
    return verdict(def, { error: e.message, durationMs: ctx.elapsed() - start, assertions: [], ...(e.details ? { tcp: e.details } : {}) });
  }
  const durationMs = ctx.elapsed() - start;
  const resolve = (a: CompiledAssertion): Actual => {
    if (a.source === 'responseTime') return { found: true, value: Math.round(durationMs) };
    if (a.source === 'response') return { found: true, value: details.received };
    return NOT_FOUND;
  };
  return verdict(def, { durationMs, assertions: evaluateAssertions(def.assertions, resolve), tcp: details });
}

function converse(def: TcpCheck, ca: string | undefined, ctx: ProbeContext, start: number): Promise<TcpDetails> {
  return new Promise<TcpDetails>((resolve, reject) => {
    let dnsAt = 0;
    let connectAt = 0;
    let tlsAt = 0;
    let received = '';
    let certificate: CertificateInfo | undefined;
    let settled = false;
    const details = (): TcpDetails => ({
      resolveMs: dnsAt ? dnsAt - start : 0,
      connectMs: connectAt ? connectAt - (dnsAt || start) : 0,
      tlsMs: tlsAt && connectAt ? tlsAt - connectAt : 0,
      received,
      ...(certificate === undefined ? {} : { certificate }),
    });
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err === undefined) resolve(details());
      else reject(Object.assign(err, { details: details() }));
    };
    const onAbort = () => finish(new Error(describeError(undefined, ctx.signal)));
    const servername = def.tlsOptions.servername ?? def.host;
    const family = def.ipFamily === 0 ? {} : { family: def.ipFamily };
    const socket: net.Socket = def.tls
      ? tls.connect({
        host: def.host, port: def.port, ...family,
        rejectUnauthorized: !def.tlsOptions.insecureSkipVerify,
        ...(ca === undefined ? {} : { ca }),
        ...(net.isIP(servername) === 0 ? { servername } : {}),
      })
      : net.connect({ host: def.host, port: def.port, ...family });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (ctx.signal.aborted) onAbort();
    const ready = () => {
      if (def.send !== undefined) socket.write(def.send);
      if (def.expect === undefined) finish();
    };
    socket.once('lookup', () => { dnsAt = ctx.elapsed(); });
    socket.once('connect', () => {
      connectAt = ctx.elapsed();
      if (!def.tls) ready();
    });
    socket.once('secureConnect', () => {
      tlsAt = ctx.elapsed();
      certificate = certificateInfo(socket as tls.TLSSocket, servername);
      ready();
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      if (received.length < MAX_RECEIVED) received += chunk.slice(0, MAX_RECEIVED - received.length);
      if (def.expect !== undefined && def.expect.test(received)) finish();
    });
    socket.on('end', () => {
      finish(def.expect === undefined ? undefined : new Error(`the server closed the connection before sending text matching ${def.expect}${received ? ` (received ${JSON.stringify(received.slice(0, 200))})` : ''}`));
    });
    socket.on('error', (err) => finish(new Error(describeError(err, ctx.signal))));
    socket.on('close', () => finish(new Error('the connection closed')));
  });
}
