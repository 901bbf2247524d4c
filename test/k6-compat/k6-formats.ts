/**
 * Readers for the files k6 writes, built from k6's documented formats only (no Telltale types), so the
 * suite checks Telltale's output the way a tool written for k6 would read it.
 *
 * - `--summary-export`: one JSON object, `{ root_group, metrics }`. Metrics are flattened to their
 *   values (counter `count`/`rate`, gauge `value`/`min`/`max`, rate `passes`/`fails`/`value`, trend
 *   `avg`/`min`/`med`/`max`/`p(N)`), sub-metrics appear under their full key
 *   (`http_req_duration{status:200}`) and `thresholds` maps each expression to `true` when it FAILED.
 *   Groups and checks are objects keyed by name, each with its `path`.
 * - `--out json`: newline-delimited JSON, `{"type":"Metric","metric":name,"data":{type,contains,thresholds,submetrics}}`
 *   once per metric and `{"type":"Point","metric":name,"data":{time,value,tags}}` per sample; gzipped
 *   when the file name ends in .gz.
 */
import { gunzipSync } from 'node:zlib';

export type Verdict = 'pass' | 'fail';

export interface CheckResult {
  name: string;
  /** `::group::sub::name`, k6's check path. */
  path: string;
  passes: number;
  fails: number;
}

export interface SummaryExportView {
  /** Flattened metric values by metric key (sub-metrics included). */
  metrics: Record<string, Record<string, number>>;
  /** metric key -> threshold expression -> verdict. */
  thresholds: Record<string, Record<string, Verdict>>;
  /** Every check of every group. */
  checks: CheckResult[];
}

interface ExportGroup {
  name: string;
  path: string;
  groups?: Record<string, ExportGroup>;
  checks?: Record<string, { name: string; path: string; passes: number; fails: number }>;
}

export function readSummaryExport(text: string): SummaryExportView {
  const doc = JSON.parse(text) as { root_group: ExportGroup; metrics: Record<string, Record<string, unknown>> };
  if (!doc || typeof doc !== 'object' || !doc.metrics || !doc.root_group) throw new Error('not a k6 summary export: root_group and metrics expected');
  const metrics: SummaryExportView['metrics'] = {};
  const thresholds: SummaryExportView['thresholds'] = {};
  for (const [key, entry] of Object.entries(doc.metrics)) {
    const values: Record<string, number> = {};
    for (const [stat, v] of Object.entries(entry)) {
      if (stat === 'thresholds') {
        const verdicts: Record<string, Verdict> = {};
        for (const [expr, failed] of Object.entries(v as Record<string, boolean>)) verdicts[expr] = failed ? 'fail' : 'pass';
        thresholds[key] = verdicts;
      } else if (typeof v === 'number') {
        values[stat] = v;
      }
    }
    metrics[key] = values;
  }
  const checks: CheckResult[] = [];
  const walk = (g: ExportGroup) => {
    for (const c of Object.values(g.checks ?? {})) checks.push({ name: c.name, path: c.path, passes: c.passes, fails: c.fails });
    for (const sub of Object.values(g.groups ?? {})) walk(sub);
  };
  walk(doc.root_group);
  return { metrics, thresholds, checks };
}

export interface JsonMetric {
  type: string;
  contains: string;
  thresholds: string[];
}

export interface JsonPoint {
  metric: string;
  time: Date;
  value: number;
  tags: Record<string, string>;
}

export interface JsonOutputView {
  metrics: Record<string, JsonMetric>;
  points: JsonPoint[];
}

export function readJsonOutput(raw: Buffer): JsonOutputView {
  const gzipped = raw.length > 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  const text = (gzipped ? gunzipSync(raw) : raw).toString('utf8');
  const metrics: Record<string, JsonMetric> = {};
  const points: JsonPoint[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const entry = JSON.parse(line) as { type: string; metric: string; data: Record<string, unknown> };
    if (entry.type === 'Metric') {
      const d = entry.data as { type: string; contains: string; thresholds?: string[] | null };
      metrics[entry.metric] = { type: d.type, contains: d.contains, thresholds: d.thresholds ?? [] };
    } else if (entry.type === 'Point') {
      const d = entry.data as { time: string; value: number; tags?: Record<string, string> | null };
      const time = new Date(d.time);
      if (Number.isNaN(time.getTime())) throw new Error(`line ${i + 1}: time ${JSON.stringify(d.time)} is not a timestamp`);
      if (!(entry.metric in metrics)) throw new Error(`line ${i + 1}: a Point of ${entry.metric} before its Metric line`);
      points.push({ metric: entry.metric, time, value: d.value, tags: d.tags ?? {} });
    } else {
      throw new Error(`line ${i + 1}: unknown line type ${JSON.stringify(entry.type)}`);
    }
  }
  return { metrics, points };
}
