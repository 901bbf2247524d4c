/**
 * The `telltale serve` HTTP application: fastify with the server's own health, readiness and metrics
 * endpoints, a uniform error envelope, and route plugins for each domain (Prometheus API, ingest,
 * alerting, probes) registered by whoever assembles the server. Binding and lifecycle live in
 * `server/serve.ts`; this module only builds the app, so tests can `inject()` into it.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions, type onRequestAsyncHookHandler, type RouteOptions } from 'fastify';
import { isTelltaleError } from '../errors.ts';
import { VERSION } from '../version.ts';
import { SelfMetrics } from './self-metrics.ts';

export type RoutePlugin = (app: FastifyInstance) => void | Promise<void>;

export interface ReadinessCheck {
  name: string;
  /** undefined when ready, otherwise why not */
  check(): string | undefined;
}

export interface AppOptions {
  /** pino logger options (fastify's); false turns logging off. Secrets in headers are always redacted. */
  logger?: boolean | { level?: string; stream?: NodeJS.WritableStream };
  /** Largest request body accepted, bytes (default 32 MiB, enough for a remote_write burst). */
  bodyLimit?: number;
  readiness?: ReadinessCheck[];
  /** the server's own metrics; one is created when not given */
  metrics?: SelfMetrics;
  plugins?: RoutePlugin[];
  /** identifies callers and refuses what they may not do (server/auth/); without it every route is open */
  auth?: { onRequest: onRequestAsyncHookHandler; onRoute?: (route: RouteOptions) => void };
}

/** Header and body fields that never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.routing_key',
  'req.headers["x-csrf-token"]',
  '*.currentPassword',
  '*.newPassword',
  '*.csrfToken',
];

export async function buildApp(options: AppOptions = {}): Promise<FastifyInstance> {
  const logger: FastifyServerOptions['logger'] =
    options.logger === undefined || options.logger === false
      ? false
      : {
          level: options.logger === true ? 'info' : (options.logger.level ?? 'info'),
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          ...(options.logger !== true && options.logger.stream ? { stream: options.logger.stream } : {}),
        };
  const app = Fastify({
    logger,
    bodyLimit: options.bodyLimit ?? 32 * 1024 * 1024,
    // Prometheus' API takes repeated `match[]` parameters; fastify's default parser keeps them as arrays.
    routerOptions: { ignoreTrailingSlash: true },
    // per-request lines would drown the log under ingest load; errors are logged by the error handler
    logController: new LogController({ disableRequestLogging: true }),
  });
  const metrics = options.metrics ?? new SelfMetrics();
  const readiness = options.readiness ?? [];

  if (options.auth) app.addHook('onRequest', options.auth.onRequest);
  if (options.auth?.onRoute) app.addHook('onRoute', options.auth.onRoute);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err, request, reply) => {
    if (isTelltaleError(err)) {
      const status = err.exitCode === 104 || err.exitCode === 2 ? 400 : 422;
      void reply.status(status).send({ status: 'error', errorType: 'bad_data', error: err.message, code: err.code, field: err.field });
      return;
    }
    const e = err as { statusCode?: number; message?: string; code?: string };
    const status = typeof e.statusCode === 'number' && e.statusCode >= 400 ? e.statusCode : 500;
    if (status >= 500) request.log.error({ err }, 'request failed');
    void reply.status(status).send({ status: 'error', errorType: status >= 500 ? 'internal' : 'bad_data', error: e.message ?? 'error' });
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ status: 'error', errorType: 'not_found', error: `no route for ${request.method} ${request.url.split('?')[0]}` });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const problems = readiness.flatMap((r) => {
      const why = r.check();
      return why === undefined ? [] : [{ check: r.name, problem: why }];
    });
    if (problems.length > 0) return reply.status(503).send({ status: 'not ready', problems });
    return { status: 'ready' };
  });
  app.get('/metrics', async (_request, reply) => {
    void reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
    return metrics.render();
  });
  app.get('/api/v1/status/telltale', async () => ({ status: 'success', data: { version: VERSION } }));

  for (const plugin of options.plugins ?? []) await plugin(app);
  return app;
}
