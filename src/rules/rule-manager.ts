/**
 * Runs rule groups on their intervals (each group at its own offset within the interval, as Prometheus
 * spreads them), sends due alerts to the dispatcher, and persists alert state after every evaluation so a
 * restart neither re-pages (last-sent times survive) nor drops a firing alert back to pending.
 */
import type { Clock } from '../load/clock.ts';
import { Engine } from '../promql/engine.ts';
import { parseExpr } from '../promql/parser.ts';
import { TelltaleError } from '../errors.ts';
import { labelsKey } from '../series/labels.ts';
import { STALE_NAN, type Labels, type Queryable, type Storage } from '../series/types.ts';
import type { PostableAlert } from '../alerting/alert.ts';
import { AlertingRuleState, type ActiveAlert } from './alert-state.ts';
import { evaluateGroup, type EvalDeps, type LoadedGroup, type LoadedRule } from './group-eval.ts';
import { readAlertState, writeAlertState, type PersistedState } from './state-file.ts';
import type { RuleFile } from './types.ts';

export interface RuleManagerOptions {
  files: RuleFile[];
  /** already loaded groups (`loadGroups`), used instead of `files` */
  groups?: LoadedGroup[];
  queryable: Queryable;
  storage: Storage;
  clock: Clock;
  /** default evaluation interval (Prometheus' global evaluation_interval), 1 m */
  evaluationIntervalMs?: number;
  /** how often a firing alert is re-sent, 1 m as Prometheus' --rules.alert.resend-delay */
  resendDelayMs?: number;
  externalLabels?: Record<string, string>;
  externalURL?: string;
  /** receives alerts due to be sent (the dispatcher's receive) */
  notify?: (alerts: PostableAlert[]) => void;
  /** where alert state is kept across restarts (a JSON file); none: in memory only */
  stateFile?: string;
  engine?: Engine;
  onWarning?: (message: string, err?: unknown) => void;
}

/** fnv-1a 64 of `file;group`, reduced, for the group's offset within its interval. */
function groupHash(s: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(s)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

/** The group's evaluation time at or before `now`: aligned to the interval, shifted by the group's offset. */
export function evalTimestamp(now: number, intervalMs: number, file: string, group: string): number {
  const offset = Number(groupHash(`${group};${file}`) % BigInt(intervalMs));
  const adj = now - offset;
  return adj - (((adj % intervalMs) + intervalMs) % intervalMs) + offset;
}

/** The groups of rule files, their expressions parsed (throws TT_RULES_INVALID at the first that does not). */
export function loadGroups(files: readonly RuleFile[], defaultIntervalMs: number): LoadedGroup[] {
  return files.flatMap((f) =>
    f.groups.map((group): LoadedGroup => ({
      file: f.file,
      group,
      intervalMs: group.intervalMs ?? defaultIntervalMs,
      queryOffsetMs: group.queryOffsetMs ?? 0,
      rules: group.rules.map((rule): LoadedRule => {
        let expr;
        try {
          expr = parseExpr(rule.expr);
        } catch (err) {
          throw new TelltaleError('TT_RULES_INVALID', `${group.name}: ${rule.name}: ${(err as Error).message}`, { file: f.file, line: rule.exprPos.line, column: rule.exprPos.column, cause: err });
        }
        return {
          rule, expr, health: { health: 'unknown' }, lastSeries: new Map(),
          state: rule.kind === 'alert' ? new AlertingRuleState(rule.name, rule.forMs, rule.keepFiringForMs) : undefined,
        };
      }),
    })),
  );
}

/** Identity of a rule across reloads, as Prometheus': file, group, rule name and the rule's labels. */
function ruleIdentity(g: LoadedGroup, r: LoadedRule): string {
  return `${g.file}\n${g.group.name}\n${r.rule.kind}\n${r.rule.name}\n${labelsKey(r.rule.labels)}`;
}

export interface RuleSwapReport {
  /** rules whose state (active alerts, health, recorded series) carried over */
  kept: number;
  added: number;
  removed: number;
}

/**
 * Carries state from the running groups into the new ones: a rule with the same file, group, name and
 * labels keeps its active alerts, health and recorded series (Prometheus' copyState); recorded series of
 * rules that are gone are returned so they can be marked stale.
 */
export function carryOverState(previous: readonly LoadedGroup[], next: readonly LoadedGroup[]): RuleSwapReport & { orphanSeries: Labels[] } {
  const old = new Map<string, { g: LoadedGroup; r: LoadedRule }>();
  for (const g of previous) for (const r of g.rules) old.set(ruleIdentity(g, r), { g, r });
  const oldGroups = new Map(previous.map((g) => [`${g.file}\n${g.group.name}`, g]));
  let kept = 0;
  let added = 0;
  for (const g of next) {
    const before = oldGroups.get(`${g.file}\n${g.group.name}`);
    if (before) {
      g.lastEvaluation = before.lastEvaluation;
      g.evaluationSeconds = before.evaluationSeconds;
    }
    for (const r of g.rules) {
      const id = ruleIdentity(g, r);
      const match = old.get(id);
      if (!match) {
        added++;
        continue;
      }
      old.delete(id);
      kept++;
      r.health = match.r.health;
      r.lastSeries = match.r.lastSeries;
      if (r.state && match.r.state) for (const [k, a] of match.r.state.active) r.state.active.set(k, a);
    }
  }
  const orphanSeries = [...old.values()].flatMap(({ r }) => [...r.lastSeries.values()]);
  return { kept, added, removed: old.size, orphanSeries };
}

export class RuleManager {
  #groups: LoadedGroup[];
  private readonly options: RuleManagerOptions;
  private readonly deps: EvalDeps;
  private abort = new AbortController();
  private started = false;
  private loops: Promise<void>[] = [];
  private persisting: Promise<void> = Promise.resolve();

  get groups(): readonly LoadedGroup[] {
    return this.#groups;
  }

  constructor(options: RuleManagerOptions) {
    this.options = options;
    this.#groups = options.groups ?? loadGroups(options.files, options.evaluationIntervalMs ?? 60_000);
    const clock = options.clock;
    this.deps = {
      engine: options.engine ?? new Engine({ now: () => clock.now() }),
      queryable: options.queryable,
      storage: options.storage,
      externalLabels: options.externalLabels ?? {},
      externalURL: options.externalURL ?? '',
      now: () => clock.now(),
    };
  }

  /** Restores persisted alert state (call before start). */
  async restore(): Promise<void> {
    if (!this.options.stateFile) return;
    const state = await readAlertState(this.options.stateFile);
    for (const g of this.#groups) {
      const saved = state.groups[`${g.file}\n${g.group.name}`];
      if (!saved) continue;
      for (const r of g.rules) {
        const alerts = r.state ? saved[r.rule.name] : undefined;
        if (!alerts) continue;
        // the dispatcher these were sent to went away with the process: send them again at the first
        // evaluation (the notification log keeps receivers from hearing twice), not a resend delay later
        for (const a of alerts) r.state!.active.set(labelsKey(a.labels), { ...a, lastSentAt: 0 });
      }
    }
  }

  /** Evaluates one group at `ts`, sends what is due and persists state (the loop's step; tests call it directly). */
  async evaluate(g: LoadedGroup, ts: number): Promise<void> {
    await evaluateGroup(g, ts, this.deps);
    const due: PostableAlert[] = [];
    for (const r of g.rules) {
      if (!r.state) continue;
      for (const a of r.state.due(ts, this.options.resendDelayMs ?? 60_000, g.intervalMs)) due.push(this.postable(a, r));
    }
    if (due.length > 0) this.options.notify?.(due);
    await this.persist();
  }

  start(): void {
    this.started = true;
    for (const g of this.#groups) this.loops.push(this.loop(g));
  }

  async stop(): Promise<void> {
    this.started = false;
    this.abort.abort();
    await Promise.all(this.loops);
    this.loops = [];
    await this.persisting;
  }

  /**
   * Switches to new groups (from `loadGroups`): waits for evaluations in flight, carries the state of
   * unchanged rules over, marks the series of removed recording rules stale and, if running, starts the
   * new groups' loops. Nothing evaluates while the switch happens.
   */
  async replace(next: LoadedGroup[]): Promise<RuleSwapReport> {
    const wasStarted = this.started;
    if (wasStarted) await this.stop();
    const { orphanSeries, ...report } = carryOverState(this.#groups, next);
    this.#groups = next;
    this.abort = new AbortController();
    if (orphanSeries.length > 0) {
      const app = this.options.storage.appender();
      const t = this.options.clock.now();
      for (const labels of orphanSeries) app.append(labels, t, STALE_NAN);
      await app.commit();
    }
    await this.persist();
    if (wasStarted) this.start();
    return report;
  }

  /** Every alert of every alerting rule, for the API. */
  alerts(): Array<ActiveAlert & { rule: string; group: string }> {
    return this.#groups.flatMap((g) => g.rules.flatMap((r) => (r.state ? r.state.list().map((a) => ({ ...a, rule: r.rule.name, group: g.group.name })) : [])));
  }

  private postable(a: ActiveAlert, r: LoadedRule): PostableAlert {
    const labels: Record<string, string> = { ...a.labels };
    for (const [k, v] of Object.entries(this.deps.externalLabels)) if (labels[k] === undefined) labels[k] = v;
    const expr = encodeURIComponent(r.rule.expr);
    return {
      labels,
      annotations: a.annotations,
      startsAt: a.firedAt,
      endsAt: a.resolvedAt !== 0 ? a.resolvedAt : a.validUntil,
      generatorURL: `${this.deps.externalURL}/graph?g0.expr=${expr}&g0.tab=1`,
    };
  }

  private async loop(g: LoadedGroup): Promise<void> {
    const clock = this.options.clock;
    const signal = this.abort.signal;
    let next = evalTimestamp(clock.now(), g.intervalMs, g.file, g.group.name) + g.intervalMs;
    while (!signal.aborted) {
      try {
        await clock.sleepUntil(next, signal);
      } catch {
        return;
      }
      try {
        await this.evaluate(g, next);
      } catch (err) {
        this.options.onWarning?.(`rule group ${g.group.name} (${g.file}) failed`, err);
      }
      // missed iterations are skipped, not bunched
      next += g.intervalMs;
      const now = clock.now();
      if (next <= now) next += Math.ceil((now - next) / g.intervalMs) * g.intervalMs;
    }
  }

  private persist(): Promise<void> {
    const file = this.options.stateFile;
    if (!file) return Promise.resolve();
    const state: PersistedState = { version: 1, groups: {} };
    for (const g of this.#groups) {
      const rules: Record<string, ActiveAlert[]> = {};
      for (const r of g.rules) if (r.state && r.state.active.size > 0) rules[r.rule.name] = [...r.state.active.values()];
      if (Object.keys(rules).length > 0) state.groups[`${g.file}\n${g.group.name}`] = rules;
    }
    // writes are serialized so an older state never lands after a newer one
    this.persisting = this.persisting.then(() => writeAlertState(file, state)).catch((err: unknown) => this.options.onWarning?.('cannot persist alert state', err));
    return this.persisting;
  }
}
