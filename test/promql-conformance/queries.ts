/**
 * The conformance queries: every operator and function the engine implements that Prometheus 2.42 has,
 * over the generated data (data.ts). Each is evaluated as instant queries at several times and as range
 * queries, by Telltale and by the real Prometheus.
 */

const R = 'http_requests_total';
const B = 'http_request_duration_seconds_bucket';
const T = 'node_temperature_celsius';
const Q = 'queue_depth';
const W = 'weird_values';

const selectors = [
  R, `${R}{job="api"}`, `${R}{code!="200"}`, `${R}{code=~"2..|5.."}`, `${R}{code!~"2..",method="post"}`,
  `{__name__=~"http_.*_total",instance="a:9090"}`, `${R}{job="nope"}`, Q, W, `up`, T,
  `${R} offset 5m`, `${R} offset -5m`, `${Q} offset 20m`, `${R} @ 1700001800`, `${R} @ start()`, `${R} @ end()`,
  `${Q} @ 1700001000 offset 2m`, `build_info`, `{job="web", __name__!~"http.*"}`,
];

const rangeFns = [
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'resets', 'changes', 'avg_over_time', 'min_over_time',
  'max_over_time', 'sum_over_time', 'count_over_time', 'stddev_over_time', 'stdvar_over_time', 'last_over_time',
  'present_over_time', 'absent_over_time',
];
const rangeArgs = [`${R}[5m]`, `${R}[1m]`, `${Q}[10m]`, `${T}[3m]`, `${W}[2m]`, `${R}[5m] offset 10m`, `${R}[2m] @ 1700002000`, `${Q}[30s]`];

const rangeFunctionQueries = rangeFns.flatMap((f) => rangeArgs.slice(0, f === 'rate' || f === 'avg_over_time' ? rangeArgs.length : 5).map((a) => `${f}(${a})`));

const simpleFns = [
  'abs', 'ceil', 'floor', 'sqrt', 'exp', 'ln', 'log2', 'log10', 'sgn', 'acos', 'acosh', 'asin', 'asinh', 'atan',
  'atanh', 'cos', 'cosh', 'sin', 'sinh', 'tan', 'tanh', 'deg', 'rad',
];
const simpleFunctionQueries = simpleFns.flatMap((f) => [`${f}(${T})`, `${f}(${W})`]).concat(simpleFns.map((f) => `${f}(${T} / 100)`));

const dateFns = ['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'];
const dateQueries = dateFns.flatMap((f) => [`${f}()`, `${f}(${Q} * 100000)`, `${f}(timestamp(${R}{code="200"}))`]);

const otherFunctions = [
  `clamp(${T}, 20, 45)`, `clamp(${T}, 45, 20)`, `clamp_min(${T}, 40)`, `clamp_max(${T}, 40)`, `clamp_max(${W}, 0)`,
  `round(${T})`, `round(${T}, 5)`, `round(${T}, 0.1)`, `round(${W}, 2)`,
  `time()`, `vector(time())`, `vector(1)`, `scalar(${Q}{queue="sms"})`, `scalar(${Q})`, `scalar(up{job="none"})`,
  `timestamp(${R})`, `timestamp(${R} offset 1m)`, `timestamp(${Q} @ 1700001000)`, `timestamp(rate(${R}[5m]))`,
  `sort(${T})`, `sort_desc(${T})`, `sort(${W})`, `sort_desc(${W})`,
  `absent(${R})`, `absent(nonexistent)`, `absent(nonexistent{job="x", code=~"5.."})`, `absent(nonexistent{job="x", job="y"})`,
  `absent(sum(nonexistent))`, `absent_over_time(nonexistent{a="b"}[5m])`, `absent_over_time(${Q}{queue="emails"}[1m])`,
  `pi()`, `vector(pi())`,
  `label_replace(${R}, "svc", "$1-svc", "job", "(.*)")`, `label_replace(${R}, "svc", "$1", "job", "x(.*)")`,
  `label_replace(build_info, "major", "$1", "version", "(\\\\d+)\\\\..*")`, `label_replace(up, "job", "", "job", ".*")`,
  `label_replace(up, "x", "$2$1", "instance", "(.):(.*)")`, `label_replace(up, "x", "\${1}z", "instance", "(.).*")`,
  `label_join(up, "addr", "/", "job", "instance")`, `label_join(up, "addr", "", "instance")`, `label_join(up, "job", "-", "job", "job")`,
  `predict_linear(${T}[10m], 600)`, `predict_linear(${R}[5m], 3600)`, `predict_linear(${Q}[10m], -60)`,
  `quantile_over_time(0.9, ${T}[10m])`, `quantile_over_time(0.5, ${R}[5m])`, `quantile_over_time(0, ${W}[5m])`,
  `quantile_over_time(1, ${W}[5m])`, `quantile_over_time(2, ${T}[5m])`, `quantile_over_time(-1, ${T}[5m])`,
  `holt_winters(${T}[10m], 0.5, 0.5)`, `holt_winters(${R}[5m], 0.1, 0.9)`,
  `histogram_quantile(0.9, rate(${B}[5m]))`, `histogram_quantile(0.5, ${B})`, `histogram_quantile(0.99, sum by (le) (rate(${B}[5m])))`,
  `histogram_quantile(0.95, sum by (le, job) (rate(${B}[10m])))`, `histogram_quantile(0, ${B})`, `histogram_quantile(1, ${B})`,
  `histogram_quantile(1.5, ${B})`, `histogram_quantile(-0.5, ${B})`, `histogram_quantile(0.5, ${B}{le!="+Inf"})`,
  `histogram_quantile(0.5, ${B}{le=~"0.1|0.5|\\\\+Inf"})`, `histogram_quantile(0.5, rate(${B}[1m]) * 0)`,
  `histogram_count(${B})`, `histogram_sum(${B})`,
];

const arith = ['+', '-', '*', '/', '%', '^', 'atan2'];
const cmp = ['==', '!=', '>', '<', '>=', '<='];
const binaryQueries = [
  ...arith.map((op) => `${T} ${op} 3`),
  ...arith.map((op) => `2 ${op} ${T}`),
  ...arith.map((op) => `${R} ${op} ${R}`),
  ...arith.map((op) => `${W} ${op} ${W}{kind="neg"}`),
  ...cmp.map((op) => `${T} ${op} 40`),
  ...cmp.map((op) => `40 ${op} ${T}`),
  ...cmp.map((op) => `${T} ${op} bool 40`),
  ...cmp.map((op) => `${R} ${op} ${R} offset 1m`),
  ...cmp.map((op) => `${R} ${op} bool ${R} offset 1m`),
  ...cmp.map((op) => `1 ${op} bool 2`),
  `1 + 2 * 3 - 4 / 5 % 3 ^ 2`, `-2 ^ 2`, `2 ^ 3 ^ 2`, `(1 + 2) * 3`, `-${T}`, `- -${T}`, `+${T}`,
  `${T} + on(instance) group_left ${'node_memory_free_bytes'} / 1e9`,
  `${'node_memory_free_bytes'} + on(instance) group_right ${T}`,
  `${R} / on(job, instance) group_left up`, `${R} * ignoring(code, method) group_left up`,
  `${R} * ignoring(code, method) group_left(version) build_info`,
  `up * on(job, instance) group_left(version, revision) build_info`,
  `build_info * on(job, instance) group_right(version) up`,
  `sum by (job, instance) (${R}) / on(job, instance) up`,
  `sum by (job) (rate(${R}[5m])) / ignoring(code) group_left sum by (job, code) (rate(${R}[5m]))`,
  `rate(${R}{code="500"}[5m]) / ignoring(code) rate(${R}{code="200"}[5m])`,
  `${R} > on(job, instance, code, method) ${R} offset 5m`,
  `${R} == bool on(job) group_left sum by (job) (${R})`,
  `${R} + on() group_left vector(1)`,
  `up and ${R}`, `up or ${R}`, `up unless ${R}`, `${R} and up`, `${R} and on(job, instance) up`,
  `${R} unless on(job, instance) up == 0`, `${R} or on(job) vector(1)`, `up == 1 or up == 0`,
  `${T} > 40 or ${T} < 25`, `${Q} and ${Q} offset 20m`, `${Q} or ${Q} offset 20m`, `${Q} unless ${Q} offset 20m`,
  `up and ignoring(instance) build_info`, `(${T} > 30) and on(instance) (${'node_memory_free_bytes'} > 1.2e9)`,
  `${R} + ${R}{code="200"}`, `${R}{code="200"} * on(job, instance, method) group_left ${R}{code="500"}`,
  `${R} - ignoring(code) ${R}`, `up + ${T}`, `${W} == ${W}`, `${W} != bool ${W}`,
  `${R} / ${R} offset 30m`, `${T} % 7 > bool 3`, `${W} / 0`, `-${W} / 0`, `0 / 0`, `${W} % 0`,
];

const aggrOps = ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar'];
const aggrQueries = [
  ...aggrOps.flatMap((op) => [`${op}(${R})`, `${op} by (job) (${R})`, `${op} without (instance, method) (${R})`, `${op} by (sensor) (${T})`, `${op}(${W})`]),
  ...aggrOps.map((op) => `${op} by (job, code) (rate(${R}[5m]))`),
  `sum(${R}) by (job)`, `sum by (__name__) ({__name__=~"http_.*"})`, `sum without () (${R})`, `count by () (${R})`,
  `sum by (job, nonexistent) (${R})`, `count without (job, instance, code, method) (${R})`,
  `topk(3, ${R})`, `bottomk(3, ${R})`, `topk by (job) (2, ${R})`, `bottomk without (code) (1, ${R})`, `topk(0, ${R})`,
  `topk(100, ${T})`, `topk(2, ${W})`, `bottomk(2, ${W})`, `topk(scalar(${Q}{queue="sms"}), ${R})`,
  `quantile(0.5, ${T})`, `quantile by (sensor) (0.9, ${T})`, `quantile(0, ${W})`, `quantile(1, ${W})`, `quantile(2, ${T})`,
  `quantile(-1, ${T})`, `quantile without (instance) (0.25, rate(${R}[5m]))`,
  `count_values("value", ${Q})`, `count_values by (queue) ("v", ${Q})`, `count_values("code", ${R} > 1000)`,
  `count_values("x", ${W})`, `count_values("x", round(${T}))`,
  `sum(rate(${R}[5m]))`, `sum by (code) (rate(${R}[5m]))`, `avg by (instance) (irate(${R}[1m]))`,
  `max by (job) (max_over_time(${T}[10m]))`, `sum(sum by (job) (${R}))`, `count(count by (job) (${R}))`,
  `avg(${T}) - min(${T})`, `sum by (job) (${R}) / scalar(count(up))`,
];

const subqueryQueries = [
  `rate(${R}[5m:1m])`, `max_over_time(rate(${R}[1m])[10m:1m])`, `avg_over_time(${T}[10m:])`, `min_over_time(${T}[10m:30s] offset 5m)`,
  `sum_over_time(${Q}[30m:2m])`, `count_over_time(${R}[5m:])`, `max_over_time(sum by (job) (rate(${R}[5m]))[15m:1m])`,
  `deriv(${T}[10m:1m])`, `last_over_time(${Q}[15m:1m])`, `changes(${Q}[30m:1m])`, `resets(${R}[30m:1m])`,
  `max_over_time(${T}[10m:1m] @ 1700002400)`, `quantile_over_time(0.5, ${T}[10m:1m])`, `rate(${R}[5m:30s] offset 10m)`,
  `avg_over_time(rate(${R}[5m])[20m:5m])`, `max_over_time((${T} > 40)[10m:1m])`, `absent_over_time(nonexistent[5m:1m])`,
  `present_over_time(${Q}[20m:1m])`, `stddev_over_time(${T}[10m:1m])`, `increase(${R}[10m:1m])`,
  `sum_over_time(sum_over_time(${Q}[5m:1m])[10m:1m])`, `irate(${R}[3m:])`, `idelta(${Q}[10m:1m])`,
];

const misc = [
  `1`, `-1.5`, `1e3`, `0x1f`, `Inf`, `-Inf`, `NaN`, `"a string"`, `'single'`, '`raw`', `(${R})`, `((${T}))`,
  `${R}[5m]`, `${T}[1m]`, `${Q}[10m] offset 5m`, `${T}[5m:1m]`, `rate(${R}[5m])[10m:2m]`,
  `sum(${R}{job="api"}) > bool 0`, `vector(1) + vector(2)`, `sort(-${T})`, `${R} offset 1h`,
  `rate(${R}[5m]) * 60`, `increase(${R}[1h])`, `rate(${R}[1h])`, `delta(${T}[1h])`,
];

// Queries that must fail in both engines, and less common combinations.
const edgeQueries = [
  `${R} + ignoring(code) ${R}`, `up + ignoring(instance) up`, `up + on(job) group_left up`, `up * on(job) group_right up`,
  `label_replace(up, "instance", "", "instance", ".*")`, `abs({__name__=~"up|build_info"})`,
  `rate({__name__=~"http_requests_total|up", job="api"}[5m])`, `sum by (code) (rate(${R}[5m])) > on(code) group_left sum(rate(${R}[5m])) * 0.1`,
  `sort_desc(sum by (code) (rate(${R}[5m])))`, `sort(count by (le) (${B}))`, `count_values("le", ${B} > 1e9)`,
  `timestamp(${R} @ 1700001000)`, `max_over_time(${Q}[10m:1m] offset 5m @ 1700002000)`, `rate(${R}[5m] @ end())`,
  `${R} @ 1700001800 - ${R} @ 1700001200`, `avg_over_time(${R}[10m] @ start())`, `last_over_time(${R}[1m])`,
  `-${R} @ 1700001000 offset 1m`, `${T} > bool on(instance, sensor) ${T} offset 1m`, `group without (sensor) (${T})`,
  `stddev_over_time(${W}[10m])`, `stdvar by (kind) (${W})`, `quantile_over_time(0.5, ${W}[10m])`, `deriv(${W}[10m])`,
  `predict_linear(${W}[10m], 100)`, `changes(${W}[10m])`, `resets(${W}[10m])`, `irate(${W}[10m])`, `rate(${W}[10m])`,
  `histogram_quantile(0.9, sum by (le, instance) (rate(${B}[5m]))) > 0.5`, `${Q} @ 1700000900`, `${Q}[5m] @ 1700000900`,
  `topk(1, ${Q}) or bottomk(1, ${Q})`, `count(${R}) by (job) == bool 12`, `absent(up{job="api"} == 0)`,
];

export const QUERIES: readonly string[] = [
  ...edgeQueries,
  ...selectors, ...rangeFunctionQueries, ...simpleFunctionQueries, ...dateQueries, ...otherFunctions,
  ...binaryQueries, ...aggrQueries, ...subqueryQueries, ...misc,
];

/** Queries whose result order is part of the answer. */
export function isOrdered(q: string): boolean {
  return /^sort(_desc)?\(/.test(q);
}

/** Invalid queries whose parse error message (position included) must be Prometheus' word for word. */
export const PARSE_ERROR_QUERIES: readonly string[] = [
  'sum(', 'foo{', 'foo}', 'foo(bar)', '1 +', 'rate(foo)', 'foo[5m', 'sum by (a', 'a b', 'foo{a="b"', '1 >', ')',
  'sum(a) by (b) by (c)', 'a == bool', 'abs(1, 2)', 'abs()', 'label_join(up, "a")', 'round(up, 1, 2)',
  'topk(up, up)', 'count_values(1, up)', 'sum(up[5m])', 'up[5m] + 1', 'up and 1', '1 and up', 'up + bool up',
  'up offset 1m offset 2m', '1 offset 1m', 'up @ 1 @ 2', '"a" + 1',
  '-"a"', 'up + on(a) group_left(a) up', 'up and on(a) group_left up', '1 + on(a) up', '1 > 2', 'up[0s]',
  'up[5m:0s]', 'foo{__name__="bar"}', 'foo{__name__=~"bar"}', '{a=""}', '{a=~".*"}', 'rate(up[5m], 1)',
  'histogram_quantile(up, up)', 'quantile_over_time(up, up[5m])', 'predict_linear(up, 1)', 'vector(up)',
  'scalar(1)', 'time(1)', 'sum without (a) (up[5m])', 'sum(up) + rate(up)', 'absent(up[5m])',
];
