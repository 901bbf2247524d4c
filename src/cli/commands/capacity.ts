/**
 * `telltale capacity SCRIPT` — the highest arrival rate at which the script's thresholds still hold:
 * steps the rate up geometrically, then bisects between the last passing and the first failing rate.
 */
import type { Command } from 'commander';
import { TelltaleError } from '../../errors.ts';
import { runTest } from '../../load/run.ts';
import { findCapacity } from '../../load/capacity.ts';
import { parseDurationFlag, formatDuration } from '../../config/duration.ts';
import { envFrom, parseCount, parsePositive, parseKeyValues, type RunFlags } from '../run-flags.ts';
import type { SetExit } from './run.ts';

interface CapacityFlags extends Pick<RunFlags, 'env' | 'tag' | 'includeSystemEnvVars' | 'workers' | 'quiet'> {
  startRate: string;
  maxRate: string;
  stepDuration: string;
  precision: string;
  growth: string;
  maxVus?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerCapacity(program: Command, setExit: SetExit): void {
  program
    .command('capacity')
    .argument('<script>', 'test script whose thresholds define "still healthy"')
    .description('find the highest arrival rate (iterations/s) that still meets the script\'s thresholds')
    .option('--start-rate <n>', 'first rate to try (iterations/s)', '10')
    .option('--max-rate <n>', 'highest rate to try', '10000')
    .option('--step-duration <duration>', 'how long each step runs', '30s')
    .option('--precision <x>', 'stop bisecting when the bracket is within this fraction', '0.05')
    .option('--growth <x>', 'factor between steps while they pass', '2')
    .option('--max-vus <n>', 'maxVUs of each step (default: the rate, at least 100)')
    .option('--workers <n>', 'worker threads running VUs')
    .option('-e, --env <KEY=VALUE>', 'set __ENV.KEY, repeatable', collect, [])
    .option('--tag <NAME=VALUE>', 'add a tag to every sample, repeatable', collect, [])
    .option('--include-system-env-vars', 'pass the process environment to __ENV')
    .option('-q, --quiet', 'print only the result')
    .action(async (script: string, flags: CapacityFlags) => {
      setExit(await capacityCommand(script, flags));
    });
}

async function capacityCommand(script: string, flags: CapacityFlags): Promise<number> {
  const startRate = parsePositive(flags.startRate, '--start-rate')!;
  const maxRate = parsePositive(flags.maxRate, '--max-rate')!;
  if (maxRate < startRate) throw new TelltaleError('TT_USAGE', '--max-rate must be >= --start-rate', { field: '--max-rate' });
  const stepMs = parseDurationFlag(flags.stepDuration, '--step-duration');
  const maxVus = parseCount(flags.maxVus, '--max-vus', 1);
  const env = envFrom(flags);
  const tags = parseKeyValues(flags.tag, '--tag');
  const workers = parseCount(flags.workers, '--workers', 1);
  const log = (s: string) => {
    if (!flags.quiet) process.stderr.write(s);
  };

  const runAt = async (rate: number) => {
    const vus = maxVus ?? Math.max(100, Math.ceil(rate));
    const outcome = await runTest({
      script,
      env,
      workers,
      optionsOverride: {
        ...(Object.keys(tags).length ? { tags } : {}),
        scenarios: {
          capacity: {
            executor: 'constant-arrival-rate',
            rate,
            timeUnit: '1s',
            duration: `${stepMs}ms`,
            preAllocatedVUs: Math.min(vus, Math.max(1, Math.ceil(rate / 10))),
            maxVUs: vus,
            gracefulStop: '5s',
          },
        },
      },
    });
    const m = outcome.report.summary.metrics;
    const seconds = stepMs / 1000;
    return {
      passed: outcome.thresholdsOk && outcome.report.meta.aborted === undefined,
      achievedRate: (m.iterations?.values.count ?? 0) / seconds,
      p95: m.http_req_duration?.values['p(95)'],
      errorRate: m.http_req_failed?.values.rate,
      dropped: m.dropped_iterations?.values.count ?? 0,
    };
  };

  log(`telltale capacity: ${script}: steps of ${formatDuration(stepMs)} from ${startRate}/s up to ${maxRate}/s\n`);
  const result = await findCapacity(
    runAt,
    { startRate, maxRate, growth: parsePositive(flags.growth, '--growth'), precision: parsePositive(flags.precision, '--precision') },
    (s) => {
      log(
        `  ${String(Math.round(s.rate)).padStart(7)}/s  ${s.passed ? 'pass' : 'FAIL'}  achieved ${s.achievedRate.toFixed(1)}/s` +
          `${s.p95 === undefined ? '' : `  p95 ${formatDuration(s.p95)}`}` +
          `${s.errorRate === undefined ? '' : `  errors ${(s.errorRate * 100).toFixed(2)}%`}` +
          `${s.dropped ? `  dropped ${s.dropped}` : ''}` +
          `${s.reason ? `  (${s.reason})` : ''}\n`,
      );
    },
  );
  if (result.capacity === null) {
    throw new TelltaleError('TT_CAPACITY_FAILED', `even ${startRate} iterations/s fails the thresholds of ${script}`);
  }
  process.stdout.write(`capacity: ${Math.floor(result.capacity)} iterations/s${result.note ? ` (${result.note})` : ''}\n`);
  return 0;
}
