import { beforeEach, describe, expect, it, vi } from 'vitest';
import { installRuntime, vuStorage, type Runtime, type VuState } from '../../src/load/runtime/context.ts';
import data, { SharedArray } from '../../src/load/runtime/k6-data.ts';

// SharedArray only needs a runtime to key its cache and the VU store to tell init code from VU code.
const freshRuntime = () => installRuntime({ initPhase: true } as unknown as Runtime);
const inVu = <T>(fn: () => T): T => vuStorage.run({ id: 1 } as unknown as VuState, fn);

beforeEach(freshRuntime);

describe('k6/data SharedArray', () => {
  it('runs the function once per name and hands every caller the same array', () => {
    const fn = vi.fn(() => [{ id: 1 }, { id: 2 }]);
    const first = new SharedArray('users', fn);
    const second = new SharedArray('users', () => {
      throw new Error('must not run');
    });
    expect(fn).toHaveBeenCalledTimes(1);
    expect(second).toBe(first);
    expect(first[1]).toBe(second[1]);
    const other = new SharedArray('other', () => ['x']);
    expect(other).not.toBe(first);
    expect(data.SharedArray).toBe(SharedArray);
  });

  it('is array-like: length, index, iteration, array methods returning plain arrays, JSON', () => {
    const arr = new SharedArray('nums', () => [3, 1, 2]);
    expect(arr.length).toBe(3);
    expect(arr[0]).toBe(3);
    expect(arr[5]).toBeUndefined();
    expect(Array.isArray(arr)).toBe(true);
    expect([...arr]).toEqual([3, 1, 2]);
    const seen: number[] = [];
    for (const v of arr) seen.push(v);
    arr.forEach((v) => seen.push(v * 10));
    expect(seen).toEqual([3, 1, 2, 30, 10, 20]);
    const mapped = arr.map((v) => v + 1);
    expect(mapped).toEqual([4, 2, 3]);
    expect(Object.isFrozen(mapped)).toBe(false);
    mapped.push(9);
    expect(arr.filter((v) => v > 1)).toEqual([3, 2]);
    expect(arr.slice(1)).toEqual([1, 2]);
    expect([...arr].sort()).toEqual([1, 2, 3]);
    expect(arr.includes(2)).toBe(true);
    expect(JSON.stringify(arr)).toBe('[3,1,2]');
  });

  it('is read-only all the way down: writes throw in strict code and change nothing', () => {
    const arr = new SharedArray('deep', () => [{ user: { name: 'ada', roles: ['admin'] } }]) as unknown as { user: { name: string; roles: string[] } }[];
    expect(() => {
      arr[0] = { user: { name: 'eve', roles: [] } };
    }).toThrow(TypeError);
    expect(() => arr.push({ user: { name: 'eve', roles: [] } })).toThrow(TypeError);
    expect(() => {
      arr.length = 0;
    }).toThrow(TypeError);
    expect(() => {
      arr[0].user.name = 'eve';
    }).toThrow(TypeError);
    expect(() => arr[0].user.roles.push('root')).toThrow(TypeError);
    expect(() => (new SharedArray('pair', () => [2, 1]) as number[]).sort()).toThrow(TypeError);
    expect(arr[0].user).toEqual({ name: 'ada', roles: ['admin'] });
  });

  it('holds a JSON copy: later changes to the source do not leak in, Dates become strings', () => {
    const source = [{ n: 1, when: new Date(0), skip: undefined as unknown, fn: () => 1 }];
    const arr = new SharedArray('copy', () => source);
    source[0].n = 2;
    expect(arr[0]).toEqual({ n: 1, when: '1970-01-01T00:00:00.000Z' });
    expect(Object.isFrozen(source[0])).toBe(false);
    expect(new SharedArray('holes', () => [undefined, () => 1])).toEqual([null, null]);
  });

  it('requires an array returned synchronously by a function', () => {
    expect(() => new SharedArray('str', () => 'whatever' as unknown as string[])).toThrow(/only arrays can be made into SharedArray.*string/);
    expect(() => new SharedArray('obj', () => ({ length: 1 }) as unknown as string[])).toThrow(/only arrays can be made into SharedArray/);
    expect(() => new SharedArray('async', (async () => []) as unknown as () => string[])).toThrow(/does not support async functions/);
    expect(() => new SharedArray('promise', (() => Promise.resolve([])) as unknown as () => string[])).toThrow(/returned a promise/);
    expect(() => new SharedArray('nofn', 'nope' as unknown as () => string[])).toThrow(/a function is expected as the second argument/);
    expect(() => new SharedArray('', () => [])).toThrow(/empty name/);
    expect(() => new SharedArray(undefined as unknown as string, () => [])).toThrow(/empty name/);
  });

  it('reports data that JSON cannot carry', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => new SharedArray('cycle', () => [cyclic])).toThrow(/must be JSON-serializable/);
    expect(() => new SharedArray('bigint', () => [1n])).toThrow(/must be JSON-serializable/);
  });

  it('a failing function caches nothing: the next call with that name runs again', () => {
    let calls = 0;
    const fn = () => {
      calls++;
      if (calls === 1) throw new Error('file not ready');
      return ['ok'];
    };
    expect(() => new SharedArray('retry', fn)).toThrow('file not ready');
    expect(new SharedArray('retry', fn)).toEqual(['ok']);
    expect(calls).toBe(2);
  });

  it('must be called in the init context, not from a VU function', () => {
    expect(() => inVu(() => new SharedArray('late', () => [1]))).toThrow(/must be called in the init context/);
  });

  it('a VU reading an array built at init gets the same data', () => {
    const arr = new SharedArray('read', () => ['a', 'b']);
    expect(inVu(() => arr[1])).toBe('b');
  });

  it('each runtime (test run) builds its own arrays', () => {
    const a = new SharedArray('per-run', () => [1]);
    freshRuntime();
    const b = new SharedArray('per-run', () => [2]);
    expect(a).toEqual([1]);
    expect(b).toEqual([2]);
  });

  it('freezes nested data at every level', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 500; i++) deep = [deep];
    const arr = new SharedArray('nested', () => [deep]);
    let cur: unknown = arr[0];
    while (Array.isArray(cur)) {
      expect(Object.isFrozen(cur)).toBe(true);
      cur = cur[0];
    }
    expect(cur).toBe('leaf');
  });
});
