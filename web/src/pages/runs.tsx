/** Load runs: the history, one run's summary, and two runs compared with the gate's verdicts. */
import { useMemo, useState } from 'preact/hooks';
import { compare, run, runs, type RunDigest } from '../api.ts';
import { Chart } from '../components/chart.tsx';
import { Loading, Problem, Section } from '../components/common.tsx';
import { dateTime, ms, percent, rate } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { Link, navigate, setParam, useLocation } from '../router.tsx';

const short = (id: string) => id.slice(0, 8);

export function RunsPage() {
  const loc = useLocation();
  const test = loc.search.get('test') ?? '';
  const list = useLoad(() => runs(test), [test]);
  // the filter's choices come from the unfiltered list, so another test can be picked
  const all = useLoad(() => runs(), []);
  const tests = [...new Set(all.data?.runs.map((r) => r.testName))].sort();
  const [picked, setPicked] = useState<string[]>([]);
  const baselines = new Set(list.data?.baselines.map((b) => b.runId));
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id].slice(-2)));
  const byStart = (ids: string[]) => {
    const at = new Map(list.data?.runs.map((r) => [r.id, r.startTime]));
    return [...ids].sort((a, b) => (at.get(a) ?? 0) - (at.get(b) ?? 0));
  };
  return (
    <main>
      <div class="title-row">
        <h1>Load runs</h1>
        <label class="filter">
          Test{' '}
          <select name="test" value={test} onChange={(e) => setParam('test', e.currentTarget.value || null)}>
            <option value="">all tests</option>
            {tests.map((t) => <option value={t}>{t}</option>)}
          </select>
        </label>
        <button type="button" disabled={picked.length !== 2} onClick={() => { const [a, b] = byStart(picked); navigate(`/runs/${a}/compare/${b}`); }}>
          Compare selected ({picked.length}/2)
        </button>
      </div>
      <Problem error={list.error} />
      <Loading when={list.loading && list.data === undefined} />
      {list.data?.runs.length === 0 ? <p class="empty">No runs recorded yet: <code>telltale run --record script.ts</code>.</p> : null}
      <div class="scroll">
        <table data-testid="runs">
          <thead><tr><th /><th>Run</th><th>Test</th><th>Started</th><th class="num">Duration</th><th>Result</th><th>Branch / commit</th></tr></thead>
          <tbody>
            {list.data?.runs.map((r) => (
              <tr key={r.id}>
                <td><input type="checkbox" aria-label={`select run ${short(r.id)}`} checked={picked.includes(r.id)} onChange={() => toggle(r.id)} /></td>
                <td><Link href={`/runs/${r.id}`}><code>{short(r.id)}</code></Link>{baselines.has(r.id) ? <span class="badge ok">baseline</span> : null}</td>
                <td>{r.testName}</td>
                <td>{dateTime(r.startTime)}</td>
                <td class="num">{((r.endTime - r.startTime) / 1000).toFixed(1)} s</td>
                <td>{r.exitCode === 0 && r.thresholdsPassed ? <span class="badge ok">passed</span> : <span class="badge crit">failed ({r.exitCode})</span>}</td>
                <td>{r.git.branch ?? ''} {r.git.commit ? <code>{r.git.commit.slice(0, 7)}</code> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </main>
  );
}

function Timeline(props: { r: RunDigest }) {
  const { r } = props;
  const range = useMemo(() => {
    const xs = r.timeline.map((p) => p.time / 1000);
    return { start: Math.floor(xs[0] ?? r.startTime / 1000), end: Math.ceil(xs[xs.length - 1] ?? r.endTime / 1000), step: 1 };
  }, [r]);
  const lines = useMemo(() => {
    const at = (f: (p: RunDigest['timeline'][number]) => number | null) => r.timeline.flatMap((p) => { const v = f(p); return v === null ? [] : [[Math.round(p.time / 1000), String(v)] as [number, string]]; });
    return { rps: [{ label: 'requests/s', values: at((p) => p.requests) }, { label: 'VUs', values: at((p) => p.vus) }], p95: [{ label: 'p95', values: at((p) => p.p95) }] };
  }, [r]);
  return (
    <div class="charts">
      <Chart title="Requests per second and VUs" lines={lines.rps} range={range} format={(v) => v.toFixed(0)} />
      <Chart title="p95 latency per second" lines={lines.p95} range={range} format={ms} />
    </div>
  );
}

export function RunPage(props: { id: string }) {
  const r = useLoad(() => run(props.id), [props.id]);
  const d = r.data;
  return (
    <main>
      <h1>Run <code>{short(props.id)}</code></h1>
      <Problem error={r.error} />
      <Loading when={r.loading && d === undefined} />
      {d ? (
        <>
          <p class="meta">
            {d.testName} · {dateTime(d.startTime)} · {((d.endTime - d.startTime) / 1000).toFixed(1)} s · {d.script}
            {d.git.branch ? ` · ${d.git.branch}` : ''}{d.git.commit ? ` @ ${d.git.commit.slice(0, 7)}` : ''}
            {d.baselineRunId && d.baselineRunId !== d.id ? <> · <Link href={`/runs/${d.baselineRunId}/compare/${d.id}`}>compare with the baseline</Link></> : null}
            {d.baselineRunId === d.id ? ' · this run is the baseline' : ''}
          </p>
          <dl class="figures" data-testid="run-summary">
            <div><dt>Result</dt><dd>{d.status.exitCode === 0 && d.status.thresholdsPassed ? 'passed' : `failed (${d.status.exitCode})`}</dd></div>
            <div><dt>Requests</dt><dd>{d.totals.requests}</dd></div>
            <div><dt>Throughput</dt><dd>{rate(d.totals.rps)}</dd></div>
            <div><dt>Failed</dt><dd>{percent(d.totals.errorRate)}</dd></div>
            <div><dt>p50</dt><dd>{ms(d.latency.p50)}</dd></div>
            <div><dt>p95</dt><dd>{ms(d.latency.p95)}</dd></div>
            <div><dt>p99</dt><dd>{ms(d.latency.p99)}</dd></div>
            <div><dt>Max VUs</dt><dd>{d.totals.maxVus}</dd></div>
          </dl>
          <Timeline r={d} />
          <Section title="Endpoints">
            <div class="scroll">
              <table>
                <thead><tr><th>Endpoint</th><th class="num">Requests</th><th class="num">Rate</th><th class="num">Failed</th><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th></tr></thead>
                <tbody>{d.endpoints.map((e) => <tr key={e.name}><td><code>{e.name}</code></td><td class="num">{e.requests}</td><td class="num">{rate(e.rps)}</td><td class="num">{percent(e.errorRate)}</td><td class="num">{ms(e.p50)}</td><td class="num">{ms(e.p95)}</td><td class="num">{ms(e.p99)}</td></tr>)}</tbody>
              </table>
            </div>
          </Section>
          {d.thresholds.length > 0 ? (
            <Section title="Thresholds">
              <ul class="plain">{d.thresholds.map((t) => <li key={t.metricKey + t.expression}>{t.ok ? '✔' : '✘'} <code>{t.metricKey}</code>: <code>{t.expression}</code></li>)}</ul>
            </Section>
          ) : null}
          {d.errors.length > 0 ? (
            <Section title="Errors">
              <table><thead><tr><th>Kind</th><th>Request</th><th class="num">Count</th><th>Message</th></tr></thead>
                <tbody>{d.errors.map((e) => <tr><td>{e.kind}</td><td>{e.method} {e.name}</td><td class="num">{e.count}</td><td>{e.message ?? ''}</td></tr>)}</tbody></table>
            </Section>
          ) : null}
        </>
      ) : null}
    </main>
  );
}

function value(metric: string, v: number | undefined): string {
  if (v === undefined) return '–';
  if (metric === 'error_rate') return percent(v);
  if (metric === 'throughput') return rate(v);
  return ms(v);
}

export function ComparePage(props: { a: string; b: string }) {
  const result = useLoad(() => compare(props.a, props.b), [props.a, props.b]);
  const g = result.data;
  return (
    <main>
      <h1>Compare <Link href={`/runs/${props.a}`}><code>{short(props.a)}</code></Link> → <Link href={`/runs/${props.b}`}><code>{short(props.b)}</code></Link></h1>
      <Problem error={result.error} />
      <Loading when={result.loading && g === undefined} />
      {g ? (
        <>
          <p class={`verdict-line ${g.passed ? 'ok' : 'crit'}`} data-testid="gate-result">
            {g.passed ? 'Gate passes' : 'Gate fails'} for “{g.testName}”: {Object.entries(g.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ')}
          </p>
          <div class="scroll">
            <table data-testid="verdicts">
              <thead><tr><th>Rule</th><th>Endpoint</th><th class="num">Baseline</th><th class="num">Current</th><th class="num">Change</th><th class="num">p</th><th>Verdict</th><th>Why</th></tr></thead>
              <tbody>
                {g.verdicts.map((v) => (
                  <tr key={v.rule + (v.endpoint ?? '')} class={`v-${v.verdict.replace(' ', '-')}`}>
                    <td><code>{v.rule}</code></td>
                    <td>{v.endpoint ?? 'all requests'}</td>
                    <td class="num">{value(v.metric, v.baseline)}</td>
                    <td class="num">{value(v.metric, v.current)}</td>
                    <td class="num">{v.change === undefined ? '–' : v.kind.startsWith('relative') ? `${v.change >= 0 ? '+' : ''}${(v.change * 100).toFixed(1)}%` : value(v.metric, v.change)}</td>
                    <td class="num">{v.pValue === undefined ? '–' : v.pValue.toPrecision(2)}</td>
                    <td><span class={`verdict ${v.verdict.replace(' ', '-')}`}>{v.verdict}</span></td>
                    <td class="reason">{v.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </main>
  );
}
