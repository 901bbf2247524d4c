/**
 * Conformance against the real Prometheus 2.42: the same generated data goes into Prometheus (through
 * promtool's OpenMetrics backfill) and into Telltale's in-memory storage; every query is evaluated by both as
 * instant queries at several times and as range queries, and the results must match; format_query must
 * print every query as Prometheus' does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/promql/engine.ts';
import { prettyExpr } from '../../src/promql/format.ts';
import { parseExpr } from '../../src/promql/parser.ts';
import { MemoryStorage } from '../../src/series/memory.ts';
import { hasPrometheus, PROMTOOL_BIN, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.ts';
import { diff, fromPrometheus, fromTelltale } from './compare.ts';
import { generate, T0, toOpenMetrics } from './data.ts';
import { KNOWN_DIVERGENCES } from './divergences.ts';
import { isOrdered, PARSE_ERROR_QUERIES, QUERIES } from './queries.ts';

const MIN = 60_000;
const INSTANTS = [T0 + 10_000, T0 + 30 * MIN, T0 + 45 * MIN + 7_000, T0 + 62 * MIN];
const RANGES: [number, number, number][] = [
  [T0, T0 + 65 * MIN, 60_000],
  [T0 + 7 * MIN, T0 + 40 * MIN, 37_000],
];

describe.skipIf(!hasPrometheus())('PromQL conformance with Prometheus 2.42', () => {
  let prom: RunningPrometheus;
  let dir: string;
  const storage = new MemoryStorage();
  const engine = new Engine();
  const results = { pass: 0, fail: 0, known: 0 };

  beforeAll(async () => {
    const data = generate();
    for (const s of data) for (let i = 0; i < s.t.length; i++) storage.add(s.labels, s.t[i], s.v[i]);
    dir = mkdtempSync(join(tmpdir(), 'tt-conformance-'));
    writeFileSync(join(dir, 'data.om'), toOpenMetrics(data));
    execFileSync(PROMTOOL_BIN, ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'data.om'), join(dir, 'data')], { stdio: 'ignore' });
    prom = await startPrometheus({ dataDir: join(dir, 'data'), args: ['--storage.tsdb.retention.time=100y'] });
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`conformance: ${results.pass} passed, ${results.fail} failed, ${results.known} known divergences of ${QUERIES.length} queries`);
  });

  async function prometheus(path: string, params: Record<string, string>): Promise<unknown> {
    const res = await fetch(`${prom.url}${path}`, { method: 'POST', body: new URLSearchParams(params) });
    return res.json();
  }

  it('words parse errors as Prometheus does', async () => {
    const problems: string[] = [];
    for (const query of PARSE_ERROR_QUERIES) {
      const theirs = (await prometheus('/api/v1/query', { query, time: '0' })) as { error?: string };
      let ours = 'no error';
      try {
        parseExpr(query);
      } catch (err) {
        ours = `invalid parameter "query": ${(err as Error).message}`;
      }
      if (ours !== theirs.error) problems.push(`${query}: ours ${JSON.stringify(ours)}, prometheus ${JSON.stringify(theirs.error)}`);
    }
    expect(problems).toEqual([]);
  });

  it('has at least 300 queries', () => {
    expect(QUERIES.length).toBeGreaterThanOrEqual(300);
  });

  for (const query of QUERIES) {
    it(query, async () => {
      const problems: string[] = [];
      for (const t of INSTANTS) {
        const ours = fromTelltale(await engine.instantQuery(storage, query, t).catch((e: Error) => e));
        const theirs = fromPrometheus(await prometheus('/api/v1/query', { query, time: String(t / 1000) }));
        const d = diff(ours, theirs, isOrdered(query));
        if (d) problems.push(`instant at ${t / 1000}: ${d}`);
      }
      for (const [start, end, step] of RANGES) {
        const ours = fromTelltale(await engine.rangeQuery(storage, query, start, end, step).catch((e: Error) => e));
        const theirs = fromPrometheus(await prometheus('/api/v1/query_range', { query, start: String(start / 1000), end: String(end / 1000), step: String(step / 1000) }));
        const d = diff(ours, theirs, false);
        if (d) problems.push(`range ${start / 1000}..${end / 1000} step ${step / 1000}: ${d}`);
      }
      const formatted = (await prometheus('/api/v1/format_query', { query })) as { status: string; data?: string };
      if (formatted.status === 'success') {
        let ours: string;
        try {
          ours = prettyExpr(parseExpr(query));
        } catch (err) {
          ours = `error: ${(err as Error).message}`;
        }
        if (ours !== formatted.data) problems.push(`format_query: ${JSON.stringify(ours)}, prometheus ${JSON.stringify(formatted.data)}`);
      }
      const known = KNOWN_DIVERGENCES.get(query);
      if (known) {
        results.known++;
        return;
      }
      if (problems.length === 0) results.pass++;
      else results.fail++;
      expect(problems).toEqual([]);
    });
  }
});
