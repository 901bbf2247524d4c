/**
 * Alerts as they arrive — Prometheus' JSON array for `POST /api/v2/alerts` or the rule evaluator's objects —
 * checked the way Alertmanager checks them, with errors naming the alert and field (`[2].labels.job`), and
 * merged into the alert already held for the same fingerprint.
 */
import { TelltaleError } from '../errors.ts';
import { isValidLabelName } from '../series/labels.ts';
import type { Alert, Labels, PostableAlert } from './alert.ts';
import { fingerprint } from './fingerprint.ts';

function bad(field: string, message: string): never {
  throw new TelltaleError('TT_ALERTING_INPUT', `${field}: ${message}`, { field });
}

function labelMap(v: unknown, field: string, names: boolean): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) bad(field, 'expected an object of strings');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val !== 'string') bad(`${field}.${k}`, `expected a string, got ${val === null ? 'null' : typeof val}`);
    if (names && !isValidLabelName(k)) bad(`${field}.${k}`, `${JSON.stringify(k)} is not a valid label name`);
    if (names && val === '') continue; // an empty label value means "no label", as in Prometheus
    out[k] = val;
  }
  return out;
}

function time(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string') bad(field, 'expected an RFC 3339 time');
  // Go's zero time (which Prometheus never sends but other clients do) means "not set"
  if (v.startsWith('0001-01-01')) return undefined;
  const ms = Date.parse(v);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(v)) bad(field, `${JSON.stringify(v)} is not an RFC 3339 time`);
  return ms;
}

function parseOne(raw: unknown, i: number): PostableAlert {
  const f = `[${i}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad(f, 'expected an alert object');
  const r = raw as Record<string, unknown>;
  const labels = labelMap(r.labels, `${f}.labels`, true);
  if (Object.keys(labels).length === 0) bad(`${f}.labels`, 'an alert needs at least one label');
  const startsAt = time(r.startsAt, `${f}.startsAt`);
  const endsAt = time(r.endsAt, `${f}.endsAt`);
  if (startsAt !== undefined && endsAt !== undefined && endsAt < startsAt) bad(`${f}.endsAt`, 'is before startsAt');
  if (r.generatorURL !== undefined && typeof r.generatorURL !== 'string') bad(`${f}.generatorURL`, 'expected a string');
  const a: PostableAlert = { labels, annotations: labelMap(r.annotations, `${f}.annotations`, false) };
  if (startsAt !== undefined) a.startsAt = startsAt;
  if (endsAt !== undefined) a.endsAt = endsAt;
  if (typeof r.generatorURL === 'string' && r.generatorURL !== '') a.generatorURL = r.generatorURL;
  return a;
}

export interface ParsedAlerts {
  alerts: PostableAlert[];
  /** one per refused alert, naming it (`[3].labels`) */
  errors: TelltaleError[];
}

/**
 * Parses the body of `POST /api/v2/alerts`. As in Alertmanager, the valid alerts of a batch are taken even
 * when others are refused, so one bad alert does not lose the rest; a body that is not an array is refused.
 */
export function parsePostableAlerts(body: unknown): ParsedAlerts {
  if (!Array.isArray(body)) bad('body', 'expected a JSON array of alerts');
  const out: ParsedAlerts = { alerts: [], errors: [] };
  body.forEach((raw, i) => {
    try {
      out.alerts.push(parseOne(raw, i));
    } catch (err) {
      if (!(err instanceof TelltaleError)) throw err;
      out.errors.push(err);
    }
  });
  return out;
}

/**
 * The alert to keep: Alertmanager fills a missing start with now and a missing end with now + resolve_timeout;
 * an update to an alert whose time range overlaps the held one keeps the earlier start and takes the newer
 * end and annotations, while an alert that starts after the held one ended is a new occurrence.
 */
export function mergeAlert(held: Alert | undefined, incoming: PostableAlert, now: number, resolveTimeoutMs: number): Alert {
  const labels: Labels = incoming.labels;
  const startsAt = incoming.startsAt ?? (incoming.endsAt !== undefined && incoming.endsAt < now ? incoming.endsAt : now);
  const timeout = incoming.endsAt === undefined;
  const endsAt = incoming.endsAt ?? now + resolveTimeoutMs;
  const next: Alert = {
    fingerprint: held?.fingerprint ?? fingerprint(labels),
    labels,
    annotations: incoming.annotations ?? {},
    startsAt,
    endsAt,
    generatorURL: incoming.generatorURL ?? '',
    updatedAt: now,
    timeout,
  };
  if (!held) return next;
  const overlaps = next.startsAt <= held.endsAt && next.endsAt >= held.startsAt;
  if (!overlaps) return next;
  return { ...next, startsAt: Math.min(held.startsAt, next.startsAt) };
}
