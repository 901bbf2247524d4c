/**
 * Public types of the per-VU HTTP client behind `k6/http`.
 */
import type { RequestSamples, Sample, Tags } from '../../metrics/types.ts';
import type { FormBody } from './body.ts';
import type { CookieJar } from './cookie-jar.ts';
import type { ExpectedStatuses } from './expected-statuses.ts';
import type { HttpUrl } from './url.ts';

/** Options of the test that shape every request of a VU (k6 option names in camelCase). */
export interface HttpDefaults {
  userAgent: string;
  /** Per-request timeout when params.timeout is not given (k6: 60s). */
  timeoutMs: number;
  maxRedirects: number;
  /** Default responseType becomes 'none'. */
  discardResponseBodies: boolean;
  insecureSkipTLSVerify: boolean;
  noConnectionReuse: boolean;
  /** Concurrent requests per host within one http.batch() call; 0 means unlimited. */
  batchPerHost: number;
  /** Concurrent requests within one http.batch() call. */
  batch: number;
  /** Which system tags samples carry (k6 names: method, url, name, status, ...). */
  systemTags: ReadonlySet<string>;
}

export interface RequestContext {
  /** Tags every sample of this request carries before request-specific ones: test tags, scenario, group, VU tags. */
  baseTags: Tags;
  /** Called for each metric sample. */
  emit(sample: Sample): void;
  /** When set, takes all the samples of one request at once instead of `emit` (same samples, fewer calls). */
  emitRequest?: ((r: RequestSamples) => void) | undefined;
  /** Epoch milliseconds, high resolution. */
  now(): number;
  /** Aborted when the VU is interrupted: in-flight requests reject with an AbortError and emit nothing. */
  signal?: AbortSignal;
  /**
   * How late (ms) the current iteration started versus its intended start (arrival-rate executors). When defined,
   * http_req_corrected_duration = duration + startDelayMs is emitted as well.
   */
  startDelayMs?: number;
  /**
   * Reports something a script author should know that does not fail the request (k6 logs these as warnings).
   * Warnings of one `kind` say the same thing: a load test would repeat them for every request.
   */
  warn?(message: string, kind: string): void;
}

export type ResponseType = 'text' | 'binary' | 'none';

/**
 * A request body: raw text, raw bytes, a plain object sent as application/x-www-form-urlencoded (or as
 * multipart/form-data when it holds a file), or a form submitted by Response.submitForm().
 */
export type RequestBody = string | ArrayBuffer | ArrayBufferView | Readonly<Record<string, unknown>> | FormBody;

/** Scalars a script may put into headers and tags; they are sent as their string form. */
export type ParamValue = string | number | boolean;

export interface Params {
  headers?: Readonly<Record<string, ParamValue>>;
  /** Custom tags; `name` overrides the name system tag. */
  tags?: Readonly<Record<string, ParamValue>>;
  /** A duration string ("10s") or milliseconds. */
  timeout?: string | number;
  /** Maximum number of redirects to follow for this request. */
  redirects?: number;
  responseType?: ResponseType;
  /** Decides http_req_failed and expected_response; null disables both for this request. */
  responseCallback?: ExpectedStatuses | null;
  /** Compresses the body: 'gzip', 'deflate', 'br', 'zstd', or several comma-separated, applied in order. */
  compression?: string;
  /** 'basic' (the default) or 'digest'; credentials come from the URL's userinfo either way. */
  auth?: string;
  /** Cookies for this request only, not stored: `{name: value}` or `{name: {value, replace}}`. */
  cookies?: Readonly<Record<string, ParamValue | { readonly value?: ParamValue; readonly replace?: boolean }>>;
  /** The jar this request reads cookies from and stores them in, instead of the VU's. */
  jar?: CookieJar | null;
}

export type BatchRequest =
  | string
  | HttpUrl
  | readonly [method: string, url: string | HttpUrl, body?: RequestBody | null, params?: Params | null]
  | {
    readonly method?: string;
    readonly url: string | HttpUrl;
    readonly body?: RequestBody | null;
    readonly params?: Params | null;
  };

/** Per-phase timings in milliseconds, as k6 reports them in `res.timings`. */
export interface ResponseTimings {
  blocked: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
  /** sending + waiting + receiving */
  duration: number;
}

export interface RequestInfo {
  readonly method: string;
  readonly url: string;
  /** Canonical header names, each with its list of values (k6 exposes Go's http.Header). */
  readonly headers: Readonly<Record<string, string[]>>;
  readonly body: string;
  readonly cookies: Readonly<Record<string, unknown>>;
}
