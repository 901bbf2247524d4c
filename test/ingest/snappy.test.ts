import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import snappy from 'snappyjs';
import { SnappyError, SnappyScratch, snappyUncompress } from '../../src/ingest/snappy.ts';
import { snappyDecode } from '../../src/ingest/remote-write-codec.ts';
import { TelltaleError } from '../../src/errors.ts';

const LIMIT = 1 << 20;

describe('snappy block decompression', () => {
  it('property: undoes snappyjs compression of any bytes, repetitive or not', () => {
    const scratch = new SnappyScratch(4000);
    const repetitive = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 400 })).map(([chunk, times]) => {
      const out = new Uint8Array(chunk.length * times);
      for (let i = 0; i < times; i++) out.set(chunk, i * chunk.length);
      return out;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 5000 }), repetitive), (raw) => {
        expect(Buffer.from(snappyUncompress(snappy.compress(raw), LIMIT))).toEqual(Buffer.from(raw));
        // into a reused buffer (small enough that some blocks get their own)
        expect(Buffer.from(snappyUncompress(snappy.compress(raw), LIMIT, scratch))).toEqual(Buffer.from(raw));
      }),
      { numRuns: 500 },
    );
  });

  it('property: any valid block of literals and copies (overlapping ones included) decodes as a byte-by-byte reading of it', () => {
    type El = { lit: Uint8Array } | { len: number; back: number; kind: 1 | 2 | 3 };
    const el: fc.Arbitrary<El> = fc.oneof(
      fc.record({ lit: fc.uint8Array({ minLength: 1, maxLength: 70 }) }),
      fc.record({ len: fc.integer({ min: 4, max: 11 }), back: fc.integer({ min: 1, max: 2047 }), kind: fc.constant(1 as const) }),
      fc.record({ len: fc.integer({ min: 1, max: 64 }), back: fc.integer({ min: 1, max: 65535 }), kind: fc.constantFrom(2 as const, 3 as const) }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.array(el, { maxLength: 60 }), (first, els) => {
        const body: number[] = [];
        const expected: number[] = [];
        const literal = (bytes: Uint8Array): void => {
          body.push((bytes.length - 1) << 2, ...bytes);
          expected.push(...bytes);
        };
        literal(first);
        for (const e of els) {
          if ('lit' in e) {
            literal(e.lit);
            continue;
          }
          // offsets past what is written are clamped; kind 1 holds at most 11 bits of offset
          const offset = Math.min(e.back, expected.length);
          if (e.kind === 1) body.push(1 | ((e.len - 4) << 2) | ((offset >> 8) << 5), offset & 0xff);
          else if (e.kind === 2) body.push(2 | ((e.len - 1) << 2), offset & 0xff, offset >> 8);
          else body.push(3 | ((e.len - 1) << 2), offset & 0xff, (offset >> 8) & 0xff, 0, 0);
          for (let k = 0; k < e.len; k++) expected.push(expected[expected.length - offset]);
        }
        const header: number[] = [];
        for (let n = expected.length; ; n = Math.floor(n / 128)) {
          if (n < 128) {
            header.push(n);
            break;
          }
          header.push((n & 0x7f) | 0x80);
        }
        expect([...snappyUncompress(Uint8Array.from([...header, ...body]), LIMIT)]).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('handles long literals and far copies (a 300 KB body)', () => {
    const raw = new Uint8Array(300_000);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 7919) % 251 ^ (i >> 12);
    raw.copyWithin(200_000, 1000, 90_000);
    expect(Buffer.from(snappyUncompress(snappy.compress(raw), LIMIT))).toEqual(Buffer.from(raw));
  });

  it('refuses malformed blocks naming the byte, including one that made snappyjs loop forever', () => {
    expect(() => snappyUncompress(Uint8Array.from(Buffer.from('74fc407e55a3a1', 'hex')), LIMIT)).toThrow(/literal runs past the end of the input at byte 1/);
    expect(() => snappyUncompress(Uint8Array.of(0x05, 0x01, 0x00), LIMIT)).toThrow(/copy offset 0 is outside the 0 bytes written at byte 1/);
    expect(() => snappyUncompress(Uint8Array.of(0x03, 0x04, 0x61), LIMIT)).toThrow(/literal runs past the end/);
    expect(() => snappyUncompress(Uint8Array.of(0x05, 0x00, 0x61), LIMIT)).toThrow(/1 bytes decoded where the block declares 5/);
    expect(() => snappyUncompress(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f), LIMIT)).toThrow(/over the limit/);
    expect(() => snappyUncompress(new Uint8Array(0), LIMIT)).toThrow(/bad uncompressed length/);
    expect(() => snappyDecode(Uint8Array.of(0x80))).toThrow(TelltaleError);
  });

  it('property: arbitrary bytes decode or fail with SnappyError, never hang or write past the declared length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          const out = snappyUncompress(bytes, 4096);
          expect(out.length).toBeLessThanOrEqual(4096);
        } catch (err) {
          expect(err).toBeInstanceOf(SnappyError);
        }
      }),
      { numRuns: 20_000 },
    );
  });
});
