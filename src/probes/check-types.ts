/**
 * Check definitions after validation (see check-schema.ts for the input form and its defaults). Durations are
 * milliseconds; every object is frozen by parseChecks.
 */
import type { CompiledAssertion } from './assertions.ts';

export const CHECK_TYPES = ['http', 'multistep', 'tcp', 'dns', 'tls', 'heartbeat'] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

/** 0 lets the resolver pick (IPv4 or IPv6), as Node's `family` option. */
export type IpFamily = 0 | 4 | 6;

export interface TlsOptions {
  /** Accept any certificate chain and host name (the check then reports, but does not fail on, them). */
  readonly insecureSkipVerify: boolean;
  /** PEM text of the CA certificates to trust instead of Node's bundled roots. */
  readonly ca?: string;
  /** A PEM file to read the CA certificates from at each run (so a rotated CA is picked up). */
  readonly caFile?: string;
  /** The name sent in SNI and verified against the certificate; the URL's host by default. */
  readonly servername?: string;
}

interface CheckBase {
  readonly name: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Extra attempts after a failed one, within the same run, before the run counts as failed. */
  readonly retries: number;
  readonly retryDelayMs: number;
  /** Upper bound of the check's fixed offset inside its interval (see scheduler.ts). */
  readonly jitterMs: number;
  /** Added to every series of the check (validated Prometheus label names; check/type/phase are reserved). */
  readonly labels: Readonly<Record<string, string>>;
  /** The service the check watches; becomes the `service` label. */
  readonly service?: string;
  /** Over this response time a passing run is `degraded`. */
  readonly degradedResponseTimeMs?: number;
  /** Over this response time the run fails. */
  readonly maxResponseTimeMs?: number;
  readonly assertions: readonly CompiledAssertion[];
}

export interface HttpRequestOptions {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly followRedirects: boolean;
  readonly maxRedirects: number;
  readonly ipFamily: IpFamily;
  readonly tls: TlsOptions;
  /** A body larger than this (after decompression) fails the check. */
  readonly maxBodyBytes: number;
}

export interface HttpCheck extends CheckBase {
  readonly type: 'http';
  readonly request: HttpRequestOptions;
}

export interface MultistepCheck extends CheckBase {
  readonly type: 'multistep';
  /** Path of the Telltale/k6 script, resolved against the config file's directory. */
  readonly script: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface TcpCheck extends CheckBase {
  readonly type: 'tcp';
  readonly host: string;
  readonly port: number;
  readonly ipFamily: IpFamily;
  /** Text written once connected. */
  readonly send?: string;
  /** A regular expression the received text must match before the timeout. */
  readonly expect?: RegExp;
  /** Wrap the connection in TLS. */
  readonly tls: boolean;
  readonly tlsOptions: TlsOptions;
}

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

export interface DnsCheck extends CheckBase {
  readonly type: 'dns';
  readonly query: string;
  readonly recordType: DnsRecordType;
  /** `host` or `host:port` (IPv6 as `[::1]:53`); the system resolvers when absent. */
  readonly server?: string;
}

export interface TlsCheck extends CheckBase {
  readonly type: 'tls';
  readonly host: string;
  readonly port: number;
  readonly ipFamily: IpFamily;
  readonly tlsOptions: TlsOptions;
  /** Fewer days than this before the earliest certificate of the chain expires: degraded. */
  readonly degradedDaysLeft: number;
  /** Fewer days than this: failed. */
  readonly failedDaysLeft: number;
}

export interface HeartbeatCheck extends CheckBase {
  readonly type: 'heartbeat';
  /** The secret part of the ping URL `/api/v1/heartbeat/<token>`. */
  readonly token: string;
  /** How often the job is expected to ping. */
  readonly periodMs: number;
  /** How late a ping may be before the check fails. */
  readonly graceMs: number;
}

export type CheckDefinition = HttpCheck | MultistepCheck | TcpCheck | DnsCheck | TlsCheck | HeartbeatCheck;
