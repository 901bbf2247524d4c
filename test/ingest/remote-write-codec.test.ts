import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LabelsCache, decodeWriteRequest, encodeWriteRequest, snappyDecode, snappyEncode } from '../../src/ingest/remote-write-codec.ts';
import { receiveRemoteWrite } from '../../src/ingest/remote-write-receiver.ts';
import { WireReader, WireWriter } from '../../src/ingest/protobuf-wire.ts';
import { STALE_NAN, isStaleNaN } from '../../src/series/types.ts';
import { TelltaleError } from '../../src/errors.ts';
import { MemoryStorage } from './storage-double.ts';

const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,10}$/);
const series = fc.record({
  labels: fc.dictionary(labelName, fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }), { maxKeys: 5 }),
  samples: fc.array(fc.tuple(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.double()), { maxLength: 5 }),
});

describe('protobuf varints', () => {
  it('round-trips int64 over the safe range, negatives included', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const w = new WireWriter(4);
        w.int64(n);
        expect(new WireReader(w.finish()).int64()).toBe(n);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('WriteRequest codec', () => {
  it('round-trips series, sorted labels and bit-exact values (the staleness marker survives)', () => {
    const raw = encodeWriteRequest([{ labels: { z: '1', __name__: 'up', a: 'x' }, timestamps: [1, -5], values: Float64Array.of(STALE_NAN, 2.5) }]);
    const decoded = decodeWriteRequest(snappyDecode(snappyEncode(raw)));
    expect(decoded.samples).toBe(2);
    expect(Object.keys(decoded.series[0].labels)).toEqual(['__name__', 'a', 'z']);
    expect(isStaleNaN(decoded.series[0].values[0])).toBe(true);
    expect([...decoded.series[0].timestamps]).toEqual([1, -5]);
  });

  it('property: encode → decode is the identity', () => {
    fc.assert(
      fc.property(fc.array(series, { maxLength: 6 }), (list) => {
        const input = list.map((s) => ({ labels: s.labels, timestamps: s.samples.map((x) => x[0]), values: s.samples.map((x) => x[1]) }));
        const out = decodeWriteRequest(encodeWriteRequest(input));
        expect(out.series).toHaveLength(input.length);
        out.series.forEach((s, i) => {
          expect(s.labels).toEqual(input[i].labels);
          expect([...s.timestamps]).toEqual(input[i].timestamps);
          expect([...s.values]).toEqual(input[i].values);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('property: random and truncated bytes fail with TT_INGEST_INVALID, never a crash', () => {
    const valid = encodeWriteRequest([{ labels: { __name__: 'a', b: 'c' }, timestamps: [1, 2, 3], values: [1, 2, 3] }]);
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: valid.length - 1 }).map((n) => valid.slice(0, n))), (bytes) => {
        for (const attempt of [() => decodeWriteRequest(bytes), () => snappyDecode(bytes)]) {
          try {
            attempt();
          } catch (err) {
            expect(err).toBeInstanceOf(TelltaleError);
            expect((err as TelltaleError).code).toBe('TT_INGEST_INVALID');
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('property: the fast path and the label cache decode exactly what the checked decoder does, or fail the same way', () => {
    const outcome = (f: () => ReturnType<typeof decodeWriteRequest>) => {
      try {
        const d = f();
        return { series: d.series.map((s) => ({ ...s, labels: { ...s.labels }, timestamps: [...s.timestamps], values: Array.from(new Uint8Array(s.values.buffer, s.values.byteOffset, s.values.byteLength)) })), n: [d.samples, d.histograms, d.exemplars, d.metadata] };
      } catch (err) {
        return { error: (err as Error).message };
      }
    };
    const cache = new LabelsCache(50);
    const mutated = fc
      .tuple(fc.array(series, { minLength: 1, maxLength: 6 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), fc.nat())
      .map(([list, edits, cut]) => {
        const raw = encodeWriteRequest(list.map((s) => ({ labels: s.labels, timestamps: s.samples.map((x) => x[0]), values: s.samples.map((x) => x[1]) })));
        for (const [i, b] of edits) if (raw.length > 0) raw[i % raw.length] = b;
        return edits.length > 0 && cut % 3 === 0 ? raw.slice(0, cut % (raw.length + 1)) : raw;
      });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 120 })), (bytes) => {
        const want = outcome(() => decodeWriteRequest(bytes, undefined, true));
        expect(outcome(() => decodeWriteRequest(bytes))).toEqual(want);
        // twice through one cache: a miss, then a hit
        expect(outcome(() => decodeWriteRequest(bytes, cache))).toEqual(want);
        expect(outcome(() => decodeWriteRequest(bytes, cache))).toEqual(want);
      }),
      { numRuns: 3000 },
    );
  });

  it('property: a sender that reorders, adds and drops series between requests decodes the same through one small cache', () => {
    const pool = Array.from({ length: 12 }, (_, i) => ({ __name__: 'm', instance: `i${i % 4}`, k: `v${i}` }));
    const cache = new LabelsCache(7);
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 11 }), { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 8 }), (orders) => {
        for (const order of orders) {
          const bytes = encodeWriteRequest(order.map((k, i) => ({ labels: pool[k], timestamps: [i + 1], values: [k] })));
          const got = decodeWriteRequest(bytes, cache);
          expect(got.flat?.labels).toEqual(order.map((k) => pool[k]));
          expect([...(got.flat?.starts ?? [])]).toEqual(order.map((_, i) => i).concat(order.length));
          expect(got.series.map((s) => [s.labels, [...s.timestamps], [...s.values]])).toEqual(order.map((k, i) => [pool[k], [i + 1], [k]]));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('the label cache hands out one object per label set and stays bounded', () => {
    const cache = new LabelsCache(3);
    const req = (job: string) => encodeWriteRequest([{ labels: { __name__: 'up', job }, timestamps: [1], values: [1] }]);
    const a = decodeWriteRequest(req('a'), cache).series[0].labels;
    expect(decodeWriteRequest(req('a'), cache).series[0].labels).toBe(a);
    expect(decodeWriteRequest(req('b'), cache).series[0].labels).not.toBe(a);
    for (const j of ['c', 'd', 'e']) decodeWriteRequest(req(j), cache);
    expect(cache.size).toBeLessThanOrEqual(3);
    expect(decodeWriteRequest(req('a'), cache).series[0].labels).toEqual({ __name__: 'up', job: 'a' });
    // bounded by bytes too: an entry here is 15 bytes, so 40 bytes hold two
    const small = new LabelsCache(1000, 40);
    for (const j of ['a', 'b', 'c', 'd', 'e']) {
      expect(decodeWriteRequest(req(j), small).series[0].labels).toEqual({ __name__: 'up', job: j });
      expect(small.size).toBeLessThanOrEqual(2);
    }
    expect(decodeWriteRequest(req('e'), small).series[0].labels).toEqual({ __name__: 'up', job: 'e' });
  });

  it('takes the fast path for what senders write (samples of every series in one buffer)', () => {
    const two = decodeWriteRequest(encodeWriteRequest([{ labels: { __name__: 'a' }, timestamps: [1, 2], values: [1, 2] }, { labels: { __name__: 'b' }, timestamps: [3], values: [3] }]));
    expect(two.series[0].timestamps.buffer).toBe(two.series[1].timestamps.buffer);
    const checked = decodeWriteRequest(encodeWriteRequest([{ labels: { __name__: 'a' }, timestamps: [1], values: [1] }, { labels: { __name__: 'b' }, timestamps: [3], values: [3] }]), undefined, true);
    expect(checked.series[0].timestamps.buffer).not.toBe(checked.series[1].timestamps.buffer);
  });

  it('the fast path grows its sample arrays for a request of many samples and few label bytes', () => {
    const n = 20_000;
    const timestamps = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 15_000);
    const values = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? STALE_NAN : i / 7));
    const body = encodeWriteRequest([{ labels: { __name__: 'a' }, timestamps, values }, { labels: { __name__: 'b' }, timestamps: [1], values: [2] }]);
    const fast = decodeWriteRequest(body, new LabelsCache());
    expect(fast.flat).toBeDefined();
    const bits = (v: Float64Array) => Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    const checked = decodeWriteRequest(body, undefined, true);
    expect(fast.series.map((s) => [s.labels, [...s.timestamps], bits(s.values)])).toEqual(checked.series.map((s) => [s.labels, [...s.timestamps], bits(s.values)]));
    expect(fast.samples).toBe(n + 1);
  });

  it('names the field and the byte offset of a malformed message', () => {
    // timeseries[0] whose label field claims 16 bytes but holds 1
    expect(() => decodeWriteRequest(new Uint8Array([0x0a, 0x03, 0x0a, 0x10, 0x01]))).toThrow(/malformed WriteRequest: length 16 runs past the end of the message at byte 3/);
    expect(() => decodeWriteRequest(new Uint8Array([0x0a, 0x02, 0x10, 0x01]))).toThrow(/timeseries\[0\]: field 2 has wire type 0/);
  });
});

describe('remote_write receiver', () => {
  const body = (list: { labels: Record<string, string>; timestamps: number[]; values: number[] }[]) => snappyEncode(encodeWriteRequest(list));

  it('stores every sample and answers 204', async () => {
    const storage = new MemoryStorage();
    const out = await receiveRemoteWrite(storage, body([{ labels: { __name__: 'a' }, timestamps: [1, 2], values: [1, 2] }]));
    expect(out.status).toBe(204);
    expect(storage.get({ __name__: 'a' })).toEqual([{ t: 1, v: 1 }, { t: 2, v: 2 }]);
  });

  it('answers 400 naming refused samples, and keeps the accepted ones', async () => {
    const storage = new MemoryStorage();
    await receiveRemoteWrite(storage, body([{ labels: { __name__: 'a' }, timestamps: [10], values: [1] }]));
    const out = await receiveRemoteWrite(storage, body([
      { labels: { __name__: 'a' }, timestamps: [5, 10], values: [1, 9] },
      { labels: { __name__: 'b' }, timestamps: [1], values: [1] },
      { labels: { 'bad-name': 'x', __name__: 'c' }, timestamps: [1], values: [1] },
    ]));
    expect(out.status).toBe(400);
    expect(out.message).toBe('3 samples refused: 1 with invalid labels, 1 out of order, 1 duplicate sample for timestamp; 1 stored');
    expect(storage.get({ __name__: 'b' })).toEqual([{ t: 1, v: 1 }]);
  });

  it('appends nothing from a malformed body', async () => {
    const storage = new MemoryStorage();
    const raw = encodeWriteRequest([{ labels: { __name__: 'a' }, timestamps: [1], values: [1] }]);
    const out = await receiveRemoteWrite(storage, snappyEncode(raw.slice(0, raw.length - 1)));
    expect(out.status).toBe(400);
    expect(out.message).toMatch(/^malformed WriteRequest/);
    expect(storage.commits).toBe(0);
    expect((await receiveRemoteWrite(storage, new Uint8Array([0xff, 0xff]))).message).toMatch(/not snappy/);
  });

  it('answers 500 when the store cannot commit, so the sender retries', async () => {
    const storage = new MemoryStorage();
    storage.failCommit = new Error('disk full');
    const out = await receiveRemoteWrite(storage, body([{ labels: { __name__: 'a' }, timestamps: [1], values: [1] }]));
    expect(out).toMatchObject({ status: 500, message: 'storing the samples failed: disk full' });
  });
});
