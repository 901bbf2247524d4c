/**
 * Runs one test group as promtool does: input series loaded at `interval` steps from time 0, every rule
 * group evaluated (in group_eval_order) at 0, evaluation_interval, ... up to the largest eval_time; each
 * alert test compared, at the last evaluation at or before its eval_time, with the alerts then FIRING
 * (pending ones are not listed; labels are the alert's own, without external labels); then each PromQL
 * test queried at its eval_time against what was loaded and recorded: input samples are loaded only up to
 * each evaluation, so a PromQL test never sees samples after the last evaluation. Values compare exactly.
 */
import { FakeClock } from '../../load/clock.ts';
import { Engine } from '../../promql/engine.ts';
import { parseSeriesLabels } from '../../promql/promqltest/series-notation.ts';
import { MemoryStorage } from '../../series/memory.ts';
import { STALE_NAN, type Labels } from '../../series/types.ts';
import type { LoadedGroup } from '../group-eval.ts';
import { RuleManager } from '../rule-manager.ts';
import type { RuleFile } from '../types.ts';
import {
  alertsString, goDuration, indentLines, modelDuration, sameLabelSet, samplesString, sortAlerts, compareLabelSets,
  type AlertView, type SampleView,
} from './format.ts';
import type { AlertTest, TestGroup } from './test-file.ts';

export interface GroupRunOptions {
  ruleFiles: RuleFile[];
  evaluationIntervalMs: number;
  groupEvalOrder: string[];
}

/**
 * Feeds the input series to the storage in time order, as promtool's lazy loader does: `till(ts)` adds every
 * sample at or before ts not yet added. So rules and PromQL tests never see samples past the last evaluation.
 */
function seriesFeeder(storage: MemoryStorage, tg: TestGroup): (ts: number) => void {
  const next = tg.inputSeries.map(() => 0);
  return (ts) => {
    tg.inputSeries.forEach((s, k) => {
      for (; next[k] < s.values.length && next[k] * tg.intervalMs <= ts; next[k]++) {
        const v = s.values[next[k]];
        if (v === undefined) continue;
        // a second sample at the same time (interval 0) is refused and the first kept, as promtool's loader does
        storage.add(s.labels, next[k] * tg.intervalMs, v === 'stale' ? STALE_NAN : v);
      }
    });
  };
}

function orderedGroups(groups: readonly LoadedGroup[], order: string[]): LoadedGroup[] {
  const rank = new Map(order.map((name, i) => [name, i]));
  // groups not named rank 0, as in promtool; ties keep file order (promtool's is unspecified)
  return [...groups].sort((a, b) => (rank.get(a.group.name) ?? 0) - (rank.get(b.group.name) ?? 0));
}

function firingAlerts(groups: readonly LoadedGroup[], alertname: string): AlertView[] {
  const out: AlertView[] = [];
  for (const g of groups) {
    for (const r of g.rules) {
      if (!r.state || r.rule.name !== alertname) continue;
      for (const a of r.state.active.values()) if (a.state === 'firing') out.push({ labels: { ...a.labels }, annotations: { ...a.annotations } });
    }
  }
  return out;
}

function sameAlerts(a: readonly AlertView[], b: readonly AlertView[]): boolean {
  return a.length === b.length && a.every((x, i) => sameLabelSet(x.labels, b[i].labels) && sameLabelSet(x.annotations, b[i].annotations));
}

function checkAlert(t: AlertTest, got: AlertView[], groupName: string): string | undefined {
  const exp = sortAlerts(t.expAlerts.map((a) => ({ labels: { ...a.labels, alertname: t.alertname }, annotations: { ...a.annotations } })));
  const gotSorted = sortAlerts([...got]);
  if (sameAlerts(exp, gotSorted)) return undefined;
  const name = groupName === '' ? '' : `    name: ${groupName},\n`;
  return `${name}    alertname: ${t.alertname}, time: ${modelDuration(t.evalTimeMs)}, \n        exp:${indentLines(alertsString(exp), '            ')}, \n        got:${indentLines(alertsString(gotSorted), '            ')}`;
}

function quoted(s: string): string {
  return JSON.stringify(s);
}

/** Runs the group; returns promtool's failure messages (none: the group passed). */
export async function runTestGroup(tg: TestGroup, opts: GroupRunOptions): Promise<string[]> {
  for (const t of tg.alertTests) {
    if (t.alertname === '') {
      const where = tg.name === '' ? '' : ` (in TestGroup ${tg.name})`;
      return [`an item under alert_rule_test misses required attribute alertname at eval_time ${modelDuration(t.evalTimeMs)}${where}`];
    }
  }
  const storage = new MemoryStorage();
  const loadTill = seriesFeeder(storage, tg);
  const clock = new FakeClock(0);
  const engine = new Engine({ subqueryStep: opts.evaluationIntervalMs, now: () => clock.now() });
  const manager = new RuleManager({
    files: opts.ruleFiles, queryable: storage, storage, clock, engine,
    evaluationIntervalMs: tg.intervalMs || opts.evaluationIntervalMs,
    externalLabels: tg.externalLabels, externalURL: tg.externalURL,
  });
  const groups = orderedGroups(manager.groups, opts.groupEvalOrder);
  const maxT = Math.max(0, ...tg.alertTests.map((t) => t.evalTimeMs), ...tg.promqlTests.map((t) => t.evalTimeMs));
  const alertTimes = [...new Set(tg.alertTests.map((t) => t.evalTimeMs))].sort((a, b) => a - b);
  const errors: string[] = [];
  let next = 0;
  const step = opts.evaluationIntervalMs;
  for (let ts = 0; ts <= maxT; ts += step) {
    const evalErrors: string[] = [];
    loadTill(ts);
    for (const g of groups) {
      await manager.evaluate(g, ts);
      for (const r of g.rules) if (r.health.health === 'err') evalErrors.push(`    rule: ${r.rule.name}, time: ${goDuration(ts)}, err: ${r.health.lastError}`);
    }
    if (evalErrors.length > 0) return [...errors, ...evalErrors];
    // the alert tests whose eval_time falls in [ts, ts + step) read this evaluation
    while (next < alertTimes.length && alertTimes[next] >= ts && alertTimes[next] < ts + step) {
      const at = alertTimes[next];
      for (const t of tg.alertTests.filter((x) => x.evalTimeMs === at)) {
        const problem = checkAlert(t, firingAlerts(groups, t.alertname), tg.name);
        if (problem) errors.push(problem);
      }
      next++;
    }
  }
  for (const t of tg.promqlTests) {
    const problem = await checkExpr(engine, storage, t.expr, t.evalTimeMs, t.expSamples);
    if (problem) errors.push(problem);
  }
  return errors;
}

async function checkExpr(engine: Engine, storage: MemoryStorage, expr: string, at: number, expected: TestGroup['promqlTests'][number]['expSamples']): Promise<string | undefined> {
  const head = `    expr: ${quoted(expr)}, time: ${modelDuration(at)}`;
  let got: SampleView[];
  try {
    const r = await engine.instantQuery(storage, expr, at);
    if (r.resultType === 'vector') got = r.result.map((s) => ({ labels: { ...s.metric }, value: s.v }));
    else if (r.resultType === 'scalar') got = [{ labels: {}, value: r.result.v }];
    else return `${head}, err: rule result is not a vector or scalar`;
  } catch (err) {
    return `${head}, err: ${(err as Error).message}`;
  }
  const exp: SampleView[] = [];
  for (const s of expected) {
    let labels: Labels;
    try {
      labels = s.labels.trim() === '' ? {} : parseSeriesLabels(s.labels.trim());
    } catch (err) {
      return `${head}, err: labels ${quoted(s.labels)}: ${(err as Error).message}`;
    }
    exp.push({ labels: { ...labels }, value: s.value });
  }
  exp.sort((a, b) => compareLabelSets(a.labels, b.labels));
  got.sort((a, b) => compareLabelSets(a.labels, b.labels));
  // exact comparison, as promtool 2.42's reflect.DeepEqual: NaN never equals NaN
  const same = exp.length === got.length && exp.every((e, i) => sameLabelSet(e.labels, got[i].labels) && e.value === got[i].value);
  if (same) return undefined;
  return `${head},\n        exp: ${samplesString(exp)}\n        got: ${samplesString(got)}`;
}
