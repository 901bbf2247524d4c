import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import snappy from 'snappyjs';
import { SnappyError, snappyUncompress } from '../../src/ingest/snappy.ts';
import { snappyDecode } from '../../src/ingest/remote-write-codec.ts';
import { TelltaleError } from '../../src/errors.ts';

const LIMIT = 1 << 20;

describe('snappy block decompression', () => {
  it('property: undoes snappyjs compression of any bytes, repetitive or not', () => {
    const repetitive = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 400 })).map(([chunk, times]) => {
      const out = new Uint8Array(chunk.length * times);
      for (let i = 0; i < times; i++) out.set(chunk, i * chunk.length);
      return out;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 5000 }), repetitive), (raw) => {
        expect(Buffer.from(snappyUncompress(snappy.compress(raw), LIMIT))).toEqual(Buffer.from(raw));
      }),
      { numRuns: 500 },
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
