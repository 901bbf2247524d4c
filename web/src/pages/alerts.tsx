/**
 * Alerts: firing and silenced alerts from the Alertmanager v2 API, pending ones from the rule evaluator
 * (`/api/v1/alerts`), acknowledgement, silences with a duration, and expiring a silence.
 */
import { useState } from 'preact/hooks';
import { acknowledge, amAlerts, currentUser, amSilences, createSilence, expireSilence, ruleAlerts, type AmAlert, type Labels, type Silence } from '../api.ts';
import { Dot, Problem, Section } from '../components/common.tsx';
import { ago, dateTime } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { matchersText, parseMatchers } from '../matchers.ts';

const DURATIONS: Record<string, number> = { '30m': 1800, '1h': 3600, '4h': 14_400, '1d': 86_400, '7d': 604_800 };

const labelText = (l: Labels) =>
  Object.keys(l)
    .filter((k) => k !== 'alertname')
    .sort()
    .map((k) => `${k}=${l[k]}`)
    .join(' ');

function acked(a: AmAlert): string | undefined {
  const ack = a.acknowledgement ?? a.status.acknowledged;
  if (ack === undefined || ack === false) return undefined;
  if (ack === true) return 'acknowledged';
  return `acknowledged${ack.by ? ` by ${ack.by}` : ''}${ack.comment ? `: ${ack.comment}` : ''}`;
}

function SilenceForm(props: { initial: string; onDone: () => void; onCancel?: () => void }) {
  const [matchers, setMatchers] = useState(props.initial);
  const [duration, setDuration] = useState('1h');
  const [by, setBy] = useState('');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const parsed = parseMatchers(matchers);
      const now = Date.now();
      await createSilence({ matchers: parsed, startsAt: new Date(now).toISOString(), endsAt: new Date(now + DURATIONS[duration] * 1000).toISOString(), createdBy: by || 'dashboard', comment: comment || 'silenced from the dashboard' });
      setError(undefined);
      props.onDone();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="silence-form" onSubmit={submit}>
      <label>Matchers <input name="matchers" value={matchers} onInput={(e) => setMatchers(e.currentTarget.value)} placeholder='alertname="HighLatency", service="shop"' /></label>
      <label>
        For
        <select name="duration" value={duration} onChange={(e) => setDuration(e.currentTarget.value)}>
          {Object.keys(DURATIONS).map((d) => <option value={d}>{d}</option>)}
        </select>
      </label>
      <label>By <input name="createdBy" value={by} onInput={(e) => setBy(e.currentTarget.value)} placeholder="your name" /></label>
      <label>Comment <input name="comment" value={comment} onInput={(e) => setComment(e.currentTarget.value)} placeholder="why" /></label>
      <div class="actions">
        <button type="submit">Create silence</button>
        {props.onCancel ? <button type="button" class="secondary" onClick={props.onCancel}>Cancel</button> : null}
      </div>
      <Problem error={error} />
    </form>
  );
}

function AlertRow(props: { alert: AmAlert; onChange: () => void }) {
  const a = props.alert;
  const [silencing, setSilencing] = useState(false);
  const [error, setError] = useState<string>();
  const ack = acked(a);
  const doAck = async () => {
    try {
      await acknowledge(a.fingerprint, currentUser() ?? 'dashboard', 'acknowledged from the dashboard');
      props.onChange();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const initial = matchersText(Object.keys(a.labels).sort().map((k) => ({ name: k, value: a.labels[k], isRegex: false, isEqual: true })));
  return (
    <li class="alert" data-fingerprint={a.fingerprint}>
      <div class="alert-head">
        <Dot level={a.status.state === 'active' ? (a.labels.severity === 'warning' ? 'warn' : 'crit') : 'none'} />
        <strong>{a.labels.alertname}</strong>
        <span class="labels">{labelText(a.labels)}</span>
        <span class="since" title={dateTime(Date.parse(a.startsAt))}>since {ago(Date.parse(a.startsAt))}</span>
      </div>
      {a.annotations.summary || a.annotations.description ? <p>{a.annotations.summary ?? a.annotations.description}</p> : null}
      <div class="actions">
        {ack ? <span class="acked" data-testid="acked">✔ {ack}</span> : a.status.state === 'active' ? <button type="button" onClick={doAck}>Acknowledge</button> : null}
        {a.status.state === 'active' && !silencing ? <button type="button" class="secondary" onClick={() => setSilencing(true)}>Silence…</button> : null}
        {a.status.silencedBy.length > 0 ? <span class="muted">silenced by {a.status.silencedBy.join(', ')}</span> : null}
      </div>
      {silencing ? <SilenceForm initial={initial} onCancel={() => setSilencing(false)} onDone={() => { setSilencing(false); props.onChange(); }} /> : null}
      <Problem error={error} />
    </li>
  );
}

function SilenceRow(props: { silence: Silence; onChange: () => void }) {
  const s = props.silence;
  const [error, setError] = useState<string>();
  const expire = async () => {
    try {
      await expireSilence(s.id);
      props.onChange();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <tr data-silence={s.id} data-state={s.status.state}>
      <td><span class={`state ${s.status.state}`}>{s.status.state}</span></td>
      <td><code>{matchersText(s.matchers)}</code></td>
      <td>{dateTime(Date.parse(s.startsAt))} – {dateTime(Date.parse(s.endsAt))}</td>
      <td>{s.createdBy}: {s.comment}</td>
      <td>{s.status.state !== 'expired' ? <button type="button" class="secondary" onClick={expire}>Expire</button> : null}<Problem error={error} /></td>
    </tr>
  );
}

export function AlertsPage() {
  const alerts = useLoad(amAlerts, [], 10_000);
  const pending = useLoad(async () => (await ruleAlerts()).filter((a) => a.state === 'pending'), [], 10_000);
  const silences = useLoad(amSilences, [], 10_000);
  const [creating, setCreating] = useState(false);
  // Alertmanager marks alerts silenced (or no longer) in its own time after a silence changes: look
  // again shortly after, rather than leaving a stale state up until the next poll
  const refresh = () => {
    for (const delay of [0, 1000, 3000]) {
      setTimeout(() => {
        alerts.reload();
        silences.reload();
      }, delay);
    }
  };
  const firing = alerts.data?.filter((a) => a.status.state === 'active') ?? [];
  const silenced = alerts.data?.filter((a) => a.status.state === 'suppressed') ?? [];
  const order = { active: 0, pending: 1, expired: 2 };
  const sil = [...(silences.data ?? [])].sort((a, b) => order[a.status.state] - order[b.status.state] || Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
  return (
    <main>
      <h1>Alerts</h1>
      <Problem error={alerts.error} />
      <Section title={`Firing (${firing.length})`}>
        {firing.length === 0 ? <p class="empty">Nothing is firing.</p> : null}
        <ul class="alerts" data-testid="firing">{firing.map((a) => <AlertRow key={a.fingerprint} alert={a} onChange={refresh} />)}</ul>
      </Section>
      <Section title={`Pending (${pending.data?.length ?? 0})`}>
        {pending.error ? <p class="muted">Pending alerts are unavailable: {pending.error}</p> : null}
        {pending.data?.length === 0 ? <p class="empty">No rule is pending.</p> : null}
        <ul class="alerts" data-testid="pending">
          {pending.data?.map((a) => (
            <li class="alert" key={JSON.stringify(a.labels)}>
              <div class="alert-head"><Dot level="warn" /> <strong>{a.labels.alertname}</strong> <span class="labels">{labelText(a.labels)}</span> {a.activeAt ? <span class="since">active {ago(Date.parse(a.activeAt))}</span> : null}</div>
            </li>
          ))}
        </ul>
      </Section>
      <Section title={`Silenced (${silenced.length})`}>
        {silenced.length === 0 ? <p class="empty">No alert is silenced.</p> : null}
        <ul class="alerts" data-testid="silenced">{silenced.map((a) => <AlertRow key={a.fingerprint} alert={a} onChange={refresh} />)}</ul>
      </Section>
      <Section title="Silences" actions={creating ? null : <button type="button" onClick={() => setCreating(true)}>New silence</button>}>
        <Problem error={silences.error} />
        {creating ? <SilenceForm initial="" onCancel={() => setCreating(false)} onDone={() => { setCreating(false); refresh(); }} /> : null}
        <div class="scroll">
          <table data-testid="silences">
            <thead><tr><th>State</th><th>Matchers</th><th>Period</th><th>Comment</th><th /></tr></thead>
            <tbody>{sil.map((s) => <SilenceRow key={s.id} silence={s} onChange={refresh} />)}</tbody>
          </table>
        </div>
      </Section>
    </main>
  );
}
