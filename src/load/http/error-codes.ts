/**
 * k6's HTTP error codes (https://grafana.com/docs/k6/latest/javascript-api/error-codes/ and
 * lib/netext/httpext/error_codes.go), mapped from the errors a request can end with: Node's socket, DNS and TLS
 * errors and the transport's own. Messages follow k6's short forms, since scripts and dashboards match on them.
 */
import { MalformedResponseError } from './parser.ts';

export const ErrorCode = {
  GENERIC: 1000,
  NON_TCP_NETWORK: 1010,
  INVALID_URL: 1020,
  REQUEST_TIMEOUT: 1050,
  DNS: 1100,
  DNS_NO_SUCH_HOST: 1101,
  TCP: 1200,
  TCP_BROKEN_PIPE: 1201,
  TCP_UNKNOWN_ERRNO: 1202,
  TCP_DIAL: 1210,
  TCP_DIAL_TIMEOUT: 1211,
  TCP_DIAL_REFUSED: 1212,
  TCP_DIAL_UNKNOWN_ERRNO: 1213,
  TCP_RESET_BY_PEER: 1220,
  TLS: 1300,
  TLS_HEADER: 1301,
  X509_UNKNOWN_AUTHORITY: 1310,
  X509_HOSTNAME: 1311,
  RESPONSE_DECOMPRESSION: 1701,
} as const;

export interface ClassifiedError {
  code: number;
  message: string;
}

/** Raised by our own per-request timer; `dialing` says whether the connection was still being set up. */
export class RequestTimeoutError extends Error {
  readonly dialing: boolean;

  constructor(dialing: boolean) {
    super(dialing ? 'dial: i/o timeout' : 'request timeout');
    this.name = 'RequestTimeoutError';
    this.dialing = dialing;
  }
}

/**
 * The connection ended before the response did. Go says "EOF" when nothing of the response had arrived and
 * "unexpected EOF" when part of it had; classifyError picks the wording.
 */
export class ConnectionClosedError extends Error {
  readonly code = 'ERR_CONNECTION_CLOSED';

  constructor() {
    super('EOF');
    this.name = 'ConnectionClosedError';
  }
}

/** A response body that its Content-Encoding cannot decode; the message is k6's. */
export class DecompressionError extends Error {
  readonly code = 'ERR_DECOMPRESSION';

  constructor(reason: string) {
    super(`error decompressing response body (${reason})`);
    this.name = 'DecompressionError';
  }
}

/** A request that cannot be put on the wire (e.g. a header value with a line break); nothing is sent. */
export class InvalidRequestError extends Error {
  readonly code = 'ERR_INVALID_REQUEST';

  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

const UNKNOWN_AUTHORITY = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_CHAIN_TOO_LONG',
]);

interface NodeishError {
  code?: unknown;
  errno?: unknown;
  syscall?: unknown;
  message?: unknown;
}

/**
 * `gotHeaders` tells a connection closed mid-body ("unexpected EOF") from one closed before any response ("EOF"),
 * the distinction Go's transport makes.
 */
export function classifyError(err: unknown, gotHeaders: boolean): ClassifiedError {
  if (err instanceof ConnectionClosedError) return { code: ErrorCode.GENERIC, message: gotHeaders ? 'unexpected EOF' : 'EOF' };
  if (err instanceof DecompressionError) return { code: ErrorCode.RESPONSE_DECOMPRESSION, message: err.message };
  if (err instanceof InvalidRequestError || err instanceof MalformedResponseError) {
    return { code: ErrorCode.GENERIC, message: err.message };
  }
  if (err instanceof RequestTimeoutError) {
    return err.dialing
      ? { code: ErrorCode.TCP_DIAL_TIMEOUT, message: err.message }
      : { code: ErrorCode.REQUEST_TIMEOUT, message: err.message };
  }
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as NodeishError;
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const syscall = typeof e.syscall === 'string' ? e.syscall : '';

  switch (code) {
    case 'ECONNREFUSED':
      return { code: ErrorCode.TCP_DIAL_REFUSED, message: 'dial: connection refused' };
    case 'ENOTFOUND':
      return { code: ErrorCode.DNS_NO_SUCH_HOST, message: 'lookup: no such host' };
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NODATA':
      return { code: ErrorCode.DNS, message: `lookup: ${message}` };
    case 'ETIMEDOUT':
      return syscall === 'connect' || syscall === ''
        ? { code: ErrorCode.TCP_DIAL_TIMEOUT, message: 'dial: i/o timeout' }
        : { code: ErrorCode.TCP, message: `${syscall}: i/o timeout` };
    case 'ECONNRESET':
      return { code: ErrorCode.TCP_RESET_BY_PEER, message: `${syscall === 'write' ? 'write' : 'read'}: connection reset by peer` };
    case 'EPIPE':
      return { code: ErrorCode.TCP_BROKEN_PIPE, message: 'write: broken pipe' };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { code: ErrorCode.X509_HOSTNAME, message: "x509: certificate doesn't match hostname" };
  }
  if (UNKNOWN_AUTHORITY.has(code)) return { code: ErrorCode.X509_UNKNOWN_AUTHORITY, message: 'x509: unknown authority' };
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return { code: ErrorCode.TLS_HEADER, message: 'tls: first record does not look like a TLS handshake' };
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.startsWith('CERT_') || code === 'EPROTO') {
    return { code: ErrorCode.TLS, message: `tls: ${message}` };
  }
  if (code.startsWith('E') && typeof e.errno === 'number') {
    const errno = Math.abs(e.errno);
    return syscall === 'connect'
      ? { code: ErrorCode.TCP_DIAL_UNKNOWN_ERRNO, message: `dial: unknown errno ${errno} error with msg \`${message}\`` }
      : { code: ErrorCode.TCP_UNKNOWN_ERRNO, message: `${syscall || 'read'}: unknown errno \`${errno}\` on ${process.platform} with message \`${message}\`` };
  }
  return { code: ErrorCode.GENERIC, message };
}
