import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as compat from '../../src/load/runtime/k6-compat.ts';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('sequential iteration helpers', () => {
  it('give the same results as the Array methods, holes and all, with async callbacks', async () => {
    const arrays = fc.array(fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }), { maxLength: 8 }).map((xs) => {
      const a = [...xs];
      // Punch holes where the generator put undefined at even positions.
      xs.forEach((x, i) => {
        if (x === undefined && i % 2 === 0) delete a[i];
      });
      return a;
    });
    await fc.assert(
      fc.asyncProperty(arrays, fc.integer({ min: -3, max: 3 }), async (xs, k) => {
        const pred = (x: number | undefined) => (x ?? 0) > k;
        const calls: unknown[] = [];
        const asyncPred = async (x: number | undefined, i: number) => {
          calls.push(i);
          await tick();
          return pred(x);
        };
        expect(await compat.map(xs, async (x: number | undefined, i: number) => (await tick(), `${x}:${i}`))).toEqual(xs.map((x, i) => `${x}:${i}`));
        expect(await compat.filter(xs, asyncPred)).toEqual(xs.filter(pred));
        expect(await compat.some(xs, asyncPred)).toBe(xs.some(pred));
        expect(await compat.every(xs, asyncPred)).toBe(xs.every(pred));
        expect(await compat.find(xs, asyncPred)).toBe(xs.find(pred));
        expect(await compat.findIndex(xs, asyncPred)).toBe(xs.findIndex(pred));
        expect(await compat.flatMap(xs, async (x: number | undefined) => [x, x])).toEqual(xs.flatMap((x) => [x, x]));
        expect(await compat.reduce(xs, async (a: number, x: number | undefined) => a + (x ?? 0), k)).toBe(xs.reduce((a: number, x) => a + (x ?? 0), k));
        const order: number[] = [];
        await compat.forEach(xs, async (_x: unknown, i: number) => {
          await tick();
          order.push(i);
        });
        const expected: number[] = [];
        xs.forEach((_x, i) => expected.push(i));
        expect(order).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('run one callback at a time', async () => {
    let running = 0;
    let most = 0;
    await compat.forEach([1, 2, 3], async () => {
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
    });
    expect(most).toBe(1);
  });

  it('reduce without an initial value starts from the first element, and fails on an empty array like Array#reduce', async () => {
    expect(await compat.reduce([1, 2, 3], async (a: number, x: number) => a * 10 + x)).toBe(123);
    await expect(compat.reduce([], async (a: unknown) => a)).rejects.toThrow('Reduce of empty array with no initial value');
  });

  it('pass thisArg and the collection', async () => {
    const ctx = { seen: [] as unknown[] };
    const list = ['a', 'b'];
    await compat.forEach(
      list,
      async function (this: typeof ctx, v: string, i: number, all: string[]) {
        this.seen.push([v, i, all === list]);
      },
      ctx,
    );
    expect(ctx.seen).toEqual([['a', 0, true], ['b', 1, true]]);
  });

  it('iterate Maps and Sets with forEach, and strings and typed arrays by index', async () => {
    const seen: unknown[] = [];
    await compat.forEach(new Map([['k', 1]]), async (v: unknown, k: unknown) => void seen.push([k, v]));
    await compat.forEach(new Set(['s']), async (v: unknown) => void seen.push(v));
    expect(await compat.map('ab', async (c: string) => c.toUpperCase())).toEqual(['A', 'B']);
    expect(await compat.map(new Uint8Array([1, 2]), async (n: number) => n * 2)).toEqual([2, 4]);
    expect(seen).toEqual([['k', 1], 's']);
  });

  it('explain what they need when given something else', async () => {
    await expect(compat.map(new Set([1]), async () => 1)).rejects.toThrow(/map\(\) was given a callback that waits for k6 calls.*arrays only, got Set/);
    await expect(compat.forEach({ forEach: 1 }, async () => 1)).rejects.toThrow(/arrays, Maps and Sets only, got Object/);
    await expect(compat.forEach([1], 'nope' as never)).rejects.toThrow('forEach: nope is not a function');
  });
});
