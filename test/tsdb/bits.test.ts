import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BitReader, BitWriter } from '../../src/tsdb/bits.ts';

describe('bit writer and reader', () => {
  it('property: any run of writes of 0 to 32 bits (with stray high bits) reads back as the low bits, from any start', () => {
    const write = fc.tuple(fc.integer({ min: 0, max: 32 }), fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 }), fc.array(write, { maxLength: 60 }), fc.integer({ min: 4, max: 40 }), (start, writes, initial) => {
        const w = new BitWriter(initial);
        w.bits = start;
        for (const [n, v] of writes) w.write(v, n);
        expect(w.bits).toBe(start + writes.reduce((a, [n]) => a + n, 0));
        const bytes = w.bytes();
        expect(bytes.length).toBe((w.bits + 7) >>> 3);
        // nothing before `start` or after the last bit is touched
        for (let b = 0; b < start; b++) expect((bytes[b >>> 3] >>> (7 - (b & 7))) & 1).toBe(0);
        if (w.bits & 7) expect(bytes[bytes.length - 1] & ((1 << (8 - (w.bits & 7))) - 1)).toBe(0);
        const r = new BitReader(bytes, start, w.bits);
        for (const [n, v] of writes) expect(r.read(n)).toBe(n === 32 ? v >>> 0 : (v & (2 ** n - 1)) >>> 0);
        expect(() => r.read(1)).toThrow(RangeError);
      }),
      { numRuns: 1000 },
    );
  });

  it('writes 64-bit values as two halves', () => {
    const w = new BitWriter(1);
    w.write64(0x12345, 0xdeadbeef, 49);
    w.write64(0, 5, 3);
    const r = new BitReader(w.bytes());
    expect(r.read(17)).toBe(0x12345);
    expect(r.read(32)).toBe(0xdeadbeef);
    expect(r.read(3)).toBe(5);
  });
});
