/**
 * Telltale's remote_write sender against the real Prometheus' receiver (`--web.enable-remote-write-receiver`):
 * what Prometheus then returns from query_range is what was sent, staleness included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPrometheus, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.ts';
import { RemoteWriteSender } from '../../src/ingest/remote-write-sender.ts';
import { ForwardingStorage } from '../../src/ingest/forwarding-storage.ts';
import { systemClock } from '../../src/load/clock.ts';
import { STALE_NAN } from '../../src/series/types.ts';
import { MemoryStorage } from './storage-double.ts';
import { queryRange, queryRaw } from './prometheus-query.ts';

let prom: RunningPrometheus;

describe.skipIf(!hasPrometheus())('remote_write sender → real Prometheus', () => {
  beforeAll(async () => {
    prom = await startPrometheus({ args: ['--web.enable-remote-write-receiver'] });
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
  });

  it('delivers committed samples that query_range then returns, in several batches and shards', async () => {
    const sender = new RemoteWriteSender({
      url: `${prom.url}/api/v1/write`, clock: systemClock, maxSamplesPerSend: 37, batchSendDeadlineMs: 50, minShards: 3, externalLabels: { origin: 'telltale' },
    });
    const storage = new ForwardingStorage(new MemoryStorage(), [sender]);
    const end = Math.floor(Date.now() / 1000) * 1000;
    const start = end - 120_000;
    const expected = new Map<string, { t: number; v: number }[]>();
    const app = storage.appender();
    for (let s = 0; s < 5; s++) {
      const key = `sent_total{instance="i${s}", job="sender", origin="telltale"}`;
      const list: { t: number; v: number }[] = [];
      for (let t = start; t <= end; t += 1000) {
        const v = s === 4 && t === end ? STALE_NAN : (t - start) / 1000 + s * 0.25;
        app.append({ __name__: 'sent_total', job: 'sender', instance: `i${s}` }, t, v);
        if (!(s === 4 && t === end)) list.push({ t, v });
      }
      expected.set(key, list);
    }
    // refused by the store (out of order): never sent
    app.append({ __name__: 'sent_total', job: 'sender', instance: 'i0' }, start - 1000, 99);
    await app.commit();
    await sender.close();
    expect(sender.stats).toMatchObject({ samplesSent: 5 * 121, samplesFailed: 0, samplesDropped: 0 });
    const range = await queryRange(prom, 'sent_total', start / 1000, end / 1000, 1);
    for (const [key, list] of expected) {
      expect(range.get(key)).toEqual(list);
    }
    // the staleness marker ends the fifth series: the raw samples stop one second before the end
    const raw = await queryRaw(prom, 'sent_total{instance="i4"}[3m]', end / 1000);
    expect([...raw.values()][0].length).toBe(120);
  });
});
