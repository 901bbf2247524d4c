/**
 * Gate rules, written as one line each:
 *
 *   p95 relative_increase > 10%            latency percentile (p50, p90, p95, p99) up by more than 10%
 *   throughput relative_decrease > 5%      requests per second down by more than 5%
 *   error_rate increase > 0.5%             failed-request rate up by more than 0.5 percentage points
 *   error_rate > 0                         the current run has failed requests at all (no comparison)
 *   p99 > 800                              absolute limits on the current run (ms, requests/s, rate)
 *   throughput < 50
 *   p95{name:checkout} relative_increase > 20%     one endpoint only
 *
 * Without `{name:...}` a rule applies to all requests together and to every endpoint both runs have.
 */
import { TelltaleError } from '../errors.ts';

export type GateMetric = 'p50' | 'p90' | 'p95' | 'p99' | 'error_rate' | 'throughput';
export const LATENCY_METRICS: readonly GateMetric[] = ['p50', 'p90', 'p95', 'p99'];

/**
 * relative_increase / relative_decrease: the change relative to the baseline; increase / decrease: the absolute
 * change; absolute: the current run's value alone.
 */
export type RuleKind = 'relative_increase' | 'relative_decrease' | 'increase' | 'decrease' | 'absolute';

export interface GateRule {
  /** the rule as written */
  text: string;
  metric: GateMetric;
  /** an endpoint name, or undefined for all requests and every endpoint */
  endpoint?: string;
  kind: RuleKind;
  /** for absolute rules: `>` (a ceiling) or `<` (a floor) */
  op: '>' | '<';
  /** a fraction for relative rules and rates (10% = 0.1); ms for latency and requests/s for throughput otherwise */
  threshold: number;
}

/** The CI gate of the seeds: fail when p95 rises more than 10% against the baseline, or any request fails. */
export const DEFAULT_RULES: readonly string[] = ['p95 relative_increase > 10%', 'error_rate > 0'];

const RULE = /^\s*(p50|p90|p95|p99|error_rate|throughput)\s*(?:\{\s*name\s*:\s*([^}]*?)\s*\})?\s+(?:(relative_increase|relative_decrease|increase|decrease)\s+)?(>|<)\s*([0-9]*\.?[0-9]+(?:[eE][+-]?\d+)?)\s*(%?)\s*$/;

export function parseRule(text: string, where = '--rule'): GateRule {
  const m = RULE.exec(text);
  const fail = (why: string) =>
    new TelltaleError('TT_USAGE', `${where} ${JSON.stringify(text)}: ${why}`, {
      field: where,
      hint: 'rules look like "p95 relative_increase > 10%", "throughput relative_decrease > 5%", "error_rate > 0" or "p99{name:checkout} > 800"',
    });
  if (!m) throw fail('not a rule');
  const [, metric, endpoint, kindWord, op, number, percent] = m;
  const kind = (kindWord ?? 'absolute') as RuleKind;
  if (kind !== 'absolute' && op !== '>') throw fail(`a ${kind} rule takes ">" (the change is more than the threshold)`);
  if (metric === 'error_rate' && kind.startsWith('relative')) throw fail('error rates compare by "increase" (percentage points), not relatively');
  const value = Number(number);
  if (!Number.isFinite(value)) throw fail(`${number} is not a finite number`);
  const relative = kind === 'relative_increase' || kind === 'relative_decrease';
  const fraction = metric === 'error_rate' || relative;
  if (percent && !fraction) throw fail(`"%" only goes with relative changes and error rates (${metric} is in ${metric === 'throughput' ? 'requests/s' : 'ms'})`);
  if (relative && !percent) throw fail('a relative change is a percentage, e.g. "> 10%"');
  const threshold = percent ? value / 100 : value;
  if (metric === 'error_rate' && threshold > 1) throw fail('an error rate is at most 100%');
  const rule: GateRule = { text: text.trim(), metric: metric as GateMetric, kind, op: op as '>' | '<', threshold };
  if (endpoint !== undefined) {
    if (endpoint === '') throw fail('empty endpoint name');
    rule.endpoint = endpoint;
  }
  return rule;
}
