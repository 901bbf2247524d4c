/**
 * Value formatting of k6's end-of-test summary, reproduced so numbers read the same as in k6: durations
 * truncated (never rounded up) to two decimals in µs/ms/s and `1m2s` above a minute, bytes in SI units
 * with one decimal below 10, rates as truncated percentages, plain numbers with at most six decimals.
 */
import type { MetricType, ValueType } from '../../metrics/types.ts';

/** `parseFloat(v.toFixed(prec))` drops the trailing zeros toFixed leaves. */
export function toFixedNoTrailingZeros(val: number, prec: number): string {
  if (!Number.isFinite(val)) return String(val);
  return String(parseFloat(val.toFixed(prec)));
}

function toFixedNoTrailingZerosTrunc(val: number, prec: number): string {
  const mult = 10 ** prec;
  return toFixedNoTrailingZeros(Math.trunc(mult * val) / mult, prec);
}

/** Milliseconds as k6 prints them without summaryTimeUnit: `0s`, `850ns`, `12.5µs`, `1.23ms`, `2.5s`, `1m2s`, `1h0m5s`. */
export function humanizeDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${humanizeDuration(-ms)}`;
  if (ms === 0) return '0s';
  if (ms < 0.001) return `${Math.trunc(ms * 1_000_000)}ns`;
  if (ms < 1) return `${toFixedNoTrailingZerosTrunc(ms * 1000, 2)}µs`;
  if (ms < 1000) return `${toFixedNoTrailingZerosTrunc(ms, 2)}ms`;
  // Above a minute k6 drops the sub-second digits, which keeps long runs short: 1m2s, not 1m2.35s.
  let out = `${toFixedNoTrailingZerosTrunc((ms % 60_000) / 1000, ms > 60_000 ? 0 : 2)}s`;
  let rem = Math.trunc(ms / 60_000);
  if (rem < 1) return out;
  out = `${rem % 60}m${out}`;
  rem = Math.trunc(rem / 60);
  if (rem < 1) return out;
  return `${rem}h${out}`;
}

const TIME_UNITS: Record<string, { unit: string; coef: number }> = {
  s: { unit: 's', coef: 0.001 },
  ms: { unit: 'ms', coef: 1 },
  us: { unit: 'µs', coef: 1000 },
};

/** A duration in a fixed unit when `--summary-time-unit` is s, ms or us; k6's generic form otherwise. */
export function humanizeDurationIn(ms: number, timeUnit: string | undefined): string {
  if (timeUnit && Object.hasOwn(TIME_UNITS, timeUnit)) {
    const u = TIME_UNITS[timeUnit];
    return `${(ms * u.coef).toFixed(2)}${u.unit}`;
  }
  return humanizeDuration(ms);
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** Bytes in SI units (base 1000) as k6 prints data: `7 B`, `1.2 kB`, `12 kB`, `3.4 MB`. */
export function humanizeBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 10) return `${bytes} B`;
  const e = Math.min(Math.floor(Math.log(bytes) / Math.log(1000)), BYTE_UNITS.length - 1);
  const val = Math.floor((bytes / 1000 ** e) * 10 + 0.5) / 10;
  return `${val.toFixed(val < 10 ? 1 : 0)} ${BYTE_UNITS[e]}`;
}

/** A 0..1 ratio as a percentage with two decimals, truncated so 99.999% never shows as 100.00%. */
export function humanizeRate(ratio: number): string {
  if (!Number.isFinite(ratio)) return `${ratio}%`;
  return `${(Math.trunc(ratio * 100 * 100) / 100).toFixed(2)}%`;
}

export interface MetricKind {
  type: MetricType;
  contains: ValueType;
}

/** One summary value of a metric, formatted by what the metric holds. */
export function humanizeValue(val: number, metric: MetricKind, timeUnit?: string): string {
  if (val === undefined || val === null) return '-';
  if (metric.type === 'rate') return humanizeRate(val);
  switch (metric.contains) {
    case 'data':
      return humanizeBytes(val);
    case 'time':
      return humanizeDurationIn(val, timeUnit);
    default:
      return toFixedNoTrailingZeros(val, 6);
  }
}

/** A trend column: `count` stays an integer, everything else follows the metric's value kind. */
export function humanizeTrendStat(val: number | undefined, stat: string, metric: MetricKind, timeUnit?: string): string {
  if (val === undefined) return '-';
  if (stat === 'count') return String(val);
  return humanizeValue(val, metric, timeUnit);
}

/**
 * The value columns of a non-trend metric line: counter `count rate/s`, gauge `value min=.. max=..`,
 * rate `pct` plus the pass/fail counts (legacy mode prints those as `✓ n ✗ m`, the current summary
 * as `n out of total`).
 */
export function nonTrendColumns(
  metric: MetricKind & { values: Record<string, number> },
  timeUnit: string | undefined,
  rateStyle: 'marks' | 'out-of',
): string[] {
  const v = metric.values;
  switch (metric.type) {
    case 'counter':
      return [humanizeValue(v.count ?? 0, metric, timeUnit), `${humanizeValue(v.rate ?? 0, metric, timeUnit)}/s`];
    case 'gauge':
      return [
        humanizeValue(v.value ?? 0, metric, timeUnit),
        `min=${humanizeValue(v.min ?? 0, metric, timeUnit)}`,
        `max=${humanizeValue(v.max ?? 0, metric, timeUnit)}`,
      ];
    case 'rate': {
      const passes = v.passes ?? 0;
      const fails = v.fails ?? 0;
      const main = humanizeValue(v.rate ?? v.value ?? 0, metric, timeUnit);
      return rateStyle === 'marks' ? [main, `✓ ${passes}`, `✗ ${fails}`] : [main, `${passes} out of ${passes + fails}`];
    }
    default:
      return ['[no data]'];
  }
}

/** Display width of a plain string: code points after NFKC, which is what k6 measures alignment by. */
export function strWidth(s: string): number {
  let width = 0;
  for (const _ of s.normalize('NFKC')) width++;
  return width;
}

/**
 * Orders metric names alphabetically but keeps each sub-metric right after its parent, as k6 does, so
 * `http_req_duration{expected_response:true}` follows `http_req_duration`.
 */
export function sortMetricNames(names: string[]): string[] {
  return names.sort((a, b) => {
    const pa = a.split('{', 1)[0];
    const pb = b.split('{', 1)[0];
    const byParent = pa.localeCompare(pb);
    if (byParent !== 0) return byParent;
    return a.slice(pa.length).localeCompare(b.slice(pb.length));
  });
}

/** `http_req_duration{status:200}` -> `{ status:200 }`; plain names unchanged. */
export function submetricLabel(name: string): string {
  const pos = name.indexOf('{');
  if (pos < 0) return name;
  return `{ ${name.slice(pos + 1, name.endsWith('}') ? -1 : undefined)} }`;
}
