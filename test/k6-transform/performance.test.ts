import { describe, expect, it } from 'vitest';
import { transformK6Module } from '../../src/load/script/k6-transform/index.ts';

/** A k6 script of about `lines` lines: helpers calling each other, groups, checks, iteration callbacks, a callback chain. */
function bigScript(lines: number): string {
  const out = ["import http from 'k6/http';", "import { sleep, group, check } from 'k6';", ''];
  const steps = Math.floor(lines / 11);
  for (let i = 0; i < steps; i++) {
    out.push(
      `function step${i}(base, next) {`,
      `  const res = http.get(base + '/item/${i}');`,
      `  check(res, { 'status ${i}': (r) => r.status === 200 });`,
      `  const items = res.json().items || [];`,
      `  items.forEach((it) => { if (it.id % 3 === 0) http.post(base + '/x', JSON.stringify(it)); });`,
      `  const obj = { n: ${i}, run() { return ${i > 0 ? `step${i - 1}(base, next)` : 'next()'}; } };`,
      `  group('g${i}', () => { obj.run(); sleep(0.01); });`,
      `  const pure = [1, 2, 3].map((x) => x * ${i}).filter((x) => x > 2);`,
      `  return pure.length + ${i};`,
      `}`,
      '',
    );
  }
  out.push('export default function () {', ...Array.from({ length: steps }, (_, i) => `  step${i}(__ENV.BASE, () => sleep(${i % 3}));`), '}');
  return out.join('\n');
}

describe('transform speed', () => {
  it('handles a 5,000-line script in well under a second', () => {
    const src = bigScript(5000);
    expect(src.split('\n').length).toBeGreaterThanOrEqual(5000);
    // CPU time, not wall time: tests run in parallel and the machine may be busy.
    const run = () => {
      const before = process.cpuUsage();
      const out = transformK6Module(src, '/virtual/big.js', { host: { read: () => undefined } });
      const used = process.cpuUsage(before);
      return { ms: (used.user + used.system) / 1000, out };
    };
    // The first run includes compiling the transform's code, which the bundler pays once per process.
    const cold = run();
    expect(cold.out.code).toContain('async function step1(base, next)');
    expect(cold.out.code).toContain('await __telltale_forEach(items, async (it) =>');
    const warm = Math.min(run().ms, run().ms, run().ms);
    console.log(`5,000-line k6 script: first transform ${cold.ms.toFixed(0)} ms CPU, then ${warm.toFixed(0)} ms`);
    expect(warm).toBeLessThan(1000);
    expect(cold.ms).toBeLessThan(3000);
  });
});
