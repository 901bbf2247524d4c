/**
 * What a TLS peer presented: the chain's earliest expiry (blackbox_exporter's probe_ssl_earliest_cert_expiry
 * looks at every certificate the server sent), whether the chain verifies, and whether the leaf is valid for
 * the name the check asked for. Shared by the HTTP, TCP and TLS checks.
 */
import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import type { TlsOptions } from './check-types.ts';
import type { CertificateInfo } from './result-types.ts';

export function certificateInfo(socket: tls.TLSSocket, hostname: string): CertificateInfo | undefined {
  const leaf = socket.getPeerCertificate(true);
  if (leaf === null || typeof leaf !== 'object' || !leaf.valid_to) return undefined;
  let earliest = Infinity;
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = leaf;
  // The issuer chain of a self-signed (root) certificate points at itself; stop at the first repeat.
  while (cert !== undefined && cert !== null && cert.valid_to && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    const t = Date.parse(cert.valid_to);
    if (Number.isFinite(t)) earliest = Math.min(earliest, t);
    cert = cert.issuerCertificate;
  }
  const identity = tls.checkServerIdentity(hostname, leaf);
  const authError = socket.authorizationError as unknown;
  return {
    earliestExpiry: earliest,
    leafExpiry: Date.parse(leaf.valid_to),
    subject: formatName(leaf.subject),
    issuer: formatName(leaf.issuer),
    chainTrusted: socket.authorized,
    ...(socket.authorized || authError === undefined || authError === null ? {} : { chainError: authError instanceof Error ? ((authError as NodeJS.ErrnoException).code ?? authError.message) : String(authError) }),
    hostnameValid: identity === undefined,
    ...(identity === undefined ? {} : { hostnameError: identity.message }),
    tlsVersion: socket.getProtocol() ?? '',
    cipher: socket.getCipher()?.standardName ?? '',
  };
}

function formatName(name: tls.Certificate | undefined): string {
  if (name === undefined || name === null) return '';
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

/** The CA certificates to trust: PEM text, or a file read at each run; undefined means Node's bundled roots. */
export async function loadCa(options: TlsOptions): Promise<string | undefined> {
  if (options.ca !== undefined) return options.ca;
  if (options.caFile !== undefined) {
    try {
      return await readFile(options.caFile, 'utf8');
    } catch (err) {
      throw new Error(`cannot read the CA file ${options.caFile}: ${(err as Error).message}`, { cause: err });
    }
  }
  return undefined;
}

/** Days from `now` to `expiry`, both epoch ms (negative once expired). */
export function daysLeft(expiry: number, now: number): number {
  return (expiry - now) / 86_400_000;
}
