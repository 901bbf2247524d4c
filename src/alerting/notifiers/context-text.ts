/**
 * The "is this alert real?" context as each receiver shows it: one sentence for people (Slack, e-mail,
 * PagerDuty), and extra `telltale_context_*` annotations for machines (the webhook), which keep the
 * Alertmanager payload's shape — consumers already take whatever annotations an alert carries.
 */
import type { AlertContext } from '../alert-context.ts';
import { formatTime } from '../alert.ts';
import type { Notification, TemplateAlert } from './notification.ts';

/** A value as people read it: at most four significant digits. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

function hhmm(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

/** `now 0.53, outside the last 7 days at this time (min 0.01, median 0.02, max 0.04). Deployed 8 min before: shop v1.4.2.` */
export function contextSentence(c: AlertContext, now: number): string {
  const parts: string[] = [];
  if (c.value !== undefined && c.band) {
    const where = c.outside ? 'outside' : 'within';
    parts.push(`Now ${formatValue(c.value)}, ${where} the last ${c.band.days} days at this time (min ${formatValue(c.band.min)}, median ${formatValue(c.band.median)}, max ${formatValue(c.band.max)}).`);
  } else if (c.value !== undefined) {
    parts.push(`Now ${formatValue(c.value)}; no values at this time on the previous days to compare with.`);
  }
  if (c.deploys.length > 0) {
    const list = c.deploys.map((d) => `${d.service}${d.version ? ` ${d.version}` : ''} at ${hhmm(d.time)} (${Math.max(0, Math.round((now - d.time) / 60_000))} min before)`);
    parts.push(`Deployed recently: ${list.join(', ')}.`);
  } else if (c.service !== undefined) {
    parts.push(`No deployment of ${c.service} recorded in the last 30 minutes.`);
  }
  return parts.join(' ');
}

/** The context as annotations, all strings, for the webhook payload. */
export function contextAnnotations(c: AlertContext, now: number): Record<string, string> {
  const out: Record<string, string> = {};
  const sentence = contextSentence(c, now);
  if (sentence !== '') out.telltale_context = sentence;
  if (c.value !== undefined) out.telltale_context_value = String(c.value);
  if (c.band) {
    out.telltale_context_band_min = String(c.band.min);
    out.telltale_context_band_median = String(c.band.median);
    out.telltale_context_band_max = String(c.band.max);
    out.telltale_context_band_days = String(c.band.days);
  }
  if (c.outside !== undefined) out.telltale_context_outside_band = String(c.outside);
  if (c.service !== undefined) {
    out.telltale_context_deploys = c.deploys.map((d) => `${d.service}${d.version ? ` ${d.version}` : ''} ${formatTime(d.time)}`).join('; ');
  }
  return out;
}

/** The context of one alert of a notification, if it has one worth showing. */
export function contextOf(n: Notification, a: TemplateAlert): AlertContext | undefined {
  const c = a.status === 'firing' ? n.context?.get(a.fingerprint) : undefined;
  return c && (c.value !== undefined || c.service !== undefined) ? c : undefined;
}

/** `alertname: sentence` for each alert with a context (what Slack, e-mail and PagerDuty show). */
export function contextLines(n: Notification, alerts: readonly TemplateAlert[]): string[] {
  return alerts.flatMap((a) => {
    const c = contextOf(n, a);
    if (!c) return [];
    const s = contextSentence(c, n.now);
    return s === '' ? [] : [`${a.labels.alertname ?? a.fingerprint}: ${s}`];
  });
}
