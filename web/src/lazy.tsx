/**
 * Pages with charts load on first visit: uPlot is most of the bundle, and the overview, alerts and checks
 * pages do not draw charts, so they start without it.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const cache = new Map<() => Promise<unknown>, unknown>();

export function Lazy<P extends object>(props: { load: () => Promise<ComponentType<P>>; props: P }) {
  const { load } = props;
  const [Component, setComponent] = useState<ComponentType<P> | undefined>(() => cache.get(load) as ComponentType<P> | undefined);
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (Component !== undefined) return;
    let live = true;
    load().then(
      (c) => {
        cache.set(load, c);
        if (live) setComponent(() => c);
      },
      (err: Error) => live && setError(`cannot load this page: ${err.message}`),
    );
    return () => {
      live = false;
    };
  }, [load, Component]);
  if (error !== undefined) return <main><div class="problem" role="alert">{error}</div></main>;
  return Component === undefined ? <main><div class="loading">Loading…</div></main> : <Component {...props.props} />;
}
