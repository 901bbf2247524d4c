/** Data loading for panels: one async load, re-run when its inputs change and, optionally, on a timer. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload(): void;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[], refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === generation.current && setState({ data, loading: false }),
      (err: Error) => mine === generation.current && setState((s) => ({ data: s.data, error: err.message, loading: false })),
    );
  }, [...deps, tick]);
  useEffect(() => {
    if (refreshMs === undefined) return;
    // a hidden tab does not poll; it catches up when shown again
    const id = setInterval(() => document.visibilityState === 'visible' && reload(), refreshMs);
    return () => clearInterval(id);
  }, [refreshMs, reload]);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** The current time (epoch ms), ticking every `everyMs` while the tab is visible: live pages move their range with it. */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => document.visibilityState === 'visible' && setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}
