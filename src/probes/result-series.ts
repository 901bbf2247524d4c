/**
 * Check results as series, named as blackbox_exporter names them, so dashboards and alert rules written for
 * blackbox keep working: probe_success, probe_duration_seconds, probe_http_duration_seconds{phase},
 * probe_http_status_code, probe_http_content_length, probe_ssl_earliest_cert_expiry,
 * probe_dns_lookup_time_seconds ... plus Telltale's probe_degraded and probe_assertion_failures. Every series
 * carries `check`, `type`, `service` (when set) and the check's own labels.
 */
import { isValidLabelValue } from '../series/labels.ts';
import { STALE_NAN, type AppendRejection, type Labels, type Storage } from '../series/types.ts';
import type { CheckDefinition } from './check-types.ts';
import type { CertificateInfo, CheckResult } from './result-types.ts';

export interface ProbeSample {
  readonly labels: Labels;
  readonly value: number;
}

/** The labels every series of the check carries. */
export function checkLabels(def: CheckDefinition): Record<string, string> {
  return { ...def.labels, ...(def.service === undefined ? {} : { service: def.service }), check: def.name, type: def.type };
}

export function resultSamples(def: CheckDefinition, r: CheckResult): ProbeSample[] {
  const base = checkLabels(def);
  const out: ProbeSample[] = [];
  const add = (name: string, value: number, extra?: Record<string, string>) => {
    out.push({ labels: { __name__: name, ...base, ...extra }, value });
  };
  add('probe_success', r.status === 'failed' ? 0 : 1);
  add('probe_duration_seconds', r.durationMs / 1000);
  add('probe_degraded', r.status === 'degraded' ? 1 : 0);
  const failedAssertions = r.assertions.filter((a) => !a.ok).length
    + (r.script ? r.script.failedChecks.length + r.script.failedThresholds.length : 0);
  add('probe_assertion_failures', failedAssertions);
  add('probe_attempts', r.attempts);
  const cert = (c: CertificateInfo | undefined) => {
    if (c === undefined || !Number.isFinite(c.earliestExpiry)) return;
    add('probe_ssl_earliest_cert_expiry', c.earliestExpiry / 1000);
    if (c.tlsVersion !== '' && isValidLabelValue(c.tlsVersion)) add('probe_tls_version_info', 1, { version: tlsVersionLabel(c.tlsVersion) });
  };
  if (def.type === 'http') {
    const h = r.http;
    // blackbox reports status 0 when no response arrived, so `probe_http_status_code == 0` finds them.
    add('probe_http_status_code', h?.statusCode ?? 0);
    if (h !== undefined) {
      add('probe_http_content_length', h.contentLength);
      add('probe_http_uncompressed_body_length', h.bodyLength);
      add('probe_http_redirects', h.redirects);
      add('probe_http_ssl', h.ssl ? 1 : 0);
      const version = h.httpVersion === '' ? 0 : Number(h.httpVersion);
      if (Number.isFinite(version)) add('probe_http_version', version);
      add('probe_dns_lookup_time_seconds', h.phases.resolve / 1000);
      for (const phase of ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const) {
        add('probe_http_duration_seconds', h.phases[phase] / 1000, { phase });
      }
      cert(h.certificate);
    }
  } else if (def.type === 'tcp' && r.tcp !== undefined) {
    add('probe_dns_lookup_time_seconds', r.tcp.resolveMs / 1000);
    cert(r.tcp.certificate);
  } else if (def.type === 'dns' && r.dns !== undefined) {
    add('probe_dns_lookup_time_seconds', r.dns.lookupMs / 1000);
    add('probe_dns_answer_rrs', r.dns.answers.length);
  } else if (def.type === 'tls' && r.tls !== undefined) {
    cert(r.tls);
    add('probe_tls_chain_trusted', r.tls.chainTrusted ? 1 : 0);
    add('probe_tls_hostname_valid', r.tls.hostnameValid ? 1 : 0);
  } else if (def.type === 'heartbeat' && r.heartbeat?.lastPingAt !== undefined) {
    add('probe_heartbeat_last_ping_timestamp_seconds', r.heartbeat.lastPingAt / 1000);
  } else if (def.type === 'multistep' && r.script !== undefined) {
    add('probe_script_checks_passed', r.script.checksPassed);
    add('probe_script_checks_failed', r.script.checksFailed);
  }
  return out;
}

/** blackbox_exporter's spelling of the version label ("TLS 1.3"). */
function tlsVersionLabel(v: string): string {
  const m = /^TLSv(\d(?:\.\d)?)$/.exec(v);
  return m ? `TLS ${m[1].includes('.') ? m[1] : `${m[1]}.0`}` : v;
}

export interface WriteReport {
  appended: number;
  rejected: { labels: Labels; reason: AppendRejection }[];
}

/** Appends the samples at the run's start time and commits them. */
export async function writeSamples(storage: Storage, samples: readonly ProbeSample[], t: number): Promise<WriteReport> {
  const app = storage.appender();
  const report: WriteReport = { appended: 0, rejected: [] };
  const ts = Math.round(t);
  for (const s of samples) {
    const reason = app.append(s.labels, ts, s.value);
    if (reason === undefined) report.appended++;
    else report.rejected.push({ labels: s.labels, reason });
  }
  try {
    await app.commit();
  } catch (err) {
    app.rollback();
    throw err;
  }
  return report;
}

export function writeResult(storage: Storage, def: CheckDefinition, r: CheckResult): Promise<WriteReport> {
  return writeSamples(storage, resultSamples(def, r), r.startedAt);
}

/** Staleness markers for every series the last result wrote: the check was removed or stopped. */
export function staleSamples(def: CheckDefinition, last: CheckResult): ProbeSample[] {
  return resultSamples(def, last).map((s) => ({ labels: s.labels, value: STALE_NAN }));
}
