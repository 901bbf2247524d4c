/**
 * What one run of a check produces: the verdict, what failed and why, and the type-specific measurements the
 * series (result-series.ts) and the dashboard are made from.
 */
import type { AssertionResult } from './assertions.ts';
import type { CheckType } from './check-types.ts';

/** passed; degraded = passed but slower than degradedResponseTime (or a certificate nearing expiry); failed. */
export type CheckStatus = 'passed' | 'degraded' | 'failed';

/** Milliseconds per phase, as blackbox_exporter splits an HTTP probe (summed over redirects). */
export interface HttpPhases {
  resolve: number;
  connect: number;
  tls: number;
  /** From the connection being ready (request sent) to the first response byte. */
  processing: number;
  /** From the first response byte to the end of the body. */
  transfer: number;
}

export interface CertificateInfo {
  /** Epoch ms when the first certificate of the presented chain expires. */
  earliestExpiry: number;
  /** Epoch ms when the leaf certificate expires. */
  leafExpiry: number;
  subject: string;
  issuer: string;
  /** The chain verifies against the trusted CAs. */
  chainTrusted: boolean;
  /** Why it does not (Node's error code, e.g. SELF_SIGNED_CERT_IN_CHAIN). */
  chainError?: string;
  /** The leaf certificate is valid for the name checked. */
  hostnameValid: boolean;
  hostnameError?: string;
  tlsVersion: string;
  cipher: string;
}

export interface HttpDetails {
  statusCode: number;
  httpVersion: string;
  /** The Content-Length header of the final response; -1 when there was none (as Go's http.Response). */
  contentLength: number;
  /** Bytes of the body after decompression. */
  bodyLength: number;
  redirects: number;
  finalUrl: string;
  phases: HttpPhases;
  /** The final hop went over TLS. */
  ssl: boolean;
  certificate?: CertificateInfo;
}

export interface DnsDetails {
  lookupMs: number;
  /** NOERROR, NXDOMAIN, SERVFAIL, REFUSED, ... (NODATA answers are NOERROR with no answers). */
  responseCode: string;
  answers: string[];
}

export interface TcpDetails {
  resolveMs: number;
  connectMs: number;
  tlsMs: number;
  /** What the server sent before the check ended (shortened). */
  received: string;
  certificate?: CertificateInfo;
}

export interface ScriptCheckSummary {
  /** `::group::check name` */
  path: string;
  passes: number;
  fails: number;
}

export interface ScriptDetails {
  iterations: number;
  checksPassed: number;
  checksFailed: number;
  failedChecks: ScriptCheckSummary[];
  /** `metric: expression` of every threshold that failed. */
  failedThresholds: string[];
  /** Errors the iteration threw. */
  scriptErrors: string[];
}

export interface HeartbeatDetails {
  /** Epoch ms of the last ping, if any. */
  lastPingAt?: number;
  /** The last signal was a failure report (`/fail`). */
  reportedFailure: boolean;
  /** Epoch ms by which the next ping is due. */
  deadline: number;
  /** The body of the last ping (shortened), if it had one. */
  lastMessage?: string;
}

/** One attempt of one check, before retries are taken into account. */
export interface ProbeOutcome {
  status: CheckStatus;
  /** Why the probe could not get an answer at all (refused, timed out, protocol error ...). */
  error?: string;
  durationMs: number;
  assertions: AssertionResult[];
  /** Every reason the attempt failed, or is degraded: error, assertion messages, threshold breaches. */
  failures: string[];
  degradations: string[];
  http?: HttpDetails;
  dns?: DnsDetails;
  tcp?: TcpDetails;
  tls?: CertificateInfo & { daysLeft: number };
  script?: ScriptDetails;
  heartbeat?: HeartbeatDetails;
}

/** One run of a check as the scheduler records it: the last attempt's outcome plus the run's identity. */
export interface CheckResult extends ProbeOutcome {
  check: string;
  type: CheckType;
  /** Epoch ms when the run started (the series' sample timestamp). */
  startedAt: number;
  /** Attempts made: 1 + the retries used. */
  attempts: number;
}
