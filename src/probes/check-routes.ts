/**
 * HTTP routes over a ProbeService, as a fastify plugin:
 *   GET /probe?check=NAME                  runs the check now (joining a run in flight) and answers its result
 *                                          in the exposition format — blackbox_exporter's /probe, so an
 *                                          existing Prometheus scrape config keeps working
 *   GET /api/v1/checks                     every check with its latest result and schedule (for the dashboard)
 *   GET /api/v1/checks/:name/results       recent results, newest first (?limit=N, at most the history size)
 *   GET /api/v1/checks/:name/uptime        24h / 7d / 30d uptime, from the stored probe_success series when a
 *                                          Queryable is given, else from the in-memory history
 */
import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../series/types.ts';
import { EXPOSITION_CONTENT_TYPE, renderExposition } from './exposition.ts';
import type { ProbeService } from './probe-service.ts';
import { checkLabels, resultSamples } from './result-series.ts';
import { queryUptime, uptimeFromResults } from './uptime.ts';

export interface CheckRouteDeps {
  service: ProbeService;
  /** Where probe_success is read back for uptime; the in-memory history is used without it. */
  queryable?: Queryable;
  /** Wall clock for uptime windows. */
  now: () => number;
}

export async function registerCheckRoutes(app: FastifyInstance, deps: CheckRouteDeps): Promise<void> {
  const find = (name: string) => deps.service.scheduler.checks().find((c) => c.name === name);

  app.get<{ Querystring: { check?: string; module?: string } }>('/probe', async (req, reply) => {
    // `module` is blackbox_exporter's parameter name; accept it so its scrape configs work unchanged.
    const name = req.query.check ?? req.query.module;
    const def = name === undefined ? undefined : find(name);
    if (def === undefined) return reply.code(400).type('text/plain; charset=utf-8').send(name === undefined ? 'the check parameter is missing\n' : `unknown check ${JSON.stringify(name)}\n`);
    const result = await deps.service.scheduler.runNow(def.name);
    if (result === undefined) return reply.code(503).type('text/plain; charset=utf-8').send('the check was stopped before it ran\n');
    return reply.type(EXPOSITION_CONTENT_TYPE).send(renderExposition(resultSamples(def, result)));
  });

  app.get('/api/v1/checks', async () => ({
    checks: deps.service.scheduler.checks().map((def) => {
      const latest = deps.service.history.latest(def.name);
      const schedule = deps.service.scheduler.schedule(def.name);
      return {
        name: def.name,
        type: def.type,
        labels: checkLabels(def),
        intervalMs: def.intervalMs,
        status: latest?.status ?? 'pending',
        ...(latest === undefined ? {} : { lastRunAt: latest.startedAt, lastDurationMs: latest.durationMs, failures: latest.failures, degradations: latest.degradations }),
        ...(schedule?.nextRunAt === undefined ? {} : { nextRunAt: schedule.nextRunAt }),
        skippedRuns: schedule?.skipped ?? 0,
      };
    }),
  }));

  app.get<{ Params: { name: string }; Querystring: { limit?: string } }>('/api/v1/checks/:name/results', async (req, reply) => {
    if (find(req.params.name) === undefined) return reply.code(404).send({ error: `unknown check ${JSON.stringify(req.params.name)}` });
    const limit = req.query.limit === undefined ? undefined : Number(req.query.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) return reply.code(400).send({ error: 'limit must be a positive integer' });
    return { results: deps.service.history.recent(req.params.name, limit) };
  });

  app.get<{ Params: { name: string } }>('/api/v1/checks/:name/uptime', async (req, reply) => {
    const def = find(req.params.name);
    if (def === undefined) return reply.code(404).send({ error: `unknown check ${JSON.stringify(req.params.name)}` });
    const now = deps.now();
    const uptime = deps.queryable === undefined
      ? uptimeFromResults(deps.service.history.recent(def.name), now, def.intervalMs)
      : await queryUptime(deps.queryable, def.name, { now, intervalMs: def.intervalMs });
    return { source: deps.queryable === undefined ? 'history' : 'series', uptime };
  });
}
