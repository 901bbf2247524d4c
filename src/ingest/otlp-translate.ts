/**
 * OTLP metrics → Prometheus series, following the OpenTelemetry-to-Prometheus compatibility specification:
 *
 * - monotonic cumulative sums are counters (`_total`); non-monotonic cumulative sums and gauges are gauges;
 * - explicit-bucket histograms become `_bucket{le}` (cumulative counts, `+Inf` = count), `_sum`, `_count`;
 * - summaries become `{quantile}`, `_sum`, `_count`;
 * - `job` is `service.namespace/service.name` (or `service.name`), `instance` is `service.instance.id`, and the
 *   other resource attributes go to a `target_info` series (value 1) with the same job and instance;
 * - the instrumentation scope adds `otel_scope_name` and `otel_scope_version`;
 * - a point flagged "no recorded value" is written as a staleness marker.
 *
 * Refused (counted in partial_success, with a message): delta or unspecified temporality (Prometheus stores
 * cumulative values; convert with the collector's deltatocumulative processor), exponential histograms
 * (Telltale stores float samples only), histograms whose bucket counts do not fit their bounds, metrics with
 * no data. Exemplars are ignored.
 */
import { STALE_NAN, type Labels } from '../series/types.ts';
import { prometheusLabelName, prometheusMetricName, type OtlpMetricKind } from './otlp-names.ts';
import {
  anyValueString, asArray, asBigInt, asBool, asCount, asDouble, asNanosToMs, asObject, asString, field, formatDecimal, invalid,
  type JsonObject,
} from './otlp-values.ts';

export interface OtlpSample {
  labels: Labels;
  t: number;
  v: number;
  /** Index of the data point the sample came from (one point can make many samples). */
  point: number;
}

export interface OtlpTranslation {
  samples: OtlpSample[];
  /** Data points counted so far (every point gets an index, refused ones included). */
  points: number;
  /** Data points refused while translating, with one message per reason. */
  refusedPoints: number;
  problems: string[];
}

const TEMPORALITY: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};
const CUMULATIVE = 2;
const FLAG_NO_RECORDED_VALUE = 1;
const SERVICE_KEYS = new Set(['service.name', 'service.namespace', 'service.instance.id']);

function temporality(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && v in TEMPORALITY) return TEMPORALITY[v];
  return invalid(path, `expected an AggregationTemporality (0, 1, 2 or its name), got ${JSON.stringify(v)}`);
}

/** Attributes → sanitized labels; keys that sanitize to the same name have their values joined with `;`. */
function attributeLabels(list: unknown, path: string, skip?: ReadonlySet<string>): Record<string, string> {
  const pairs: [string, string][] = [];
  asArray(list, path).forEach((x, i) => {
    const kv = asObject(x, `${path}[${i}]`);
    const key = asString(kv.key, `${path}[${i}].key`);
    if (skip?.has(key)) return;
    pairs.push([key, anyValueString(kv.value, `${path}[${i}].value`)]);
  });
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, string> = {};
  for (const [key, value] of pairs) {
    const name = prometheusLabelName(key);
    if (name === '' || name.startsWith('__') || value === '') continue;
    out[name] = name in out ? `${out[name]};${value}` : value;
  }
  return out;
}

export function translateOtlp(request: unknown): OtlpTranslation {
  const out: OtlpTranslation = { samples: [], points: 0, refusedPoints: 0, problems: [] };
  const problems = new Set<string>();
  const root = asObject(request, 'request');
  asArray(field(root, 'resourceMetrics'), 'resourceMetrics').forEach((rmv, ri) => {
    const rPath = `resourceMetrics[${ri}]`;
    const rm = asObject(rmv, rPath);
    const resource = asObject(field(rm, 'resource'), `${rPath}.resource`);
    const attrsPath = `${rPath}.resource.attributes`;
    const service: Record<string, string> = {};
    asArray(field(resource, 'attributes'), attrsPath).forEach((x, i) => {
      const kv = asObject(x, `${attrsPath}[${i}]`);
      const key = asString(kv.key, `${attrsPath}[${i}].key`);
      if (SERVICE_KEYS.has(key)) service[key] = anyValueString(kv.value, `${attrsPath}[${i}].value`);
    });
    const resourceLabels: Record<string, string> = {};
    const serviceName = service['service.name'] ?? '';
    if (serviceName !== '') {
      const ns = service['service.namespace'] ?? '';
      resourceLabels.job = ns !== '' ? `${ns}/${serviceName}` : serviceName;
    }
    if ((service['service.instance.id'] ?? '') !== '') resourceLabels.instance = service['service.instance.id'];
    const info = attributeLabels(field(resource, 'attributes'), attrsPath, SERVICE_KEYS);
    const first = out.samples.length;
    asArray(field(rm, 'scopeMetrics'), `${rPath}.scopeMetrics`).forEach((smv, si) => {
      const sPath = `${rPath}.scopeMetrics[${si}]`;
      const sm = asObject(smv, sPath);
      const scope = asObject(field(sm, 'scope'), `${sPath}.scope`);
      const scopeLabels: Record<string, string> = {};
      const scopeName = asString(scope.name, `${sPath}.scope.name`);
      const scopeVersion = asString(scope.version, `${sPath}.scope.version`);
      if (scopeName !== '') scopeLabels.otel_scope_name = scopeName;
      if (scopeVersion !== '') scopeLabels.otel_scope_version = scopeVersion;
      asArray(field(sm, 'metrics'), `${sPath}.metrics`).forEach((mv, mi) => {
        translateMetric(asObject(mv, `${sPath}.metrics[${mi}]`), `${sPath}.metrics[${mi}]`, { ...scopeLabels, ...resourceLabels }, out, problems);
      });
    });
    if (Object.keys(info).length > 0 && out.samples.length > first) {
      let t = -Infinity;
      for (let i = first; i < out.samples.length; i++) t = Math.max(t, out.samples[i].t);
      out.samples.push({ labels: { ...info, ...resourceLabels, __name__: 'target_info' }, t, v: 1, point: -1 });
    }
  });
  out.problems = [...problems];
  return out;
}

interface PointSink {
  emit(labels: Labels, t: number, v: number): void;
}

function translateMetric(m: JsonObject, path: string, base: Record<string, string>, out: OtlpTranslation, problems: Set<string>): void {
  const name = asString(m.name, `${path}.name`);
  const unit = asString(m.unit, `${path}.unit`);
  const refuse = (count: number, why: string) => {
    out.refusedPoints += count;
    out.points += count;
    problems.add(`metric ${JSON.stringify(name)}: ${why}`);
  };
  const sinkFor = (point: number): PointSink => ({ emit: (labels, t, v) => out.samples.push({ labels, t, v, point }) });
  const points = (data: JsonObject, p: string) => asArray(field(data, 'dataPoints'), `${p}.dataPoints`);

  if (m.gauge !== undefined || m.sum !== undefined) {
    const isSum = m.sum !== undefined;
    const p = `${path}.${isSum ? 'sum' : 'gauge'}`;
    const data = asObject(isSum ? m.sum : m.gauge, p);
    const dps = points(data, p);
    let kind: OtlpMetricKind = 'gauge';
    if (isSum) {
      const temp = temporality(field(data, 'aggregationTemporality'), `${p}.aggregationTemporality`);
      if (temp !== CUMULATIVE) return refuse(dps.length, `${temp === 1 ? 'delta' : 'unspecified'} temporality is not supported (only cumulative sums)`);
      kind = asBool(field(data, 'isMonotonic'), `${p}.isMonotonic`) ? 'counter' : 'updown';
    }
    const metric = prometheusMetricName(name, unit, kind);
    dps.forEach((dv, i) => {
      const dp = asObject(dv, `${p}.dataPoints[${i}]`);
      const dPath = `${p}.dataPoints[${i}]`;
      const point = out.points++;
      const { labels, t, stale } = pointBasics(dp, dPath, base);
      const hasInt = 'asInt' in dp || 'as_int' in dp;
      const value = hasInt ? Number(asBigInt(field(dp, 'asInt'), `${dPath}.asInt`, false)) : asDouble(field(dp, 'asDouble'), `${dPath}.asDouble`);
      sinkFor(point).emit({ ...labels, __name__: metric }, t, stale ? STALE_NAN : value);
    });
    return;
  }
  if (m.histogram !== undefined) {
    const p = `${path}.histogram`;
    const data = asObject(m.histogram, p);
    const dps = points(data, p);
    const temp = temporality(field(data, 'aggregationTemporality'), `${p}.aggregationTemporality`);
    if (temp !== CUMULATIVE) return refuse(dps.length, `${temp === 1 ? 'delta' : 'unspecified'} temporality is not supported (only cumulative histograms)`);
    const metric = prometheusMetricName(name, unit, 'histogram');
    dps.forEach((dv, i) => {
      const dPath = `${p}.dataPoints[${i}]`;
      const dp = asObject(dv, dPath);
      const { labels, t, stale } = pointBasics(dp, dPath, base);
      const bounds = asArray(field(dp, 'explicitBounds'), `${dPath}.explicitBounds`).map((b, k) => asDouble(b, `${dPath}.explicitBounds[${k}]`));
      const counts = asArray(field(dp, 'bucketCounts'), `${dPath}.bucketCounts`).map((c, k) => asCount(c, `${dPath}.bucketCounts[${k}]`));
      const count = asCount(dp.count, `${dPath}.count`);
      if (counts.length !== 0 && counts.length !== bounds.length + 1) {
        return refuse(1, `histogram has ${counts.length} bucket counts for ${bounds.length} bounds (expected ${bounds.length + 1})`);
      }
      const point = out.points++;
      const sink = sinkFor(point);
      const v = (x: number) => (stale ? STALE_NAN : x);
      if (dp.sum !== undefined) sink.emit({ ...labels, __name__: `${metric}_sum` }, t, v(asDouble(dp.sum, `${dPath}.sum`)));
      sink.emit({ ...labels, __name__: `${metric}_count` }, t, v(count));
      let cumulative = 0;
      for (let k = 0; k < bounds.length && counts.length > 0; k++) {
        cumulative += counts[k];
        sink.emit({ ...labels, le: formatDecimal(bounds[k]), __name__: `${metric}_bucket` }, t, v(cumulative));
      }
      sink.emit({ ...labels, le: '+Inf', __name__: `${metric}_bucket` }, t, v(count));
    });
    return;
  }
  if (m.summary !== undefined) {
    const p = `${path}.summary`;
    const data = asObject(m.summary, p);
    const metric = prometheusMetricName(name, unit, 'summary');
    points(data, p).forEach((dv, i) => {
      const dPath = `${p}.dataPoints[${i}]`;
      const dp = asObject(dv, dPath);
      const { labels, t, stale } = pointBasics(dp, dPath, base);
      const sink = sinkFor(out.points++);
      const v = (x: number) => (stale ? STALE_NAN : x);
      sink.emit({ ...labels, __name__: `${metric}_sum` }, t, v(asDouble(dp.sum, `${dPath}.sum`)));
      sink.emit({ ...labels, __name__: `${metric}_count` }, t, v(asCount(dp.count, `${dPath}.count`)));
      asArray(field(dp, 'quantileValues'), `${dPath}.quantileValues`).forEach((qv, k) => {
        const q = asObject(qv, `${dPath}.quantileValues[${k}]`);
        const quantile = formatDecimal(asDouble(q.quantile, `${dPath}.quantileValues[${k}].quantile`));
        sink.emit({ ...labels, quantile, __name__: metric }, t, v(asDouble(q.value, `${dPath}.quantileValues[${k}].value`)));
      });
    });
    return;
  }
  const expo = field(m, 'exponentialHistogram');
  if (expo !== undefined) {
    const p = `${path}.exponentialHistogram`;
    return refuse(points(asObject(expo, p), p).length, 'exponential histograms are not supported (configure explicit-bucket histograms)');
  }
  problems.add(`metric ${JSON.stringify(name)}: no data (expected gauge, sum, histogram or summary)`);
}

function pointBasics(dp: JsonObject, path: string, base: Record<string, string>): { labels: Record<string, string>; t: number; stale: boolean } {
  const labels = { ...attributeLabels(dp.attributes, `${path}.attributes`), ...base };
  const t = asNanosToMs(field(dp, 'timeUnixNano'), `${path}.timeUnixNano`);
  const flags = dp.flags === undefined ? 0 : asCount(dp.flags, `${path}.flags`);
  return { labels, t, stale: (flags & FLAG_NO_RECORDED_VALUE) !== 0 };
}
