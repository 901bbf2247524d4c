import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RemoteWriteSink, parseRemoteWriteConfig } from '../../src/ingest/remote-write-config.ts';
import { TelltaleError } from '../../src/errors.ts';
import { FakeClock } from '../../src/load/clock.ts';

describe('remote_write config', () => {
  it('maps prometheus.yml fields to the sender, with auth as a header', () => {
    const [t] = parseRemoteWriteConfig(
      [{ url: 'https://mimir.example/api/v1/push', remote_timeout: '10s', basic_auth: { username: 'u', password: 'p' }, queue_config: { max_shards: 4, min_shards: 2, batch_send_deadline: '1s', max_samples_per_send: 1000, min_backoff: '50ms', max_backoff: '2s', capacity: 5000 } }],
      { cluster: 'c1' },
    );
    expect(t.name).toBe('mimir.example');
    expect(t.options).toMatchObject({
      url: 'https://mimir.example/api/v1/push', timeoutMs: 10_000, externalLabels: { cluster: 'c1' }, maxShards: 4, minShards: 2, batchSendDeadlineMs: 1000,
      maxSamplesPerSend: 1000, minBackoffMs: 50, maxBackoffMs: 2000, capacity: 5000, headers: { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
    });
  });

  it.each([
    [[{ url: 'not a url' }], /remote_write\[0\]\.url/],
    [[{ url: 'http://a/w', queue_config: { max_shards: 0 } }], /remote_write\[0\]\.queue_config\.max_shards/],
    [[{ url: 'http://a/w', queue_config: { min_shards: 5, max_shards: 2 } }], /remote_write\[0\]\.queue_config\.min_shards: 5 is more than max_shards 2/],
    [[{ url: 'http://a/w', bearer_token: 't', basic_auth: { username: 'u' } }], /remote_write\[0\]\.bearer_token: basic_auth and bearer_token are mutually exclusive/],
    [[{ url: 'http://a/w' }, { url: 'http://a/other' }], /remote_write\[1\]\.name: two remote_write entries are named "a"/],
    [[{ url: 'http://a/w', write_relabel_configs: [{ action: 'drop' }] }], /remote_write\[0\]\.write_relabel_configs\[0\]\.source_labels/],
    [[{ url: 'http://a/w', unknown: 1 }], /remote_write\[0\]/],
    [{ url: 'http://a/w' }, /remote_write: /],
  ])('refuses %j naming the field', (input, message) => {
    expect(() => parseRemoteWriteConfig(input, {}, 'telltale.yaml')).toThrow(message);
  });

  it('property: any input parses or fails with TT_SERVE_CONFIG, never a crash', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.array(fc.record({ url: fc.oneof(fc.constant('http://h:1/w'), fc.string()), queue_config: fc.jsonValue(), write_relabel_configs: fc.jsonValue() }, { requiredKeys: [] }))), (input) => {
        try {
          parseRemoteWriteConfig(input, {});
        } catch (err) {
          expect(err).toBeInstanceOf(TelltaleError);
          expect((err as TelltaleError).code).toBe('TT_SERVE_CONFIG');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('write_relabel_configs decide what the sender gets', async () => {
    const [t] = parseRemoteWriteConfig([{ url: 'http://127.0.0.1:9/w', write_relabel_configs: [{ source_labels: ['__name__'], regex: 'go_.*', action: 'drop' }, { action: 'labeldrop', regex: 'pod' }] }], {});
    const sink = new RemoteWriteSink(t, new FakeClock(0));
    const sent: unknown[] = [];
    sink.sender.enqueue = (labels, ts, v) => void sent.push([labels, ts, v]);
    const keep = { __name__: 'up', job: 'a', pod: 'p1' };
    sink.enqueue({ __name__: 'go_gc_total', job: 'a' }, 1, 1);
    sink.enqueue(keep, 2, 1);
    sink.enqueue(keep, 3, 0);
    expect(sent).toEqual([[{ __name__: 'up', job: 'a' }, 2, 1], [{ __name__: 'up', job: 'a' }, 3, 0]]);
    await sink.sender.close(true);
  });
});
