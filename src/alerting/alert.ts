/**
 * The alert model, as Alertmanager's: a label set that identifies the alert (its fingerprint), annotations
 * that describe it, and the time range it fires in. An alert whose `endsAt` has passed is resolved.
 */

export type Labels = Readonly<Record<string, string>>;

/** What a producer (Prometheus, the rule evaluator, the API) hands the dispatcher. Times are epoch ms. */
export interface PostableAlert {
  labels: Labels;
  annotations?: Labels;
  /** when it started firing; defaults to when it was received */
  startsAt?: number;
  /** when it stops (or stopped) firing; when absent the alert times out after `resolve_timeout` */
  endsAt?: number;
  generatorURL?: string;
}

export interface Alert {
  readonly fingerprint: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly generatorURL: string;
  /** when the dispatcher last received it */
  readonly updatedAt: number;
  /** true when the producer gave no endsAt: endsAt is then received + resolve_timeout, and is not shown while firing */
  readonly timeout: boolean;
}

export function isResolved(alert: Alert, now: number): boolean {
  return alert.endsAt <= now;
}

/** Go's zero time, which Alertmanager prints as the `endsAt` of a firing alert. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** RFC 3339 with milliseconds only when there are some, close to Go's `time.Time` JSON. */
export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** Labels shared, with the same value, by every label set (Alertmanager's commonLabels / commonAnnotations). */
export function commonLabels(sets: readonly Labels[]): Record<string, string> {
  if (sets.length === 0) return {};
  const out: Record<string, string> = { ...sets[0] };
  for (const s of sets.slice(1)) {
    for (const k of Object.keys(out)) if (s[k] !== out[k]) delete out[k];
  }
  return sortedRecord(out);
}

/** A copy with keys in sorted order, so JSON output is stable (Go marshals maps sorted). */
export function sortedRecord(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k];
  return out;
}

/** `{a="1", b="2"}` — Prometheus' `LabelSet.String()`, used in group keys. */
export function formatLabelSet(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${goQuote(labels[k])}`);
  return `{${parts.join(', ')}}`;
}

/** Go's %q for the strings labels hold (printable text); other control characters as \x.. escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Alertmanager's order of alerts in a notification: by `job`, then `instance` (an alert with the label comes
 * first), then by the whole label set.
 */
export function compareAlerts(a: Alert, b: Alert): number {
  for (const key of ['job', 'instance']) {
    const av = a.labels[key];
    const bv = b.labels[key];
    if (av === undefined && bv === undefined) continue;
    if (av === undefined) return 1;
    if (bv === undefined) return -1;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return compareLabelSets(a.labels, b.labels);
}

/** Prometheus' `LabelSet.Before`: pairwise over sorted names, name then value, then the shorter set first. */
export function compareLabelSets(a: Labels, b: Labels): number {
  const an = Object.keys(a).sort();
  const bn = Object.keys(b).sort();
  for (let i = 0; i < Math.min(an.length, bn.length); i++) {
    if (an[i] !== bn[i]) return an[i] < bn[i] ? -1 : 1;
    const av = a[an[i]];
    const bv = b[bn[i]];
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return an.length - bn.length;
}
