/**
 * A check result in the Prometheus text exposition format (0.0.4), the way blackbox_exporter answers
 * `/probe`: one gauge family per series name, no timestamps (the scraper stamps them). So an existing
 * Prometheus can scrape Telltale's checks with the scrape config it used for blackbox_exporter.
 */
import type { ProbeSample } from './result-series.ts';

const HELP: Record<string, string> = {
  probe_success: 'Whether the check passed (degraded counts as passed).',
  probe_duration_seconds: 'How long the check took, in seconds.',
  probe_degraded: 'Whether the check passed but was slower than its degraded threshold (or its certificate is close to expiry).',
  probe_assertion_failures: 'How many assertions (or script checks and thresholds) failed.',
  probe_attempts: 'Attempts made in this run (1 + retries used).',
  probe_http_status_code: 'Response HTTP status code (0 when no response arrived).',
  probe_http_content_length: 'Length of the HTTP response as its Content-Length header says (-1 when absent).',
  probe_http_uncompressed_body_length: 'Length of the HTTP response body after decompression.',
  probe_http_redirects: 'The number of redirects followed.',
  probe_http_ssl: 'Whether the final request was made over TLS.',
  probe_http_version: 'The HTTP version of the response.',
  probe_http_duration_seconds: 'Duration of the HTTP request by phase, summed over all redirects.',
  probe_dns_lookup_time_seconds: 'How long the DNS lookup took, in seconds.',
  probe_dns_answer_rrs: 'How many answers the DNS query returned.',
  probe_ssl_earliest_cert_expiry: 'When the earliest certificate of the presented chain expires, in Unix seconds.',
  probe_tls_version_info: 'The TLS version used, as a label.',
  probe_tls_chain_trusted: 'Whether the certificate chain verifies against the trusted CAs.',
  probe_tls_hostname_valid: 'Whether the certificate is valid for the checked host name.',
  probe_heartbeat_last_ping_timestamp_seconds: 'When the last heartbeat ping arrived, in Unix seconds.',
  probe_script_checks_passed: 'Script check() calls that passed.',
  probe_script_checks_failed: 'Script check() calls that failed.',
};

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function renderExposition(samples: readonly ProbeSample[]): string {
  const families = new Map<string, ProbeSample[]>();
  for (const s of samples) {
    const name = s.labels.__name__;
    let list = families.get(name);
    if (list === undefined) families.set(name, (list = []));
    list.push(s);
  }
  let out = '';
  for (const [name, list] of families) {
    out += `# HELP ${name} ${HELP[name] ?? name}\n# TYPE ${name} gauge\n`;
    for (const s of list) out += `${name}${formatLabelSet(s)} ${formatValue(s.value)}\n`;
  }
  return out;
}

function formatLabelSet(s: ProbeSample): string {
  const parts: string[] = [];
  for (const key of Object.keys(s.labels).sort()) {
    if (key === '__name__' || s.labels[key] === '') continue;
    parts.push(`${key}="${escapeValue(s.labels[key])}"`);
  }
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
