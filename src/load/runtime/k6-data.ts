/**
 * The `k6/data` module: SharedArray. k6 runs the function once and hands every VU read-only copies of
 * the elements. Here VUs of a worker thread share one JavaScript realm, so the array is built once per
 * worker (per test run) and every VU gets the very same deeply frozen array: no per-VU copy at all.
 *
 * Like k6, the elements go through JSON once (so Dates become strings, functions and undefined become
 * null, cycles and BigInts are errors) and are frozen; writes throw a TypeError in strict code (every
 * ES module is strict) and are ignored in sloppy code. Unlike k6, reading the same index twice yields
 * the same object rather than two equal copies.
 */
import { currentVu, getRuntime, type Runtime } from './context.ts';

export interface SharedArrayConstructor {
  new <T>(name: string, fn: () => T[]): readonly T[];
}

/** Keyed by runtime so that two test runs in one process (the probe that reads options, tests) never share data. */
const perRuntime = new WeakMap<Runtime, Map<string, readonly unknown[]>>();

function isThenable(v: unknown): boolean {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

function deepFreeze(root: unknown): void {
  // Iterative, so that freezing cannot overflow the stack on data deep enough to have just fit through JSON.
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || Object.isFrozen(v)) continue;
    Object.freeze(v);
    for (const key of Object.keys(v)) stack.push((v as Record<string, unknown>)[key]);
  }
}

function build(name: string, fn: () => unknown): readonly unknown[] {
  const value = fn();
  if (isThenable(value)) throw new Error(`SharedArray "${name}": the function returned a promise; it must return an array synchronously`);
  if (!Array.isArray(value)) throw new TypeError(`SharedArray "${name}": only arrays can be made into SharedArray, the function returned ${describe(value)}`);
  let copy: unknown[];
  try {
    copy = JSON.parse(JSON.stringify(value)) as unknown[];
  } catch (err) {
    throw new TypeError(`SharedArray "${name}": the data must be JSON-serializable: ${(err as Error).message}`, { cause: err });
  }
  deepFreeze(copy);
  return copy;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return (v as { constructor?: { name?: string } }).constructor?.name ?? 'an object';
}

function sharedArray(name: unknown, fn: unknown): readonly unknown[] {
  if (currentVu()) throw new Error('new SharedArray must be called in the init context (top level of the script), not inside a VU function');
  if (name === undefined || name === null || name === '') throw new Error("empty name provided to SharedArray's constructor");
  const key = String(name);
  if (typeof fn !== 'function') throw new TypeError("a function is expected as the second argument of SharedArray's constructor");
  if ((fn as { constructor?: { name?: string } }).constructor?.name === 'AsyncFunction') {
    throw new TypeError('SharedArray constructor does not support async functions as second argument');
  }
  const rt = getRuntime();
  let arrays = perRuntime.get(rt);
  if (!arrays) {
    arrays = new Map();
    perRuntime.set(rt, arrays);
  }
  let shared = arrays.get(key);
  if (!shared) {
    shared = build(key, fn as () => unknown);
    arrays.set(key, shared);
  }
  return shared;
}

/**
 * `new SharedArray(name, fn)`: the array `fn` returns, built on the first call with this name and
 * returned as is (without calling `fn`) on every later call, whichever VU makes it.
 */
export const SharedArray = function SharedArray(name: unknown, fn: unknown): readonly unknown[] {
  return sharedArray(name, fn);
} as unknown as SharedArrayConstructor;

export default { SharedArray };
