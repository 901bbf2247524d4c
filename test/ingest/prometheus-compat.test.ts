/**
 * Compatibility with the real Prometheus (2.42): it scrapes the same exposition bodies Telltale's scrape
 * loop scrapes, and remote-writes what it scraped into Telltale's receiver; the two must agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { hasPrometheus, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.ts';
import { parseScrapeConfigYaml } from '../../src/ingest/scrape-config.ts';
import { jobTargets } from '../../src/ingest/scrape-targets.ts';
import { ScrapeLoop } from '../../src/ingest/scrape-loop.ts';
import { systemClock } from '../../src/load/clock.ts';
import { registerIngestRoutes } from '../../src/server/routes/ingest.ts';
import { formatLabels } from '../../src/series/labels.ts';
import { MemoryStorage } from './storage-double.ts';
import { queryRaw, queryInstant, waitFor } from './prometheus-query.ts';

const TEXT = 'text/plain; version=0.0.4; charset=utf-8';
const OM = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
const nowS = Math.floor(Date.now() / 1000);
const EXPLICIT_TS = /^(node_with_ts|acme_temp|edge_om_ts2?|edge_ts_float)\{/;

const bodies: Record<string, [string, string]> = {
  node: [TEXT, `# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.
# TYPE node_cpu_seconds_total counter
node_cpu_seconds_total{cpu="0",mode="idle"} 12345.67
node_cpu_seconds_total{cpu="0",mode="user"} 89.01
# HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.
# TYPE node_filesystem_avail_bytes gauge
node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 1.23456789e+10
node_load1 0.42
# TYPE node_weird gauge
node_weird{path="C:\\\\dir\\\\",quote="say \\"hi\\"",nl="a\\nb",empty=""} -Inf
node_nan NaN
node_inf +Inf
node_exported{job="other",instance="elsewhere",exported_job="x"} 7
# just a comment
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.1"} 10
http_request_duration_seconds_bucket{le="+Inf"} 12
http_request_duration_seconds_sum 1.5
http_request_duration_seconds_count 12
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.5"} 0.01
rpc_duration_seconds_sum 10
rpc_duration_seconds_count 100
node_with_ts 5 ${(nowS - 30) * 1000}
go_drop_me 1
`],
  client: [TEXT, `# HELP process_cpu_user_seconds_total Total user CPU time spent in seconds.
# TYPE process_cpu_user_seconds_total counter
process_cpu_user_seconds_total 0.123456

# HELP nodejs_eventloop_lag_seconds Lag of event loop in seconds.
# TYPE nodejs_eventloop_lag_seconds gauge
nodejs_eventloop_lag_seconds 0.004219

# HELP http_requests_total Requests
# TYPE http_requests_total counter
http_requests_total{method="GET",route="/api/items",status="200",job="pushed"} 1027
http_requests_total{method="POST",route="/api/items",status="500"} 3
`],
  om: [OM, `# TYPE acme_requests counter
# HELP acme_requests Requests "served".
acme_requests_total{path="/"} 17.0 # {trace_id="abc"} 1.0 ${nowS - 20}.5
acme_requests_created{path="/"} ${nowS - 1000}.25
# TYPE acme_latency_seconds histogram
# UNIT acme_latency_seconds seconds
acme_latency_seconds_bucket{le="0.5"} 3
acme_latency_seconds_bucket{le="+Inf"} 5 # {trace_id="x"} 2.5
acme_latency_seconds_sum 4.5
acme_latency_seconds_count 5
acme_latency_seconds_created ${nowS - 1000}
# TYPE acme_build info
acme_build_info{version="1.2.3"} 1
# TYPE acme_temp gauge
acme_temp 21.5 ${nowS - 10}.123
# TYPE acme_state stateset
acme_state{acme_state="ready"} 1
acme_state{acme_state="busy"} 0
# TYPE acme_other unknown
acme_other 3
# EOF
`],
  // bodies at the edges of the grammar: each is its own job, so one that fails fails alone
  spaces: [TEXT, '  edge_spaced   {  a = "1" ,  }   3  \n'],
  dup: [TEXT, 'edge_dup 1\nedge_dup 2\nedge_after 3\n'],
  escape: [TEXT, 'edge_escape{a="x\\ty"} 1\n'],
  nonewline: [TEXT, 'edge_last 1'],
  upper: [TEXT, '# TYPE edge_upper COUNTER\nedge_upper 1\n'],
  cr: [TEXT, 'edge_cr 1\r\n'],
  bad: [TEXT, 'edge_ok 1\nedge_bad{ 2\n'],
  om_noeof: [OM, 'edge_om 1\n'],
  om_comma: [OM, 'edge_om_comma{a="1",} 1\n# EOF\n'],
  om_spaces: [OM, 'edge_om_spaces  1\n# EOF\n'],
  om_blank: [OM, 'edge_om_blank 1\n\n# EOF\n'],
  om_comment: [OM, '# hello\nedge_om_comment 1\n# EOF\n'],
  om_ts: [OM, `edge_om_ts 1 ${nowS - 5}.001\nedge_om_ts2 1 ${nowS - 5}.999\n# EOF\n`],
  text_ts_float: [TEXT, `edge_ts_float 1 ${nowS * 1000}.5\n`],
  om_gaugehist: [OM, '# TYPE gh gaugehistogram\ngh_bucket{le="1"} 1\ngh_bucket{le="+Inf"} 2\ngh_gcount 2\ngh_gsum 1\n# EOF\n'],
  empty: [TEXT, ''],
  lead: [TEXT, '  edge_lead 1\n'],
  sp_open: [TEXT, 'edge_sp_open{ a="1"} 1\n'],
  sp_eq: [TEXT, 'edge_sp_eq{a ="1"} 1\n'],
  sp_eq2: [TEXT, 'edge_sp_eq2{a= "1"} 1\n'],
  sp_comma: [TEXT, 'edge_sp_comma{a="1", b="2"} 1\n'],
  sp_comma2: [TEXT, 'edge_sp_comma2{a="1" ,b="2"} 1\n'],
  sp_close: [TEXT, 'edge_sp_close{a="1" } 1\n'],
  comma: [TEXT, 'edge_comma{a="1",} 1\n'],
  trail: [TEXT, 'edge_trail 1  \n'],
  name_brace: [TEXT, 'edge_name_brace {a="1"} 1\n'],
  brace_value: [TEXT, 'edge_brace_value{a="1"}1\n'],
  multi: [TEXT, `edge_multi   1   ${nowS * 1000}\n`],
  tabs: [TEXT, 'edge_tabs\t1\n'],
  help_only: [TEXT, '# HELP edge_help\nedge_help 1\n'],
  type_trailing: [TEXT, '# TYPE edge_tt counter \nedge_tt 1\n'],
  comment_sp: [TEXT, '#TYPE edge_cs counter\nedge_cs 1\n'],
  hexval: [TEXT, 'edge_hex 0x1p3\n'],
  inf_word: [TEXT, 'edge_infw Infinity\nedge_infl -inf\nedge_nanl nan\n'],
  ts_neg: [TEXT, 'edge_ts_neg 1 -1\n'],
  empty_braces: [TEXT, 'edge_empty_braces{} 1\n'],
  name_label: [TEXT, 'edge_name_label{__name__="x"} 1\n'],
  om_type_after: [OM, 'edge_om_ta 1\n# TYPE edge_om_ta gauge\n# EOF\n'],
  om_help_sp: [OM, '# HELP edge_om_h  two spaces\nedge_om_h 1\n# EOF\n'],
  om_eof_nl: [OM, 'edge_om_eofnl 1\n# EOF'],
  om_int_ts: [OM, `edge_om_it 1 ${nowS - 3}\n# EOF\n`],
  om_unit_bad: [OM, '# TYPE edge_om_u gauge\n# UNIT edge_om_u seconds\nedge_om_u 1\n# EOF\n'],
  om_escape: [OM, 'edge_om_esc{a="x\\ty"} 1\n# EOF\n'],
  om_type_upper: [OM, '# TYPE edge_om_tu GAUGE\nedge_om_tu 1\n# EOF\n'],
  om_untyped: [OM, '# TYPE edge_om_ut untyped\nedge_om_ut 1\n# EOF\n'],
};

let server: Server;
let prom: RunningPrometheus;
let app: FastifyInstance;
const pushed = new MemoryStorage();
const scraped = new MemoryStorage();
let config = '';
let promStart = 0;

function yaml(port: number, rwPort: number): string {
  const jobs = Object.keys(bodies).map((name) => `
  - job_name: ${name}
    metrics_path: /${name}
    honor_labels: ${name === 'client'}
    static_configs:
      - targets: ['127.0.0.1:${port}']
        labels: { env: test }
    metric_relabel_configs:
      - { source_labels: [__name__], regex: 'go_.*', action: drop }
      - { source_labels: [__name__, env], regex: 'node_load1;(.*)', target_label: copied, replacement: 'env-$1' }`).join('');
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:${jobs}
remote_write:
  - url: http://127.0.0.1:${rwPort}/api/v1/write
    queue_config: { batch_send_deadline: 500ms, min_backoff: 50ms }
`;
}

describe.skipIf(!hasPrometheus())('against the real Prometheus', () => {
  beforeAll(async () => {
    server = createServer((req, res) => {
      const body = bodies[(req.url ?? '/').slice(1)];
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': body[0] }).end(body[1]);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    app = Fastify();
    await registerIngestRoutes(app, { storage: pushed });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const rwPort = (app.server.address() as { port: number }).port;
    config = yaml(port, rwPort);
    promStart = Date.now();
    prom = await startPrometheus({ config });
    // Telltale scrapes the same targets with the same configuration
    for (const job of parseScrapeConfigYaml(config).scrapeConfigs) {
      // Prometheus 2.42 stores OpenMetrics `_created` series as samples (3.x does not, nor does Telltale by default)
      for (const target of jobTargets(job)) await new ScrapeLoop({ target, job, storage: scraped, clock: systemClock, keepCreatedSeries: true }).scrape();
    }
    await waitFor(async () => (await queryInstant(prom, 'count(up)')).length > 0 && pushed.find('up').length === Object.keys(bodies).length, 20_000);
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    await app?.close();
    await new Promise((r) => server?.close(r));
  });

  it('scrapes every body to the same series and values as Prometheus, and agrees on which bodies fail', async () => {
    const theirs = await queryRaw(prom, '{__name__=~".+",__name__!~"scrape_.*"}[1h]');
    const ours = new Map<string, { t: number; v: number }[]>();
    for (const s of scraped.find()) {
      if (s.labels.__name__.startsWith('scrape_')) continue;
      ours.set(formatLabels(s.labels), s.samples);
    }
    const differences: string[] = [];
    for (const [key, samples] of ours) {
      const p = theirs.get(key);
      if (!p) {
        differences.push(`only Telltale has ${key}`);
        continue;
      }
      const value = samples[0].v;
      const latest = p[p.length - 1].v;
      if (!(Object.is(value, latest) || (Number.isNaN(value) && Number.isNaN(latest)))) differences.push(`${key}: Telltale ${value}, Prometheus ${latest}`);
      // explicit timestamps must land on the same millisecond
      if (EXPLICIT_TS.test(key) && !p.some((x) => x.t === samples[0].t)) {
        differences.push(`${key}: Telltale timestamp ${samples[0].t}, Prometheus ${p.map((x) => x.t).join(',')}`);
      }
    }
    for (const key of theirs.keys()) if (!ours.has(key)) differences.push(`only Prometheus has ${key}`);
    expect(differences).toEqual([]);
    // sanity: the comparison covered the interesting cases
    expect(ours.get('up{env="test", instance="' + jobInstance() + '", job="bad"}')?.[0].v).toBe(0);
    expect([...ours.keys()].some((k) => k.includes('exported_exported_job="other"') && k.includes('exported_job="x"'))).toBe(true);
    expect([...ours.keys()].filter((k) => k.startsWith('up{')).length).toBe(Object.keys(bodies).length);
  });

  it('receives what Prometheus remote-writes: the same series and samples it stored', async () => {
    const theirs = await queryRaw(prom, '{__name__=~".+"}[1h]');
    const problems: string[] = [];
    let compared = 0;
    for (const s of pushed.find()) {
      const key = formatLabels(s.labels);
      const p = theirs.get(key);
      if (!p) {
        problems.push(`Prometheus has no ${key}`);
        continue;
      }
      const byT = new Map(p.map((x) => [x.t, x.v]));
      for (const sample of s.samples) {
        if (Number.isNaN(sample.v) && !byT.has(sample.t)) continue; // staleness markers are not returned by range selectors
        const v = byT.get(sample.t);
        if (v === undefined || !(Object.is(v, sample.v) || (Number.isNaN(v) && Number.isNaN(sample.v)))) problems.push(`${key}@${sample.t}: received ${sample.v}, Prometheus has ${v}`);
        compared++;
      }
    }
    // every series Prometheus scraped was sent (ours may lag a sample or two behind, not a series)
    // (Prometheus only sends samples newer than its remote-write queue's start, so older explicit timestamps are not sent)
    for (const [key, p] of theirs) {
      if (p.some((x) => x.t > promStart + 1000) && !pushed.find().some((s) => formatLabels(s.labels) === key)) problems.push(`not received: ${key}`);
    }
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(50);
  });
});

function jobInstance(): string {
  return `127.0.0.1:${(server.address() as { port: number }).port}`;
}
