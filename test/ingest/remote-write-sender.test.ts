import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/load/clock.ts';
import { RemoteWriteSender } from '../../src/ingest/remote-write-sender.ts';
import { SampleRing, type HttpPost, type PostResponse } from '../../src/ingest/remote-write-shard.ts';
import { ForwardingStorage } from '../../src/ingest/forwarding-storage.ts';
import { decodeWriteRequest, snappyDecode } from '../../src/ingest/remote-write-codec.ts';
import { labelsKey } from '../../src/series/labels.ts';
import { STALE_NAN, isStaleNaN } from '../../src/series/types.ts';
import { MemoryStorage } from './storage-double.ts';

interface Received {
  headers: Record<string, string>;
  samples: { key: string; t: number; v: number }[];
}

function recorder(clock: FakeClock, answers: (number | Error)[] = [], sendMs = 0) {
  const received: Received[] = [];
  const attempts: number[] = [];
  const post: HttpPost = async (_url, body, headers): Promise<PostResponse> => {
    attempts.push(clock.now());
    if (sendMs > 0) await clock.sleep(sendMs);
    const next = answers.shift();
    if (next instanceof Error) throw next;
    const status = next ?? 204;
    if (status < 300) {
      const req = decodeWriteRequest(snappyDecode(body));
      received.push({ headers, samples: req.series.flatMap((s) => [...s.timestamps].map((t, i) => ({ key: labelsKey(s.labels), t, v: s.values[i] }))) });
    }
    return { status, body: status < 300 ? '' : 'nope' };
  };
  return { post, received, attempts };
}

const series = (i: number) => ({ __name__: 'm', i: String(i) });

describe('remote_write sender', () => {
  it('sends full batches at once and partial ones at the batch deadline, with the protocol headers', async () => {
    const clock = new FakeClock();
    const { post, received } = recorder(clock);
    const sender = new RemoteWriteSender({ url: 'http://x/api/v1/write', clock, post, maxSamplesPerSend: 10, batchSendDeadlineMs: 1000, random: () => 0.5 });
    for (let i = 0; i < 25; i++) sender.enqueue(series(i % 3), 1000 + i, i);
    await clock.advance(1);
    expect(received.map((r) => r.samples.length)).toEqual([10, 10]);
    await clock.advance(1000);
    expect(received.map((r) => r.samples.length)).toEqual([10, 10, 5]);
    expect(received[0].headers).toMatchObject({
      'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf', 'X-Prometheus-Remote-Write-Version': '0.1.0',
    });
    expect(received[0].headers['User-Agent']).toMatch(/^Telltale\//);
    await sender.close();
    expect(sender.stats).toMatchObject({ samplesIn: 25, samplesSent: 25, samplesFailed: 0, samplesDropped: 0 });
  });

  it('retries 5xx, 429 and network errors with growing backoff, and drops on other 4xx', async () => {
    const clock = new FakeClock();
    const { post, received, attempts } = recorder(clock, [500, new Error('ECONNRESET'), 429, 204, 400]);
    const sender = new RemoteWriteSender({ url: 'u', clock, post, maxSamplesPerSend: 1, minBackoffMs: 100, maxBackoffMs: 1000, random: () => 0 });
    sender.enqueue(series(1), 1, 1);
    await clock.advance(10_000);
    expect(received).toHaveLength(1);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]);
    expect(gaps).toEqual([50, 100, 200]); // half of 100, 200, 400 with zero jitter
    sender.enqueue(series(1), 2, 2);
    await clock.advance(10_000);
    await sender.close();
    expect(sender.stats).toMatchObject({ samplesSent: 1, samplesFailed: 1, retries: 3 });
    expect(sender.stats.lastError).toMatch(/^HTTP 400/);
  });

  it('gives up after maxRetries', async () => {
    const clock = new FakeClock();
    const { post, attempts } = recorder(clock, [503, 503, 503, 503, 503]);
    const sender = new RemoteWriteSender({ url: 'u', clock, post, maxSamplesPerSend: 1, maxRetries: 2, minBackoffMs: 10 });
    sender.enqueue(series(1), 1, 1);
    await clock.advance(60_000);
    await sender.close();
    expect(attempts).toHaveLength(3);
    expect(sender.stats.samplesFailed).toBe(1);
  });

  it('bounds memory: a full queue drops its oldest samples, counted', async () => {
    const clock = new FakeClock();
    const { post, received } = recorder(clock);
    const sender = new RemoteWriteSender({ url: 'u', clock, post, capacity: 5, maxSamplesPerSend: 100, batchSendDeadlineMs: 1000 });
    for (let t = 1; t <= 8; t++) sender.enqueue(series(1), t, t);
    await clock.advance(2000);
    await sender.close();
    expect(sender.stats.samplesDropped).toBe(3);
    expect(received[0].samples.map((s) => s.t)).toEqual([4, 5, 6, 7, 8]);
  });

  it('keeps staleness markers bit for bit', async () => {
    const ring = new SampleRing(4);
    ring.push(series(1), 1, STALE_NAN);
    expect(isStaleNaN(ring.take(1, labelsKey).series[0].values[0])).toBe(true);
  });

  it('adds shards when sends cannot keep up, and keeps every series in order', async () => {
    const clock = new FakeClock();
    const { post, received } = recorder(clock, [], 100);
    const sender = new RemoteWriteSender({ url: 'u', clock, post, maxSamplesPerSend: 100, batchSendDeadlineMs: 200, reshardIntervalMs: 1000, capacity: 100_000, maxShards: 16 });
    let t = 0;
    for (let step = 0; step < 40; step++) {
      for (let i = 0; i < 500; i++) sender.enqueue(series(i % 50), ++t, t);
      await clock.advance(100);
    }
    expect(sender.stats.shards).toBeGreaterThan(1);
    await clock.advance(60_000);
    await sender.close();
    expect(sender.stats.samplesSent).toBe(20_000);
    const lastByKey = new Map<string, number>();
    for (const r of received) for (const s of r.samples) {
      expect(s.t).toBeGreaterThan(lastByKey.get(s.key) ?? -1);
      lastByKey.set(s.key, s.t);
    }
  });
});

describe('forwarding storage', () => {
  it('forwards only what a commit accepted', async () => {
    const inner = new MemoryStorage();
    const got: number[] = [];
    const storage = new ForwardingStorage(inner, [{ enqueue: (_l, t) => got.push(t) }]);
    const a = storage.appender();
    a.append({ __name__: 'x' }, 10, 1);
    a.append({ __name__: 'x' }, 5, 1); // out of order: refused
    a.append({ 'bad-name': 'y' }, 5, 1);
    expect(got).toEqual([]);
    await a.commit();
    expect(got).toEqual([10]);
    a.append({ __name__: 'x' }, 20, 1);
    a.rollback();
    await a.commit();
    expect(got).toEqual([10]);
  });
});
