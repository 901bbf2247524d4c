/**
 * The TLS certificate check: a TLS handshake with host:port, then the presented chain is judged. It fails
 * when the chain does not verify against the trusted CAs, the leaf is not valid for the host name (both
 * reported but not failed with insecureSkipVerify), the earliest certificate expires in fewer than
 * failedDaysLeft days (or has expired); it is degraded under degradedDaysLeft. The handshake itself always
 * accepts the chain, so an untrusted certificate is still read and reported rather than just refused.
 * Sources: responseTime (handshake ms), daysLeft, subject, issuer.
 */
import net from 'node:net';
import tls from 'node:tls';
import { evaluateAssertions, NOT_FOUND, type Actual, type CompiledAssertion } from './assertions.ts';
import { certificateInfo, daysLeft, loadCa } from './certificate.ts';
import type { TlsCheck } from './check-types.ts';
import type { CertificateInfo, ProbeOutcome } from './result-types.ts';
import { describeError, verdict, type ProbeContext } from './verdict.ts';

export async function runTlsCheck(def: TlsCheck, ctx: ProbeContext): Promise<ProbeOutcome> {
  const start = ctx.elapsed();
  const servername = def.tlsOptions.servername ?? def.host;
  let cert: CertificateInfo;
  try {
    const ca = await loadCa(def.tlsOptions);
    cert = await handshake(def, servername, ca, ctx);
  } catch (err) {
    return verdict(def, { error: (err as Error).message, durationMs: ctx.elapsed() - start, assertions: [] });
  }
  const durationMs = ctx.elapsed() - start;
  const left = daysLeft(cert.earliestExpiry, ctx.now());
  const failures: string[] = [];
  const degradations: string[] = [];
  const verify = !def.tlsOptions.insecureSkipVerify;
  if (verify && !cert.chainTrusted) failures.push(`the certificate chain is not trusted (${cert.chainError ?? 'unknown reason'})`);
  if (verify && !cert.hostnameValid) failures.push(cert.hostnameError ?? `the certificate is not valid for ${servername}`);
  const expires = new Date(cert.earliestExpiry).toISOString();
  if (left <= 0) failures.push(`a certificate of the chain expired at ${expires}`);
  else if (left < def.failedDaysLeft) failures.push(`a certificate of the chain expires in ${left.toFixed(1)} days (${expires}), fewer than failedDaysLeft ${def.failedDaysLeft}`);
  else if (left < def.degradedDaysLeft) degradations.push(`a certificate of the chain expires in ${left.toFixed(1)} days (${expires}), fewer than degradedDaysLeft ${def.degradedDaysLeft}`);
  const resolve = (a: CompiledAssertion): Actual => {
    switch (a.source) {
      case 'responseTime':
        return { found: true, value: Math.round(durationMs) };
      case 'daysLeft':
        return { found: true, value: left };
      case 'subject':
        return { found: true, value: cert.subject };
      case 'issuer':
        return { found: true, value: cert.issuer };
      default:
        return NOT_FOUND;
    }
  };
  return verdict(def, { durationMs, assertions: evaluateAssertions(def.assertions, resolve), failures, degradations, tls: { ...cert, daysLeft: left } });
}

function handshake(def: TlsCheck, servername: string, ca: string | undefined, ctx: ProbeContext): Promise<CertificateInfo> {
  return new Promise<CertificateInfo>((resolve, reject) => {
    let settled = false;
    const done = (err: Error | undefined, cert?: CertificateInfo) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err !== undefined) reject(err);
      else resolve(cert!);
    };
    const onAbort = () => done(new Error(describeError(undefined, ctx.signal)));
    const socket = tls.connect({
      host: def.host,
      port: def.port,
      ...(def.ipFamily === 0 ? {} : { family: def.ipFamily }),
      // Verification is judged below, from the certificate, so that an untrusted one is reported in full.
      rejectUnauthorized: false,
      ...(ca === undefined ? {} : { ca }),
      ...(net.isIP(servername) === 0 ? { servername } : {}),
    });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (ctx.signal.aborted) onAbort();
    socket.once('secureConnect', () => {
      const cert = certificateInfo(socket, servername);
      if (cert === undefined) done(new Error('the server presented no certificate'));
      else done(undefined, cert);
    });
    socket.on('error', (err) => done(new Error(describeError(err, ctx.signal))));
    socket.on('close', () => done(new Error('the connection closed during the TLS handshake')));
  });
}
