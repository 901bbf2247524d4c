/**
 * Writes metric families in either text exposition format: what `/metrics` endpoints serve, and the inverse
 * the parser's round-trip tests check against.
 */
import type { ExpositionFormat, MetricType } from './exposition-parser.ts';
import { formatFloat } from './exposition-values.ts';

export interface WriterSample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
  /** ms */
  timestamp?: number;
}

export interface WriterFamily {
  name: string;
  type?: MetricType;
  help?: string;
  unit?: string;
  samples: readonly WriterSample[];
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string, format: ExpositionFormat): string {
  const out = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? out.replace(/"/g, '\\"') : out;
}

/** ms as OpenMetrics seconds, written exactly (no binary-fraction noise). */
function formatSeconds(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  const frac = abs % 1000;
  return `${sign}${Math.floor(abs / 1000)}${frac === 0 ? '' : `.${String(frac).padStart(3, '0')}`}`;
}

export function writeExposition(families: readonly WriterFamily[], format: ExpositionFormat): string {
  const om = format === 'openmetrics';
  let out = '';
  for (const f of families) {
    if (f.help !== undefined) out += `# HELP ${f.name} ${escapeHelp(f.help, format)}\n`;
    if (f.type !== undefined) out += `# TYPE ${f.name} ${f.type}\n`;
    if (om && f.unit !== undefined) out += `# UNIT ${f.name} ${f.unit}\n`;
    for (const s of f.samples) {
      const pairs = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
      out += s.name;
      if (pairs.length > 0) out += `{${pairs.join(',')}}`;
      out += ` ${formatFloat(s.value)}`;
      if (s.timestamp !== undefined) out += ` ${om ? formatSeconds(s.timestamp) : String(s.timestamp)}`;
      out += '\n';
    }
  }
  if (om) out += '# EOF\n';
  return out;
}
