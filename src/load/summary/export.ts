/**
 * The `--summary-export FILE` document: k6's pre-0.30 JSON summary, which k6 still writes for that flag.
 * Compared with handleSummary data it drops options/state, flattens each metric to its values, renames a
 * rate's `rate` to `value`, turns thresholds into `{ expression: failed }` and keys groups and checks by
 * name instead of listing them.
 */
import type { SummaryCheck, SummaryData, SummaryGroup } from './types.ts';

export interface SummaryExportGroup {
  name: string;
  path: string;
  id: string;
  groups: Record<string, SummaryExportGroup>;
  checks: Record<string, SummaryCheck>;
}

/**
 * counter {count, rate} · gauge {value, min, max} · rate {passes, fails, value} · trend {avg, min, med, ...},
 * plus `thresholds: { "p(95)<500": false }` where the boolean is true when the threshold FAILED.
 */
export interface SummaryExportMetric {
  [stat: string]: number | Record<string, boolean> | undefined;
  thresholds?: Record<string, boolean>;
}

export interface SummaryExport {
  root_group: SummaryExportGroup;
  metrics: Record<string, SummaryExportMetric>;
}

function exportGroup(group: SummaryGroup): SummaryExportGroup {
  const groups: Record<string, SummaryExportGroup> = {};
  for (const g of group.groups) groups[g.name] = exportGroup(g);
  const checks: Record<string, SummaryCheck> = {};
  for (const c of group.checks) {
    checks[c.name] = { name: c.name, path: c.path, id: c.id, passes: c.passes, fails: c.fails };
  }
  return { name: group.name, path: group.path, id: group.id, groups, checks };
}

export function toSummaryExport(data: SummaryData): SummaryExport {
  const metrics: Record<string, SummaryExportMetric> = {};
  for (const [name, metric] of Object.entries(data.metrics)) {
    const out: SummaryExportMetric = { ...metric.values };
    const thresholds = metric.thresholds ?? {};
    if (Object.keys(thresholds).length > 0) {
      const failed: Record<string, boolean> = {};
      for (const [source, { ok }] of Object.entries(thresholds)) failed[source] = !ok;
      out.thresholds = failed;
    }
    if (metric.type === 'rate' && Object.hasOwn(out, 'rate')) {
      out.value = out.rate;
      delete out.rate;
    }
    metrics[name] = out;
  }
  return { root_group: exportGroup(data.root_group), metrics };
}

/** The file contents k6 writes: the export object indented with four spaces. */
export function summaryExportJson(data: SummaryData): string {
  return JSON.stringify(toSummaryExport(data), null, 4);
}
