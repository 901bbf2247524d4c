/**
 * The query engine: parses (or takes a parsed expression), evaluates it at one time (instant query) or at
 * every step of a range, and returns Prometheus-shaped results. Times are milliseconds.
 */
import { TelltaleError } from '../errors.ts';
import { compareLabels } from '../series/labels.ts';
import type { Labels, Queryable } from '../series/types.ts';
import { typeName, typeOf, type Expr } from './ast.ts';
import { Evaluator } from './evaluator.ts';
import { DEFAULT_LIMITS, QueryGuard, type QueryLimits } from './limits.ts';
import { parseExpr } from './parser.ts';
import { returnTypeOf } from './signatures.ts';

export interface EngineOptions {
  /** Lookback delta for instant selectors (ms), 5m by default. */
  lookbackDelta?: number;
  /** Resolution of subqueries without an explicit step (ms), 1m by default (Prometheus' evaluation_interval). */
  subqueryStep?: number;
  limits?: Partial<QueryLimits>;
  /** Clock for deadlines (ms). */
  now?: () => number;
}

export interface QueryOptions {
  signal?: AbortSignal;
  /** Per-query overrides (the API's `timeout` parameter). */
  timeout?: number;
  lookbackDelta?: number;
}

export interface InstantSample {
  metric: Labels;
  t: number;
  v: number;
}

export interface RangeSeries {
  metric: Labels;
  /** Sample times (ms) and values. */
  t: number[];
  v: number[];
}

export type QueryResult =
  | { resultType: 'vector'; result: InstantSample[] }
  | { resultType: 'matrix'; result: RangeSeries[] }
  | { resultType: 'scalar'; result: { t: number; v: number } }
  | { resultType: 'string'; result: { t: number; v: string } };

export interface QueryStats {
  /** Samples the selectors loaded. */
  totalSamples: number;
  peakSamples: number;
}

export class Engine {
  private readonly lookback: number;
  private readonly subqueryStep: number;
  readonly limits: QueryLimits;
  private readonly now: () => number;

  constructor(options: EngineOptions = {}) {
    this.lookback = options.lookbackDelta ?? 5 * 60_000;
    this.subqueryStep = options.subqueryStep ?? 60_000;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.now = options.now ?? Date.now;
  }

  private evaluator(queryable: Queryable, start: number, end: number, opts: QueryOptions): { ev: Evaluator; guard: QueryGuard } {
    const limits = opts.timeout === undefined ? this.limits : { ...this.limits, timeout: Math.min(opts.timeout, this.limits.timeout) };
    const guard = new QueryGuard(limits, this.now, opts.signal);
    const ev = new Evaluator({
      queryable,
      times: { start, end },
      lookback: opts.lookbackDelta ?? this.lookback,
      subqueryStep: this.subqueryStep,
      guard,
    });
    return { ev, guard };
  }

  async instantQuery(queryable: Queryable, query: string | Expr, time: number, opts: QueryOptions = {}): Promise<QueryResult & { stats: QueryStats }> {
    const expr = typeof query === 'string' ? parseExpr(query) : query;
    const { ev, guard } = this.evaluator(queryable, time, time, opts);
    const v = await ev.eval(expr, Float64Array.of(time));
    const stats = { totalSamples: guard.total, peakSamples: guard.peak };
    switch (v.kind) {
      case 'scalar':
        return { resultType: 'scalar', result: { t: time, v: v.values[0] }, stats };
      case 'string':
        return { resultType: 'string', result: { t: time, v: v.value }, stats };
      case 'vector':
        return {
          resultType: 'vector',
          result: v.series.filter((s) => s.present[0]).map((s) => ({ metric: s.labels, t: time, v: s.values[0] })),
          stats,
        };
      case 'matrix':
        return {
          resultType: 'matrix',
          result: v.series.map((s) => ({ metric: s.labels, t: Array.from(s.t.subarray(0, s.length)), v: Array.from(s.v.subarray(0, s.length)) })),
          stats,
        };
    }
  }

  async rangeQuery(
    queryable: Queryable, query: string | Expr, start: number, end: number, step: number, opts: QueryOptions = {},
  ): Promise<QueryResult & { stats: QueryStats }> {
    const expr = typeof query === 'string' ? parseExpr(query) : query;
    const t = typeOf(expr, returnTypeOf);
    if (t !== 'scalar' && t !== 'vector') {
      throw new TelltaleError('TT_PROMQL_PARSE', `invalid expression type ${JSON.stringify(typeName(t))} for range query, must be Scalar or instant Vector`);
    }
    if (!(step > 0)) throw new TelltaleError('TT_PROMQL_PARSE', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
    if (end < start) throw new TelltaleError('TT_PROMQL_PARSE', 'end timestamp must not be before start time');
    const steps = Math.floor((end - start) / step) + 1;
    if (steps > this.limits.maxPoints) {
      throw new TelltaleError(
        'TT_PROMQL_EXEC',
        `exceeded maximum resolution of ${this.limits.maxPoints.toLocaleString('en-US')} points per timeseries. Try decreasing the query resolution (?step=XX)`,
        { field: 'step' },
      );
    }
    const ts = new Float64Array(steps);
    for (let i = 0; i < steps; i++) ts[i] = start + i * step;
    const { ev, guard } = this.evaluator(queryable, start, end, opts);
    const v = await ev.eval(expr, ts);
    const stats = { totalSamples: guard.total, peakSamples: guard.peak };
    const result: RangeSeries[] = [];
    if (v.kind === 'scalar') {
      result.push({ metric: {}, t: Array.from(ts), v: Array.from(v.values) });
    } else if (v.kind === 'vector') {
      for (const s of v.series) {
        const rs: RangeSeries = { metric: s.labels, t: [], v: [] };
        for (let i = 0; i < steps; i++) {
          if (!s.present[i]) continue;
          rs.t.push(ts[i]);
          rs.v.push(s.values[i]);
        }
        if (rs.t.length > 0) result.push(rs);
      }
      result.sort((a, b) => compareLabels(a.metric, b.metric));
    }
    return { resultType: 'matrix', result, stats };
  }
}
