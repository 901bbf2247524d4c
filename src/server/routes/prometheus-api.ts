/**
 * The Prometheus HTTP API (query, query_range, series, labels, label values, metadata, exemplars, buildinfo,
 * format_query) over any Queryable, with Prometheus' JSON envelope, value formatting and error types.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TelltaleError } from '../../errors.ts';
import { Engine, type QueryResult } from '../../promql/engine.ts';
import { prettyExpr } from '../../promql/format.ts';
import { formatGoFloat, formatTimestamp } from '../../promql/go-float.ts';
import type { QueryLimits } from '../../promql/limits.ts';
import { isTimeout } from '../../promql/limits.ts';
import { parseExpr, parseSelector } from '../../promql/parser.ts';
import { compareLabels, isValidLabelName, labelsKey } from '../../series/labels.ts';
import type { Labels, Matcher, Queryable } from '../../series/types.ts';
import { VERSION } from '../../version.ts';
import { BadData, param, params, parseDurationParam, parseTimeParam, type Params } from './prometheus-params.ts';
import { QueryCache } from '../query-cache.ts';

export interface PrometheusApiDeps {
  queryable: Queryable;
  /** Wall clock (ms) for default query times and deadlines. */
  clock?: () => number;
  limits?: Partial<QueryLimits> & { lookbackDelta?: number };
  /** identical queries share answers (see QueryCache); none: every request is evaluated, as Prometheus does */
  cache?: QueryCache;
}

/** Points in an answer (samples of a vector, values of a matrix), to size what a cache keeps. */
function resultPoints(r: QueryResult): number {
  if (r.resultType === 'matrix') return r.result.reduce((n, s) => n + s.t.length, 0);
  if (r.resultType === 'vector') return r.result.length;
  return 1;
}

type ErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal';
const STATUS: Record<ErrorType, number> = { bad_data: 400, execution: 422, timeout: 503, canceled: 499, internal: 500 };

// Prometheus' defaults for open-ended metadata queries (minTime / maxTime in its API).
const MIN_TIME = -9_223_372_036_854;
const MAX_TIME = 9_223_372_036_854;

class ApiError extends Error {
  readonly type: ErrorType;
  constructor(type: ErrorType, message: string) {
    super(message);
    this.type = type;
  }
}

function classify(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof BadData) return new ApiError('bad_data', err.message);
  if (err instanceof TelltaleError) {
    if (err.code === 'TT_PROMQL_PARSE') return new ApiError('bad_data', err.message);
    if (isTimeout(err)) return new ApiError(err.field === 'canceled' ? 'canceled' : 'timeout', err.message);
    if (err.code === 'TT_PROMQL_EXEC') return new ApiError(err.field === 'step' ? 'bad_data' : 'execution', err.message);
  }
  return new ApiError('internal', err instanceof Error ? err.message : String(err));
}

function send(reply: FastifyReply, data: unknown): FastifyReply {
  return reply.code(200).type('application/json').send({ status: 'success', data });
}

function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const e = classify(err);
  return reply.code(STATUS[e.type]).type('application/json').send({ status: 'error', errorType: e.type, error: e.message });
}

/** Query-string and form parameters together (form values first, as Go's FormValue). */
function allParams(req: FastifyRequest): Params {
  const out: Params = {};
  const addAll = (src: unknown) => {
    if (!src || typeof src !== 'object') return;
    for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
      const list = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
      const prev = out[k];
      const merged = [...(prev === undefined ? [] : Array.isArray(prev) ? prev : [prev]), ...list];
      out[k] = merged.length === 1 ? merged[0] : merged;
    }
  };
  addAll(req.body);
  addAll(req.query);
  return out;
}

function sampleValue(v: number): string {
  return formatGoFloat(v);
}

function ts(t: number): number {
  return Number(formatTimestamp(t));
}

export function resultJson(r: QueryResult): unknown {
  switch (r.resultType) {
    case 'scalar':
      return { resultType: 'scalar', result: [ts(r.result.t), sampleValue(r.result.v)] };
    case 'string':
      return { resultType: 'string', result: [ts(r.result.t), r.result.v] };
    case 'vector':
      return { resultType: 'vector', result: r.result.map((s) => ({ metric: s.metric, value: [ts(s.t), sampleValue(s.v)] })) };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: r.result.map((s) => ({ metric: s.metric, values: s.t.map((t, i) => [ts(t), sampleValue(s.v[i])]) })),
      };
  }
}

function matcherSets(p: Params, required: boolean): Matcher[][] {
  const raw = params(p, 'match[]');
  if (raw.length === 0 && required) throw new BadData('no match[] parameter provided');
  return raw.map((m) => {
    try {
      return parseSelector(m);
    } catch (err) {
      throw new BadData(`invalid parameter "match[]": ${(err as Error).message}`);
    }
  });
}

function timeRange(p: Params): [number, number] {
  const start = parseTimeParam(param(p, 'start'), 'start') ?? MIN_TIME;
  const end = parseTimeParam(param(p, 'end'), 'end') ?? MAX_TIME;
  if (end < start) throw new BadData('invalid parameter "end": end timestamp must not be before start time');
  return [start, end];
}

export function registerPrometheusApi(app: FastifyInstance, deps: PrometheusApiDeps): void {
  const clock = deps.clock ?? Date.now;
  const { lookbackDelta, ...limits } = deps.limits ?? {};
  const engine = new Engine({ limits, now: clock, lookbackDelta });
  const q = deps.queryable;

  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8 << 20 }, (_req, body, done) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of new URLSearchParams(body as string)) {
        const prev = out[k];
        out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
      }
      done(null, out);
    });
  }

  const route = (path: string, methods: ('GET' | 'POST')[], handler: (p: Params, req: FastifyRequest) => Promise<unknown>) => {
    app.route({
      method: methods,
      url: path,
      handler: async (req, reply) => {
        try {
          return send(reply, await handler(allParams(req), req));
        } catch (err) {
          return sendError(reply, err);
        }
      },
    });
  };

  const queryText = (p: Params): string => {
    const text = param(p, 'query');
    if (text === undefined || text === '') throw new BadData('invalid parameter "query": unknown position: parse error: no expression found in input');
    return text;
  };
  const parseQuery = (text: string, nameParam = true) => {
    try {
      return parseExpr(text);
    } catch (err) {
      throw new BadData(`${nameParam ? 'invalid parameter "query": ' : ''}${(err as Error).message}`);
    }
  };

  const cache = deps.cache;
  route('/api/v1/query', ['GET', 'POST'], async (p) => {
    const text = queryText(p);
    const expr = parseQuery(text);
    const given = parseTimeParam(param(p, 'time'), 'time');
    const time = given ?? clock();
    const timeout = parseDurationParam(param(p, 'timeout'), 'timeout');
    const evaluate = () => engine.instantQuery(q, expr, time, { timeout });
    if (!cache) return resultJson(await evaluate());
    // at the server's time, requests in the same second share an answer; at a given time, for 5 s
    const key = given === undefined ? `now\0${Math.floor(time / 1000)}\0${text}` : `at\0${given}\0${text}`;
    return resultJson(await cache.get(key, given === undefined ? 1000 : 5000, evaluate, resultPoints));
  });

  route('/api/v1/query_range', ['GET', 'POST'], async (p) => {
    const start = parseTimeParam(param(p, 'start'), 'start');
    if (start === undefined) throw new BadData('invalid parameter "start": cannot parse "" to a valid timestamp');
    const end = parseTimeParam(param(p, 'end'), 'end');
    if (end === undefined) throw new BadData('invalid parameter "end": cannot parse "" to a valid timestamp');
    if (end < start) throw new BadData('invalid parameter "end": end timestamp must not be before start time');
    const step = parseDurationParam(param(p, 'step'), 'step');
    if (step === undefined) throw new BadData('invalid parameter "step": cannot parse "" to a valid duration');
    if (step <= 0) throw new BadData('invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
    if ((end - start) / step > engine.limits.maxPoints) {
      throw new BadData(`exceeded maximum resolution of ${engine.limits.maxPoints.toLocaleString('en-US')} points per timeseries. Try decreasing the query resolution (?step=XX)`);
    }
    const timeout = parseDurationParam(param(p, 'timeout'), 'timeout');
    // Prometheus 2.42 words a range query's parse error without the parameter name, unlike an instant query's
    const text = queryText(p);
    const expr = parseQuery(text, false);
    const evaluate = () => engine.rangeQuery(q, expr, start, end, step, { timeout });
    if (!cache) return resultJson(await evaluate());
    return resultJson(await cache.get(`range\0${start}\0${end}\0${step}\0${text}`, QueryCache.rangeTtl(step), evaluate, resultPoints));
  });

  route('/api/v1/series', ['GET', 'POST'], async (p) => {
    const sets = matcherSets(p, true);
    const [start, end] = timeRange(p);
    const seen = new Map<string, Labels>();
    for (const matchers of sets) {
      for (const s of await q.select(matchers, start, end, { start, end, func: 'series' })) seen.set(labelsKey(s.labels), s.labels);
    }
    return [...seen.values()].sort(compareLabels);
  });

  route('/api/v1/labels', ['GET', 'POST'], async (p) => {
    const sets = matcherSets(p, false);
    const [start, end] = timeRange(p);
    if (sets.length === 0) return q.labelNames([], start, end);
    const names = new Set<string>();
    for (const m of sets) for (const n of await q.labelNames(m, start, end)) names.add(n);
    return [...names].sort();
  });

  app.get<{ Params: { name: string } }>('/api/v1/label/:name/values', async (req, reply) => {
    try {
      const name = req.params.name;
      if (!isValidLabelName(name)) throw new BadData(`invalid label name: ${JSON.stringify(name)}`);
      const p = allParams(req);
      const sets = matcherSets(p, false);
      const [start, end] = timeRange(p);
      if (sets.length === 0) return send(reply, await q.labelValues(name, [], start, end));
      const values = new Set<string>();
      for (const m of sets) for (const v of await q.labelValues(name, m, start, end)) values.add(v);
      return send(reply, [...values].sort());
    } catch (err) {
      return sendError(reply, err);
    }
  });

  // Telltale keeps no exemplars: after Prometheus' checks of the range and the query (worded as 2.42 words
  // them), the answer is empty.
  route('/api/v1/query_exemplars', ['GET', 'POST'], async (p) => {
    const start = parseTimeParam(param(p, 'start'), 'start') ?? MIN_TIME;
    const end = parseTimeParam(param(p, 'end'), 'end') ?? MAX_TIME;
    if (end < start) throw new BadData('end timestamp must not be before start timestamp');
    parseQuery(queryText(p), false);
    return [];
  });

  // Telltale keeps no metric metadata (TYPE/HELP) yet: the answer is valid and empty.
  route('/api/v1/metadata', ['GET'], async () => ({}));

  route('/api/v1/status/buildinfo', ['GET'], async () => ({
    version: VERSION, revision: '', branch: '', buildUser: '', buildDate: '', goVersion: `node${process.versions.node}`,
  }));

  route('/api/v1/format_query', ['GET', 'POST'], async (p) => prettyExpr(parseQuery(queryText(p))));
}
