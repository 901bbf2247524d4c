import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { XorAppender, XorIterator, chunkCount } from '../../src/tsdb/xor-chunk.ts';
import { fromBits, hiBits, loBitsOfLast } from '../../src/tsdb/float-bits.ts';
import { ArrayIterator, BoundedIterator, ChunkListIterator, MergeIterator, type ChunkRef } from '../../src/tsdb/iterators.ts';
import { STALE_NAN, isStaleNaN } from '../../src/series/types.ts';
import { DecimalIterator, encodeDecimal } from '../../src/tsdb/decimal-chunk.ts';
import { chunkIterator, smallestEncoding } from '../../src/tsdb/chunk-encoding.ts';
import type { SampleIterator } from '../../src/series/types.ts';

/** Values as raw bit patterns, so the check is bit-exact (NaN payloads, -0). */
interface Sample {
  t: number;
  hi: number;
  lo: number;
}

const special = fc.constantFrom(NaN, STALE_NAN, Infinity, -Infinity, -0, 0, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE);
const anyBits = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }));
const scrapeLike = fc.integer({ min: 0, max: 1_000_000 }).map((n) => n / 4);
const valueBits = fc.oneof(
  special.map((v) => [hiBits(v), loBitsOfLast()] as [number, number]),
  anyBits,
  fc.double().map((v) => [hiBits(v), loBitsOfLast()] as [number, number]),
  scrapeLike.map((v) => [hiBits(v), loBitsOfLast()] as [number, number]),
);
const delta = fc.oneof(
  fc.constant(15_000),
  fc.integer({ min: 14_990, max: 15_010 }),
  fc.integer({ min: 1, max: 100 }),
  fc.integer({ min: 1, max: 2 ** 31 }),
  fc.integer({ min: 1, max: 2 ** 50 }),
);
const samples = fc
  .tuple(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), fc.array(fc.tuple(delta, valueBits), { minLength: 1, maxLength: 300 }))
  .map(([start, steps]) => {
    const out: Sample[] = [];
    let t = start;
    for (const [d, [hi, lo]] of steps) {
      if (!Number.isSafeInteger(t + d)) break;
      out.push({ t, hi, lo });
      t += d;
    }
    return out;
  })
  .filter((s) => s.length > 0);

function encode(ss: readonly Sample[]): Uint8Array {
  const a = new XorAppender();
  for (const s of ss) a.append(s.t, fromBits(s.hi, s.lo));
  return a.bytes();
}

function decode(it: SampleIterator): Sample[] {
  const out: Sample[] = [];
  while (it.next()) {
    const hi = hiBits(it.v());
    out.push({ t: it.t(), hi, lo: loBitsOfLast() });
  }
  return out;
}

describe('XOR chunk codec', () => {
  it('round-trips timestamps and value bits exactly', () => {
    fc.assert(
      fc.property(samples, (ss) => {
        const bytes = encode(ss);
        expect(chunkCount(bytes)).toBe(ss.length);
        expect(decode(new XorIterator(bytes))).toEqual(ss);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the staleness marker distinct from an ordinary NaN', () => {
    const a = new XorAppender();
    a.append(1000, 1);
    a.append(2000, STALE_NAN);
    a.append(3000, NaN);
    a.append(4000, STALE_NAN);
    const it = new XorIterator(a.bytes());
    const stale: boolean[] = [];
    while (it.next()) stale.push(isStaleNaN(it.v()));
    expect(stale).toEqual([false, true, false, true]);
  });

  it('compresses regular scrapes of a counter to under 2 bytes per sample', () => {
    const a = new XorAppender();
    let v = 1000;
    for (let i = 0; i < 120; i++) {
      a.append(1_700_000_000_000 + i * 15_000, v);
      v += 3;
    }
    expect(a.bytes().length / 120).toBeLessThan(2);
  });

  it('reads a growing chunk only up to the count it is given', () => {
    fc.assert(
      fc.property(samples, fc.nat(), (ss, k) => {
        const a = new XorAppender();
        const cut = k % ss.length;
        let snapshot: { buf: Uint8Array; count: number } | undefined;
        ss.forEach((s, i) => {
          a.append(s.t, fromBits(s.hi, s.lo));
          if (i === cut) snapshot = { buf: a.w.buf, count: a.count };
        });
        expect(decode(new XorIterator(snapshot!.buf, snapshot!.count))).toEqual(ss.slice(0, cut + 1));
      }),
      { numRuns: 200 },
    );
  });

  it('throws a RangeError, never loops or crashes, on truncated or garbage chunks', () => {
    fc.assert(
      fc.property(samples, fc.nat(), (ss, k) => {
        const bytes = encode(ss);
        const cut = bytes.slice(0, k % bytes.length);
        try {
          decode(new XorIterator(cut, ss.length));
        } catch (err) {
          expect(err).toBeInstanceOf(RangeError);
        }
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (garbage) => {
        try {
          decode(new XorIterator(garbage));
        } catch (err) {
          expect(err).toBeInstanceOf(RangeError);
        }
      }),
    );
  });
});

type Op = { kind: 'next' } | { kind: 'seek'; t: number };

/** What next/seek must return over a sorted list of timestamps (the model). */
function runModel(ts: number[], ops: Op[]): Array<number | false> {
  let i = -1;
  const out: Array<number | false> = [];
  for (const op of ops) {
    if (i >= ts.length) {
      out.push(false);
      continue;
    }
    if (op.kind === 'next') i++;
    else {
      if (i < 0) i = 0;
      while (i < ts.length && ts[i] < op.t) i++;
    }
    out.push(i < ts.length ? ts[i] : false);
  }
  return out;
}

function runIterator(it: SampleIterator, ops: Op[]): Array<number | false> {
  return ops.map((op) => ((op.kind === 'next' ? it.next() : it.seek(op.t)) ? it.t() : false));
}

const times = fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { minLength: 0, maxLength: 200 }).map((a) => a.sort((x, y) => x - y));
const ops = fc.array(fc.oneof(fc.constant<Op>({ kind: 'next' }), fc.integer({ min: -10, max: 5100 }).map((t): Op => ({ kind: 'seek', t }))), { maxLength: 60 });

function chunksOf(ts: number[], size: number): ChunkRef[] {
  const out: ChunkRef[] = [];
  for (let i = 0; i < ts.length; i += size) {
    const a = new XorAppender();
    for (const t of ts.slice(i, i + size)) a.append(t, t * 2);
    out.push({ mint: a.mint, maxt: a.maxt, bytes: a.bytes(), count: a.count });
  }
  return out;
}

describe('iterators: next and seek', () => {
  it('a chunk iterator follows the model (seek never moves backwards)', () => {
    fc.assert(
      fc.property(times, ops, (ts, o) => {
        const it = ts.length === 0 ? new ChunkListIterator([]) : new XorIterator(chunksOf(ts, ts.length)[0].bytes);
        expect(runIterator(it, o)).toEqual(runModel(ts, o));
      }),
    );
  });

  it('a chunk list, an array and a merge of overlapping sources follow the model', () => {
    fc.assert(
      fc.property(times, times, fc.integer({ min: 1, max: 30 }), ops, (a, b, size, o) => {
        expect(runIterator(new ChunkListIterator(chunksOf(a, size)), o)).toEqual(runModel(a, o));
        const vs = new Float64Array(a.map((t) => t * 2));
        expect(runIterator(new ArrayIterator(a, vs), o)).toEqual(runModel(a, o));
        const union = [...new Set([...a, ...b])].sort((x, y) => x - y);
        const merged = new MergeIterator([new ChunkListIterator(chunksOf(a, size)), new ChunkListIterator(chunksOf(b, size))]);
        expect(runIterator(merged, o)).toEqual(runModel(union, o));
      }),
    );
  });

  it('a bounded iterator only yields samples in [mint, maxt]', () => {
    fc.assert(
      fc.property(times, fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), ops, (ts, x, y, o) => {
        const [mint, maxt] = x <= y ? [x, y] : [y, x];
        const it = new BoundedIterator(new ChunkListIterator(chunksOf(ts, 7)), mint, maxt);
        expect(runIterator(it, o)).toEqual(runModel(ts.filter((t) => t >= mint && t <= maxt), o));
      }),
    );
  });

  it('a merge prefers the first source on equal timestamps', () => {
    const first = new ArrayIterator([1, 2], new Float64Array([10, 20]));
    const second = new ArrayIterator([2, 3], new Float64Array([99, 30]));
    const it = new MergeIterator([first, second]);
    const got: number[] = [];
    while (it.next()) got.push(it.v());
    expect(got).toEqual([10, 20, 30]);
  });
});

describe('decimal chunk codec', () => {
  const decimals = fc.oneof(
    fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
    fc.integer({ min: -1e8, max: 1e8 }).map((n) => n / 100),
    fc.integer({ min: 0, max: 1e6 }).map((n) => n / 1000),
    fc.constantFrom(0, 1, -1, 0.5, 2 ** 49),
  );
  const series = fc
    .tuple(fc.integer({ min: 0, max: 2 ** 45 }), fc.array(fc.tuple(delta, fc.oneof(decimals, fc.double())), { minLength: 1, maxLength: 300 }))
    .map(([start, steps]) => {
      const ts: number[] = [];
      const vs: number[] = [];
      let t = start;
      for (const [d, v] of steps) {
        if (!Number.isSafeInteger(t + d)) break;
        ts.push(t);
        vs.push(v);
        t += d;
      }
      return { ts, vs: new Float64Array(vs) };
    });

  it('round-trips exactly whenever it accepts the values, and accepts short decimals', () => {
    fc.assert(
      fc.property(series, ({ ts, vs }) => {
        const bytes = encodeDecimal(ts, vs, ts.length);
        const want = ts.map((t, i) => ({ t, hi: hiBits(vs[i]), lo: loBitsOfLast() }));
        if (bytes) expect(decode(new DecimalIterator(bytes))).toEqual(want);
        const { bytes: best, encoding } = smallestEncoding(encode(want), want.length);
        expect(decode(chunkIterator(best, want.length, encoding))).toEqual(want);
      }),
      { numRuns: 500 },
    );
    const accepted = fc.oneof(
      fc.array(fc.integer({ min: -(2 ** 49), max: 2 ** 49 }), { minLength: 1, maxLength: 200 }),
      fc.array(fc.integer({ min: -1e12, max: 1e12 }).map((n) => n / 100), { minLength: 1, maxLength: 200 }),
    );
    fc.assert(
      fc.property(accepted, (values) => {
        const ts = values.map((_, i) => i * 15_000);
        expect(encodeDecimal(ts, new Float64Array(values), values.length)).toBeDefined();
      }),
    );
  });

  it('refuses -0, NaN (the staleness marker included) and infinities, which XOR keeps', () => {
    for (const v of [-0, NaN, STALE_NAN, Infinity, 0.1 + 0.2]) {
      expect(encodeDecimal([1, 2], new Float64Array([1, v]), 2)).toBeUndefined();
    }
  });

  it('is smaller than XOR for noisy integer counters', () => {
    const ts: number[] = [];
    const vs = new Float64Array(120);
    let v = 1e6;
    for (let i = 0; i < 120; i++) {
      ts.push(i * 15_000);
      v += 300 + ((i * 7919) % 150);
      vs[i] = v;
    }
    const xor = new XorAppender();
    ts.forEach((t, i) => xor.append(t, vs[i]));
    expect(encodeDecimal(ts, vs, 120)!.length).toBeLessThan(xor.bytes().length * 0.7);
  });

  it('throws a RangeError on truncated chunks', () => {
    const ts = Array.from({ length: 50 }, (_, i) => i * 1000);
    const bytes = encodeDecimal(ts, new Float64Array(ts.map((t) => t / 10 + 0.5)), 50)!;
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(() => decode(new DecimalIterator(bytes.slice(0, cut), 50))).toThrow(RangeError);
    }
  });
});
