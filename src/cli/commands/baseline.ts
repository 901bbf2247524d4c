/** `telltale baseline set|show` — the run each test's new runs are compared with. */
import type { Command } from 'commander';
import { TelltaleError } from '../../errors.ts';
import { resolveTestName, setBaseline } from '../../gate/baseline.ts';
import { renderBaselines } from '../../runs/text.ts';
import type { RunSummary } from '../../store/index.ts';
import type { SetExit } from './run.ts';
import { storeOption, withStore, type StoreFlags } from './runs.ts';

interface SetFlags extends StoreFlags {
  lastPassing?: boolean;
  branch?: string;
  test?: string;
}

export function registerBaseline(program: Command, setExit: SetExit): void {
  const baseline = program.command('baseline').description('baselines: the run of each test that new runs are compared with');

  storeOption(baseline.command('set').argument('[run]', 'run id or unique prefix').description('make a run the baseline of its test'))
    .option('--last-passing', 'use the newest run of the test that passed')
    .option('--branch <name>', 'with --last-passing: only runs of this git branch')
    .option('--test <name>', 'the test (needed with --last-passing when the store holds several)')
    .action(async (run: string | undefined, flags: SetFlags) => {
      const b = await withStore(flags, (store) => setBaseline(store, { runId: run, lastPassing: flags.lastPassing, branch: flags.branch, testName: flags.test }));
      process.stderr.write(`baseline of test "${b.testName}" is now run ${b.runId}\n`);
      setExit(0);
    });

  storeOption(baseline.command('show').description('show the baseline of a test, or of every test'))
    .option('--test <name>', 'only this test')
    .option('--json', 'print JSON')
    .action(async (flags: StoreFlags & { test?: string; json?: boolean }) => {
      const { baselines, runs } = await withStore(flags, async (store) => {
        let baselines = await store.listBaselines();
        if (flags.test !== undefined) {
          const test = await resolveTestName(store, flags.test);
          baselines = baselines.filter((b) => b.testName === test);
          if (baselines.length === 0) throw new TelltaleError('TT_BASELINE_NOT_FOUND', `no baseline is set for test ${JSON.stringify(test)} in ${store.description}`);
        }
        const runs = new Map<string, RunSummary>();
        for (const r of await store.listRuns({ ids: baselines.map((b) => b.runId) })) runs.set(r.id, r);
        return { baselines, runs };
      });
      if (flags.json) process.stdout.write(`${JSON.stringify(baselines.map((b) => ({ ...b, run: runs.get(b.runId) })), null, 2)}\n`);
      else process.stdout.write(`${renderBaselines(baselines, runs)}\n`);
      setExit(0);
    });
}
