/**
 * The parts of alertmanager.yml with semantics of their own: the route tree (with Alertmanager's inheritance
 * of receiver, group_by and timings from the parent), inhibit rules, named time intervals and Telltale's
 * escalation policies.
 */
import type { RawConfig, RawRoute } from './config-schema.ts';
import { parsePromDuration } from './duration.ts';
import { formatMatcherList, makeMatcher, MatcherSyntaxError, parseMatchers, sortMatchers, type LabelMatcher } from './matchers.ts';
import type { Fail, ReceiverConfig } from './receiver-config.ts';
import {
  checkLocation, IntervalSyntaxError, parseDayOfMonthRange, parseMonthRange, parseTimeRange, parseWeekdayRange, parseYearRange,
  type TimeInterval,
} from './time-intervals.ts';

type At = ReadonlyArray<string | number>;

export interface Route {
  readonly receiver: string;
  /** sorted, as Alertmanager sorts them */
  readonly matchers: readonly LabelMatcher[];
  readonly continue: boolean;
  /** the label names alerts are grouped by; ignored when groupByAll */
  readonly groupBy: readonly string[];
  /** `group_by: ['...']`: every alert is a group of its own */
  readonly groupByAll: boolean;
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly muteTimeIntervals: readonly string[];
  readonly activeTimeIntervals: readonly string[];
  readonly escalationPolicy?: string;
  readonly routes: readonly Route[];
  /** Alertmanager's route key (`{}/{severity="page"}`), the first half of a group key */
  readonly key: string;
  /** where it is in the file (`route.routes[0]`) */
  readonly path: string;
}

export interface InhibitRule {
  readonly sourceMatchers: readonly LabelMatcher[];
  readonly targetMatchers: readonly LabelMatcher[];
  readonly equal: readonly string[];
}

export interface EscalationStep {
  readonly afterMs: number;
  readonly receivers: readonly string[];
}

export interface EscalationPolicy {
  readonly name: string;
  readonly steps: readonly EscalationStep[];
}

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function collectMatchers(
  lists: { matchers?: readonly string[]; match?: Record<string, string>; matchRe?: Record<string, string> },
  at: { matchers: At; match: At; matchRe: At },
  fail: Fail,
): LabelMatcher[] {
  const out: LabelMatcher[] = [];
  for (const [k, v] of Object.entries(lists.match ?? {})) {
    if (!LABEL_NAME.test(k)) fail([...at.match, k], `${JSON.stringify(k)} is not a valid label name`);
    out.push(makeMatcher(k, '=', v));
  }
  for (const [k, v] of Object.entries(lists.matchRe ?? {})) {
    if (!LABEL_NAME.test(k)) fail([...at.matchRe, k], `${JSON.stringify(k)} is not a valid label name`);
    try {
      out.push(makeMatcher(k, '=~', v));
    } catch (e) {
      fail([...at.matchRe, k], (e as Error).message);
    }
  }
  (lists.matchers ?? []).forEach((m, i) => {
    try {
      out.push(...parseMatchers(m));
    } catch (e) {
      if (e instanceof MatcherSyntaxError) fail([...at.matchers, i], e.message);
      throw e;
    }
  });
  return sortMatchers(out);
}

function duration(value: string | undefined, inherited: number, at: At, fail: Fail, positive: boolean): number {
  if (value === undefined) return inherited;
  const d = parsePromDuration(value);
  if (d === undefined) fail(at, `${JSON.stringify(value)} is not a duration (e.g. "30s", "5m", "4h")`);
  if (positive && d === 0) fail(at, 'must be greater than 0');
  return d;
}

export interface RouteContext {
  receivers: ReadonlyMap<string, ReceiverConfig>;
  timeIntervals: ReadonlyMap<string, readonly TimeInterval[]>;
  escalationPolicies: ReadonlyMap<string, unknown>;
  fail: Fail;
}

export function compileRoute(raw: RawRoute, parent: Route | undefined, at: At, ctx: RouteContext): Route {
  const { fail } = ctx;
  const isRoot = parent === undefined;
  const matchers = collectMatchers(
    { matchers: raw.matchers, match: raw.match, matchRe: raw.match_re },
    { matchers: [...at, 'matchers'], match: [...at, 'match'], matchRe: [...at, 'match_re'] },
    fail,
  );
  if (isRoot) {
    if (matchers.length > 0) fail([...at, 'matchers'], 'the root route must not have matchers');
    if (raw.receiver === undefined || raw.receiver === '') fail([...at, 'receiver'], 'the root route must name a receiver');
    if (raw.continue) fail([...at, 'continue'], 'the root route must not set continue');
    if ((raw.mute_time_intervals?.length ?? 0) > 0) fail([...at, 'mute_time_intervals'], 'the root route must not have mute_time_intervals');
    if ((raw.active_time_intervals?.length ?? 0) > 0) fail([...at, 'active_time_intervals'], 'the root route must not have active_time_intervals');
  }
  const receiver = raw.receiver ?? parent!.receiver;
  if (!ctx.receivers.has(receiver)) fail([...at, 'receiver'], `undefined receiver ${JSON.stringify(receiver)} used in route`);
  let groupBy = parent?.groupBy ?? [];
  let groupByAll = parent?.groupByAll ?? false;
  if (raw.group_by !== undefined) {
    groupByAll = raw.group_by.includes('...');
    if (groupByAll && raw.group_by.length > 1) fail([...at, 'group_by'], "'...' groups by all labels and cannot be combined with other labels");
    raw.group_by.forEach((l, i) => {
      if (l !== '...' && !LABEL_NAME.test(l)) fail([...at, 'group_by', i], `${JSON.stringify(l)} is not a valid label name`);
      if (raw.group_by!.indexOf(l) !== i) fail([...at, 'group_by', i], `duplicated label ${JSON.stringify(l)} in group_by`);
    });
    groupBy = groupByAll ? [] : [...raw.group_by];
  }
  const checkIntervals = (names: readonly string[] | undefined, field: string) =>
    (names ?? []).forEach((n, i) => {
      if (!ctx.timeIntervals.has(n)) fail([...at, field, i], `undefined time interval ${JSON.stringify(n)} used in route`);
    });
  checkIntervals(raw.mute_time_intervals, 'mute_time_intervals');
  checkIntervals(raw.active_time_intervals, 'active_time_intervals');
  if (raw.escalation_policy !== undefined && !ctx.escalationPolicies.has(raw.escalation_policy)) {
    fail([...at, 'escalation_policy'], `undefined escalation policy ${JSON.stringify(raw.escalation_policy)} used in route`);
  }
  const escalationPolicy = raw.escalation_policy ?? parent?.escalationPolicy;
  const groupIntervalMs = duration(raw.group_interval, parent?.groupIntervalMs ?? 5 * 60_000, [...at, 'group_interval'], fail, true);
  const repeatIntervalMs = duration(raw.repeat_interval, parent?.repeatIntervalMs ?? 4 * 3_600_000, [...at, 'repeat_interval'], fail, true);
  const sortedMatchers = sortMatchers(matchers);
  const key = parent ? `${parent.key}/${formatMatcherList(sortedMatchers)}` : formatMatcherList(sortedMatchers);
  const base = {
    receiver,
    matchers: sortedMatchers,
    continue: raw.continue ?? false,
    groupBy,
    groupByAll,
    groupWaitMs: duration(raw.group_wait, parent?.groupWaitMs ?? 30_000, [...at, 'group_wait'], fail, false),
    groupIntervalMs,
    repeatIntervalMs,
    muteTimeIntervals: raw.mute_time_intervals ?? [],
    activeTimeIntervals: raw.active_time_intervals ?? [],
    ...(escalationPolicy !== undefined ? { escalationPolicy } : {}),
    key,
    path: at.length === 1 ? String(at[0]) : `route${at.slice(1).map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}`,
  };
  const self: Route = { ...base, routes: [] };
  const routes = (raw.routes ?? []).map((child, i) => compileRoute(child, self, [...at, 'routes', i], ctx));
  return { ...base, routes };
}

export function compileInhibitRules(raw: RawConfig, fail: Fail): InhibitRule[] {
  return (raw.inhibit_rules ?? []).map((r, i) => {
    const at = ['inhibit_rules', i];
    const equal = r.equal ?? [];
    equal.forEach((l, j) => {
      if (!LABEL_NAME.test(l)) fail([...at, 'equal', j], `${JSON.stringify(l)} is not a valid label name`);
    });
    return {
      sourceMatchers: collectMatchers(
        { matchers: r.source_matchers, match: r.source_match, matchRe: r.source_match_re },
        { matchers: [...at, 'source_matchers'], match: [...at, 'source_match'], matchRe: [...at, 'source_match_re'] },
        fail,
      ),
      targetMatchers: collectMatchers(
        { matchers: r.target_matchers, match: r.target_match, matchRe: r.target_match_re },
        { matchers: [...at, 'target_matchers'], match: [...at, 'target_match'], matchRe: [...at, 'target_match_re'] },
        fail,
      ),
      equal,
    };
  });
}

export function compileIntervals(raw: RawConfig, fail: Fail): Map<string, TimeInterval[]> {
  const out = new Map<string, TimeInterval[]>();
  const lists: Array<[string, RawConfig['time_intervals']]> = [['mute_time_intervals', raw.mute_time_intervals], ['time_intervals', raw.time_intervals]];
  for (const [section, list] of lists) {
    (list ?? []).forEach((named, i) => {
      const at = [section, i];
      if (named.name === '') fail([...at, 'name'], 'a time interval needs a name');
      if (out.has(named.name)) fail([...at, 'name'], `time interval ${JSON.stringify(named.name)} is defined twice`);
      const intervals = named.time_intervals.map((ti, j) => {
        const p = [...at, 'time_intervals', j];
        const guard = <T>(field: string, k: number | undefined, fn: () => T): T => {
          try {
            return fn();
          } catch (e) {
            if (e instanceof IntervalSyntaxError) fail(k === undefined ? [...p, field] : [...p, field, k], e.message);
            throw e;
          }
        };
        const interval: {
          -readonly [K in keyof TimeInterval]: TimeInterval[K];
        } = {};
        if (ti.times) interval.times = ti.times.map((t, k) => guard('times', k, () => parseTimeRange(t.start_time, t.end_time)));
        if (ti.weekdays) interval.weekdays = ti.weekdays.map((w, k) => guard('weekdays', k, () => parseWeekdayRange(w)));
        if (ti.days_of_month) interval.daysOfMonth = ti.days_of_month.map((d, k) => guard('days_of_month', k, () => parseDayOfMonthRange(d)));
        if (ti.months) interval.months = ti.months.map((m, k) => guard('months', k, () => parseMonthRange(m)));
        if (ti.years) interval.years = ti.years.map((y, k) => guard('years', k, () => parseYearRange(y)));
        if (ti.location !== undefined) {
          const loc = ti.location;
          guard('location', undefined, () => checkLocation(loc));
          interval.location = loc;
        }
        return interval;
      });
      out.set(named.name, intervals);
    });
  }
  return out;
}

/** The seed's escalation timings: a step without `after` escalates 15, 30, 45 … minutes after the alert fired. */
export const DEFAULT_STEP_MINUTES = 15;

export function compileEscalation(raw: RawConfig, receivers: ReadonlyMap<string, ReceiverConfig>, fail: Fail): Map<string, EscalationPolicy> {
  const out = new Map<string, EscalationPolicy>();
  (raw.escalation_policies ?? []).forEach((p, i) => {
    const at = ['escalation_policies', i];
    if (p.name === '') fail([...at, 'name'], 'an escalation policy needs a name');
    if (out.has(p.name)) fail([...at, 'name'], `escalation policy ${JSON.stringify(p.name)} is defined twice`);
    let previous = 0;
    const steps = p.steps.map((s, j) => {
      const afterMs = duration(s.after, (j + 1) * DEFAULT_STEP_MINUTES * 60_000, [...at, 'steps', j, 'after'], fail, true);
      if (afterMs <= previous) fail([...at, 'steps', j, 'after'], 'each step must come later than the one before');
      previous = afterMs;
      s.receivers.forEach((r, k) => {
        if (!receivers.has(r)) fail([...at, 'steps', j, 'receivers', k], `undefined receiver ${JSON.stringify(r)} used in escalation policy`);
      });
      return { afterMs, receivers: s.receivers };
    });
    out.set(p.name, { name: p.name, steps });
  });
  return out;
}
