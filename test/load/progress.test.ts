import { describe, expect, it } from 'vitest';
import { formatProgressLine, progressReporter } from '../../src/load/reporters/progress.ts';
import type { ProgressInfo } from '../../src/load/run.ts';

const info: ProgressInfo = {
  elapsedMs: 12_340,
  planMs: 60_000,
  vus: 50,
  vusMax: 60,
  iterations: 1234,
  interrupted: 2,
  rps: 987.6,
  p95: 12.345,
  errorRate: 0.0123,
  progress: 0.2057,
};

describe('progress line', () => {
  it('shows elapsed/planned time, VUs, iterations, req/s, p95, errors and percent', () => {
    expect(formatProgressLine(info)).toBe(
      'running (12.3s/1m0s), 50/60 VUs, 1234 complete and 2 interrupted iterations, 988 req/s, p95=12.35ms, errors 1.23%, [ 21%]',
    );
  });
  it('shows a dash before the first request', () => {
    expect(formatProgressLine({ ...info, p95: undefined })).toContain('p95=-');
  });
  it('redraws one line in place on a TTY and clears it at the end', () => {
    const out: string[] = [];
    const r = progressReporter({ tty: true, write: (s) => out.push(s) });
    r.onProgress!(info);
    r.onProgress!(info);
    r.finish();
    expect(out).toHaveLength(3);
    expect(out[0].startsWith('\r\x1b[K')).toBe(true);
    expect(out[2]).toBe('\r\x1b[K');
  });
  it('prints a plain line every N ticks when not on a TTY (CI logs)', () => {
    const out: string[] = [];
    const r = progressReporter({ tty: false, write: (s) => out.push(s), plainEvery: 5 });
    for (let i = 0; i < 12; i++) r.onProgress!(info);
    r.finish();
    expect(out).toHaveLength(2);
    expect(out.every((l) => l.endsWith('\n') && !l.includes('\x1b'))).toBe(true);
  });
});
