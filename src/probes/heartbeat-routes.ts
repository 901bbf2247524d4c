/**
 * The ping endpoint of heartbeat checks, a fastify plugin:
 *   GET|POST|HEAD /api/v1/heartbeat/:token        the job ran fine
 *   GET|POST      /api/v1/heartbeat/:token/fail   the job failed (the body, if any, says why)
 * Answers `200 OK` (text) for a known token and `404` otherwise. Bodies of any content type are kept as
 * text up to 10 KiB (413 above), so `curl -fsS --data-binary @log.txt .../fail` works from a cron job.
 * Use as `app.register(registerHeartbeatRoutes, deps)` or call it directly.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HeartbeatState, HeartbeatStore } from './heartbeat-store.ts';

export interface HeartbeatRouteDeps {
  heartbeats: HeartbeatStore;
  /** Called after each accepted ping (e.g. to run the check at once so its status turns at the ping). */
  onPing?: (state: HeartbeatState) => void;
}

const BODY_LIMIT = 10 * 1024;

export async function registerHeartbeatRoutes(app: FastifyInstance, deps: HeartbeatRouteDeps): Promise<void> {
  // A child scope, so the catch-all body parser below does not change how the rest of the server parses.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
    const handle = (ok: boolean) => async (req: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
      const body = typeof req.body === 'string' ? req.body : undefined;
      const state = deps.heartbeats.ping(req.params.token, ok, body);
      if (state === undefined) return reply.code(404).type('text/plain; charset=utf-8').send('not found: no heartbeat check has this token\n');
      try {
        deps.onPing?.(state);
      } catch {
        // The ping is recorded; a failing listener must not turn it into an error for the job.
      }
      return reply.code(200).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send('OK\n');
    };
    scope.route({ method: ['GET', 'POST', 'HEAD'], url: '/api/v1/heartbeat/:token', bodyLimit: BODY_LIMIT, handler: handle(true) });
    scope.route({ method: ['GET', 'POST'], url: '/api/v1/heartbeat/:token/fail', bodyLimit: BODY_LIMIT, handler: handle(false) });
  });
}
