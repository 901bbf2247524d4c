/**
 * The `k6` module: check, group, sleep, fail, randomSeed. In native scripts sleep() returns a promise
 * and group() returns whatever its function returns (a promise for an async function).
 */
import type { Tags } from '../../metrics/types.ts';
import { getRuntime, requireVu, vuTags, type VuState } from './context.ts';

type Checker<T> = ((value: T) => unknown) | boolean | number | string | null | undefined;

function checkTags(vu: VuState, name: string, extra: Record<string, string> | undefined): Tags {
  const base = vuTags(vu);
  const tags: Record<string, string> = { ...base };
  if (getRuntime().options.systemTags.includes('check')) tags.check = name;
  if (extra) Object.assign(tags, extra);
  return tags;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Runs each named check against `value`, records a `checks` sample per check and returns whether all
 * passed. If a check function returns a promise, check() returns a promise of the result.
 */
export function check<T>(value: T, sets: Record<string, Checker<T>>, tags?: Record<string, string>): boolean | Promise<boolean> {
  const vu = requireVu('check()');
  const rt = getRuntime();
  const names = Object.keys(sets);
  const results: unknown[] = new Array(names.length);
  let async = false;
  for (let i = 0; i < names.length; i++) {
    const c = sets[names[i]];
    const r = typeof c === 'function' ? (c as (v: T) => unknown)(value) : c;
    if (isThenable(r)) async = true;
    results[i] = r;
  }
  const record = (values: unknown[]): boolean => {
    const now = rt.clock.now();
    let all = true;
    for (let i = 0; i < names.length; i++) {
      const ok = Boolean(values[i]);
      if (!ok) all = false;
      rt.emit({ metric: 'checks', time: now, value: ok ? 1 : 0, tags: checkTags(vu, names[i], tags) });
    }
    return all;
  };
  if (!async) return record(results);
  return Promise.all(results).then(record);
}

/** Runs `fn` inside a named group; samples emitted inside carry the group's path in the `group` tag. */
export function group<R>(name: string, fn: () => R): R {
  const vu = requireVu('group()');
  if (typeof name !== 'string' || name.includes('::')) {
    throw new Error(`group name must be a string without "::", got ${JSON.stringify(name)}`);
  }
  if (typeof fn !== 'function') throw new Error(`group("${name}", fn): fn must be a function`);
  const rt = getRuntime();
  const previous = vu.groupPath;
  vu.groupPath = `${previous}::${name}`;
  vu.cachedTags = undefined;
  const start = rt.clock.now();
  const finish = () => {
    const end = rt.clock.now();
    if (!vu.signal.aborted) rt.emit({ metric: 'group_duration', time: end, value: end - start, tags: vuTags(vu) });
    vu.groupPath = previous;
    vu.cachedTags = undefined;
  };
  let result: R;
  try {
    result = fn();
  } catch (err) {
    finish();
    throw err;
  }
  if (isThenable(result)) {
    return Promise.resolve(result).then(
      (v) => {
        finish();
        return v;
      },
      (err) => {
        finish();
        throw err;
      },
    ) as R;
  }
  finish();
  return result;
}

/** Suspends the VU for `seconds`. Await it: `await sleep(1)`. */
export function sleep(seconds: number): Promise<void> {
  const vu = requireVu('sleep()');
  const s = Number(seconds);
  if (!Number.isFinite(s) || s < 0) throw new Error(`sleep(): expected a non-negative number of seconds, got ${String(seconds)}`);
  return getRuntime().clock.sleep(s * 1000, vu.signal);
}

/** Throws, failing the current iteration (k6 semantics: the VU goes on with its next iteration). */
export function fail(message = ''): never {
  throw new Error(message);
}

/** Seeds Math.random for the calling worker, so a run's random choices can be repeated. */
export function randomSeed(seed: number): void {
  let s = Math.trunc(Number(seed)) >>> 0;
  Math.random = () => {
    // mulberry32: small, fast, good enough for test data choices
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export default { check, group, sleep, fail, randomSeed };
