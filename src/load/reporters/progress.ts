/**
 * Live progress while a run goes: a redrawn line on a TTY, a plain line every few seconds otherwise
 * (CI logs). Writes to stderr so stdout carries only the summary.
 */
import { formatDuration } from '../../config/duration.ts';
import type { ProgressInfo, RunObserver } from '../run.ts';

export interface ProgressOptions {
  tty: boolean;
  write: (s: string) => void;
  /** plain mode: print every N ticks */
  plainEvery?: number;
  color?: boolean;
}

export function formatProgressLine(p: ProgressInfo): string {
  const total = p.planMs > 0 ? `/${formatDuration(Math.round(p.planMs / 100) * 100)}` : '';
  const parts = [
    `running (${formatDuration(Math.round(p.elapsedMs / 100) * 100)}${total})`,
    `${p.vus}/${p.vusMax} VUs`,
    `${p.iterations} complete and ${p.interrupted} interrupted iterations`,
    `${Math.round(p.rps)} req/s`,
    p.p95 === undefined ? 'p95=-' : `p95=${formatDuration(p.p95)}`,
    `errors ${(p.errorRate * 100).toFixed(2)}%`,
    `[${String(Math.min(100, Math.round(p.progress * 100))).padStart(3)}%]`,
  ];
  return parts.join(', ');
}

export function progressReporter(opts: ProgressOptions): RunObserver & { finish(): void } {
  let ticks = 0;
  let drawn = false;
  const every = opts.plainEvery ?? 5;
  return {
    onProgress(p) {
      ticks++;
      const line = formatProgressLine(p);
      if (opts.tty) {
        opts.write(`\r\x1b[K${line}`);
        drawn = true;
      } else if (ticks % every === 0) {
        opts.write(`${line}\n`);
      }
    },
    finish() {
      if (drawn) opts.write('\r\x1b[K');
      drawn = false;
    },
  };
}
