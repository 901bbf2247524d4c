/**
 * The OTLP metrics messages ingest reads (opentelemetry/proto/metrics/v1 and collector/metrics/v1), declared
 * for protobufjs' reflection without a .proto file. Field names are the lowerCamelCase JSON names, so a
 * decoded protobuf message and an OTLP/JSON body have the same shape. Exemplars are not declared: the
 * decoder skips them as unknown fields.
 */
import protobuf from 'protobufjs';

const kv = { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } };
const rep = (type: string, id: number) => ({ rule: 'repeated', type, id });

const descriptor = {
  nested: {
    otlp: {
      nested: {
        KeyValue: { fields: kv },
        AnyValue: {
          oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
          fields: {
            stringValue: { type: 'string', id: 1 },
            boolValue: { type: 'bool', id: 2 },
            intValue: { type: 'int64', id: 3 },
            doubleValue: { type: 'double', id: 4 },
            arrayValue: { type: 'ArrayValue', id: 5 },
            kvlistValue: { type: 'KeyValueList', id: 6 },
            bytesValue: { type: 'bytes', id: 7 },
          },
        },
        ArrayValue: { fields: { values: rep('AnyValue', 1) } },
        KeyValueList: { fields: { values: rep('KeyValue', 1) } },
        Resource: { fields: { attributes: rep('KeyValue', 1), droppedAttributesCount: { type: 'uint32', id: 2 } } },
        InstrumentationScope: {
          fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 }, attributes: rep('KeyValue', 3) },
        },
        ExportMetricsServiceRequest: { fields: { resourceMetrics: rep('ResourceMetrics', 1) } },
        ResourceMetrics: {
          fields: { resource: { type: 'Resource', id: 1 }, scopeMetrics: rep('ScopeMetrics', 2), schemaUrl: { type: 'string', id: 3 } },
        },
        ScopeMetrics: {
          fields: { scope: { type: 'InstrumentationScope', id: 1 }, metrics: rep('Metric', 2), schemaUrl: { type: 'string', id: 3 } },
        },
        Metric: {
          oneofs: { data: { oneof: ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] } },
          fields: {
            name: { type: 'string', id: 1 },
            description: { type: 'string', id: 2 },
            unit: { type: 'string', id: 3 },
            gauge: { type: 'Gauge', id: 5 },
            sum: { type: 'Sum', id: 7 },
            histogram: { type: 'Histogram', id: 9 },
            exponentialHistogram: { type: 'ExponentialHistogram', id: 10 },
            summary: { type: 'Summary', id: 11 },
          },
        },
        Gauge: { fields: { dataPoints: rep('NumberDataPoint', 1) } },
        Sum: {
          fields: { dataPoints: rep('NumberDataPoint', 1), aggregationTemporality: { type: 'int32', id: 2 }, isMonotonic: { type: 'bool', id: 3 } },
        },
        Histogram: { fields: { dataPoints: rep('HistogramDataPoint', 1), aggregationTemporality: { type: 'int32', id: 2 } } },
        ExponentialHistogram: {
          fields: { dataPoints: rep('ExponentialHistogramDataPoint', 1), aggregationTemporality: { type: 'int32', id: 2 } },
        },
        Summary: { fields: { dataPoints: rep('SummaryDataPoint', 1) } },
        NumberDataPoint: {
          oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
          fields: {
            attributes: rep('KeyValue', 7),
            startTimeUnixNano: { type: 'fixed64', id: 2 },
            timeUnixNano: { type: 'fixed64', id: 3 },
            asDouble: { type: 'double', id: 4 },
            asInt: { type: 'sfixed64', id: 6 },
            flags: { type: 'uint32', id: 8 },
          },
        },
        HistogramDataPoint: {
          // `optional double sum` in proto3: a synthetic oneof gives it presence
          oneofs: { _sum: { oneof: ['sum'] } },
          fields: {
            attributes: rep('KeyValue', 9),
            startTimeUnixNano: { type: 'fixed64', id: 2 },
            timeUnixNano: { type: 'fixed64', id: 3 },
            count: { type: 'fixed64', id: 4 },
            sum: { type: 'double', id: 5 },
            bucketCounts: rep('fixed64', 6),
            explicitBounds: rep('double', 7),
            flags: { type: 'uint32', id: 10 },
          },
        },
        ExponentialHistogramDataPoint: {
          fields: {
            attributes: rep('KeyValue', 1),
            timeUnixNano: { type: 'fixed64', id: 3 },
            count: { type: 'fixed64', id: 4 },
            flags: { type: 'uint32', id: 10 },
          },
        },
        SummaryDataPoint: {
          fields: {
            attributes: rep('KeyValue', 7),
            startTimeUnixNano: { type: 'fixed64', id: 2 },
            timeUnixNano: { type: 'fixed64', id: 3 },
            count: { type: 'fixed64', id: 4 },
            sum: { type: 'double', id: 5 },
            quantileValues: rep('ValueAtQuantile', 6),
            flags: { type: 'uint32', id: 8 },
          },
        },
        ValueAtQuantile: { fields: { quantile: { type: 'double', id: 1 }, value: { type: 'double', id: 2 } } },
        ExportMetricsServiceResponse: { fields: { partialSuccess: { type: 'ExportMetricsPartialSuccess', id: 1 } } },
        ExportMetricsPartialSuccess: { fields: { rejectedDataPoints: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } } },
        Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
export const ExportMetricsServiceRequest = root.lookupType('otlp.ExportMetricsServiceRequest');
export const ExportMetricsServiceResponse = root.lookupType('otlp.ExportMetricsServiceResponse');
export const RpcStatus = root.lookupType('otlp.Status');

/** Decodes a protobuf request to the OTLP/JSON shape (int64s as decimal strings, bytes as base64). */
export function decodeOtlpProtobuf(body: Uint8Array): unknown {
  const msg = ExportMetricsServiceRequest.decode(body);
  return ExportMetricsServiceRequest.toObject(msg, { longs: String, bytes: String, defaults: false, arrays: true });
}

/** Encodes an OTLP/JSON-shaped request as protobuf (for tests and tools that send OTLP). */
export function encodeOtlpProtobuf(request: object): Uint8Array {
  return ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(request)).finish();
}
