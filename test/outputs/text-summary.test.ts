import { describe, expect, it } from 'vitest';
import { renderTextSummary } from '../../src/load/summary/index.ts';
import type { SummaryData } from '../../src/load/summary/types.ts';
import { emptySummary, smallSummary } from './fixtures.ts';

const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[`);
const stripAnsi = (s: string): string => s.replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '');

describe('compact summary (k6 v1 default)', () => {
  const text = renderTextSummary(smallSummary(), { color: false });
  const lines = text.split('\n');

  it('starts with the THRESHOLDS section, one block per metric, sub-metrics after their parent', () => {
    expect(lines.slice(0, 12)).toEqual([
      '',
      '  █ THRESHOLDS ',
      '',
      '    http_req_duration',
      "    ✓ 'p(95)<1500' p(95)=148.21ms",
      "    ✗ 'p(90)<100' p(90)=146.88ms",
      '',
      '    http_req_failed',
      "    ✓ 'rate<0.01' rate=0.00%",
      '',
      '',
      '  █ TOTAL RESULTS ',
    ]);
  });

  it('prints check totals, then every check with ✓/✗ and the pass percentage of failing ones', () => {
    const at = lines.indexOf('  █ TOTAL RESULTS ');
    expect(lines.slice(at + 1, at + 10)).toEqual([
      '',
      '    checks_total.......: 90     13.12202/s',
      '    checks_succeeded...: 94.44% 85 out of 90',
      '    checks_failed......: 5.55%  5 out of 90',
      '',
      '    ✓ status is 200',
      '    ✗ token present',
      '      ↳  88% — ✓ 40 / ✗ 5',
      '',
    ]);
  });

  it('groups metrics as CUSTOM, HTTP, EXECUTION, NETWORK with shared column widths', () => {
    expect(lines).toContain(
      '    custom_waiting_time............: avg=152.355556 min=120      med=141      max=684    p(90)=147.2    p(95)=148.8   ',
    );
    expect(lines).toContain(
      '    http_req_duration..............: avg=140.36ms   min=119.08ms med=140.96ms max=1.15s  p(90)=146.88ms p(95)=148.21ms',
    );
    expect(lines).toContain(
      '      { expected_response:true }...: avg=140.36ms   min=119.08ms med=140.96ms max=1.15s  p(90)=146.88ms p(95)=148.21ms',
    );
    expect(lines).toContain('    http_req_failed................: 0.00%  0 out of 45');
    expect(lines).toContain('    http_reqs......................: 45     6.561056/s');
    expect(lines).toContain(
      '    iteration_duration.............: avg=1m2s       min=1.5s     med=2s       max=1h2m3s p(90)=1m1s     p(95)=1m2s    ',
    );
    expect(lines).toContain('    vus............................: 1      min=1       max=10');
    expect(lines).toContain('    data_received..................: 1.3 MB 31 kB/s');
    expect(lines).toContain('    data_sent......................: 5.4 kB 792 B/s');
    const order = ['    CUSTOM', '    HTTP', '    EXECUTION', '    NETWORK'].map((h) => lines.indexOf(h));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('hides checks, group_duration and the http_req_* timing breakdown in compact mode, but not in full mode', () => {
    expect(text).not.toMatch(/^\s+checks\.+:/m);
    expect(text).not.toContain('group_duration');
    expect(text).not.toContain('http_req_blocked');
    const full = renderTextSummary(smallSummary(), { color: false, mode: 'full' });
    expect(full).toContain('http_req_blocked');
    expect(full).not.toContain('group_duration');
  });

  it('ends sections with blank lines like k6 (no trailing text after the last section)', () => {
    expect(text.endsWith('792 B/s\n\n')).toBe(true);
  });

  it('has no ANSI codes without color and k6 colors with it', () => {
    expect(text).not.toMatch(ANSI);
    const colored = renderTextSummary(smallSummary(), { color: true });
    expect(colored).toContain('\x1b[1mTHRESHOLDS\x1b[0m');
    expect(colored).toContain("\x1b[32m✓\x1b[0m \x1b[37m'p(95)<1500'\x1b[0m \x1b[37mp(95)\x1b[0m=\x1b[36m148.21ms\x1b[0m");
    expect(colored).toContain('\x1b[31m✗ token present\x1b[0m');
    expect(colored).toContain('checks_total\x1b[2;37m.......:\x1b[0m \x1b[36m90\x1b[0m');
    expect(stripAnsi(colored)).toBe(text);
  });

  it('uses summaryTimeUnit for every duration when set', () => {
    const data = smallSummary();
    data.options.summaryTimeUnit = 'ms';
    const t = renderTextSummary(data, { color: false });
    expect(t).toContain('avg=140.36ms');
    expect(t).toContain('max=1154.63ms');
    expect(t).toContain('avg=62345.60ms');
    data.options.summaryTimeUnit = 's';
    expect(renderTextSummary(data, { color: false })).toContain('p(95)=0.15s');
  });

  it('renders a run without checks, thresholds or HTTP requests', () => {
    const t = renderTextSummary(emptySummary(), { color: false });
    expect(t).not.toContain('THRESHOLDS');
    expect(t).not.toContain('checks_total');
    expect(t.split('\n')).toEqual(['', '  █ TOTAL RESULTS ', '', '    EXECUTION', '    iterations...: 0 0/s', '', '']);
  });

  it('puts a threshold-only sub-metric under its parent, and uses trend values outside summaryTrendStats', () => {
    const data = smallSummary();
    data.metrics['http_req_duration{status:200}'] = {
      type: 'trend',
      contains: 'time',
      values: { avg: 10, min: 1, med: 9, max: 40, 'p(90)': 20, 'p(95)': 30, 'p(99)': 39.5 },
      thresholds: { 'p(99)<50': { ok: true } },
    };
    const t = renderTextSummary(data, { color: false }).split('\n');
    const i = t.indexOf('      {status:200}');
    expect(i).toBeGreaterThan(t.indexOf('    http_req_duration'));
    expect(t[i + 1]).toBe("      ✓ 'p(99)<50' p(99)=39.5ms");
  });
});

describe('full summary', () => {
  it('adds a section per group (with its checks) and per scenario', () => {
    const t = renderTextSummary(smallSummary(), {
      color: false,
      mode: 'full',
      scenarios: {
        checkout: {
          metrics: { http_reqs: { type: 'counter', contains: 'default', values: { count: 20, rate: 2 } } },
          checks: [{ name: 'paid', path: '::paid', id: 'x', passes: 20, fails: 0 }],
        },
      },
      groupMetrics: {
        '::login': { http_reqs: { type: 'counter', contains: 'default', values: { count: 45, rate: 6.5 } } },
      },
    });
    const lines = t.split('\n');
    const g = lines.indexOf('  █ GROUP: login ');
    expect(g).toBeGreaterThan(lines.indexOf('  █ TOTAL RESULTS '));
    expect(lines.slice(g + 1, g + 9)).toEqual([
      '',
      '    checks_total.......: 45     6.56101/s',
      '    checks_succeeded...: 88.88% 40 out of 45',
      '    checks_failed......: 11.11% 5 out of 45',
      '',
      '    ✗ token present',
      '      ↳  88% — ✓ 40 / ✗ 5',
      '',
    ]);
    expect(lines.slice(g + 9, g + 11)).toEqual(['    HTTP', '    http_reqs...: 45 6.5/s']);
    const s = lines.indexOf('  █ SCENARIO: checkout ');
    expect(s).toBeGreaterThan(g);
    expect(lines).toContain('    ✓ paid');
  });

  it('nests sub-groups with ↳ titles', () => {
    const data: SummaryData = smallSummary();
    data.root_group.groups[0].groups.push({
      name: 'mfa',
      path: '::login::mfa',
      id: 'y',
      groups: [],
      checks: [{ name: 'code accepted', path: '::login::mfa::code accepted', id: 'z', passes: 3, fails: 0 }],
    });
    const lines = renderTextSummary(data, { color: false, mode: 'full' }).split('\n');
    const sub = lines.indexOf('    ↳ GROUP: mfa ');
    expect(sub).toBeGreaterThan(0);
    expect(lines.slice(sub + 1).find((l) => l.includes('code accepted'))).toBe('      ✓ code accepted');
  });
});

describe('legacy summary', () => {
  const text = renderTextSummary(smallSummary(), { color: false, mode: 'legacy' });
  const lines = text.split('\n');

  it('prints the checks tree with group markers first', () => {
    expect(lines.slice(0, 8)).toEqual([
      '     ✓ status is 200',
      '',
      '     █ login',
      '',
      '       ✗ token present',
      '        ↳  88% — ✓ 40 / ✗ 5',
      '',
      '     checks.........................: 94.44% ✓ 85       ✗ 5   ',
    ]);
  });

  it('prints every metric sorted, dotted, with ✓/✗ marks for metrics with thresholds', () => {
    expect(lines.slice(8)).toEqual([
      '     custom_waiting_time............: avg=152.355556 min=120      med=141      max=684    p(90)=147.2    p(95)=148.8   ',
      '     data_received..................: 1.3 MB 31 kB/s',
      '     data_sent......................: 5.4 kB 792 B/s',
      '     group_duration.................: avg=300.5ms    min=250ms    med=290ms    max=420ms  p(90)=400ms    p(95)=410ms   ',
      '     http_req_blocked...............: avg=12.3µs     min=900ns    med=4µs      max=500µs  p(90)=10µs     p(95)=20µs    ',
      '   ✗ http_req_duration..............: avg=140.36ms   min=119.08ms med=140.96ms max=1.15s  p(90)=146.88ms p(95)=148.21ms',
      '       { expected_response:true }...: avg=140.36ms   min=119.08ms med=140.96ms max=1.15s  p(90)=146.88ms p(95)=148.21ms',
      '   ✓ http_req_failed................: 0.00%  ✓ 0        ✗ 45  ',
      '     http_reqs......................: 45     6.561056/s',
      '     iteration_duration.............: avg=1m2s       min=1.5s     med=2s       max=1h2m3s p(90)=1m1s     p(95)=1m2s    ',
      '     iterations.....................: 45     6.561056/s',
      '     vus............................: 1      min=1      max=10',
      '     vus_max........................: 10     min=10     max=10',
    ]);
  });

  it('marks checks ✓ when its threshold passes: `✓ checks: 100.00% ✓ 10 ✗ 0`', () => {
    const data = emptySummary();
    data.metrics = {
      checks: { type: 'rate', contains: 'default', values: { rate: 1, passes: 10, fails: 0 }, thresholds: { 'rate>0.9': { ok: true } } },
    };
    expect(renderTextSummary(data, { color: false, mode: 'legacy' })).toBe('   ✓ checks...: 100.00% ✓ 10 ✗ 0');
  });

  it('colors values cyan, dots faint, and the whole check line green/red', () => {
    const colored = renderTextSummary(smallSummary(), { color: true, mode: 'legacy' });
    expect(text).not.toMatch(ANSI);
    expect(colored).toContain('\x1b[32m     ✓ status is 200\x1b[0m');
    expect(colored).toContain('checks\x1b[2m.........................:\x1b[0m \x1b[36m94.44%\x1b[0m \x1b[36;2m✓ 85\x1b[0m');
    expect(colored).toContain('   \x1b[31m✗\x1b[0m http_req_duration');
    expect(stripAnsi(colored)).toBe(text);
  });
});
