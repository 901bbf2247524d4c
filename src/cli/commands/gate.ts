/** `telltale gate` — compares a run with its baseline and fails CI on a real regression. */
import type { Command } from 'commander';
import { appendFile, writeFile } from 'node:fs/promises';
import { TelltaleError } from '../../errors.ts';
import { loadBaseline } from '../../gate/baseline.ts';
import { compareRuns } from '../../gate/compare.ts';
import { renderGateJunit, renderGateMarkdown, renderGateText, renderGithubAnnotations } from '../../gate/report.ts';
import { DEFAULT_RULES, parseRule } from '../../gate/rules.ts';
import { readRecordFile } from '../../runs/files.ts';
import type { RunRecord } from '../../runs/schema.ts';
import { openStore, type RunStore } from '../../store/index.ts';
import { parseCount } from '../run-flags.ts';
import type { SetExit } from './run.ts';
import { storeOption } from './runs.ts';

interface GateFlags {
  store?: string;
  run?: string;
  current?: string;
  baseline?: string;
  baselineRun?: string;
  test?: string;
  rule: string[];
  alpha: string;
  minIntervals: string;
  failOnInconclusive?: boolean;
  json?: string;
  junit?: string;
  markdown?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerGate(program: Command, setExit: SetExit): void {
  storeOption(program.command('gate').description('compare a run with its baseline; exit 99 on a regression'))
    .option('--run <id>', 'the run to judge (default: the newest run in the store, of --test if given)')
    .option('--current <file>', 'the run to judge, as a run record file')
    .option('--baseline <file>', 'the baseline as a run record file (default: the store\'s baseline of the test)')
    .option('--baseline-run <id>', 'the baseline as a run in the store')
    .option('--test <name>', 'the test, when the newest run is meant')
    .option('--rule <rule>', `a rule, repeatable (default: ${DEFAULT_RULES.map((r) => `"${r}"`).join(', ')})`, collect, [])
    .option('--alpha <p>', 'significance level of the gate', '0.01')
    .option('--min-intervals <n>', 'fewest 1-second intervals per run to judge a change', '10')
    .option('--fail-on-inconclusive', 'fail when a comparison has too little data')
    .option('--json <file>', 'write the result as JSON')
    .option('--junit <file>', 'write the result as JUnit XML')
    .option('--markdown <file>', 'write the result as Markdown (a pull-request comment body)')
    .action(async (flags: GateFlags) => {
      setExit(await gateCommand(flags));
    });
}

async function gateCommand(flags: GateFlags): Promise<number> {
  const rules = (flags.rule.length ? flags.rule : DEFAULT_RULES).map((r) => parseRule(r));
  const alpha = Number(flags.alpha);
  if (!(alpha > 0 && alpha < 1)) throw new TelltaleError('TT_USAGE', `--alpha ${JSON.stringify(flags.alpha)}: expected a number between 0 and 1`, { field: '--alpha' });
  const minIntervals = parseCount(flags.minIntervals, '--min-intervals', 2) as number;
  if (flags.run !== undefined && flags.current !== undefined) throw new TelltaleError('TT_USAGE', '--run and --current exclude each other', { field: '--current' });
  if (flags.baseline !== undefined && flags.baselineRun !== undefined) throw new TelltaleError('TT_USAGE', '--baseline and --baseline-run exclude each other', { field: '--baseline' });

  // a gate that works from files alone needs no store
  const needStore = flags.current === undefined || (flags.baseline === undefined);
  let store: RunStore | undefined;
  try {
    if (needStore) store = await openStore({ spec: flags.store, env: process.env, cwd: process.cwd() });
    const current = flags.current !== undefined ? await readRecordFile(flags.current) : await storeRun(store as RunStore, flags.run, flags.test);
    let baseline: RunRecord;
    if (flags.baselineRun !== undefined) {
      const id = await (store as RunStore).resolveRunId(flags.baselineRun);
      baseline = (await (store as RunStore).getRun(id)) as RunRecord;
    } else {
      baseline = await loadBaseline(store, current.testName, flags.baseline);
    }
    if (baseline.id === current.id) throw new TelltaleError('TT_GATE_MISMATCH', `run ${current.id} is its own baseline: nothing to compare`);
    const result = compareRuns(baseline, current, rules, { alpha, minIntervals, failOnInconclusive: Boolean(flags.failOnInconclusive) });

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

async function storeRun(store: RunStore, run: string | undefined, test: string | undefined): Promise<RunRecord> {
  let id: string;
  if (run !== undefined) id = await store.resolveRunId(run);
  else {
    const [newest] = await store.listRuns({ testName: test, limit: 1 });
    if (newest === undefined) throw new TelltaleError('TT_RUN_NOT_FOUND', `no runs${test !== undefined ? ` of test ${JSON.stringify(test)}` : ''} in ${store.description}`);
    id = newest.id;
  }
  const record = await store.getRun(id);
  if (record === undefined) throw new TelltaleError('TT_RUN_NOT_FOUND', `no run with id ${id} in ${store.description}`);
  return record;
}

async function write(file: string, content: string, flag: string): Promise<void> {
  try {
    await writeFile(file, content);
  } catch (err) {
    throw new TelltaleError('TT_OUTPUT_INVALID', `${flag}: cannot write ${file}: ${(err as Error).message}`, { file, cause: err });
  }
}
