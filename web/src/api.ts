/**
 * The dashboard's only data sources: the Prometheus HTTP API (`/api/v1/*`), the Alertmanager v2 API
 * (`/api/v2/*`, plus Telltale's acknowledgement route) and Telltale's REST routes (`/api/telltale/*`),
 * all on the origin that served the page.
 */

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

// ---- the login session: changes carry its CSRF token; a 401 anywhere sends the user to the login page

let csrfToken: string | null = null;
const unauthorized = new Set<() => void>();

/** Calls `fn` whenever the server says the session is gone; returns the unsubscribe function. */
export function onUnauthorized(fn: () => void): () => void {
  unauthorized.add(fn);
  return () => unauthorized.delete(fn);
}

async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (res.status === 401 && !url.startsWith('/api/telltale/login')) for (const fn of unauthorized) fn();
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = json as { error?: string; message?: string } | undefined;
    throw new ApiError(res.status, e?.error ?? e?.message ?? (text.slice(0, 200) || `${res.status} ${res.statusText}`));
  }
  return json as T;
}

export const getJSON = <T>(url: string) => request<T>('GET', url);
export const postJSON = <T>(url: string, body: unknown) => request<T>('POST', url, body);
export const deleteJSON = <T>(url: string) => request<T>('DELETE', url);
export const patchJSON = <T>(url: string, body: unknown) => request<T>('PATCH', url, body);

// ---- Prometheus HTTP API

export type Labels = Record<string, string>;
export type SamplePair = [number, string];
export interface VectorSample {
  metric: Labels;
  value: SamplePair;
}
export interface MatrixSeries {
  metric: Labels;
  values: SamplePair[];
}
export type QueryData =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'matrix'; result: MatrixSeries[] }
  | { resultType: 'scalar'; result: SamplePair }
  | { resultType: 'string'; result: SamplePair };

interface PromEnvelope<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
  warnings?: string[];
}

function qs(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) p.set(k, String(v));
  return p.toString();
}

export async function query(expr: string, time?: number): Promise<QueryData> {
  return (await getJSON<PromEnvelope<QueryData>>(`/api/v1/query?${qs({ query: expr, time })}`)).data;
}

/** An instant query (at `time`, epoch seconds, or now) that must give a vector (or a scalar, turned into one unlabelled sample). */
export async function queryVector(expr: string, time?: number): Promise<VectorSample[]> {
  const d = await query(expr, time);
  if (d.resultType === 'vector') return d.result;
  if (d.resultType === 'scalar') return [{ metric: {}, value: d.result }];
  return [];
}

/** The value of a query that gives at most one sample, or null when it gives none (or NaN). */
export async function queryScalar(expr: string): Promise<number | null> {
  const [first] = await queryVector(expr);
  if (first === undefined) return null;
  const v = Number(first.value[1]);
  return Number.isNaN(v) ? null : v;
}

export interface Range {
  start: number;
  end: number;
  step: number;
}

export async function queryRange(expr: string, range: Range): Promise<MatrixSeries[]> {
  const d = (await getJSON<PromEnvelope<QueryData>>(`/api/v1/query_range?${qs({ query: expr, start: range.start, end: range.end, step: range.step })}`)).data;
  return d.resultType === 'matrix' ? d.result : [];
}

export async function labelNames(): Promise<string[]> {
  return (await getJSON<PromEnvelope<string[]>>('/api/v1/labels')).data;
}

export async function metricNames(): Promise<string[]> {
  return (await getJSON<PromEnvelope<string[]>>('/api/v1/label/__name__/values')).data;
}

export interface PromRuleAlert {
  labels: Labels;
  annotations: Labels;
  state: 'pending' | 'firing' | 'inactive';
  activeAt?: string;
  value: string;
}

/** Alerts of the rule evaluator (Prometheus' `/api/v1/alerts`): the only place pending alerts are seen. */
export async function ruleAlerts(): Promise<PromRuleAlert[]> {
  return (await getJSON<PromEnvelope<{ alerts: PromRuleAlert[] }>>('/api/v1/alerts')).data.alerts;
}

// ---- Alertmanager v2 API

export interface AmAlert {
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  fingerprint: string;
  generatorURL?: string;
  receivers: Array<{ name: string }>;
  status: {
    state: 'active' | 'suppressed' | 'unprocessed';
    silencedBy: string[];
    inhibitedBy: string[];
    /** an older form of the acknowledgement, still read */
    acknowledged?: boolean | { by?: string; at?: number | string; comment?: string };
  };
  /** Telltale's addition to Alertmanager's alert: who acknowledged it, when, why (absent when not acknowledged) */
  acknowledgement?: { by: string; at: string; comment: string };
}

export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  createdBy: string;
  comment: string;
  status: { state: 'active' | 'pending' | 'expired' };
}

export const amAlerts = () => getJSON<AmAlert[]>('/api/v2/alerts');
export const amSilences = () => getJSON<Silence[]>('/api/v2/silences');
export const createSilence = (s: { matchers: Matcher[]; startsAt: string; endsAt: string; createdBy: string; comment: string }) =>
  postJSON<{ silenceID: string }>('/api/v2/silences', s);
export const expireSilence = (id: string) => deleteJSON<unknown>(`/api/v2/silence/${encodeURIComponent(id)}`);
export const acknowledge = (fingerprint: string, by: string, comment: string) =>
  postJSON<unknown>(`/api/v2/alerts/${encodeURIComponent(fingerprint)}/ack`, { by, comment });

// ---- Telltale REST routes

export interface Targets {
  p50: number;
  p95: number;
  p99: number;
  error_rate: number;
  p95_warning: number;
  p95_critical: number;
  error_rate_warning: number;
  error_rate_critical: number;
  cpu_warning: number;
  cpu_critical: number;
  memory_warning: number;
  memory_critical: number;
}

export interface Service {
  name: string;
  selector: Labels;
  matchers: string;
  endpoint_label: string;
  critical_endpoints: string[];
  targets: Targets;
}

/**
 * The configured services change only when the server restarts, and every page needs them first: one
 * request is shared for a minute, and main.tsx starts it before any page code has loaded.
 */
let servicesRequest: { at: number; promise: Promise<Service[]> } | undefined;
export function services(now = Date.now()): Promise<Service[]> {
  if (servicesRequest === undefined || now - servicesRequest.at > 60_000) {
    const promise = getJSON<{ data: Service[] }>('/api/telltale/services').then((r) => r.data);
    servicesRequest = { at: now, promise };
    promise.catch(() => {
      if (servicesRequest?.promise === promise) servicesRequest = undefined;
    });
  }
  return servicesRequest.promise;
}

/** A deployment or another event on a service's timeline (`GET /api/telltale/annotations`); times in ms. */
export interface Annotation {
  id: string;
  time: number;
  timeEnd?: number;
  service?: string;
  kind: string;
  version?: string;
  text: string;
  tags: string[];
}

/** Annotations of one kind for a service inside a range (seconds, as the range is). */
export function annotations(service: string, kind: string, r: Range): Promise<Annotation[]> {
  const q = new URLSearchParams({ service, kind, from: String(Math.floor(r.start * 1000)), to: String(Math.ceil(r.end * 1000)) });
  return getJSON<{ data: Annotation[] }>(`/api/telltale/annotations?${q}`).then((x) => x.data);
}

export interface RunSummary {
  id: string;
  testName: string;
  startTime: number;
  endTime: number;
  exitCode: number;
  thresholdsPassed: boolean;
  git: { commit?: string; branch?: string; pr?: string };
  ciProvider: string | null;
  recordedAt: number;
}

export interface Latency {
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface RunDigest {
  id: string;
  testName: string;
  script: string;
  startTime: number;
  endTime: number;
  status: { exitCode: number; thresholdsPassed: boolean; aborted?: string; abortReason?: string };
  git: { commit?: string; branch?: string; pr?: string };
  thresholds: Array<{ metricKey: string; expression: string; ok: boolean }>;
  totals: { requests: number; failed: number; errorRate: number | null; rps: number; iterations: number; maxVus: number };
  latency: Latency;
  timeline: Array<{ time: number; vus: number; requests: number; failed: number; p95: number | null }>;
  endpoints: Array<{ name: string; requests: number; failed: number; errorRate: number | null; rps: number } & Latency>;
  errors: Array<{ kind: string; name: string; method: string; count: number; message?: string }>;
  baselineRunId: string | null;
}

export interface Verdict {
  rule: string;
  metric: string;
  kind: string;
  endpoint: string | null;
  verdict: 'regression' | 'improvement' | 'no change' | 'inconclusive';
  baseline?: number;
  current?: number;
  change?: number;
  threshold: number;
  pValue?: number;
  reason: string;
}

export interface GateResult {
  testName: string;
  baselineRunId: string;
  currentRunId: string;
  passed: boolean;
  verdicts: Verdict[];
  counts: Record<string, number>;
}

export const runs = async (test?: string) =>
  (await getJSON<{ data: { runs: RunSummary[]; baselines: Array<{ testName: string; runId: string }> } }>(`/api/telltale/runs${test ? `?${qs({ test })}` : ''}`)).data;
export const run = async (id: string) => (await getJSON<{ data: RunDigest }>(`/api/telltale/runs/${encodeURIComponent(id)}`)).data;
export const compare = async (a: string, b: string) =>
  (await getJSON<{ data: GateResult }>(`/api/telltale/runs/${encodeURIComponent(a)}/compare/${encodeURIComponent(b)}`)).data;

// ---- accounts

export interface Me {
  username: string;
  role: 'viewer' | 'editor' | 'admin' | null;
  scopes: string[];
  via: 'session' | 'token' | 'open';
  csrfToken: string | null;
  authEnabled: boolean;
}

let username: string | undefined;

function remember(me: Me): Me {
  csrfToken = me.csrfToken;
  username = me.via === 'open' ? undefined : me.username;
  return me;
}

/** Who is logged in (undefined before /me answered, or when the server has no authentication). */
export const currentUser = (): string | undefined => username;

export const me = async () => remember((await getJSON<{ data: Me }>('/api/telltale/me')).data);
export const login = async (username: string, password: string) => remember((await postJSON<{ data: Me }>('/api/telltale/login', { username, password })).data);
export async function logout(): Promise<void> {
  await postJSON<unknown>('/api/telltale/logout', {});
  csrfToken = null;
  username = undefined;
}

export const changeOwnPassword = (currentPassword: string, newPassword: string) => postJSON<unknown>('/api/telltale/me/password', { currentPassword, newPassword });

export interface ApiTokenInfo {
  id: string;
  name: string;
  scopes: string[];
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface UserInfo {
  username: string;
  role: 'viewer' | 'editor' | 'admin';
  createdAt: string;
  updatedAt: string;
}

export const tokens = async () => (await getJSON<{ data: ApiTokenInfo[] }>('/api/telltale/tokens')).data;
export const createToken = async (name: string, scopes: string[], expires: string | null) =>
  (await postJSON<{ data: ApiTokenInfo & { token: string } }>('/api/telltale/tokens', { name, scopes, expires })).data;
export const revokeToken = (id: string) => deleteJSON<unknown>(`/api/telltale/tokens/${encodeURIComponent(id)}`);
export const users = async () => (await getJSON<{ data: UserInfo[] }>('/api/telltale/users')).data;
export const createUser = (username: string, password: string, role: string) => postJSON<unknown>('/api/telltale/users', { username, password, role });
export const setRole = (username: string, role: string) => patchJSON<unknown>(`/api/telltale/users/${encodeURIComponent(username)}`, { role });
export const deleteUser = (username: string) => deleteJSON<unknown>(`/api/telltale/users/${encodeURIComponent(username)}`);
