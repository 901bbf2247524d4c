import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { prometheusLabelName, prometheusMetricName } from '../../src/ingest/otlp-names.ts';
import { translateOtlp } from '../../src/ingest/otlp-translate.ts';
import { receiveOtlp } from '../../src/ingest/otlp-receiver.ts';
import { ExportMetricsServiceResponse, RpcStatus, encodeOtlpProtobuf } from '../../src/ingest/otlp-proto.ts';
import { formatDecimal } from '../../src/ingest/otlp-values.ts';
import { isStaleNaN } from '../../src/series/types.ts';
import { TelltaleError } from '../../src/errors.ts';
import { MemoryStorage } from './storage-double.ts';

const T = '1700000000123456789'; // ns
const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });

function request(metrics: object[], resource = [attr('service.name', 'checkout'), attr('service.namespace', 'shop'), attr('service.instance.id', 'pod-1'), attr('k8s.pod.name', 'pod-1')]) {
  return { resourceMetrics: [{ resource: { attributes: resource }, scopeMetrics: [{ scope: { name: 'io.example', version: '1.2' }, metrics }] }] };
}

describe('OTLP names', () => {
  it('adds unit and type suffixes as the compatibility spec says', () => {
    expect(prometheusMetricName('http.server.duration', 's', 'histogram')).toBe('http_server_duration_seconds');
    expect(prometheusMetricName('http.server.request.size', 'By', 'counter')).toBe('http_server_request_size_bytes_total');
    expect(prometheusMetricName('requests.total', '{requests}', 'counter')).toBe('requests_total');
    expect(prometheusMetricName('cpu.utilization', '1', 'gauge')).toBe('cpu_utilization_ratio');
    expect(prometheusMetricName('speed', 'm/s', 'gauge')).toBe('speed_meters_per_second');
    expect(prometheusMetricName('latency_seconds', 's', 'gauge')).toBe('latency_seconds');
    expect(prometheusMetricName('2xx.count', '', 'counter')).toBe('_2xx_count_total');
    expect(prometheusLabelName('http.method')).toBe('http_method');
    expect(prometheusLabelName('0zone')).toBe('key_0zone');
    expect(prometheusLabelName('_private')).toBe('key_private');
    expect(formatDecimal(1e21)).toBe('1000000000000000000000');
    expect(formatDecimal(1.5e-7)).toBe('0.00000015');
    expect(formatDecimal(0.25)).toBe('0.25');
  });
});

describe('OTLP translation', () => {
  it('turns sums, gauges, histograms and summaries into Prometheus series with job, instance and target_info', () => {
    const out = translateOtlp(request([
      { name: 'http.requests', unit: '{request}', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: T, asInt: '42', attributes: [attr('http.method', 'GET')] }] } },
      { name: 'queue.depth', gauge: { dataPoints: [{ timeUnixNano: T, asDouble: 3.5 }] } },
      { name: 'inflight', sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE', isMonotonic: false, dataPoints: [{ timeUnixNano: T, asInt: '-2' }] } },
      { name: 'latency', unit: 'ms', histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: T, count: '6', sum: 12.5, bucketCounts: ['1', '2', '3'], explicitBounds: [5, 10] }] } },
      { name: 'rpc', unit: 's', summary: { dataPoints: [{ timeUnixNano: T, count: '4', sum: 2, quantileValues: [{ quantile: 0.99, value: 1.5 }] }] } },
    ]));
    const base = { job: 'shop/checkout', instance: 'pod-1', otel_scope_name: 'io.example', otel_scope_version: '1.2' };
    const byName = Object.fromEntries(out.samples.map((s) => [`${s.labels.__name__}${s.labels.le ?? ''}${s.labels.quantile ?? ''}`, s]));
    expect(byName.http_requests_total).toMatchObject({ labels: { ...base, http_method: 'GET', __name__: 'http_requests_total' }, t: 1700000000123, v: 42 });
    expect(byName.queue_depth.v).toBe(3.5);
    expect(byName.inflight.v).toBe(-2);
    expect([byName.latency_milliseconds_bucket5.v, byName.latency_milliseconds_bucket10.v, byName['latency_milliseconds_bucket+Inf'].v]).toEqual([1, 3, 6]);
    expect(byName.latency_milliseconds_sum.v).toBe(12.5);
    expect(byName.latency_milliseconds_count.v).toBe(6);
    expect(byName['rpc_seconds0.99'].v).toBe(1.5);
    expect(byName.target_info).toMatchObject({ labels: { __name__: 'target_info', job: 'shop/checkout', instance: 'pod-1', k8s_pod_name: 'pod-1' }, v: 1 });
    expect(out.refusedPoints).toBe(0);
  });

  it('refuses delta sums and exponential histograms, with a message', () => {
    const out = translateOtlp(request([
      { name: 'd', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ timeUnixNano: T, asInt: '1' }, { timeUnixNano: T, asInt: '2' }] } },
      { name: 'e', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: T, count: '1' }] } },
      { name: 'g', gauge: { dataPoints: [{ timeUnixNano: T, asDouble: 1, flags: 1 }] } },
    ]));
    expect(out.refusedPoints).toBe(3);
    expect(out.problems.join('\n')).toMatch(/metric "d": delta temporality is not supported/);
    expect(out.problems.join('\n')).toMatch(/metric "e": exponential histograms are not supported/);
    expect(isStaleNaN(out.samples.find((s) => s.labels.__name__ === 'g')!.v)).toBe(true);
  });

  it('names the field path of a value of the wrong type', () => {
    const bad = request([{ name: 'x', gauge: { dataPoints: [{ timeUnixNano: 12.5, asDouble: 1 }] } }]);
    expect(() => translateOtlp(bad)).toThrow('resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].timeUnixNano: expected an integer');
    expect(() => translateOtlp({ resourceMetrics: {} })).toThrow('resourceMetrics: expected an array, got an object');
    expect(() => translateOtlp(request([{ name: 1 }]))).toThrow('resourceMetrics[0].scopeMetrics[0].metrics[0].name: expected a string');
  });

  it('property: JSON of any shape either translates or fails with TT_INGEST_INVALID and a field path', () => {
    const leaf = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('NaN', '12', '-3', T));
    const keys = fc.constantFrom('resourceMetrics', 'scopeMetrics', 'metrics', 'resource', 'attributes', 'key', 'value', 'stringValue', 'name', 'unit',
      'gauge', 'sum', 'histogram', 'summary', 'dataPoints', 'timeUnixNano', 'asDouble', 'asInt', 'aggregationTemporality', 'isMonotonic',
      'bucketCounts', 'explicitBounds', 'count', 'quantileValues', 'quantile', 'flags', 'exponentialHistogram', 'intValue', 'arrayValue', 'values');
    const tree = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(keys, tie('node'), { maxKeys: 4 })),
    })).node;
    fc.assert(
      fc.property(tree, (body) => {
        try {
          translateOtlp(body);
        } catch (err) {
          expect(err).toBeInstanceOf(TelltaleError);
          expect((err as TelltaleError).code).toBe('TT_INGEST_INVALID');
          expect((err as TelltaleError).field).toBeTruthy();
        }
      }),
      { numRuns: 1500 },
    );
  });
});

describe('OTLP receiver', () => {
  const metrics = [{ name: 'jobs', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: T, asDouble: 7 }] } }];

  it('stores protobuf and gzip bodies and answers an empty ExportMetricsServiceResponse', async () => {
    const storage = new MemoryStorage();
    const pb = encodeOtlpProtobuf(request(metrics));
    const out = await receiveOtlp(storage, gzipSync(pb), 'application/x-protobuf', 'gzip');
    expect(out.status).toBe(200);
    expect(ExportMetricsServiceResponse.toObject(ExportMetricsServiceResponse.decode(out.body))).toEqual({});
    expect(storage.find('jobs_total')[0].samples).toEqual([{ t: 1700000000123, v: 7 }]);
    expect(storage.find('target_info')).toHaveLength(1);
  });

  it('reports partial success for refused points, JSON in, JSON out', async () => {
    const storage = new MemoryStorage();
    const body = Buffer.from(JSON.stringify(request([...metrics, { name: 'd', sum: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: T, asInt: '1' }] } }])));
    const out = await receiveOtlp(storage, body, 'application/json', undefined);
    expect(out.status).toBe(200);
    const parsed = JSON.parse(Buffer.from(out.body).toString());
    expect(parsed.partialSuccess.rejectedDataPoints).toBe('1');
    expect(parsed.partialSuccess.errorMessage).toMatch(/delta temporality/);
    // the same point again is a duplicate only if its value changes
    const again = await receiveOtlp(storage, Buffer.from(JSON.stringify(request([{ name: 'jobs', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: T, asDouble: 8 }] } }]))), 'application/json', undefined);
    expect(JSON.parse(Buffer.from(again.body).toString()).partialSuccess).toEqual({ rejectedDataPoints: '1', errorMessage: '1 samples refused: 1 duplicate sample for timestamp' });
  });

  it('answers 400 with a Status for malformed bodies and 415 for other content types', async () => {
    const storage = new MemoryStorage();
    const bad = await receiveOtlp(storage, new Uint8Array([0x0a, 0x10, 1]), 'application/x-protobuf', undefined);
    expect(bad.status).toBe(400);
    expect(RpcStatus.toObject(RpcStatus.decode(bad.body)).message).toMatch(/not a protobuf ExportMetricsServiceRequest/);
    const badJson = await receiveOtlp(storage, Buffer.from('{"resourceMetrics": 3}'), 'application/json', undefined);
    expect(JSON.parse(Buffer.from(badJson.body).toString())).toEqual({ code: 3, message: 'resourceMetrics: expected an array, got number 3' });
    expect((await receiveOtlp(storage, Buffer.from('x'), 'text/plain', undefined)).status).toBe(415);
    expect(storage.sampleCount()).toBe(0);
  });

  it('property: random protobuf bytes never crash the receiver', async () => {
    const storage = new MemoryStorage();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 120 }), async (bytes) => {
        const out = await receiveOtlp(storage, bytes, 'application/x-protobuf', undefined);
        expect([200, 400]).toContain(out.status);
      }),
      { numRuns: 1000 },
    );
  });
});
