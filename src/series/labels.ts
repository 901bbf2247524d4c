/**
 * Label sets as Prometheus defines them: names match `[a-zA-Z_][a-zA-Z0-9_]*` (the metric name may also hold
 * `:`), names starting with `__` are reserved for internal use, values are any valid UTF-8, and an empty value
 * is the same as no label at all.
 */
import { METRIC_NAME, type Labels } from './types.ts';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
// A lone surrogate cannot be encoded as UTF-8, so Prometheus (which checks utf8.ValidString) refuses it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

export function isValidMetricName(name: string): boolean {
  return METRIC_NAME_RE.test(name);
}

export function isValidLabelValue(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/** Why a label set is not a valid series identity, or undefined when it is. */
export function labelsProblem(labels: Labels): string | undefined {
  const name = labels[METRIC_NAME];
  if (name === undefined || name === '') return 'missing metric name (__name__)';
  if (!isValidMetricName(name)) return `invalid metric name ${JSON.stringify(name)}`;
  for (const key in labels) {
    if (key !== METRIC_NAME && !isValidLabelName(key)) return `invalid label name ${JSON.stringify(key)}`;
    if (!isValidLabelValue(labels[key])) return `label ${key} has a value that is not valid UTF-8`;
  }
  return undefined;
}

/** The label names in Prometheus order (byte-wise ascending, which for valid names is code-unit order). */
export function sortedNames(labels: Labels): string[] {
  const names: string[] = [];
  for (const key in labels) if (labels[key] !== '') names.push(key);
  return names.sort(compareStrings);
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A copy without empty values, with keys in sorted order (so JSON and iteration order are canonical). */
export function canonicalLabels(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const key of sortedNames(labels)) out[key] = labels[key];
  return out;
}

/**
 * A string that identifies the label set: equal for equal sets whatever the key order, and sorting by it
 * orders series as Prometheus does (by name, then value, label by label). `\xff` separates fields: it
 * cannot occur in a label name and sorts after every character a valid name holds.
 */
export function labelsKey(labels: Labels): string {
  let key = '';
  for (const name of sortedNames(labels)) key += `${name}\xfe${labels[name]}\xff`;
  return key;
}

/** Orders label sets as Prometheus sorts series: label by label, by name then value. */
export function compareLabels(a: Labels, b: Labels): number {
  const an = sortedNames(a);
  const bn = sortedNames(b);
  const n = Math.min(an.length, bn.length);
  for (let i = 0; i < n; i++) {
    if (an[i] !== bn[i]) return compareStrings(an[i], bn[i]);
    const c = compareStrings(a[an[i]], b[bn[i]]);
    if (c !== 0) return c;
  }
  return an.length - bn.length;
}

/** `name{a="1", b="2"}` as Prometheus prints a series. */
export function formatLabels(labels: Labels): string {
  const name = labels[METRIC_NAME] ?? '';
  const parts: string[] = [];
  for (const key of sortedNames(labels)) {
    if (key !== METRIC_NAME) parts.push(`${key}=${JSON.stringify(labels[key])}`);
  }
  return parts.length === 0 && name !== '' ? name : `${name}{${parts.join(', ')}}`;
}
