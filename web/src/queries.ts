/**
 * The PromQL behind every panel, in one place so docs/dashboard.md and the pages agree. `m` is a service's
 * selector as label matchers (`job="shop"`), `e` its endpoint label. Latency comes from the
 * `http_request_duration_seconds` histogram, traffic and errors from `http_requests_total{code}`,
 * saturation from the process collector's CPU and memory and the in-flight gauge.
 */

const sel = (m: string, extra = '') => `{${[m, extra].filter((s) => s !== '').join(',')}}`;

export const latencyQuantile = (m: string, q: number, window: string) =>
  `histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket${sel(m)}[${window}])))`;

export const requestRate = (m: string, window: string) => `sum(rate(http_requests_total${sel(m)}[${window}]))`;

/** 5xx answers over all answers; 0 (not empty) while there is traffic but no 5xx series yet. */
export const errorRatio = (m: string, window: string) =>
  `(sum(rate(http_requests_total${sel(m, 'code=~"5.."')}[${window}])) or vector(0)) / sum(rate(http_requests_total${sel(m)}[${window}]))`;

/** CPU in cores (1 = one core busy); a Node.js service is saturated near one core. */
export const cpuCores = (m: string, window: string) => `sum(rate(process_cpu_seconds_total${sel(m)}[${window}]))`;

export const residentMemory = (m: string) => `sum(process_resident_memory_bytes${sel(m)})`;

export const inFlight = (m: string) => `sum(http_requests_in_flight${sel(m)})`;

/** Process start times: a change inside the range is a restart, which is how a deployment shows. */
export const startTimes = (m: string) => `max by (instance) (process_start_time_seconds${sel(m)})`;

export const endpointRate = (m: string, e: string, window: string) => `sum by (${e}) (rate(http_requests_total${sel(m)}[${window}]))`;

export const endpointQuantile = (m: string, e: string, q: number, window: string) =>
  `histogram_quantile(${q}, sum by (${e}, le) (rate(http_request_duration_seconds_bucket${sel(m)}[${window}])))`;

export const endpointErrors = (m: string, e: string, window: string) => `sum by (${e}) (rate(http_requests_total${sel(m, 'code=~"5.."')}[${window}]))`;

/** A service's checks: probes labelled with the service's name, or carrying its selector's labels. */
export const serviceChecks = (serviceName: string, m: string) =>
  `probe_success{service=${JSON.stringify(serviceName)}} or probe_success${sel(m)}`;

/** Share of successful probes of the service's checks over a window (all its checks together). */
export const serviceAvailability = (serviceName: string, m: string, window: string) =>
  `avg(avg_over_time(probe_success{service=${JSON.stringify(serviceName)}}[${window}]) or avg_over_time(probe_success${sel(m)}[${window}]))`;

/** 1 while all of the service's checks succeed, 0 while any fails. */
export const serviceChecksUp = (serviceName: string, m: string) => `min(${serviceChecks(serviceName, m)})`;

export const checkStatus = () => 'min by (check) (probe_success)';
export const checkDuration = () => 'max by (check) (probe_duration_seconds)';
export const checkUptime = (window: string) => `avg by (check) (avg_over_time(probe_success[${window}]))`;
/** Raw samples of the last results (a range-vector instant query returns them unaggregated). */
export const checkRecent = (window: string) => `probe_success[${window}]`;

/** Rate window for a chart: four steps, never under one minute, so a rate always spans several scrapes. */
export function rateWindow(stepSeconds: number): string {
  return `${Math.max(60, Math.ceil(stepSeconds * 4))}s`;
}

/**
 * Every signal of a tile in one request: each expression tagged with a `signal` label by label_replace and
 * the results joined with `or` (the tags keep them apart), so the overview costs one query per service.
 */
export function tileSignals(serviceName: string, m: string): string {
  const parts: Array<[string, string]> = [
    ['p95', latencyQuantile(m, 0.95, '5m')],
    ['p99', latencyQuantile(m, 0.99, '5m')],
    ['rps', requestRate(m, '1m')],
    ['errors', errorRatio(m, '5m')],
    ['cpu', cpuCores(m, '1m')],
    ['memory', residentMemory(m)],
    ['availability', serviceAvailability(serviceName, m, '24h')],
    ['checksUp', serviceChecksUp(serviceName, m)],
  ];
  return parts.map(([name, expr]) => `label_replace(${expr}, "signal", "${name}", "", "")`).join(' or ');
}
