/** `telltale gate` — compares a run with its baseline and fails CI on a real regression. */
import type { Command } from 'commander';
import { appendFile } from 'node:fs/promises';
import { TelltaleError } from '../../errors.ts';
import { loadBaseline } from '../../gate/baseline.ts';
import { compareRuns } from '../../gate/compare.ts';
import { readGateConfig, type GateBaselineChoice } from '../../gate/config.ts';
import { loadHistory } from '../../gate/history.ts';
import { renderGateJunit, renderGateMarkdown, renderGateText, renderGithubAnnotations } from '../../gate/report.ts';
import { DEFAULT_RULES } from '../../gate/rules.ts';
import { resolveGateSettings, type GateFlagValues } from '../gate-settings.ts';
import { readRecordFile } from '../../runs/files.ts';
import type { RunRecord } from '../../runs/schema.ts';
import { openStore, type RunStore } from '../../store/index.ts';
import { readStoredRun, writeOutputFile as write } from '../run-refs.ts';
import type { SetExit } from './run.ts';
import { storeOption } from './runs.ts';

interface GateFlags extends GateFlagValues {
  store?: string;
  run?: string;
  current?: string;
  config?: string;
  json?: string;
  junit?: string;
  markdown?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerGate(program: Command, setExit: SetExit): void {
  storeOption(program.command('gate').description('compare a run with its baseline; exit 99 on a regression'))
    .option('--run <id>', 'the run to judge (default: the newest run in the store, of --test if given)')
    .option('--current <file>', 'the run to judge, as a run record file')
    .option('--config <file>', 'gate settings from a YAML file (rules, endpoints, alpha, baseline, history); flags win')
    .option('--baseline <file>', "the baseline as a run record file (default: the store's baseline of the test)")
    .option('--baseline-run <id>', 'the baseline as a run in the store')
    .option('--test <name>', 'the test, when the newest run is meant')
    .option('--rule <rule>', `a rule, repeatable (default: ${DEFAULT_RULES.map((r) => `"${r}"`).join(', ')})`, collect, [])
    .option('--alpha <p>', 'significance level of the gate (default 0.01)')
    .option('--min-intervals <n>', 'fewest 1-second intervals per run to judge a change (default 10)')
    .option('--fail-on-inconclusive', 'fail when a comparison has too little data')
    .option('--no-fail-on-inconclusive', 'do not, whatever the config file says')
    .option('--history <n>', 'earlier passing runs to estimate run-to-run noise from; 0: none (default 20)')
    .option('--history-branch <name>', "the history's git branch (default: the baseline's)")
    .option('--min-history <n>', 'fewest history runs, the baseline included, for a noise estimate (default 5)')
    .option('--json <file>', 'write the result as JSON')
    .option('--junit <file>', 'write the result as JUnit XML')
    .option('--markdown <file>', 'write the result as Markdown (a pull-request comment body)')
    .action(async (flags: GateFlags) => {
      setExit(await gateCommand(flags));
    });
}

async function gateCommand(flags: GateFlags): Promise<number> {
  if (flags.run !== undefined && flags.current !== undefined) throw new TelltaleError('TT_USAGE', '--run and --current exclude each other', { field: '--current' });
  const config = flags.config === undefined ? undefined : await readGateConfig(flags.config);
  const settings = resolveGateSettings(flags, config);

  // a gate that works from files alone opens no store (and so has no history)
  const needStore = flags.current === undefined || settings.baseline?.kind !== 'file';
  let store: RunStore | undefined;
  try {
    if (needStore) store = await openStore({ spec: flags.store, env: process.env, cwd: process.cwd() });
    const current = flags.current !== undefined ? await readRecordFile(flags.current) : await storeRun(store as RunStore, flags.run, settings.test);
    const baseline = await chooseBaseline(store, current, settings.baseline);
    if (baseline.id === current.id) throw new TelltaleError('TT_GATE_MISMATCH', `run ${current.id} is its own baseline: nothing to compare`);
    if (baseline.testName !== current.testName) {
      throw new TelltaleError('TT_GATE_MISMATCH', `the baseline ${baseline.id} is a run of test ${JSON.stringify(baseline.testName)}, the current run ${current.id} of ${JSON.stringify(current.testName)}`, { field: 'testName' });
    }
    const history = store === undefined ? [] : await loadHistory(store, baseline, current, settings.history);
    const result = compareRuns(baseline, current, settings.rules, settings.options, history);

    process.stdout.write(`${renderGateText(result)}\n`);
    const markdown = renderGateMarkdown(result);
    if (flags.json !== undefined) await write(flags.json, `${JSON.stringify(result, null, 2)}\n`, '--json');
    if (flags.junit !== undefined) await write(flags.junit, renderGateJunit(result), '--junit');
    if (flags.markdown !== undefined) await write(flags.markdown, markdown, '--markdown');
    const summary = process.env.GITHUB_STEP_SUMMARY;
    if (summary) await appendFile(summary, `${markdown}\n`).catch((err: Error) => process.stderr.write(`WARN cannot write $GITHUB_STEP_SUMMARY: ${err.message}\n`));
    if (process.env.GITHUB_ACTIONS === 'true') process.stdout.write(renderGithubAnnotations(result));
    return result.passed ? 0 : 99;
  } finally {
    await store?.close();
  }
}

async function chooseBaseline(store: RunStore | undefined, current: RunRecord, choice: GateBaselineChoice | undefined): Promise<RunRecord> {
  if (choice === undefined) return loadBaseline(store, current.testName);
  if (choice.kind === 'file') return loadBaseline(undefined, current.testName, choice.file);
  const s = store as RunStore;
  if (choice.kind === 'run') return readStoredRun(s, choice.run);
  const candidates = await s.listRuns({ testName: current.testName, branch: choice.branch, passed: true, limit: 2 });
  const pick = candidates.find((r) => r.id !== current.id);
  if (pick === undefined) {
    const on = choice.branch !== undefined ? ` on branch ${JSON.stringify(choice.branch)}` : '';
    throw new TelltaleError('TT_BASELINE_NOT_FOUND', `no passing run of test ${JSON.stringify(current.testName)}${on} other than the one gated, in ${s.description}`);
  }
  return (await s.getRun(pick.id)) as RunRecord;
}

async function storeRun(store: RunStore, run: string | undefined, test: string | undefined): Promise<RunRecord> {
  if (run !== undefined) return readStoredRun(store, run);
  const [newest] = await store.listRuns({ testName: test, limit: 1 });
  if (newest === undefined) throw new TelltaleError('TT_RUN_NOT_FOUND', `no runs${test !== undefined ? ` of test ${JSON.stringify(test)}` : ''} in ${store.description}`);
  return readStoredRun(store, newest.id);
}
