/**
 * A service: latency percentiles, traffic, errors and saturation over the chosen range, the endpoints by
 * traffic (the runbook's "identify slow endpoints, prioritise by traffic"), its checks and its alerts.
 */
import { useMemo } from 'preact/hooks';
import { amAlerts, annotations, queryRange, queryVector, services, type AmAlert, type Range, type Service } from '../api.ts';
import { Chart, type Line } from '../components/chart.tsx';
import { Dot, Loading, Problem, RangePicker, Section } from '../components/common.tsx';
import { bytes, dateTime, ms, percent, rate } from '../format.ts';
import { useLoad, useNow } from '../hooks.ts';
import {
  cpuCores, endpointErrors, endpointQuantile, endpointRate, errorRatio, inFlight, latencyQuantile, rateWindow, requestRate, residentMemory, serviceChecks, startTimes,
} from '../queries.ts';
import { DEFAULT_RANGE, RANGES, REFRESH, rangeFor } from '../ranges.ts';
import { setParam, useLocation } from '../router.tsx';
import { level } from '../status.ts';
import { loadSignals, overallLevel, SignalList } from './overview.tsx';

const one = async (label: string, expr: string, r: Range): Promise<Line[]> => {
  const [s] = await queryRange(expr, r);
  return s === undefined ? [] : [{ label, values: s.values }];
};

async function loadCharts(s: Service, r: Range) {
  const w = rateWindow(r.step);
  const m = s.matchers;
  const [p50, p95, p99, rps, errors, cpu, memory, busy, starts, deployed] = await Promise.all([
    one('p50', latencyQuantile(m, 0.5, w), r),
    one('p95', latencyQuantile(m, 0.95, w), r),
    one('p99', latencyQuantile(m, 0.99, w), r),
    one('requests/s', requestRate(m, w), r),
    one('5xx ratio', errorRatio(m, w), r),
    one('CPU cores', cpuCores(m, w), r),
    one('resident', residentMemory(m), r),
    one('in flight', inFlight(m), r),
    queryRange(startTimes(m), r).catch(() => []),
    annotations(s.name, 'deploy', r).catch(() => []),
  ]);
  // a process start time that falls inside the range marks a restart: a deployment, or a crash
  const markers = [...new Set(starts.flatMap((x) => x.values.map(([, v]) => Number(v))))].filter((t) => t > r.start && t <= r.end).sort();
  // recorded deployments (`telltale annotate deploy`), oldest first, in seconds as the chart's axis
  const deploys = deployed.map((a) => ({ t: a.time / 1000, version: a.version ?? a.text })).sort((a, b) => a.t - b.t);
  const deployTimes = deploys.map((d) => d.t);
  return {
    latency: [...p50, ...p95, ...p99], rps, errors, cpu: [...cpu, ...busy], memory, markers, deploys, deployTimes,
    queries: { latency: latencyQuantile(m, 0.95, w), rps: requestRate(m, w), errors: errorRatio(m, w), cpu: cpuCores(m, w), memory: residentMemory(m) },
  };
}

interface EndpointRow {
  name: string;
  rps: number;
  p95: number | null;
  errors: number;
}

/** The endpoints over the charts' range, evaluated at its end (so every viewer asks the same query). */
async function loadEndpoints(s: Service, r: Range): Promise<EndpointRow[]> {
  const w = `${r.end - r.start}s`;
  const e = s.endpoint_label;
  const [rates, p95s, errs] = await Promise.all([
    queryVector(endpointRate(s.matchers, e, w), r.end),
    queryVector(endpointQuantile(s.matchers, e, 0.95, w), r.end),
    queryVector(endpointErrors(s.matchers, e, w), r.end),
  ]);
  const byName = (xs: typeof rates) => new Map(xs.map((x) => [x.metric[e] ?? '', Number(x.value[1])]));
  const p95 = byName(p95s);
  const err = byName(errs);
  return rates
    .map((x) => {
      const name = x.metric[e] ?? '';
      const rps = Number(x.value[1]);
      const q = p95.get(name);
      return { name, rps, p95: q === undefined || Number.isNaN(q) ? null : q, errors: rps > 0 ? (err.get(name) ?? 0) / rps : 0 };
    })
    .sort((a, b) => b.rps - a.rps || a.name.localeCompare(b.name));
}

export function belongsTo(alert: AmAlert, s: Service): boolean {
  if (alert.labels.service === s.name) return true;
  const keys = Object.keys(s.selector);
  return keys.length > 0 && keys.every((k) => alert.labels[k] === s.selector[k]);
}

const sec = (v: number) => ms(v * 1000);
const pct = (v: number) => percent(v, Math.abs(v) < 0.1 ? 2 : 1);

function ServiceBody(props: { service: Service; rangeName: string }) {
  const s = props.service;
  const t = s.targets;
  const now = useNow(REFRESH.charts);
  const r = useMemo(() => rangeFor(props.rangeName, now), [props.rangeName, s.name, now]);
  const charts = useLoad(() => loadCharts(s, r), [s.name, r]);
  const endpoints = useLoad(() => loadEndpoints(s, r), [s.name, r]);
  const checks = useLoad(() => queryVector(serviceChecks(s.name, s.matchers)), [s.name], REFRESH.checks);
  const alerts = useLoad(async () => (await amAlerts()).filter((a) => belongsTo(a, s)), [s.name], REFRESH.alerts);
  const signals = useLoad(() => loadSignals(s), [s.name], REFRESH.signals);
  const c = charts.data;
  return (
    <>
      <div class={`tile wide ${overallLevel(s, signals.data)}`} data-testid="service-signals">
        <SignalList service={s} signals={signals.data} />
      </div>
      <Problem error={charts.error} />
      <Loading when={charts.loading && c === undefined} />
      {c ? (
        <div class="charts">
          <Chart title="Latency" explore={c.queries.latency} lines={c.latency} range={r} format={sec} markers={c.markers} deploys={c.deployTimes} />
          <Chart title="Requests per second" explore={c.queries.rps} lines={c.rps} range={r} format={rate} markers={c.markers} deploys={c.deployTimes} />
          <Chart title="Error rate (5xx)" explore={c.queries.errors} lines={c.errors} range={r} format={pct} markers={c.markers} deploys={c.deployTimes} />
          <Chart title="Saturation: CPU (cores) and requests in flight" explore={c.queries.cpu} lines={c.cpu} range={r} format={(v) => v.toFixed(2)} markers={c.markers} deploys={c.deployTimes} />
          <Chart title="Memory" explore={c.queries.memory} lines={c.memory} range={r} format={bytes} markers={c.markers} deploys={c.deployTimes} />
        </div>
      ) : null}
      {c && c.deploys.length > 0 ? (
        <p class="note" data-testid="deploys">Solid lines: deployments {c.deploys.map((d) => `${d.version ? `${d.version} ` : ''}at ${dateTime(d.t * 1000)}`).join(', ')}.</p>
      ) : null}
      {c && c.markers.length > 0 ? <p class="note">Dashed lines: process restarts (deployments) at {c.markers.map((m) => dateTime(m * 1000)).join(', ')}.</p> : null}

      <Section title={`Endpoints by traffic (${props.rangeName})`}>
        <Problem error={endpoints.error} />
        <div class="scroll">
          <table class="endpoints" data-testid="endpoints">
            <thead>
              <tr><th>{s.endpoint_label}</th><th class="num">Requests/s</th><th class="num">p95</th><th class="num">Errors</th></tr>
            </thead>
            <tbody>
              {endpoints.data?.map((e) => (
                <tr key={e.name}>
                  <td>{s.critical_endpoints.includes(e.name) ? <span title="critical endpoint">★ </span> : null}<code>{e.name}</code></td>
                  <td class="num">{rate(e.rps)}</td>
                  <td class="num"><Dot level={level(e.p95 === null ? null : e.p95 * 1000, t.p95_warning, t.p95_critical)} /> {sec(e.p95 ?? NaN)}</td>
                  <td class="num"><Dot level={level(e.errors, t.error_rate_warning, t.error_rate_critical)} /> {percent(e.errors)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {endpoints.data?.length === 0 ? <p class="empty">No requests in this range.</p> : null}
      </Section>

      <div class="two">
        <Section title="Checks">
          <Problem error={checks.error} />
          {checks.data?.length === 0 ? <p class="empty">No checks for this service (probe_success with service="{s.name}" or its selector).</p> : null}
          <ul class="plain">
            {checks.data?.map((x) => (
              <li key={JSON.stringify(x.metric)}>
                <Dot level={x.value[1] === '1' ? 'ok' : 'crit'} /> {x.metric.check ?? x.metric.instance ?? x.metric.job} {x.value[1] === '1' ? 'up' : 'down'}
              </li>
            ))}
          </ul>
        </Section>
        <Section title="Alerts">
          <Problem error={alerts.error} />
          {alerts.data?.length === 0 ? <p class="empty">No alerts.</p> : null}
          <ul class="plain">
            {alerts.data?.map((a) => (
              <li key={a.fingerprint}>
                <Dot level={a.status.state === 'active' ? 'crit' : 'none'} /> <strong>{a.labels.alertname}</strong> {a.status.state === 'suppressed' ? '(silenced)' : ''} {a.annotations.summary ?? ''}
              </li>
            ))}
          </ul>
        </Section>
      </div>
    </>
  );
}

export function ServicePage(props: { name: string }) {
  const loc = useLocation();
  const rangeName = RANGES[loc.search.get('range') ?? ''] ? (loc.search.get('range') as string) : DEFAULT_RANGE;
  const list = useLoad(services, []);
  const s = list.data?.find((x) => x.name === props.name);
  return (
    <main>
      <div class="title-row">
        <h1>{props.name}</h1>
        <RangePicker value={rangeName} onChange={(v) => setParam('range', v)} />
      </div>
      <Problem error={list.error} />
      {list.data && s === undefined ? <p class="problem">No service named {props.name}.</p> : null}
      {s ? (
        <>
          <p class="meta">
            <code>{`{${s.matchers}}`}</code> · targets p95 &lt; {ms(s.targets.p95)}, p99 &lt; {ms(s.targets.p99)}, errors &lt; {percent(s.targets.error_rate, 1)}
          </p>
          <ServiceBody service={s} rangeName={rangeName} />
        </>
      ) : null}
    </main>
  );
}
