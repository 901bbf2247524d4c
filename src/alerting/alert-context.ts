/**
 * "Is this alert real?" — the runbook's first step, computed for each firing alert when it is notified:
 * its value now against the values at the same time of day on each of the previous 7 days (the alert's
 * expression, less its threshold comparison, evaluated through the PromQL engine), and the deployments of
 * its service (label `service`, else `job`) recorded in the last 30 minutes. The expression comes from the
 * alert's generator URL (`g0.expr`), which Telltale's rules and Prometheus both set.
 */
import type { Annotation, AnnotationStore } from '../annotations/annotation-store.ts';
import type { Expr } from '../promql/ast.ts';
import type { Engine } from '../promql/engine.ts';
import { parseExpr } from '../promql/parser.ts';
import type { Labels, Queryable } from '../series/types.ts';
import { isResolved, type Alert } from './alert.ts';

export interface ValueBand {
  min: number;
  median: number;
  max: number;
  /** how many of the previous days had a value at this time */
  days: number;
}

export interface DeployNote {
  service: string;
  version?: string;
  text: string;
  /** epoch ms */
  time: number;
}

export interface AlertContext {
  /** the value now, when the expression gives one for this alert */
  value?: number;
  band?: ValueBand;
  /** true when the value is outside [min, max] of the band; undefined without a value or band */
  outside?: boolean;
  /** the service the deployments were looked up for */
  service?: string;
  /** deployments of the service in the lookback window, newest first */
  deploys: DeployNote[];
}

/** Computes the context of the firing alerts of one notification, keyed by fingerprint. */
export type ContextSource = (alerts: readonly Alert[], now: number) => Promise<ReadonlyMap<string, AlertContext>>;

export interface ContextSourceOptions {
  engine: Engine;
  queryable: Queryable;
  annotations?: AnnotationStore;
  /** previous days compared (default 7) */
  days?: number;
  /** how far back deployments count (default 30 min) */
  deployWindowMs?: number;
  /** alerts per notification that get a context (default 20); the others go without */
  maxAlerts?: number;
}

const DAY_MS = 86_400_000;

/** The `g0.expr` of a Prometheus-style generator URL. */
export function exprOfGeneratorURL(url: string): string | undefined {
  if (url === '') return undefined;
  try {
    return new URL(url, 'http://localhost').searchParams.get('g0.expr') ?? undefined;
  } catch {
    return undefined;
  }
}

function selectsNothing(e: Expr): boolean {
  switch (e.type) {
    case 'number':
      return true;
    case 'paren':
    case 'unary':
      return selectsNothing(e.expr);
    case 'binary':
      return selectsNothing(e.lhs) && selectsNothing(e.rhs);
    default:
      return false;
  }
}

/**
 * The part of an alert expression that carries the value: `x > 0.1` → `x`, `x > 0.1 and on() y` → `x`.
 * A comparison filters out the past days that were below the threshold, which are exactly the ones to
 * compare with.
 */
export function valueExpr(e: Expr): Expr {
  if (e.type === 'paren') return valueExpr(e.expr);
  if (e.type !== 'binary') return e;
  if (e.op === 'and' || e.op === 'unless') return valueExpr(e.lhs);
  if (['==', '!=', '>', '<', '>=', '<='].includes(e.op) && !e.bool) {
    if (selectsNothing(e.rhs)) return valueExpr(e.lhs);
    if (selectsNothing(e.lhs)) return valueExpr(e.rhs);
  }
  return e;
}

function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

export function band(values: readonly number[]): ValueBand | undefined {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  return { min: v[0], median: median(v), max: v[v.length - 1], days: v.length };
}

/** The sample of a result that belongs to the alert: every label of the sample (but the name) is the alert's. */
function sampleFor(samples: ReadonlyArray<{ metric: Labels; v: number }>, alert: Labels): number | undefined {
  for (const s of samples) {
    let ok = true;
    for (const k in s.metric) {
      if (k !== '__name__' && alert[k] !== s.metric[k]) {
        ok = false;
        break;
      }
    }
    if (ok) return s.v;
  }
  return undefined;
}

export function alertContextSource(options: ContextSourceOptions): ContextSource {
  const days = options.days ?? 7;
  const deployWindow = options.deployWindowMs ?? 30 * 60_000;
  const maxAlerts = options.maxAlerts ?? 20;
  return async (alerts, now) => {
    const firing = alerts.filter((a) => !isResolved(a, now)).slice(0, maxAlerts);
    // one set of evaluations per expression and one annotation query per service, however many alerts share them
    const evaluations = new Map<string, Promise<Array<Array<{ metric: Labels; v: number }>> | undefined>>();
    const deploys = new Map<string, Promise<Annotation[]>>();
    const evaluate = (text: string) => {
      let p = evaluations.get(text);
      if (!p) {
        p = (async () => {
          let expr: Expr;
          try {
            expr = valueExpr(parseExpr(text));
          } catch {
            return undefined;
          }
          const times = Array.from({ length: days + 1 }, (_, k) => now - k * DAY_MS);
          return Promise.all(
            times.map(async (t) => {
              const r = await options.engine.instantQuery(options.queryable, expr, t);
              if (r.resultType === 'vector') return r.result;
              if (r.resultType === 'scalar') return [{ metric: {}, v: r.result.v }];
              return [];
            }),
          );
        })();
        evaluations.set(text, p);
      }
      return p;
    };
    const deploysOf = (service: string) => {
      let p = deploys.get(service);
      if (!p) {
        p = options.annotations?.list({ service, kind: 'deploy', from: now - deployWindow, to: now, limit: 10 }) ?? Promise.resolve([]);
        deploys.set(service, p);
      }
      return p;
    };
    const contexts = await Promise.all(
      firing.map(async (a): Promise<[string, AlertContext]> => {
        const ctx: AlertContext = { deploys: [] };
        const text = exprOfGeneratorURL(a.generatorURL);
        const results = text === undefined ? undefined : await evaluate(text);
        if (results) {
          const [current, ...past] = results.map((r) => sampleFor(r, a.labels));
          const b = band(past.filter((v): v is number => v !== undefined));
          if (current !== undefined && Number.isFinite(current)) ctx.value = current;
          if (b) ctx.band = b;
          if (ctx.value !== undefined && b) ctx.outside = ctx.value < b.min || ctx.value > b.max;
        }
        const service = a.labels.service ?? a.labels.job;
        if (service !== undefined && service !== '') {
          ctx.service = service;
          ctx.deploys = (await deploysOf(service)).map((d) => ({
            service, ...(d.version !== undefined ? { version: d.version } : {}), text: d.text, time: d.time,
          }));
        }
        return [a.fingerprint, ctx];
      }),
    );
    return new Map(contexts);
  };
}
