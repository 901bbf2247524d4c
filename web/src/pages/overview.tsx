/** Overview: one tile per service with its golden signals now, coloured against its targets. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { queryVector, services, type Service } from '../api.ts';
import { Dot, Loading, Problem } from '../components/common.tsx';
import { bytes, ms, percent, rate } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { tileSignals } from '../queries.ts';
import { REFRESH } from '../ranges.ts';
import { Link } from '../router.tsx';
import { LEVEL_TEXT, overTarget, signalLevels, worst, type Level, type Signals } from '../status.ts';

/** The signals at the last whole 5 seconds: every viewer asks the same query, which the server answers once. */
export async function loadSignals(s: Service, nowMs = Date.now()): Promise<Signals> {
  const at = Math.floor(nowMs / 5000) * 5;
  const got = new Map((await queryVector(tileSignals(s.name, s.matchers), at)).map((x) => [x.metric.signal, Number(x.value[1])]));
  const pick = (k: keyof Signals) => {
    const v = got.get(k);
    return v === undefined || Number.isNaN(v) ? null : v;
  };
  return { p95: pick('p95'), p99: pick('p99'), rps: pick('rps'), errors: pick('errors'), cpu: pick('cpu'), memory: pick('memory'), availability: pick('availability'), checksUp: pick('checksUp') };
}

/** An objective under a figure; marked when the figure is over it (even short of the warning level). */
function Objective(props: { over: boolean; children: ComponentChildren }) {
  return <small class={props.over ? 'over' : ''} title={props.over ? 'above target' : undefined}>{props.over ? '▲ ' : ''}{props.children}</small>;
}

const NO_LEVELS = { p95: 'none', errors: 'none', cpu: 'none', checks: 'none' } as const;

/** The golden signals now, each with its target: on the overview's tiles and atop the service page. */
export function SignalList(props: { service: Service; signals: Signals | undefined }) {
  const t = props.service.targets;
  const v = props.signals;
  const lv = v ? signalLevels(v, t) : NO_LEVELS;
  return (
    <dl class="signals">
      <div>
        <dt><Dot level={lv.p95} /> p95</dt>
        <dd data-signal="p95">{ms(v?.p95 == null ? null : v.p95 * 1000)}</dd>
        <Objective over={overTarget(v?.p95 == null ? null : v.p95 * 1000, t.p95)}>target &lt; {ms(t.p95)}</Objective>
      </div>
      <div>
        <dt>p99</dt>
        <dd data-signal="p99">{ms(v?.p99 == null ? null : v.p99 * 1000)}</dd>
        <Objective over={overTarget(v?.p99 == null ? null : v.p99 * 1000, t.p99)}>target &lt; {ms(t.p99)}</Objective>
      </div>
      <div>
        <dt>Requests</dt>
        <dd data-signal="rps">{rate(v?.rps)}</dd>
        <small>last minute</small>
      </div>
      <div>
        <dt><Dot level={lv.errors} /> Errors</dt>
        <dd data-signal="errors">{percent(v?.errors)}</dd>
        <Objective over={overTarget(v?.errors ?? null, t.error_rate)}>target &lt; {percent(t.error_rate, 1)}</Objective>
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
      {v?.availability != null ? (
        <div>
          <dt><Dot level={lv.checks} /> Availability</dt>
          <dd data-signal="availability">{percent(v.availability, 2)}</dd>
          <small>checks, 24 h{v.checksUp === 0 ? ' · failing now' : ''}</small>
        </div>
      ) : null}
    </dl>
  );
}

export function overallLevel(s: Service, v: Signals | undefined): Level {
  const lv = v ? signalLevels(v, s.targets) : NO_LEVELS;
  return worst([lv.p95, lv.errors, lv.cpu, lv.checks]);
}

function Tile(props: { service: Service; onLevel: (name: string, l: Level) => void }) {
  const s = props.service;
  const sig = useLoad(() => loadSignals(s), [s.name], REFRESH.signals);
  const overall = overallLevel(s, sig.data);
  const { onLevel } = props;
  useEffect(() => onLevel(s.name, overall), [onLevel, s.name, overall]);
  return (
    <article class={`tile ${overall}`} data-service={s.name}>
      <header>
        <Link href={`/services/${encodeURIComponent(s.name)}`}>{s.name}</Link>
        <span class={`badge ${overall}`} data-testid="service-status">
          <Dot level={overall} /> {LEVEL_TEXT[overall]}
        </span>
      </header>
      <Problem error={sig.error} />
      <SignalList service={s} signals={sig.data} />
    </article>
  );
}

export function Overview() {
  const list = useLoad(services, []);
  const [levels, setLevels] = useState<Record<string, Level>>({});
  const onLevel = useCallback((name: string, l: Level) => setLevels((x) => (x[name] === l ? x : { ...x, [name]: l })), []);
  const all = Object.values(levels);
  const overall = worst(all);
  const counts = (['crit', 'warn', 'ok', 'none'] as const).filter((l) => all.includes(l)).map((l) => `${all.filter((x) => x === l).length} ${LEVEL_TEXT[l].toLowerCase()}`);
  return (
    <main>
      <div class="title-row">
        <h1>Services</h1>
        {all.length > 0 ? (
          <p class={`summary ${overall}`} data-testid="overall">
            <Dot level={overall} /> Overall: <strong>{LEVEL_TEXT[overall]}</strong> · {counts.join(', ')}
          </p>
        ) : null}
      </div>
      <Problem error={list.error} />
      <Loading when={list.loading && list.data === undefined} />
      {list.data?.length === 0 ? <p class="empty">No services are configured. Add them under <code>services:</code> in telltale.yaml.</p> : null}
      <div class="tiles">{list.data?.map((s) => <Tile key={s.name} service={s} onLevel={onLevel} />)}</div>
    </main>
  );
}
