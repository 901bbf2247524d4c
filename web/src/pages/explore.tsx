/** Explore: any PromQL expression as a graph over the chosen range and as a table at the range's end. */
import { useMemo, useState } from 'preact/hooks';
import { metricNames, query, queryRange, type QueryData } from '../api.ts';
import { Chart } from '../components/chart.tsx';
import { Problem, RangePicker } from '../components/common.tsx';
import { labelsText, num } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { DEFAULT_RANGE, RANGES, rangeFor } from '../ranges.ts';
import { setParam, useLocation } from '../router.tsx';

function ResultTable(props: { data: QueryData }) {
  const d = props.data;
  if (d.resultType === 'scalar' || d.resultType === 'string') {
    return <table data-testid="result-table"><tbody><tr><td>{d.resultType}</td><td class="num">{d.result[1]}</td></tr></tbody></table>;
  }
  const rows = d.resultType === 'vector'
    ? d.result.map((s) => ({ labels: s.metric, value: num(Number(s.value[1])) }))
    : d.result.map((s) => ({ labels: s.metric, value: s.values.map(([t, v]) => `${v} @${t}`).slice(-5).join('\n') }));
  return (
    <>
      <p class="muted">{rows.length} series ({d.resultType})</p>
      <table data-testid="result-table">
        <thead><tr><th>Series</th><th class="num">Value</th></tr></thead>
        <tbody>{rows.map((r) => <tr key={labelsText(r.labels)}><td><code>{labelsText(r.labels)}</code></td><td class="num pre">{r.value}</td></tr>)}</tbody>
      </table>
    </>
  );
}

export function ExplorePage() {
  const loc = useLocation();
  const expr = loc.search.get('q') ?? '';
  const rangeName = RANGES[loc.search.get('range') ?? ''] ? (loc.search.get('range') as string) : DEFAULT_RANGE;
  const [text, setText] = useState(expr);
  const [runs, setRuns] = useState(0);
  const range = useMemo(() => rangeFor(rangeName), [rangeName, expr, runs]);
  const names = useLoad(() => metricNames().catch(() => []), []);
  const result = useLoad(async () => {
    if (expr.trim() === '') return undefined;
    const [table, graph] = await Promise.all([query(expr, range.end), queryRange(expr, range).catch(() => [])]);
    return { table, graph };
  }, [expr, range]);
  const lines = useMemo(() => (result.data?.graph ?? []).slice(0, 20).map((s) => ({ label: labelsText(s.metric), values: s.values })), [result.data]);
  const run = (e: Event) => {
    e.preventDefault();
    setParam('q', text.trim() === '' ? null : text.trim());
    setRuns((n) => n + 1);
  };
  return (
    <main>
      <div class="title-row">
        <h1>Explore</h1>
        <RangePicker value={rangeName} onChange={(v) => setParam('range', v)} />
      </div>
      <form class="explore" onSubmit={run}>
        <textarea
          name="query"
          aria-label="PromQL expression"
          rows={3}
          spellcheck={false}
          value={text}
          placeholder='sum by (route) (rate(http_requests_total[5m]))'
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) run(e);
          }}
        />
        <button type="submit">Execute</button>
      </form>
      {names.data && names.data.length > 0 ? <p class="muted">Metrics: {names.data.slice(0, 40).map((n) => <button type="button" class="chip" onClick={() => setText((t) => (t ? `${t} ${n}` : n))}>{n}</button>)}</p> : null}
      <Problem error={result.error} />
      {result.data ? (
        <>
          {result.data.graph.length > 0 ? <Chart title={expr} lines={lines} range={range} format={num} height={260} /> : null}
          {result.data.graph.length > 20 ? <p class="muted">Graphing the first 20 of {result.data.graph.length} series.</p> : null}
          <div class="scroll"><ResultTable data={result.data.table} /></div>
        </>
      ) : null}
    </main>
  );
}
