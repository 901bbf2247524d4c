/** Overview: one tile per service with its golden signals now, coloured against its targets. */
import { queryScalar, services, type Service } from '../api.ts';
import { Dot, Loading, Problem } from '../components/common.tsx';
import { bytes, ms, percent, rate } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { cpuCores, errorRatio, latencyQuantile, requestRate, residentMemory } from '../queries.ts';
import { Link } from '../router.tsx';
import { LEVEL_TEXT, signalLevels, worst, type Signals } from '../status.ts';

export async function loadSignals(s: Service): Promise<Signals> {
  const m = s.matchers;
  const [p95, p99, rps, errors, cpu, memory] = await Promise.all([
    queryScalar(latencyQuantile(m, 0.95, '5m')),
    queryScalar(latencyQuantile(m, 0.99, '5m')),
    queryScalar(requestRate(m, '1m')),
    queryScalar(errorRatio(m, '5m')),
    queryScalar(cpuCores(m, '1m')),
    queryScalar(residentMemory(m)),
  ]);
  return { p95, p99, rps, errors, cpu, memory };
}

function Tile(props: { service: Service }) {
  const s = props.service;
  const t = s.targets;
  const sig = useLoad(() => loadSignals(s), [s.name], 10_000);
  const v = sig.data;
  const lv = v ? signalLevels(v, t) : { p95: 'none' as const, errors: 'none' as const, cpu: 'none' as const };
  const overall = worst([lv.p95, lv.errors, lv.cpu]);
  return (
    <article class={`tile ${overall}`} data-service={s.name}>
      <header>
        <Link href={`/services/${encodeURIComponent(s.name)}`}>{s.name}</Link>
        <span class={`badge ${overall}`} data-testid="service-status">
          <Dot level={overall} /> {LEVEL_TEXT[overall]}
        </span>
      </header>
      <Problem error={sig.error} />
      <dl class="signals">
        <div>
          <dt><Dot level={lv.p95} /> p95</dt>
          <dd data-signal="p95">{ms(v?.p95 == null ? null : v.p95 * 1000)}</dd>
          <small>target &lt; {ms(t.p95)}</small>
        </div>
        <div>
          <dt>p99</dt>
          <dd data-signal="p99">{ms(v?.p99 == null ? null : v.p99 * 1000)}</dd>
          <small>target &lt; {ms(t.p99)}</small>
        </div>
        <div>
          <dt>Requests</dt>
          <dd data-signal="rps">{rate(v?.rps)}</dd>
          <small>last minute</small>
        </div>
        <div>
          <dt><Dot level={lv.errors} /> Errors</dt>
          <dd data-signal="errors">{percent(v?.errors)}</dd>
          <small>target &lt; {percent(t.error_rate, 1)}</small>
        </div>
        <div>
          <dt><Dot level={lv.cpu} /> CPU</dt>
          <dd data-signal="cpu">{percent(v?.cpu, 1)}</dd>
          <small>of a core · warn {percent(t.cpu_warning, 0)}</small>
        </div>
        <div>
          <dt>Memory</dt>
          <dd data-signal="memory">{bytes(v?.memory)}</dd>
          <small>resident</small>
        </div>
      </dl>
    </article>
  );
}

export function Overview() {
  const list = useLoad(services, []);
  return (
    <main>
      <h1>Services</h1>
      <Problem error={list.error} />
      <Loading when={list.loading && list.data === undefined} />
      {list.data?.length === 0 ? <p class="empty">No services are configured. Add them under <code>services:</code> in telltale.yaml.</p> : null}
      <div class="tiles">{list.data?.map((s) => <Tile key={s.name} service={s} />)}</div>
    </main>
  );
}
