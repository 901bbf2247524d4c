/**
 * `remote_write` in the server config, with prometheus.yml's field names and defaults: each entry becomes a
 * RemoteWriteSender fed with every sample the store accepts (after `write_relabel_configs`), so the embedded
 * store mirrors to Prometheus, Mimir, Thanos Receive or VictoriaMetrics.
 */
import { z } from 'zod';
import { TelltaleError } from '../errors.ts';
import type { Clock } from '../load/clock.ts';
import type { Labels } from '../series/types.ts';
import type { SampleSink } from './forwarding-storage.ts';
import { relabel, type RelabelRule } from './relabel.ts';
import { RemoteWriteSender, type SenderOptions } from './remote-write-sender.ts';
import { pathString, promDuration, relabelConfig } from './scrape-config.ts';

const remoteWriteSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
  name: z.string().min(1).optional(),
  remote_timeout: promDuration.optional(),
  headers: z.record(z.string(), z.string()).default({}),
  basic_auth: z.strictObject({ username: z.string(), password: z.string().optional() }).optional(),
  bearer_token: z.string().optional(),
  write_relabel_configs: z.array(relabelConfig).default([]),
  queue_config: z
    .strictObject({
      capacity: z.number().int().positive().optional(),
      min_shards: z.number().int().positive().optional(),
      max_shards: z.number().int().positive().optional(),
      max_samples_per_send: z.number().int().positive().optional(),
      batch_send_deadline: promDuration.optional(),
      min_backoff: promDuration.optional(),
      max_backoff: promDuration.optional(),
      retries: z.number().int().nonnegative().optional(),
    })
    .default({}),
});

export interface RemoteWriteTarget {
  name: string;
  options: Omit<SenderOptions, 'clock'>;
  writeRelabel: RelabelRule[];
}

/** Validates the `remote_write` list. Throws TT_SERVE_CONFIG naming the field, e.g. `remote_write[0].queue_config.max_shards`. */
export function parseRemoteWriteConfig(input: unknown, externalLabels: Record<string, string>, file?: string): RemoteWriteTarget[] {
  const result = z.array(remoteWriteSchema).safeParse(input ?? []);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = pathString(issue.path);
    const field = `remote_write${path === '' || path.startsWith('[') ? path : `.${path}`}`;
    throw new TelltaleError('TT_SERVE_CONFIG', `${field}: ${issue.message}`, { field, file });
  }
  const names = new Set<string>();
  return result.data.map((c, i) => {
    const fail = (key: string, msg: string): never => {
      const field = `remote_write[${i}].${key}`;
      throw new TelltaleError('TT_SERVE_CONFIG', `${field}: ${msg}`, { field, file });
    };
    const name = c.name ?? new URL(c.url).host;
    if (names.has(name)) fail('name', `two remote_write entries are named ${JSON.stringify(name)}; give each its own name`);
    names.add(name);
    if (c.basic_auth && c.bearer_token) fail('bearer_token', 'basic_auth and bearer_token are mutually exclusive');
    const q = c.queue_config;
    if (q.min_shards !== undefined && q.max_shards !== undefined && q.min_shards > q.max_shards) fail('queue_config.min_shards', `${q.min_shards} is more than max_shards ${q.max_shards}`);
    if (q.min_backoff !== undefined && q.max_backoff !== undefined && q.min_backoff > q.max_backoff) fail('queue_config.min_backoff', 'is longer than max_backoff');
    const headers = { ...c.headers };
    if (c.basic_auth) headers.authorization = `Basic ${Buffer.from(`${c.basic_auth.username}:${c.basic_auth.password ?? ''}`).toString('base64')}`;
    if (c.bearer_token) headers.authorization = `Bearer ${c.bearer_token}`;
    return {
      name,
      writeRelabel: c.write_relabel_configs,
      options: {
        url: c.url,
        externalLabels,
        headers,
        timeoutMs: c.remote_timeout,
        capacity: q.capacity,
        minShards: q.min_shards,
        maxShards: q.max_shards,
        maxSamplesPerSend: q.max_samples_per_send,
        batchSendDeadlineMs: q.batch_send_deadline,
        minBackoffMs: q.min_backoff,
        maxBackoffMs: q.max_backoff,
        maxRetries: q.retries,
      },
    };
  });
}

/** A sender behind its write_relabel_configs: a sample whose series the rules drop is not sent. */
export class RemoteWriteSink implements SampleSink {
  readonly name: string;
  readonly sender: RemoteWriteSender;
  private readonly rules: readonly RelabelRule[];
  /** the relabelled label set (or null: dropped) per input label set, while the same objects come back */
  private readonly memo = new WeakMap<Labels, Labels | null>();

  constructor(target: RemoteWriteTarget, clock: Clock) {
    this.name = target.name;
    this.rules = target.writeRelabel;
    this.sender = new RemoteWriteSender({ ...target.options, clock });
  }

  enqueue(labels: Labels, t: number, v: number): void {
    if (this.rules.length === 0) return this.sender.enqueue(labels, t, v);
    let out = this.memo.get(labels);
    if (out === undefined) {
      out = relabel(labels, this.rules) ?? null;
      this.memo.set(labels, out);
    }
    if (out !== null) this.sender.enqueue(out, t, v);
  }

  close(): Promise<void> {
    return this.sender.close();
  }
}
