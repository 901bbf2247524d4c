/**
 * Thresholds as k6 declares them in `options.thresholds`, and the checks made before a run starts: every
 * expression parses, names a defined metric, and uses an aggregation its metric type supports.
 */
import { parseDuration } from '../../config/duration.ts';
import { TelltaleError, isTelltaleError } from '../../errors.ts';
import type { ThresholdDecl } from '../../load/types.ts';
import { parseMetricKey } from '../metric-key.ts';
import type { MetricRegistry } from '../registry.ts';
import type { MetricType } from '../types.ts';
import type { Aggregation, ThresholdExpression, ThresholdOperator } from './types.ts';

const EXPRESSION =
  /^\s*(avg|min|med|max|count|rate|value|p\s*\(([^()]*)\))\s*(<=|<|>=|>|===|==|!=)\s*(\S(?:.*\S)?)\s*$/s;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Which aggregations each metric type supports, as k6 defines them. */
export const SUPPORTED_AGGREGATIONS: Readonly<Record<MetricType, readonly Aggregation[]>> = Object.freeze({
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'med', 'max', 'p'],
});

function where(metricKey: string, index?: number): string {
  return `thresholds[${JSON.stringify(metricKey)}]${index === undefined ? '' : `[${index}]`}`;
}

function fail(metricKey: string, index: number | undefined, message: string): TelltaleError {
  const field = where(metricKey, index);
  return new TelltaleError('TT_THRESHOLD_INVALID', `${field}: ${message}`, { field });
}

function quote(s: string): string {
  return JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
}

/**
 * Parses `aggregation operator value` (e.g. `p(99.9) < 250`, `rate>=0.95`, `count == 0`). Whitespace is
 * free around tokens; the value is a decimal number, possibly signed and with an exponent. Throws
 * TT_THRESHOLD_INVALID naming the metric key.
 */
export function parseThresholdExpression(expr: string, metricKey: string, index?: number): ThresholdExpression {
  if (typeof expr !== 'string') {
    throw fail(metricKey, index, `expected a threshold expression string like "p(95)<200", got ${typeof expr}`);
  }
  const m = EXPRESSION.exec(expr);
  if (!m) {
    throw fail(
      metricKey,
      index,
      `invalid threshold expression ${quote(expr)}: expected "<aggregation> <operator> <number>", e.g. "p(95)<200" ` +
        'or "rate>0.99" (aggregations: avg, min, med, max, p(N), count, rate, value; operators: < <= > >= == === !=)',
    );
  }
  const [, method, pctText, operator, valueText] = m;
  if (!NUMBER.test(valueText)) {
    throw fail(metricKey, index, `invalid threshold expression ${quote(expr)}: ${quote(valueText)} is not a number`);
  }
  const out: ThresholdExpression = {
    aggregation: (pctText === undefined ? method : 'p') as Aggregation,
    operator: operator as ThresholdOperator,
    value: Number(valueText),
    source: expr,
  };
  if (pctText !== undefined) {
    const t = pctText.trim();
    const pct = Number(t);
    if (!NUMBER.test(t) || !(pct >= 0 && pct <= 100)) {
      throw fail(
        metricKey,
        index,
        `invalid threshold expression ${quote(expr)}: the percentile in p(N) must be a number between 0 and 100, ` +
          `got ${quote(pctText)}`,
      );
    }
    out.percentile = pct;
  }
  return out;
}

const DECL_FIELDS = new Set(['threshold', 'abortOnFail', 'delayAbortEval']);

function parseDecl(raw: unknown, metricKey: string, index: number): ThresholdDecl {
  if (typeof raw === 'string') {
    parseThresholdExpression(raw, metricKey, index);
    return { threshold: raw, abortOnFail: false, delayAbortEvalMs: 0 };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw fail(
      metricKey,
      index,
      'expected a threshold expression string or an object like { threshold: "p(95)<200", abortOnFail: true }',
    );
  }
  const obj = raw as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!DECL_FIELDS.has(k)) {
      throw fail(metricKey, index, `unknown field ${quote(k)} (expected threshold, abortOnFail, delayAbortEval)`);
    }
  }
  if (typeof obj.threshold !== 'string') {
    throw fail(metricKey, index, 'missing "threshold": expected a threshold expression string like "p(95)<200"');
  }
  parseThresholdExpression(obj.threshold, metricKey, index);
  if (obj.abortOnFail !== undefined && typeof obj.abortOnFail !== 'boolean') {
    throw fail(metricKey, index, `abortOnFail: expected true or false, got ${quote(String(obj.abortOnFail))}`);
  }
  let delayAbortEvalMs = 0;
  if (obj.delayAbortEval !== undefined && obj.delayAbortEval !== null) {
    try {
      delayAbortEvalMs = parseDuration(obj.delayAbortEval, `${where(metricKey, index)}.delayAbortEval`);
    } catch (err) {
      const message = isTelltaleError(err) ? err.message : String(err);
      throw new TelltaleError('TT_THRESHOLD_INVALID', message, {
        field: `${where(metricKey, index)}.delayAbortEval`,
        cause: err,
      });
    }
  }
  return { threshold: obj.threshold, abortOnFail: obj.abortOnFail === true, delayAbortEvalMs };
}

/**
 * Reads `options.thresholds` in any of k6's forms: `{ key: ['p(95)<200'] }`,
 * `{ key: [{ threshold, abortOnFail, delayAbortEval }] }`, or a single string or object instead of the list.
 * Keys are checked for syntax here and for existence in validateThresholds.
 */
export function parseThresholds(raw: unknown): Record<string, ThresholdDecl[]> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TelltaleError(
      'TT_THRESHOLD_INVALID',
      'thresholds: expected an object mapping metric names to threshold lists, e.g. { http_req_duration: ["p(95)<200"] }',
      { field: 'thresholds' },
    );
  }
  const out: Record<string, ThresholdDecl[]> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    parseMetricKey(key);
    const list = Array.isArray(value) ? value : [value];
    out[key] = list.map((item, i) => parseDecl(item, key, i));
  }
  return out;
}

/**
 * Checks declared thresholds against the metrics: the metric (the parent of a sub-metric key) must be
 * defined, else TT_THRESHOLD_UNKNOWN_METRIC; each aggregation must be one its type supports, else
 * TT_THRESHOLD_INVALID.
 */
export function validateThresholds(decls: Readonly<Record<string, readonly ThresholdDecl[]>>, registry: MetricRegistry): void {
  for (const [key, list] of Object.entries(decls)) {
    const { parent } = parseMetricKey(key);
    const def = registry.get(parent);
    if (def === undefined) {
      throw new TelltaleError(
        'TT_THRESHOLD_UNKNOWN_METRIC',
        `${where(key)}: threshold on metric '${parent}' which is not defined by the script or built in`,
        { field: where(key) },
      );
    }
    const supported = SUPPORTED_AGGREGATIONS[def.type];
    list.forEach((decl, i) => {
      const expr = parseThresholdExpression(decl.threshold, key, i);
      if (!supported.includes(expr.aggregation)) {
        const used = expr.aggregation === 'p' ? `p(${expr.percentile})` : expr.aggregation;
        throw fail(
          key,
          i,
          `${quote(decl.threshold)} uses ${used}, which a ${def.type} metric does not support ` +
            `(supported: ${supported.map((a) => (a === 'p' ? 'p(N)' : a)).join(', ')})`,
        );
      }
    });
  }
}
