/**
 * Sequential stand-ins for the Array iteration methods, for k6 scripts Telltale rewrote to await.
 * Once a callback waits for k6 calls it returns a promise, and `list.forEach(cb)` would start every
 * callback at once without waiting; `await forEach(list, cb)` runs them one after another, as the
 * synchronous k6 script did. They follow the Array methods' rules (holes, the length read once at the
 * start) so the rewritten script behaves like the original.
 */

type Callback = (value: any, index: any, collection: any) => unknown;

interface Source {
  /** The elements by index, or undefined for a collection that only supports forEach (Map, Set). */
  list?: ArrayLike<unknown>;
  entries?: [unknown, unknown, unknown][];
}

function source(collection: unknown, method: string): Source {
  if (typeof collection === 'string') return { list: Object(collection) as ArrayLike<unknown> };
  if (collection !== null && typeof collection === 'object') {
    const c = collection as { length?: unknown; forEach?: unknown };
    if (typeof c.length === 'number') return { list: c as ArrayLike<unknown> };
    if (method === 'forEach' && typeof c.forEach === 'function') {
      const entries: [unknown, unknown, unknown][] = [];
      (c.forEach as (f: Callback) => void).call(collection, (v, k, m) => entries.push([v, k, m]));
      return { entries };
    }
  }
  throw new TypeError(
    `.${method}() was given a callback that waits for k6 calls, so Telltale runs it with a sequential ${method}; ` +
      `that works on arrays${method === 'forEach' ? ', Maps and Sets' : ''} only, got ${describe(collection)}`,
  );
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return (v as { constructor?: { name?: string } }).constructor?.name ?? 'an object';
}

function requireCallback(cb: unknown, method: string): asserts cb is (...args: any[]) => unknown {
  if (typeof cb !== 'function') throw new TypeError(`${method}: ${String(cb)} is not a function`);
}

export async function forEach(collection: unknown, cb: Callback, thisArg?: unknown): Promise<void> {
  requireCallback(cb, 'forEach');
  const { list, entries } = source(collection, 'forEach');
  if (entries) {
    for (const [v, k, m] of entries) await cb.call(thisArg, v, k, m);
    return;
  }
  const len = list!.length;
  for (let i = 0; i < len; i++) if (i in Object(list)) await cb.call(thisArg, list![i], i, collection);
}

export async function map(collection: unknown, cb: Callback, thisArg?: unknown): Promise<unknown[]> {
  requireCallback(cb, 'map');
  const list = source(collection, 'map').list!;
  const len = list.length;
  const out = new Array<unknown>(len);
  for (let i = 0; i < len; i++) if (i in Object(list)) out[i] = await cb.call(thisArg, list[i], i, collection);
  return out;
}

export async function flatMap(collection: unknown, cb: Callback, thisArg?: unknown): Promise<unknown[]> {
  requireCallback(cb, 'flatMap');
  const list = source(collection, 'flatMap').list!;
  const len = list.length;
  const out: unknown[] = [];
  for (let i = 0; i < len; i++) {
    if (!(i in Object(list))) continue;
    const r = await cb.call(thisArg, list[i], i, collection);
    if (Array.isArray(r)) out.push(...r);
    else out.push(r);
  }
  return out;
}

export async function filter(collection: unknown, cb: Callback, thisArg?: unknown): Promise<unknown[]> {
  requireCallback(cb, 'filter');
  const list = source(collection, 'filter').list!;
  const len = list.length;
  const out: unknown[] = [];
  for (let i = 0; i < len; i++) {
    if (!(i in Object(list))) continue;
    const v = list[i];
    if (await cb.call(thisArg, v, i, collection)) out.push(v);
  }
  return out;
}

export async function some(collection: unknown, cb: Callback, thisArg?: unknown): Promise<boolean> {
  requireCallback(cb, 'some');
  const list = source(collection, 'some').list!;
  const len = list.length;
  for (let i = 0; i < len; i++) if (i in Object(list) && (await cb.call(thisArg, list[i], i, collection))) return true;
  return false;
}

export async function every(collection: unknown, cb: Callback, thisArg?: unknown): Promise<boolean> {
  requireCallback(cb, 'every');
  const list = source(collection, 'every').list!;
  const len = list.length;
  for (let i = 0; i < len; i++) if (i in Object(list) && !(await cb.call(thisArg, list[i], i, collection))) return false;
  return true;
}

export async function find(collection: unknown, cb: Callback, thisArg?: unknown): Promise<unknown> {
  requireCallback(cb, 'find');
  const list = source(collection, 'find').list!;
  const len = list.length;
  for (let i = 0; i < len; i++) if (await cb.call(thisArg, list[i], i, collection)) return list[i];
  return undefined;
}

export async function findIndex(collection: unknown, cb: Callback, thisArg?: unknown): Promise<number> {
  requireCallback(cb, 'findIndex');
  const list = source(collection, 'findIndex').list!;
  const len = list.length;
  for (let i = 0; i < len; i++) if (await cb.call(thisArg, list[i], i, collection)) return i;
  return -1;
}

export async function reduce(collection: unknown, cb: (acc: any, value: any, index: number, collection: any) => unknown, ...initial: unknown[]): Promise<unknown> {
  requireCallback(cb, 'reduce');
  const list = source(collection, 'reduce').list!;
  const len = list.length;
  let i = 0;
  let acc: unknown;
  if (initial.length > 0) {
    acc = initial[0];
  } else {
    while (i < len && !(i in Object(list))) i++;
    if (i >= len) throw new TypeError('Reduce of empty array with no initial value');
    acc = list[i++];
  }
  for (; i < len; i++) if (i in Object(list)) acc = await cb(acc, list[i], i, collection);
  return acc;
}
