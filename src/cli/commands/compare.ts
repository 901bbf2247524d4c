/** `telltale compare A B --out report.html` — two runs side by side, with the gate's verdicts for the pair. */
import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { TelltaleError } from '../../errors.ts';
import { readGateConfig } from '../../gate/config.ts';
import { diffRuns } from '../../gate/run-diff.ts';
import { renderRunDiffHtml } from '../../gate/run-diff-html.ts';
import { resolveGateSettings } from '../gate-settings.ts';
import { readRecordFile } from '../../runs/files.ts';
import type { RunRecord } from '../../runs/schema.ts';
import { openStore, type RunStore } from '../../store/index.ts';
import { VERSION } from '../../version.ts';
import { readStoredRun, writeOutputFile as write } from '../run-refs.ts';
import type { SetExit } from './run.ts';
import { storeOption } from './runs.ts';

interface CompareFlags {
  store?: string;
  out?: string;
  json?: string;
  config?: string;
  rule: string[];
  alpha?: string;
  minIntervals?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerCompare(program: Command, setExit: SetExit): void {
  storeOption(
    program
      .command('compare')
      .argument('<a>', 'the baseline: a run id or unique prefix in the store, or a run record file')
      .argument('<b>', 'the run compared with it: a run id, prefix or run record file')
      .description('compare two runs: an HTML report with both latency distributions, series and the gate verdicts'),
  )
    .option('--out <file>', 'write the report as one self-contained HTML file')
    .option('--json <file>', 'write the comparison as JSON')
    .option('--config <file>', 'gate settings (rules, alpha ...) for the verdicts, as for telltale gate')
    .option('--rule <rule>', 'a gate rule for the verdicts, repeatable (default: the gate defaults)', collect, [])
    .option('--alpha <p>', 'significance level of the verdicts (default 0.01)')
    .option('--min-intervals <n>', 'fewest 1-second intervals per run to judge a change (default 10)')
    .action(async (a: string, b: string, flags: CompareFlags) => {
      setExit(await compareCommand(a, b, flags));
    });
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

async function compareCommand(aRef: string, bRef: string, flags: CompareFlags): Promise<number> {
  if (flags.out === undefined && flags.json === undefined) throw new TelltaleError('TT_USAGE', 'compare: give --out report.html, --json FILE or both', { field: '--out' });
  const config = flags.config === undefined ? undefined : await readGateConfig(flags.config);
  const settings = resolveGateSettings({ rule: flags.rule, alpha: flags.alpha, minIntervals: flags.minIntervals }, config);
  let store: RunStore | undefined;
  const load = async (ref: string): Promise<RunRecord> => {
    if (await isFile(ref)) return readRecordFile(ref);
    if (/[\\/]|\.json$/i.test(ref)) throw new TelltaleError('TT_RUN_NOT_FOUND', `compare: no run record file ${ref}`, { file: ref });
    store ??= await openStore({ spec: flags.store, env: process.env, cwd: process.cwd() });
    return readStoredRun(store, ref);
  };
  try {
    const a = await load(aRef);
    const b = await load(bRef);
    const diff = diffRuns(a, b, settings.rules, settings.options);
    for (const w of diff.warnings) process.stderr.write(`WARN ${w}\n`);
    if (flags.out !== undefined) await write(flags.out, renderRunDiffHtml(diff, VERSION), '--out');
    if (flags.json !== undefined) await write(flags.json, `${JSON.stringify(diff, null, 2)}\n`, '--json');
    const verdict = 'error' in diff.gate ? 'no verdicts' : diff.gate.passed ? 'the gate passes B against A' : 'the gate fails B against A';
    process.stderr.write(`compared ${a.id} (A) with ${b.id} (B): ${verdict}${flags.out !== undefined ? `; report in ${flags.out}` : ''}\n`);
    return 0;
  } finally {
    await (store as RunStore | undefined)?.close();
  }
}
