import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTest, type RunOutcome } from '../../src/load/run.ts';
import { startDemoServer, type DemoServer } from '../../src/demo/server.ts';
import { fixture } from '../helpers/cli.ts';
import type { Sample } from '../../src/metrics/types.ts';

let server: DemoServer;
const outcomes: Record<number, { outcome: RunOutcome; samples: Sample[] }> = {};

beforeAll(async () => {
  server = await startDemoServer({ delayMs: 1, orderErrorRate: 0 });
  for (const workers of [1, 2]) {
    const samples: Sample[] = [];
    const outcome = await runTest({
      script: fixture('semantics.ts'),
      env: { BASE_URL: server.url, WHO: 'global' },
      workers,
      collectSamples: true,
      observer: { onSamples: (s) => samples.push(...s) },
    });
    outcomes[workers] = { outcome, samples };
  }
}, 60_000);
afterAll(() => server.close());

describe.each([1, 2])('run semantics with %i worker(s)', (workers) => {
  it('runs every scenario its exact number of iterations', () => {
    const m = outcomes[workers].outcome.report.summary.metrics;
    expect(m.iterations.values.count).toBe(2 * 3 + 2);
    expect(m.http_reqs.values.count).toBe(8);
    expect(m.env_seen.values.count).toBe(8);
  });

  it('nests groups in the checks tree with k6 paths and md5 ids', () => {
    const root = outcomes[workers].outcome.report.summary.root_group;
    expect(root.checks.map((c) => c.name)).toEqual(['missing is 404']);
    const outer = root.groups.find((g) => g.name === 'outer')!;
    expect(outer.path).toBe('::outer');
    expect(outer.checks).toEqual([expect.objectContaining({ name: 'outer check', passes: 6, fails: 0, path: '::outer::outer check' })]);
    const inner = outer.groups.find((g) => g.name === 'inner')!;
    expect(inner.path).toBe('::outer::inner');
    expect(inner.id).toBe(createHash('md5').update('::outer::inner').digest('hex'));
    expect(inner.checks[0]).toMatchObject({ name: 'inner ok', passes: 6, fails: 0 });
  });

  it('tags samples with scenario, scenario tags, group, VU tags and request tags; scenario env overrides -e', () => {
    const samples = outcomes[workers].samples;
    const req = samples.find((s) => s.metric === 'http_req_duration' && s.tags.scenario === 'a')!;
    expect(req.tags).toMatchObject({ scenario: 'a', team: 'red', group: '::outer::inner', flavour: 'vanilla', method: 'GET', status: '200' });
    const missing = samples.find((s) => s.metric === 'http_reqs' && s.tags.scenario === 'b')!;
    expect(missing.tags).toMatchObject({ name: 'missing', status: '404', expected_response: 'false', group: '' });
    const who = samples.filter((s) => s.metric === 'env_seen').map((s) => s.tags.who);
    expect(who.filter((w) => w === 'alpha')).toHaveLength(6);
    expect(who.filter((w) => w === 'beta')).toHaveLength(2);
    const vus = new Set(samples.filter((s) => s.metric === 'env_seen' && s.tags.vu).map((s) => s.tags.vu));
    // two VUs in scenario a, with distinct global ids within 1..vus_max (3)
    expect(vus.size).toBe(2);
    for (const id of vus) expect(Number(id)).toBeGreaterThanOrEqual(1);
    for (const id of vus) expect(Number(id)).toBeLessThanOrEqual(3);
  });

  it('counts group_duration per group and http_req_failed per expected statuses', () => {
    const m = outcomes[workers].outcome.report.summary.metrics;
    expect(m.http_req_failed.values).toMatchObject({ passes: 2, fails: 6 });
    const groups = outcomes[workers].samples.filter((s) => s.metric === 'group_duration');
    expect(groups.filter((s) => s.tags.group === '::outer')).toHaveLength(6);
    expect(groups.filter((s) => s.tags.group === '::outer::inner')).toHaveLength(6);
  });
});

it('merges the same totals whatever the number of workers', () => {
  const one = outcomes[1].outcome.report.summary.metrics;
  const two = outcomes[2].outcome.report.summary.metrics;
  for (const key of ['iterations', 'http_reqs', 'checks', 'env_seen', 'data_received']) {
    expect(two[key].values.count ?? two[key].values.passes).toBe(one[key].values.count ?? one[key].values.passes);
  }
});
