/**
 * Push ingest over HTTP: Prometheus remote_write 1.0 at `POST /api/v1/write` and OTLP/HTTP metrics at
 * `POST /v1/metrics`. Both read the raw body (whatever the Content-Type, as Prometheus' receiver does for
 * remote_write), bounded by `maxBodyBytes`; fastify answers 413 above it.
 */
import type { FastifyInstance } from 'fastify';
import type { Storage } from '../../series/types.ts';
import { LabelsCache } from '../../ingest/remote-write-codec.ts';
import { newRemoteWriteStats, receiveRemoteWrite, type RemoteWriteStats } from '../../ingest/remote-write-receiver.ts';
import { newOtlpStats, receiveOtlp, type OtlpStats } from '../../ingest/otlp-receiver.ts';

export interface IngestRouteDeps {
  storage: Storage;
  /** Largest accepted request body, compressed (default 32 MiB). */
  maxBodyBytes?: number;
  remoteWriteStats?: RemoteWriteStats;
  otlpStats?: OtlpStats;
}

export async function registerIngestRoutes(app: FastifyInstance, deps: IngestRouteDeps): Promise<void> {
  const bodyLimit = deps.maxBodyBytes ?? 32 * 1024 * 1024;
  const rwStats = deps.remoteWriteStats ?? newRemoteWriteStats();
  const labelsCache = new LabelsCache();
  const otlpStats = deps.otlpStats ?? newOtlpStats();
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));

    scope.post('/api/v1/write', { bodyLimit }, async (req, reply) => {
      const body = req.body;
      if (!(body instanceof Uint8Array) || body.length === 0) {
        return reply.code(400).type('text/plain; charset=utf-8').send('empty request body (expected a snappy-compressed WriteRequest)\n');
      }
      const encoding = req.headers['content-encoding'];
      if (encoding !== undefined && encoding.toLowerCase() !== 'snappy') {
        return reply.code(415).type('text/plain; charset=utf-8').send(`unsupported Content-Encoding ${JSON.stringify(encoding)} (expected snappy)\n`);
      }
      const outcome = await receiveRemoteWrite(deps.storage, body, rwStats, labelsCache);
      if (outcome.status === 204) return reply.code(204).send();
      return reply.code(outcome.status).type('text/plain; charset=utf-8').send(`${outcome.message}\n`);
    });

    scope.post('/v1/metrics', { bodyLimit }, async (req, reply) => {
      const body = req.body instanceof Uint8Array ? req.body : new Uint8Array(0);
      const result = await receiveOtlp(deps.storage, body, req.headers['content-type'], req.headers['content-encoding'], otlpStats);
      return reply.code(result.status).type(result.contentType).send(Buffer.from(result.body));
    });
  });
}
