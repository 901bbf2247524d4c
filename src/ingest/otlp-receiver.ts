/**
 * OTLP/HTTP metrics (`POST /v1/metrics`): binary protobuf (`application/x-protobuf`) or JSON
 * (`application/json`), optionally gzip-compressed. Responses follow the OTLP/HTTP specification: 200 with an
 * ExportMetricsServiceResponse in the request's encoding — carrying `partial_success` (rejected data points
 * and a message) when some points were refused; 400 with a google.rpc.Status for a malformed body (nothing
 * stored); 415 for another content type; 503 when the store fails (retryable, per the spec).
 */
import { gunzipSync } from 'node:zlib';
import { TelltaleError } from '../errors.ts';
import type { Storage } from '../series/types.ts';
import { describeRejections, emptyRejections, totalRejections } from './append-stats.ts';
import { ExportMetricsServiceResponse, RpcStatus, decodeOtlpProtobuf } from './otlp-proto.ts';
import { translateOtlp } from './otlp-translate.ts';

export interface OtlpStats {
  requests: number;
  malformed: number;
  pointsAccepted: number;
  pointsRejected: number;
}

export function newOtlpStats(): OtlpStats {
  return { requests: 0, malformed: 0, pointsAccepted: 0, pointsRejected: 0 };
}

export interface OtlpResult {
  status: number;
  contentType: string;
  body: Uint8Array;
  rejectedDataPoints: number;
  errorMessage: string;
}

const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

function respond(json: boolean, status: number, payload: { partialSuccess?: { rejectedDataPoints: number; errorMessage: string } } | { code: number; message: string }): OtlpResult {
  const rejected = 'partialSuccess' in payload ? (payload.partialSuccess?.rejectedDataPoints ?? 0) : 0;
  const message = 'message' in payload ? payload.message : (payload.partialSuccess?.errorMessage ?? '');
  let body: Uint8Array;
  if (json) {
    const wire = 'partialSuccess' in payload && payload.partialSuccess
      ? { partialSuccess: { rejectedDataPoints: String(payload.partialSuccess.rejectedDataPoints), errorMessage: payload.partialSuccess.errorMessage } }
      : payload;
    body = Buffer.from(JSON.stringify(wire));
  } else {
    const type = 'code' in payload ? RpcStatus : ExportMetricsServiceResponse;
    body = type.encode(type.fromObject(payload)).finish();
  }
  return { status, contentType: json ? 'application/json' : 'application/x-protobuf', body, rejectedDataPoints: rejected, errorMessage: message };
}

export async function receiveOtlp(
  storage: Storage,
  raw: Uint8Array,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  stats?: OtlpStats,
): Promise<OtlpResult> {
  if (stats) stats.requests++;
  const media = (contentType ?? '').split(';', 1)[0].trim().toLowerCase();
  const json = media === 'application/json';
  if (!json && media !== 'application/x-protobuf') {
    return respond(false, 415, { code: 3, message: `unsupported Content-Type ${JSON.stringify(contentType ?? '')} (expected application/x-protobuf or application/json)` });
  }
  let translation;
  try {
    let body = raw;
    const encoding = (contentEncoding ?? '').toLowerCase();
    if (encoding === 'gzip') {
      try {
        body = gunzipSync(raw, { maxOutputLength: MAX_INFLATED_BYTES });
      } catch (err) {
        throw new TelltaleError('TT_INGEST_INVALID', `body is not valid gzip: ${(err as Error).message}`);
      }
    } else if (encoding !== '' && encoding !== 'identity') {
      throw new TelltaleError('TT_INGEST_INVALID', `unsupported Content-Encoding ${JSON.stringify(contentEncoding)} (expected gzip)`);
    }
    let request: unknown;
    if (json) {
      try {
        request = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
      } catch (err) {
        throw new TelltaleError('TT_INGEST_INVALID', `body is not valid JSON: ${(err as Error).message}`);
      }
    } else {
      try {
        request = decodeOtlpProtobuf(body);
      } catch (err) {
        throw new TelltaleError('TT_INGEST_INVALID', `body is not a protobuf ExportMetricsServiceRequest: ${(err as Error).message}`);
      }
    }
    translation = translateOtlp(request);
  } catch (err) {
    if (!(err instanceof TelltaleError)) throw err;
    if (stats) stats.malformed++;
    return respond(json, 400, { code: 3, message: err.message });
  }
  const app = storage.appender();
  const rejections = emptyRejections();
  const refusedPoints = new Set<number>();
  for (const s of translation.samples) {
    const why = app.append(s.labels, s.t, s.v);
    if (why === undefined) continue;
    rejections[why]++;
    if (s.point >= 0) refusedPoints.add(s.point);
  }
  try {
    await app.commit();
  } catch (err) {
    app.rollback();
    return respond(json, 503, { code: 14, message: `storing the samples failed: ${(err as Error).message}` });
  }
  const rejected = translation.refusedPoints + refusedPoints.size;
  if (stats) {
    stats.pointsAccepted += translation.points - rejected;
    stats.pointsRejected += rejected;
  }
  const problems = [...translation.problems];
  if (totalRejections(rejections) > 0) problems.push(describeRejections(rejections));
  if (rejected === 0 && problems.length === 0) return respond(json, 200, {});
  return respond(json, 200, { partialSuccess: { rejectedDataPoints: rejected, errorMessage: problems.join('; ') } });
}
