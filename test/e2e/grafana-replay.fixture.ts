/**
 * The HTTP requests Grafana's Prometheus data source makes, written down as a replay fixture: the health
 * check, panel queries (instant and range, form-encoded POST as Grafana's default "POST" HTTP method, GET
 * as its "GET" one), the query editor's metric and label browsers, template-variable queries (`label_values`,
 * `query_result` → series / label values / instant query), exemplars and the data source's rules call.
 * Headers are the ones Grafana's backend adds when it proxies a panel's request. `$START`, `$MID` and
 * `$END` stand for unix seconds inside the loaded data; `$END_RFC3339` for the end as RFC 3339.
 */

export type Compare =
  /** a query result: result type, series labels and values (1e-9 relative) */
  | 'query'
  /** the `data` deep-equal */
  | 'exact'
  /** only the keys of `data` (build info differs by product) */
  | 'keys'
  /** rule groups by name: each rule's name, type, query, labels, annotations and `for` */
  | 'rules';

export interface ReplayRequest {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  /** query string, repeated keys as arrays */
  query?: Record<string, string | string[]>;
  /** form body (application/x-www-form-urlencoded) */
  form?: Record<string, string | string[]>;
  compare: Compare;
  /** results whose order is defined (sort, topk ...) */
  ordered?: boolean;
}

/** Headers Grafana's data source proxy sends with every request. */
export const GRAFANA_HEADERS: Record<string, string> = {
  'User-Agent': 'Grafana/11.3.0',
  Accept: 'application/json, text/plain, */*',
  'Accept-Encoding': 'gzip',
  'X-Grafana-Org-Id': '1',
  'X-Dashboard-Uid': 'telltale-replay',
  'X-Panel-Id': '2',
  'X-Grafana-From-Expr': 'now-1h',
  'X-Grafana-To-Expr': 'now',
};

const RANGE = { start: '$START', end: '$END' };

export const GRAFANA_REQUESTS: readonly ReplayRequest[] = [
  // data source settings page: "Save & test"
  { name: 'buildinfo', method: 'GET', path: '/api/v1/status/buildinfo', compare: 'keys' },
  { name: 'health check 1+1', method: 'POST', path: '/api/v1/query', form: { query: '1+1', time: '$END' }, compare: 'query' },
  // panels: instant and range queries, with the data source's query timeout
  { name: 'instant query (POST)', method: 'POST', path: '/api/v1/query', form: { query: 'up', time: '$END', timeout: '60s' }, compare: 'query' },
  { name: 'instant query (GET)', method: 'GET', path: '/api/v1/query', query: { query: 'sum by (job) (rate(http_requests_total[5m]))', time: '$MID' }, compare: 'query' },
  { name: 'instant query at an RFC 3339 time', method: 'GET', path: '/api/v1/query', query: { query: 'queue_depth', time: '$END_RFC3339' }, compare: 'query' },
  { name: 'instant query, table panel sorted', method: 'POST', path: '/api/v1/query', form: { query: 'sort_desc(sum by (code) (increase(http_requests_total[10m])))', time: '$END' }, compare: 'query', ordered: true },
  {
    name: 'range query (POST)', method: 'POST', path: '/api/v1/query_range',
    form: { query: 'sum by (job, code) (rate(http_requests_total[1m]))', ...RANGE, step: '60', timeout: '60s' }, compare: 'query',
  },
  {
    name: 'range query, histogram quantile', method: 'POST', path: '/api/v1/query_range',
    form: { query: 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))', ...RANGE, step: '30' }, compare: 'query',
  },
  { name: 'range query (GET), duration step', method: 'GET', path: '/api/v1/query_range', query: { query: 'node_memory_free_bytes', ...RANGE, step: '2m' }, compare: 'query' },
  { name: 'range query, fractional step', method: 'POST', path: '/api/v1/query_range', form: { query: 'weird_values', start: '$START', end: '$MID', step: '37.5' }, compare: 'query' },
  { name: 'range query that does not parse', method: 'POST', path: '/api/v1/query_range', form: { query: 'sum(rate(http_requests_total[5m])', ...RANGE, step: '60' }, compare: 'exact' },
  { name: 'range query without step', method: 'POST', path: '/api/v1/query_range', form: { query: 'up', ...RANGE }, compare: 'exact' },
  // query editor: metric browser and label browser
  { name: 'label names', method: 'GET', path: '/api/v1/labels', query: RANGE, compare: 'exact' },
  { name: 'label names (POST)', method: 'POST', path: '/api/v1/labels', form: RANGE, compare: 'exact' },
  { name: 'label names of a metric', method: 'GET', path: '/api/v1/labels', query: { ...RANGE, 'match[]': '{__name__="http_requests_total"}' }, compare: 'exact' },
  { name: 'metric names', method: 'GET', path: '/api/v1/label/__name__/values', query: RANGE, compare: 'exact' },
  { name: 'metric names with a limit', method: 'GET', path: '/api/v1/label/__name__/values', query: { ...RANGE, limit: '40000' }, compare: 'exact' },
  { name: 'label values of a label', method: 'GET', path: '/api/v1/label/job/values', query: RANGE, compare: 'exact' },
  { name: 'label values under a selector', method: 'GET', path: '/api/v1/label/instance/values', query: { ...RANGE, 'match[]': 'up{job="api"}' }, compare: 'exact' },
  { name: 'label values, two selectors', method: 'GET', path: '/api/v1/label/job/values', query: { ...RANGE, 'match[]': ['up', 'build_info'] }, compare: 'exact' },
  { name: 'label values of an unknown label', method: 'GET', path: '/api/v1/label/nope/values', query: RANGE, compare: 'exact' },
  { name: 'metadata', method: 'GET', path: '/api/v1/metadata', compare: 'exact' },
  { name: 'metadata of a metric with a limit', method: 'GET', path: '/api/v1/metadata', query: { metric: 'up', limit: '1' }, compare: 'exact' },
  // template variables: label_values(up, job) and friends
  { name: 'series (GET)', method: 'GET', path: '/api/v1/series', query: { 'match[]': ['up', 'build_info'], ...RANGE }, compare: 'exact' },
  { name: 'series (POST)', method: 'POST', path: '/api/v1/series', form: { 'match[]': ['{__name__=~"queue_.*"}', 'up{job="web"}'], ...RANGE }, compare: 'exact' },
  { name: 'series without match[]', method: 'GET', path: '/api/v1/series', query: RANGE, compare: 'exact' },
  { name: 'series with a bad selector', method: 'GET', path: '/api/v1/series', query: { 'match[]': 'up{', ...RANGE }, compare: 'exact' },
  { name: 'query_result variable', method: 'POST', path: '/api/v1/query', form: { query: 'count by (version) (build_info)', time: '$END' }, compare: 'query' },
  // exemplars: asked for alongside range queries when the panel has exemplars on
  { name: 'exemplars', method: 'POST', path: '/api/v1/query_exemplars', form: { query: 'http_requests_total', ...RANGE }, compare: 'exact' },
  { name: 'exemplars (GET)', method: 'GET', path: '/api/v1/query_exemplars', query: { query: 'sum(rate(http_requests_total[5m]))', ...RANGE }, compare: 'exact' },
  { name: 'exemplars of a query that does not parse', method: 'POST', path: '/api/v1/query_exemplars', form: { query: 'rate(', ...RANGE }, compare: 'exact' },
  { name: 'exemplars, end before start', method: 'POST', path: '/api/v1/query_exemplars', form: { query: 'up', start: '$END', end: '$START' }, compare: 'exact' },
  // alert list and the data source's "Manage alerts via Alerting UI"
  { name: 'rules', method: 'GET', path: '/api/v1/rules', compare: 'rules' },
];

/** A rule file both servers load, for the rules call. */
export const REPLAY_RULES = `groups:
  - name: replay
    interval: 1m
    rules:
      - record: job:http_requests:rate5m
        expr: sum by (job) (rate(http_requests_total[5m]))
      - alert: HighQueueDepth
        expr: queue_depth > 1e9
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: 'queue {{ $labels.instance }} is deep'
`;
