/**
 * `remote_write` in the server config, against the real Prometheus (`--web.enable-remote-write-receiver`):
 * samples pushed into `telltale serve` are stored and mirrored, after write_relabel_configs, so that
 * Prometheus' API returns the same samples.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT } from '../helpers/cli.ts';
import { api, startServe, type ServeProcess } from '../helpers/serve.ts';
import { hasPrometheus, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.ts';
import { queryRange, waitFor } from '../ingest/prometheus-query.ts';
import { encodeWriteRequest, snappyEncode } from '../../src/ingest/remote-write-codec.ts';

let prom: RunningPrometheus;
let dir: string;
let served: ServeProcess;
let url: string;

async function startMirroring(configYaml: string): Promise<void> {
  const config = join(dir, 'telltale.yaml');
  writeFileSync(config, configYaml);
  served = await startServe(['--config', config, '--data', join(dir, 'data')]);
  url = served.url;
}

describe.skipIf(!hasPrometheus())('remote_write from telltale serve to the real Prometheus', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-rw-mirror-'));
    prom = await startPrometheus({ args: ['--web.enable-remote-write-receiver'] });
    await startMirroring(`
server:
  self_metrics_interval: 0   # only the pushed samples are mirrored, so they can be counted
global:
  external_labels: { replica: telltale-1 }
remote_write:
  - url: ${prom.url}/api/v1/write
    name: local-prometheus
    write_relabel_configs:
      - source_labels: [__name__]
        regex: debug_.*
        action: drop
    queue_config: { batch_send_deadline: 100ms, max_samples_per_send: 50, min_backoff: 10ms }
`);
  }, 60_000);
  afterAll(async () => {
    await served?.stop();
    await prom?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mirrors what the store accepted, with external labels, and drops what write_relabel_configs drops', async () => {
    const end = Math.floor(Date.now() / 1000) * 1000;
    const start = end - 60_000;
    const series = [0, 1, 2].map((i) => ({
      labels: { __name__: 'mirrored_total', job: 'push', instance: `i${i}` },
      timestamps: Array.from({ length: 61 }, (_, k) => start + k * 1000),
      values: Array.from({ length: 61 }, (_, k) => k * (i + 1)),
    }));
    const dropped = { labels: { __name__: 'debug_internal', job: 'push' }, timestamps: [end], values: [1] };
    const res = await api(url, '/api/v1/write', {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' },
      body: snappyEncode(encodeWriteRequest([...series, dropped])),
    });
    expect(res.status).toBe(204);
    let got = new Map<string, { t: number; v: number }[]>();
    await waitFor(async () => {
      got = await queryRange(prom, 'mirrored_total', start / 1000, end / 1000, 1);
      return [...got.values()].reduce((n, l) => n + l.length, 0) === 3 * 61;
    }, 30_000);
    for (const s of series) {
      const key = `mirrored_total{instance="${s.labels.instance}", job="push", replica="telltale-1"}`;
      expect(got.get(key)).toEqual(s.timestamps.map((t, k) => ({ t, v: s.values[k] })));
    }
    // the store has the dropped series; Prometheus does not
    const local = (await (await api(url, `/api/v1/query?query=debug_internal&time=${end / 1000}`)).json()) as { data: { result: unknown[] } };
    expect(local.data.result).toHaveLength(1);
    expect((await queryRange(prom, 'debug_internal', start / 1000, end / 1000, 1)).size).toBe(0);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/telltale_remote_write_samples_sent_total\{remote_name="local-prometheus"\} 183/);
    expect(metrics).toMatch(/telltale_remote_write_samples_failed_total\{remote_name="local-prometheus"\} 0/);
  }, 60_000);

  it('refuses a remote_write entry with a bad field, naming it', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'remote_write:\n  - url: ftp://example\n');
    const out = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const c = spawn(process.execPath, [BIN, 'validate', bad], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      c.on('close', (code) => resolve({ code, err }));
    });
    expect(out.code).toBe(104);
    expect(out.err).toMatch(/remote_write\[0\]\.url/);
  }, 30_000);
});
