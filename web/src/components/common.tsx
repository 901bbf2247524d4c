/** Small shared pieces: status dots, loading and error states, the range picker. */
import type { ComponentChildren } from 'preact';
import { RANGES } from '../ranges.ts';
import type { Level } from '../status.ts';

export function Dot(props: { level: Level; title?: string }) {
  return <span class={`dot ${props.level}`} title={props.title ?? props.level} aria-label={props.level} />;
}

export function Problem(props: { error: string | undefined }) {
  return props.error === undefined ? null : <div class="problem" role="alert">{props.error}</div>;
}

export function Loading(props: { when: boolean; children?: ComponentChildren }) {
  return props.when ? <div class="loading">{props.children ?? 'Loading…'}</div> : null;
}

export function RangePicker(props: { value: string; onChange: (v: string) => void }) {
  return (
    <div class="range-picker" role="group" aria-label="time range">
      {Object.keys(RANGES).map((r) => (
        <button type="button" class={r === props.value ? 'active' : ''} aria-pressed={r === props.value} onClick={() => props.onChange(r)}>
          {r}
        </button>
      ))}
    </div>
  );
}

export function Section(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="panel">
      <header>
        <h2>{props.title}</h2>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}
