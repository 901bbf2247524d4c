/**
 * The run history for the dashboard: `GET /api/telltale/runs` (newest first, with the baselines),
 * `GET /api/telltale/runs/:id` (a digest of one run; an unambiguous id prefix works, as on the CLI) and
 * `GET /api/telltale/runs/:a/compare/:b` (the gate's verdicts with `a` as the baseline and `b` as the
 * current run, under `rule` query parameters or the gate's default rules). `POST /api/telltale/runs` takes a
 * run record (the JSON `telltale run --record-out` writes), saves it, and writes its per-second data to the
 * series store (src/runs/run-series.ts).
 */
import { isTelltaleError, TelltaleError } from '../../errors.ts';
import { compareRuns } from '../../gate/compare.ts';
import { DEFAULT_RULES, parseRule } from '../../gate/rules.ts';
import type { RunRecord } from '../../runs/schema.ts';
import type { RunStore } from '../../store/index.ts';
import type { RoutePlugin } from '../app.ts';
import { digestRun } from './run-digest.ts';
import { parseRecord } from '../../runs/json.ts';
import { appendRunSeries } from '../../runs/run-series.ts';
import type { Storage } from '../../series/types.ts';

export interface RunsRouteOptions {
  store: RunStore;
  /** where a pushed run's per-second series go (none: the run is only saved) */
  storage?: Storage;
  /** the gate rules used when a comparison names none (default: the gate's defaults) */
  rules?: readonly string[];
}

interface ListQuery {
  test?: string;
  branch?: string;
  limit?: string;
}

interface CompareQuery {
  rule?: string | string[];
  alpha?: string;
  min_intervals?: string;
}

const STATUS: Record<string, number> = { TT_RUN_NOT_FOUND: 404, TT_RUN_AMBIGUOUS: 400, TT_USAGE: 400, TT_GATE_MISMATCH: 422, TT_RECORD_INVALID: 400, TT_RUN_EXISTS: 409 };

function positiveInt(value: string | undefined, field: string, fallback: number, min = 1): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new TelltaleError('TT_USAGE', `${field}: expected a whole number of at least ${min}, got ${JSON.stringify(value)}`, { field });
  return n;
}

export function runsRoutes(options: RunsRouteOptions): RoutePlugin {
  const { store } = options;
  const load = async (idOrPrefix: string): Promise<RunRecord> => {
    const id = await store.resolveRunId(idOrPrefix);
    const record = await store.getRun(id);
    if (record === undefined) throw new TelltaleError('TT_RUN_NOT_FOUND', `no run with id ${id}`);
    return record;
  };

  // registered in its own scope, so the error handler below only sees these routes
  return (root) => {
    void root.register(async (app) => {
      app.setErrorHandler((err, _request, reply) => {
        // run lookups fail with the store's codes; a missing run is a 404 for HTTP clients
        if (isTelltaleError(err) && STATUS[err.code] !== undefined) {
          return reply.status(STATUS[err.code]).send({ status: 'error', errorType: STATUS[err.code] === 404 ? 'not_found' : 'bad_data', error: err.message, code: err.code, field: err.field });
        }
        throw err;
      });

      app.get<{ Querystring: ListQuery }>('/api/telltale/runs', async (request) => {
        const limit = positiveInt(request.query.limit, 'limit', 200);
        const [runs, baselines] = await Promise.all([
          store.listRuns({ testName: request.query.test || undefined, branch: request.query.branch || undefined, limit }),
          store.listBaselines(),
        ]);
        return { status: 'success', data: { runs, baselines } };
      });

      // a record is the JSON text, parsed and validated here so errors name the field
      app.removeContentTypeParser('application/json');
      app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) => done(null, body));
      app.post('/api/telltale/runs', async (request, reply) => {
        const text = typeof request.body === 'string' ? request.body : '';
        const record = parseRecord(text, 'request body');
        const saved = await store.saveRun(record);
        let series = { accepted: 0, rejected: {} as Record<string, number> };
        if (options.storage && saved === 'created') {
          const app = options.storage.appender();
          series = appendRunSeries(app, record);
          await app.commit();
        }
        return reply.status(saved === 'created' ? 201 : 200).send({ status: 'success', data: { id: record.id, outcome: saved, samples: series.accepted, rejected: series.rejected } });
      });

      app.get<{ Params: { id: string } }>('/api/telltale/runs/:id', async (request) => {
        const record = await load(request.params.id);
        const baseline = await store.getBaseline(record.testName);
        return { status: 'success', data: { ...digestRun(record), baselineRunId: baseline?.runId ?? null } };
      });

      app.get<{ Params: { a: string; b: string }; Querystring: CompareQuery }>('/api/telltale/runs/:a/compare/:b', async (request) => {
        const given = request.query.rule === undefined ? [] : Array.isArray(request.query.rule) ? request.query.rule : [request.query.rule];
        const rules = (given.length > 0 ? given : (options.rules ?? DEFAULT_RULES)).map((r) => parseRule(r, 'rule'));
        const alpha = request.query.alpha === undefined ? 0.01 : Number(request.query.alpha);
        if (!(alpha > 0 && alpha < 1)) throw new TelltaleError('TT_USAGE', `alpha: expected a number between 0 and 1, got ${JSON.stringify(request.query.alpha)}`, { field: 'alpha' });
        const minIntervals = positiveInt(request.query.min_intervals, 'min_intervals', 10, 2);
        const [baseline, current] = await Promise.all([load(request.params.a), load(request.params.b)]);
        if (baseline.id === current.id) throw new TelltaleError('TT_GATE_MISMATCH', `run ${current.id} is its own baseline: nothing to compare`);
        const result = compareRuns(baseline, current, rules, { alpha, minIntervals });
        return { status: 'success', data: result };
      });
    });
  };
}
