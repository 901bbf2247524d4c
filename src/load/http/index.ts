/** The per-VU HTTP client behind `k6/http`. */
export { VuHttp } from './client.ts';
export { K6Response, type RequestRecord } from './response.ts';
export { expectedStatuses, ExpectedStatuses, DEFAULT_EXPECTED_STATUSES, type StatusRange } from './expected-statuses.ts';
export { urlTemplate, isHttpUrl, type HttpUrl } from './url.ts';
export { canonicalHeaderKey } from './headers.ts';
export { selectJson } from './json-selector.ts';
export { ErrorCode, classifyError, type ClassifiedError } from './error-codes.ts';
export type {
  HttpDefaults,
  RequestContext,
  Params,
  ParamValue,
  RequestBody,
  BatchRequest,
  ResponseType,
  ResponseTimings,
  RequestInfo,
} from './types.ts';
