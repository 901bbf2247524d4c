/**
 * Synthetic monitoring as one component: the scheduler runs the checks, each result goes to the series store
 * through the Appender (result-series.ts) and into the in-memory history for the dashboard; heartbeat checks
 * are registered with the ping store, and a ping runs its check at once so the status turns with it.
 * `telltale serve` builds one of these from the config's checks.
 */
import { systemClock, type Clock } from '../load/clock.ts';
import type { Storage } from '../series/types.ts';
import type { CheckDefinition } from './check-types.ts';
import { HeartbeatStore, type HeartbeatState } from './heartbeat-store.ts';
import type { RunTest } from './multistep-check.ts';
import { ResultHistory } from './result-history.ts';
import { staleSamples, writeResult, writeSamples, type WriteReport } from './result-series.ts';
import type { CheckResult } from './result-types.ts';
import { runCheck, type Probe } from './run-check.ts';
import { Scheduler } from './scheduler.ts';
import type { CheckType } from './check-types.ts';

export interface ProbeServiceOptions {
  readonly storage: Storage;
  readonly clock?: Clock;
  readonly elapsed?: () => number;
  readonly concurrency?: number;
  /** Results kept per check in memory. */
  readonly historySize?: number;
  readonly heartbeats?: HeartbeatStore;
  readonly runTest?: RunTest;
  readonly probes?: Partial<Record<CheckType, Probe>>;
  /** Every result, after it was stored. */
  readonly onResult?: (result: CheckResult, write: WriteReport) => void;
  /** A result could not be written or a run threw (the check keeps its schedule). */
  readonly onError?: (check: string, err: unknown) => void;
}

export class ProbeService {
  readonly history: ResultHistory;
  readonly heartbeats: HeartbeatStore;
  readonly scheduler: Scheduler;
  readonly #options: ProbeServiceOptions;

  constructor(options: ProbeServiceOptions) {
    this.#options = options;
    const clock = options.clock ?? systemClock;
    this.history = new ResultHistory(options.historySize);
    this.heartbeats = options.heartbeats ?? new HeartbeatStore(() => clock.now());
    const deps = { clock, elapsed: options.elapsed, heartbeats: this.heartbeats, runTest: options.runTest, probes: options.probes };
    this.scheduler = new Scheduler({
      clock,
      concurrency: options.concurrency,
      run: (def, signal) => runCheck(def, deps, signal),
      onResult: async (def, result) => {
        this.history.add(result);
        const report = await writeResult(options.storage, def, result);
        options.onResult?.(result, report);
      },
      onRemove: async (def, last) => {
        if (def.type === 'heartbeat') this.heartbeats.unregister(def.name);
        this.history.remove(def.name);
        // After the last sample, never at its timestamp (that would be a conflicting duplicate).
        if (last !== undefined) await writeSamples(options.storage, staleSamples(def, last), Math.max(clock.now(), Math.round(last.startedAt) + 1));
      },
      onError: (def, err) => options.onError?.(def.name, err),
    });
  }

  /** Installs the checks (replacing any earlier set) and starts running them. */
  async start(checks: readonly CheckDefinition[]): Promise<void> {
    await this.setChecks(checks);
    this.scheduler.start();
  }

  async setChecks(checks: readonly CheckDefinition[]): Promise<void> {
    await this.scheduler.setChecks(checks);
    for (const c of checks) if (c.type === 'heartbeat') this.heartbeats.register(c);
  }

  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  /** For heartbeat routes' onPing: the pinged check is judged at once. */
  readonly onPing = (state: HeartbeatState): void => {
    this.scheduler.runNow(state.check.name).catch((err: unknown) => this.#options.onError?.(state.check.name, err));
  };
}
