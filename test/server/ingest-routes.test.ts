import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerIngestRoutes } from '../../src/server/routes/ingest.ts';
import { encodeWriteRequest, snappyEncode } from '../../src/ingest/remote-write-codec.ts';
import { encodeOtlpProtobuf } from '../../src/ingest/otlp-proto.ts';
import { MemoryStorage } from '../ingest/storage-double.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(storage: MemoryStorage, maxBodyBytes?: number) {
  app = Fastify();
  await registerIngestRoutes(app, { storage, maxBodyBytes });
  await app.ready();
  return app;
}

const rwBody = () => Buffer.from(snappyEncode(encodeWriteRequest([{ labels: { __name__: 'a', job: 'j' }, timestamps: [1000], values: [1] }])));
const rwHeaders = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' };

describe('POST /api/v1/write', () => {
  it('stores a remote_write request and answers 204', async () => {
    const storage = new MemoryStorage();
    const res = await (await build(storage)).inject({ method: 'POST', url: '/api/v1/write', headers: rwHeaders, payload: rwBody() });
    expect(res.statusCode).toBe(204);
    expect(storage.get({ __name__: 'a', job: 'j' })).toEqual([{ t: 1000, v: 1 }]);
  });

  it('answers 400 with a message for malformed bodies and empty bodies', async () => {
    const a = await build(new MemoryStorage());
    const bad = await a.inject({ method: 'POST', url: '/api/v1/write', headers: rwHeaders, payload: Buffer.from([1, 2, 3]) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/not snappy/);
    const empty = await a.inject({ method: 'POST', url: '/api/v1/write', headers: rwHeaders, payload: Buffer.alloc(0) });
    expect(empty.statusCode).toBe(400);
    const gz = await a.inject({ method: 'POST', url: '/api/v1/write', headers: { ...rwHeaders, 'content-encoding': 'gzip' }, payload: rwBody() });
    expect(gz.statusCode).toBe(415);
  });

  it('answers 413 above the body limit', async () => {
    const res = await (await build(new MemoryStorage(), 10)).inject({ method: 'POST', url: '/api/v1/write', headers: rwHeaders, payload: rwBody() });
    expect(res.statusCode).toBe(413);
  });

  it('accepts a body whatever its Content-Type, as Prometheus does', async () => {
    const storage = new MemoryStorage();
    const res = await (await build(storage)).inject({ method: 'POST', url: '/api/v1/write', headers: { 'content-type': 'application/octet-stream' }, payload: rwBody() });
    expect(res.statusCode).toBe(204);
  });
});

describe('POST /v1/metrics', () => {
  const req = {
    resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeMetrics: [{ metrics: [
      { name: 'temp', unit: 'Cel', gauge: { dataPoints: [{ timeUnixNano: '2000000000', asDouble: 21.5 }] } },
    ] }] }],
  };

  it('stores protobuf and JSON bodies', async () => {
    const storage = new MemoryStorage();
    const a = await build(storage);
    const pb = await a.inject({ method: 'POST', url: '/v1/metrics', headers: { 'content-type': 'application/x-protobuf' }, payload: Buffer.from(encodeOtlpProtobuf(req)) });
    expect(pb.statusCode).toBe(200);
    expect(pb.headers['content-type']).toBe('application/x-protobuf');
    const js = await a.inject({ method: 'POST', url: '/v1/metrics', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(req) });
    expect(js.statusCode).toBe(200);
    expect(js.json()).toEqual({});
    expect(storage.get({ __name__: 'temp_celsius', job: 'svc' })).toEqual([{ t: 2000, v: 21.5 }]);
  });

  it('answers 400 naming the field for a wrong type and 415 for other content types', async () => {
    const a = await build(new MemoryStorage());
    const bad = await a.inject({ method: 'POST', url: '/v1/metrics', headers: { 'content-type': 'application/json' }, payload: '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":"x"}}]}]}]}' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints: expected an array, got string "x"');
    const other = await a.inject({ method: 'POST', url: '/v1/metrics', headers: { 'content-type': 'text/plain' }, payload: 'x' });
    expect(other.statusCode).toBe(415);
  });
});
