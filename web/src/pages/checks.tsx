/** Checks: each probe's status now, its uptime over 24 h / 7 d / 30 d, its latest duration and last results. */
import { query, queryVector, type MatrixSeries } from '../api.ts';
import { Dot, Loading, Problem } from '../components/common.tsx';
import { dateTime, percent, seconds } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { checkDuration, checkRecent, checkStatus, checkUptime } from '../queries.ts';

interface CheckRow {
  check: string;
  up: boolean | null;
  duration: number | null;
  uptime: Record<'24h' | '7d' | '30d', number | null>;
  recent: Array<[number, boolean]>;
}

const WINDOWS = ['24h', '7d', '30d'] as const;

async function loadChecks(): Promise<CheckRow[]> {
  const [[status, duration, u24, u7, u30], recent] = await Promise.all([
    Promise.all([queryVector(checkStatus()), queryVector(checkDuration()), ...WINDOWS.map((w) => queryVector(checkUptime(w)))]),
    query(checkRecent('30m')),
  ]);
  const rows = new Map<string, CheckRow>();
  const row = (name: string) => {
    let r = rows.get(name);
    if (r === undefined) {
      r = { check: name, up: null, duration: null, uptime: { '24h': null, '7d': null, '30d': null }, recent: [] };
      rows.set(name, r);
    }
    return r;
  };
  for (const s of status) row(s.metric.check ?? '(unnamed)').up = s.value[1] === '1';
  for (const s of duration) row(s.metric.check ?? '(unnamed)').duration = Number(s.value[1]);
  [u24, u7, u30].forEach((vec, i) => {
    for (const s of vec) row(s.metric.check ?? '(unnamed)').uptime[WINDOWS[i]] = Number(s.value[1]);
  });
  if (recent.resultType === 'matrix') {
    for (const s of recent.result as MatrixSeries[]) {
      const r = row(s.metric.check ?? '(unnamed)');
      r.recent.push(...s.values.map(([t, v]): [number, boolean] => [t, v === '1']));
      r.recent.sort((a, b) => a[0] - b[0]);
      r.recent = r.recent.slice(-30);
    }
  }
  return [...rows.values()].sort((a, b) => Number(a.up) - Number(b.up) || a.check.localeCompare(b.check));
}

export function ChecksPage() {
  const checks = useLoad(loadChecks, [], 10_000);
  return (
    <main>
      <h1>Checks</h1>
      <Problem error={checks.error} />
      <Loading when={checks.loading && checks.data === undefined} />
      {checks.data?.length === 0 ? <p class="empty">No checks report yet (no <code>probe_success</code> series).</p> : null}
      {checks.data && checks.data.length > 0 ? (
        <div class="scroll">
          <table data-testid="checks">
            <thead>
              <tr><th>Check</th><th>Status</th><th class="num">Duration</th>{WINDOWS.map((w) => <th class="num">Uptime {w}</th>)}<th>Last results (oldest → newest)</th></tr>
            </thead>
            <tbody>
              {checks.data.map((c) => (
                <tr key={c.check}>
                  <td><code>{c.check}</code></td>
                  <td><Dot level={c.up === null ? 'none' : c.up ? 'ok' : 'crit'} /> {c.up === null ? 'no data' : c.up ? 'up' : 'down'}</td>
                  <td class="num">{seconds(c.duration)}</td>
                  {WINDOWS.map((w) => <td class="num">{percent(c.uptime[w], 2)}</td>)}
                  <td>
                    <span class="ticks">
                      {c.recent.map(([t, ok]) => <span class={`tick ${ok ? 'ok' : 'crit'}`} title={`${dateTime(t * 1000)} ${ok ? 'success' : 'failure'}`} />)}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </main>
  );
}
