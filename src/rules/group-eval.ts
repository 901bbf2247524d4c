/**
 * One evaluation of a rule group at time `ts`, as Prometheus' Group.Eval: rules run in file order, each one's
 * output committed before the next runs (so a rule may read what an earlier one recorded at the same
 * time); recorded series that a rule no longer produces get staleness markers; a failing rule is recorded
 * with its error and the others go on.
 */
import { labelsKey } from '../series/labels.ts';
import { STALE_NAN, type Labels, type Queryable, type Storage } from '../series/types.ts';
import type { Engine } from '../promql/engine.ts';
import type { Expr } from '../promql/ast.ts';
import { expandAlertTemplateOrError } from './template/index.ts';
import { AlertingRuleState, type AlertCandidate } from './alert-state.ts';
import type { AlertingRule, RecordingRule, RuleGroup } from './types.ts';

export interface RuleHealth {
  health: 'unknown' | 'ok' | 'err';
  lastError?: string;
  lastEvaluation?: number;
  /** seconds the last evaluation took */
  evaluationSeconds?: number;
}

export interface LoadedRule {
  rule: RecordingRule | AlertingRule;
  expr: Expr;
  health: RuleHealth;
  /** alerting rules only */
  state?: AlertingRuleState;
  /** label keys of the series the rule wrote last time, for staleness markers */
  lastSeries: Map<string, Labels>;
}

export interface LoadedGroup {
  file: string;
  group: RuleGroup;
  intervalMs: number;
  queryOffsetMs: number;
  rules: LoadedRule[];
  lastEvaluation?: number;
  evaluationSeconds?: number;
}

export interface EvalDeps {
  engine: Engine;
  queryable: Queryable;
  storage: Storage;
  externalLabels: Record<string, string>;
  externalURL: string;
  /** wall clock for measuring evaluation time (ms) */
  now: () => number;
}

interface Sample {
  metric: Labels;
  v: number;
}

async function instant(deps: EvalDeps, expr: Expr | string, t: number): Promise<Sample[]> {
  const r = await deps.engine.instantQuery(deps.queryable, expr, t);
  if (r.resultType === 'vector') return r.result.map((s) => ({ metric: s.metric, v: s.v }));
  if (r.resultType === 'scalar') return [{ metric: {}, v: r.result.v }];
  throw new Error('rule result is not a vector or scalar');
}

function withoutName(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in labels) if (k !== '__name__') out[k] = labels[k];
  return out;
}

async function recordingSeries(r: LoadedRule, rule: RecordingRule, groupLabels: Record<string, string>, deps: EvalDeps, t: number, limit: number): Promise<Sample[]> {
  const vector = await instant(deps, r.expr, t);
  const seen = new Set<string>();
  const out = vector.map((s) => {
    const metric = { ...s.metric, __name__: rule.name, ...groupLabels, ...rule.labels };
    const key = labelsKey(metric);
    if (seen.has(key)) throw new Error('vector contains metrics with the same labelset after applying rule labels');
    seen.add(key);
    return { metric, v: s.v };
  });
  if (limit > 0 && out.length > limit) throw new Error(`exceeded limit of ${limit} with ${out.length} series`);
  return out;
}

async function alertCandidates(r: LoadedRule, rule: AlertingRule, groupLabels: Record<string, string>, deps: EvalDeps, t: number, ts: number): Promise<AlertCandidate[]> {
  const vector = await instant(deps, r.expr, t);
  const query = async (q: string, at: number) => (await instant(deps, q, at)).map((s) => ({ labels: { ...s.metric }, value: s.v }));
  const templateLabels = { ...groupLabels, ...rule.labels };
  const out: AlertCandidate[] = [];
  for (const s of vector) {
    const sampleLabels = withoutName(s.metric);
    const input = { labels: sampleLabels, externalLabels: deps.externalLabels, externalURL: deps.externalURL, value: s.v, query, now: ts, name: `__alert_${rule.name}` };
    const labels: Record<string, string> = { ...sampleLabels };
    for (const [k, text] of Object.entries(templateLabels)) labels[k] = await expandAlertTemplateOrError(text, input);
    labels.alertname = rule.name;
    for (const k of Object.keys(labels)) if (labels[k] === '') delete labels[k];
    const annotations: Record<string, string> = {};
    for (const [k, text] of Object.entries(rule.annotations)) annotations[k] = await expandAlertTemplateOrError(text, input);
    out.push({ labels, annotations, value: s.v });
  }
  return out;
}

/** Evaluates every rule of the group at `ts` and writes the results. Never throws for a rule's failure. */
export async function evaluateGroup(g: LoadedGroup, ts: number, deps: EvalDeps): Promise<void> {
  const started = deps.now();
  const t = ts - g.queryOffsetMs;
  for (const r of g.rules) {
    const ruleStarted = deps.now();
    let samples: Sample[];
    try {
      if (r.rule.kind === 'record') {
        samples = await recordingSeries(r, r.rule, g.group.labels, deps, t, g.group.limit);
      } else {
        const candidates = await alertCandidates(r, r.rule, g.group.labels, deps, t, ts);
        samples = r.state!.apply(candidates, ts, g.group.limit).map((s) => ({ metric: s.labels, v: s.value }));
      }
      r.health = { health: 'ok', lastEvaluation: ts, evaluationSeconds: (deps.now() - ruleStarted) / 1000 };
    } catch (err) {
      r.health = { health: 'err', lastError: (err as Error).message, lastEvaluation: ts, evaluationSeconds: (deps.now() - ruleStarted) / 1000 };
      samples = [];
    }
    await write(r, samples, t, deps);
  }
  g.lastEvaluation = ts;
  g.evaluationSeconds = (deps.now() - started) / 1000;
}

async function write(r: LoadedRule, samples: Sample[], t: number, deps: EvalDeps): Promise<void> {
  const app = deps.storage.appender();
  const current = new Map<string, Labels>();
  for (const s of samples) {
    current.set(labelsKey(s.metric), s.metric);
    app.append(s.metric, t, s.v);
  }
  for (const [key, labels] of r.lastSeries) if (!current.has(key)) app.append(labels, t, STALE_NAN);
  r.lastSeries = current;
  await app.commit();
}
