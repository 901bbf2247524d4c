/** The per-VU HTTP client behind `k6/http`. */
export { VuHttp } from './client.ts';
export { K6Response, setPageActions, type PageActions, type RequestRecord } from './response.ts';
export { FileData, file, type FileContent, type FormEntry } from './multipart.ts';
export { FormBody, urlencodeEntries, type FormEnctype } from './body.ts';
export { expectedStatuses, ExpectedStatuses, DEFAULT_EXPECTED_STATUSES, type StatusRange } from './expected-statuses.ts';
export { urlTemplate, isHttpUrl, type HttpUrl } from './url.ts';
export { CookieJar } from './cookie-jar.ts';
export type { ResponseCookie, SentCookie } from './cookies.ts';
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
