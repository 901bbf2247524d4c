/**
 * Grafana compatibility: the requests Grafana's Prometheus data source makes (grafana-replay.fixture.ts)
 * are replayed against a real `telltale serve` and the real Prometheus, both loaded with the conformance
 * suite's generated data through remote_write and with the same rule file; the answers must match: HTTP
 * status, `status`, `errorType`, and the data (result type, labels, values; label and series lists;
 * rules). Known, documented differences are listed in KNOWN_DIFFERENCES.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPrometheus, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.ts';
import { apiHeaders, remoteWrite, startServe, until, type ServeProcess } from '../helpers/serve.ts';
import { diff, fromPrometheus } from '../promql-conformance/compare.ts';
import { generate, T0 } from '../promql-conformance/data.ts';
import { GRAFANA_HEADERS, GRAFANA_REQUESTS, REPLAY_RULES, type ReplayRequest } from './grafana-replay.fixture.ts';

/** Requests whose answers legitimately differ, and why (documented in docs/server.md). */
const KNOWN_DIFFERENCES: ReadonlyMap<string, string> = new Map([]);

interface Answer {
  status: number;
  body: { status: string; errorType?: string; error?: string; data?: unknown };
}

// the generated hour of data, moved to end 30 minutes ago so both servers keep it in their head
const END_MS = Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000;
const SHIFT = END_MS - 60 * 60_000 - T0;
const seconds = (ms: number) => String(ms / 1000);
const PLACEHOLDERS: Record<string, string> = {
  $START: seconds(T0 + SHIFT),
  $MID: seconds(T0 + SHIFT + 30 * 60_000 + 7_000),
  $END: seconds(END_MS),
  $END_RFC3339: new Date(END_MS).toISOString(),
};

function fill(values: Record<string, string | string[]> | undefined): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(values ?? {})) for (const x of Array.isArray(v) ? v : [v]) out.append(k, PLACEHOLDERS[x] ?? x);
  return out;
}

async function send(base: string, r: ReplayRequest, extraHeaders: Record<string, string>): Promise<Answer> {
  const qs = fill(r.query).toString();
  const headers: Record<string, string> = { ...GRAFANA_HEADERS, ...extraHeaders };
  const init: RequestInit = { method: r.method, headers };
  if (r.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    init.body = fill(r.form).toString();
  }
  const res = await fetch(`${base}${r.path}${qs ? `?${qs}` : ''}`, init);
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

interface RuleView { name: string; type: string; query: string; labels?: Record<string, string>; annotations?: Record<string, string>; duration?: number }

/** What a dashboard reads of /api/v1/rules, without evaluation times and health (they depend on when each server ran the group). */
function rulesShape(data: unknown) {
  const groups = (data as { groups: Array<{ name: string; interval: number; rules: RuleView[] }> }).groups;
  return groups.map((g) => ({
    name: g.name,
    interval: g.interval,
    rules: g.rules.map((r) => ({ name: r.name, type: r.type, query: r.query, labels: r.labels ?? {}, annotations: r.annotations ?? {}, duration: r.duration })),
  }));
}

/** Undefined when the answers agree for this request. */
function compare(r: ReplayRequest, ours: Answer, theirs: Answer): string | undefined {
  if (ours.status !== theirs.status) return `HTTP ${ours.status}, prometheus ${theirs.status}: ${JSON.stringify(ours.body)} | ${JSON.stringify(theirs.body)}`;
  if (ours.body.status !== theirs.body.status || ours.body.errorType !== theirs.body.errorType) {
    return `status ${ours.body.status}/${ours.body.errorType}, prometheus ${theirs.body.status}/${theirs.body.errorType}`;
  }
  if (theirs.body.status !== 'success') return ours.body.error === theirs.body.error ? undefined : `error ${JSON.stringify(ours.body.error)}, prometheus ${JSON.stringify(theirs.body.error)}`;
  switch (r.compare) {
    case 'query':
      return diff(fromPrometheus(ours.body), fromPrometheus(theirs.body), r.ordered ?? false);
    case 'keys': {
      const keys = (d: unknown) => Object.keys(d as object).sort().join(',');
      return keys(ours.body.data) === keys(theirs.body.data) ? undefined : `keys ${keys(ours.body.data)}, prometheus ${keys(theirs.body.data)}`;
    }
    case 'rules': {
      const a = JSON.stringify(rulesShape(ours.body.data));
      const b = JSON.stringify(rulesShape(theirs.body.data));
      return a === b ? undefined : `ours ${a}\nprometheus ${b}`;
    }
    case 'exact': {
      const a = JSON.stringify(ours.body.data);
      const b = JSON.stringify(theirs.body.data);
      return a === b ? undefined : `ours ${a.slice(0, 600)}\nprometheus ${b.slice(0, 600)}`;
    }
  }
}

describe.skipIf(!hasPrometheus())('Grafana data source requests: Telltale answers as Prometheus 2.42 does', () => {
  let dir: string;
  let prom: RunningPrometheus | undefined;
  let telltale: ServeProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-grafana-'));
    const rules = join(dir, 'rules.yml');
    writeFileSync(rules, REPLAY_RULES);
    // the server does not record its own metrics here: Prometheus, the peer, does not either
    writeFileSync(join(dir, 'telltale.yaml'), `rule_files: [rules.yml]\nevaluation_interval: 1m\nserver:\n  self_metrics_interval: 0\n`);
    [prom, telltale] = await Promise.all([
      startPrometheus({ config: `global:\n  evaluation_interval: 1m\nrule_files: ['${rules}']\n`, args: ['--web.enable-remote-write-receiver'] }),
      startServe(['--config', join(dir, 'telltale.yaml'), '--data', join(dir, 'data')]),
    ]);
    const series = generate().map((s) => ({ labels: s.labels, timestamps: s.t.map((t) => t + SHIFT), values: s.v }));
    for (const base of [prom.url, telltale.url]) {
      // a few requests of whole series, each series' samples in time order, as a remote-write shard sends them
      for (let i = 0; i < series.length; i += 20) {
        const res = await remoteWrite(base, series.slice(i, i + 20), base === prom.url ? {} : apiHeaders());
        expect(res.status, `${base}: ${await res.text()}`).toBeLessThan(300);
      }
    }
    const count = (base: string) => until(`data in ${base}`, async () => {
      const res = await fetch(`${base}/api/v1/query?query=count({__name__!=""})&time=${PLACEHOLDERS.$END}`, { headers: apiHeaders() });
      const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
      return body.data.result.length > 0 ? Number(body.data.result[0].value[1]) : undefined;
    });
    expect(await count(telltale.url)).toBe(await count(prom.url));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([prom?.stop(), telltale?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const r of GRAFANA_REQUESTS) {
    it(`${r.method} ${r.path}: ${r.name}`, async () => {
      const [ours, theirs] = await Promise.all([send(telltale!.url, r, apiHeaders()), send(prom!.url, r, {})]);
      const problem = compare(r, ours, theirs);
      const known = KNOWN_DIFFERENCES.get(r.name);
      if (known) {
        expect(problem, `${r.name} is listed as a known difference (${known}) but now matches`).toBeDefined();
        return;
      }
      expect(problem).toBeUndefined();
    });
  }
});
