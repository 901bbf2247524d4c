/**
 * The gate's settings from its three sources: command-line flags win over the config file, which wins over
 * the defaults. Only the flags a user actually gave count; commander leaves the others undefined.
 */
import { TelltaleError } from '../errors.ts';
import type { GateBaselineChoice, GateConfig } from '../gate/config.ts';
import type { GateOptions } from '../gate/compare.ts';
import { DEFAULT_HISTORY_RUNS } from '../gate/history.ts';
import { DEFAULT_RULES, parseRule, type GateRule } from '../gate/rules.ts';
import { parseCount } from './run-flags.ts';

export interface GateFlagValues {
  rule: string[];
  alpha?: string;
  minIntervals?: string;
  failOnInconclusive?: boolean;
  test?: string;
  baseline?: string;
  baselineRun?: string;
  history?: string;
  historyBranch?: string;
  minHistory?: string;
}

export interface GateSettings {
  rules: GateRule[];
  options: GateOptions;
  test?: string;
  /** undefined: the store's baseline of the test */
  baseline?: GateBaselineChoice;
  history: { runs: number; branch?: string };
  /** where the rules came from, for messages */
  rulesFrom: 'flags' | 'config' | 'defaults';
}

const wholeNumber = (value: string, flag: string, min: number): number => parseCount(value, flag, min) as number;

export function resolveGateSettings(flags: GateFlagValues, config?: GateConfig): GateSettings {
  if (flags.baseline !== undefined && flags.baselineRun !== undefined) throw new TelltaleError('TT_USAGE', '--baseline and --baseline-run exclude each other', { field: '--baseline' });
  let alpha = config?.alpha ?? 0.01;
  if (flags.alpha !== undefined) {
    alpha = Number(flags.alpha);
    if (!(alpha > 0 && alpha < 1)) throw new TelltaleError('TT_USAGE', `--alpha ${JSON.stringify(flags.alpha)}: expected a number between 0 and 1`, { field: '--alpha' });
  }
  const minIntervals = flags.minIntervals !== undefined ? wholeNumber(flags.minIntervals, '--min-intervals', 2) : (config?.minIntervals ?? 10);
  const minHistory = flags.minHistory !== undefined ? wholeNumber(flags.minHistory, '--min-history', 2) : (config?.history.minRuns ?? 5);
  const historyRuns = flags.history !== undefined ? wholeNumber(flags.history, '--history', 0) : (config?.history.runs ?? DEFAULT_HISTORY_RUNS);
  const historyBranch = flags.historyBranch ?? config?.history.branch;

  // --rule replaces the file's rules for all requests and every endpoint; an endpoint's own rules stay
  const rulesFrom = flags.rule.length > 0 ? 'flags' : config?.rules !== undefined ? 'config' : 'defaults';
  const global = rulesFrom === 'flags' ? flags.rule.map((r) => parseRule(r)) : (config?.rules ?? DEFAULT_RULES.map((r) => parseRule(r)));
  const rules = [...global, ...(config?.endpointRules ?? [])];
  if (rules.length === 0) throw new TelltaleError('TT_GATE_CONFIG', 'gate config: no rules to check (rules: is empty and no endpoint has rules)', { file: config?.file, field: 'rules' });

  let baseline: GateBaselineChoice | undefined = config?.baseline;
  if (flags.baseline !== undefined) baseline = { kind: 'file', file: flags.baseline };
  if (flags.baselineRun !== undefined) baseline = { kind: 'run', run: flags.baselineRun };

  const settings: GateSettings = {
    rules,
    options: { alpha, minIntervals, failOnInconclusive: flags.failOnInconclusive ?? config?.failOnInconclusive ?? false, minHistory, ownRules: config?.ownRules ?? [] },
    history: historyBranch === undefined ? { runs: historyRuns } : { runs: historyRuns, branch: historyBranch },
    rulesFrom,
  };
  const test = flags.test ?? config?.test;
  if (test !== undefined) settings.test = test;
  if (baseline !== undefined) settings.baseline = baseline;
  return settings;
}
