/**
 * promtool's failure text, character for character where it matters to a reader: label sets as Go's
 * labels.Labels prints them (sorted, `, `-separated, values strconv-quoted, `__name__` as a label), values
 * as strconv.FormatFloat(v, 'E', -1), alert lists as numbered Labels/Annotations blocks.
 */
import { formatDuration } from '../../promql/lex.ts';
import { goQuote } from '../template/go-fmt.ts';
import { formatFloat } from '../template/index.ts';

/** Go's sort order of label names (byte order). */
function byteCompare(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

export function sortedEntries(labels: Record<string, string>): Array<[string, string]> {
  return Object.entries(labels).sort(([a], [b]) => byteCompare(a, b));
}

/** labels.Compare: name by name, value by value, then the shorter set first. */
export function compareLabelSets(a: Record<string, string>, b: Record<string, string>): number {
  const x = sortedEntries(a);
  const y = sortedEntries(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const n = byteCompare(x[i][0], y[i][0]);
    if (n !== 0) return n;
    const v = byteCompare(x[i][1], y[i][1]);
    if (v !== 0) return v;
  }
  return x.length - y.length;
}

export function sameLabelSet(a: Record<string, string>, b: Record<string, string>): boolean {
  const x = sortedEntries(a);
  const y = sortedEntries(b);
  return x.length === y.length && x.every(([k, v], i) => k === y[i][0] && v === y[i][1]);
}

/** `{a="1", b="2"}`, the metric name included as `__name__`. */
export function goLabels(labels: Record<string, string>): string {
  return `{${sortedEntries(labels).map(([k, v]) => `${k}=${goQuote(v)}`).join(', ')}}`;
}

/** strconv.FormatFloat(v, 'E', -1, 64): `1.1E+01`, `5E-01`, `NaN`, `+Inf`. */
export function goFloatE(v: number): string {
  return formatFloat(v, 'E', -1);
}

/** model.Duration's String (`5m`, `1h30m`, `0s`): how promtool prints an eval_time. */
export const modelDuration = formatDuration;

/** time.Duration's String (`5m0s`, `1h0m0s`, `0s`): how promtool prints an evaluation time. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  if (rest < 1000) return `${neg ? '-' : ''}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  let out = neg ? '-' : '';
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  return `${out}${s}s`;
}

/** promtool's indentLines: every line after the first gets the indent. */
export function indentLines(text: string, indent: string): string {
  return text.split('\n').join(`\n${indent}`);
}

export interface AlertView {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** A sorted list of alerts as promtool prints it: `[]`, or `[\n0:\n  Labels:{...}\n  Annotations:{...}\n]`. */
export function alertsString(alerts: readonly AlertView[]): string {
  if (alerts.length === 0) return '[]';
  const items = alerts.map((a, i) => `${i}:${indentLines(`\nLabels:${goLabels(a.labels)}\nAnnotations:${goLabels(a.annotations)}`, '  ')}`);
  return `[\n${items.join(',\n')}\n]`;
}

export function sortAlerts<T extends AlertView>(alerts: T[]): T[] {
  return alerts.sort((a, b) => compareLabelSets(a.labels, b.labels) || compareLabelSets(a.annotations, b.annotations));
}

export interface SampleView {
  labels: Record<string, string>;
  value: number;
}

/** `{...} 1E+00, {...} 2E+00`, or `nil` for none. */
export function samplesString(samples: readonly SampleView[]): string {
  if (samples.length === 0) return 'nil';
  return samples.map((s) => `${goLabels(s.labels)} ${goFloatE(s.value)}`).join(', ');
}
