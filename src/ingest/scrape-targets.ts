/**
 * Targets of a scrape job, labelled as Prometheus labels them: each static target starts with `__address__`,
 * the group's labels, and the job's defaults (`job`, `__scheme__`, `__metrics_path__`,
 * `__scrape_interval__`, `__scrape_timeout__`, `__param_<name>`); `relabel_configs` run over that set; a
 * target without `__address__` afterwards is dropped; `instance` defaults to `__address__`; labels starting
 * with `__` are then removed from what the series carry, but still shape the scrape URL.
 */
import { labelsKey } from '../series/labels.ts';
import { relabel } from './relabel.ts';
import type { ScrapeJobConfig } from './scrape-config.ts';

export interface ScrapeTarget {
  /** The labels every series from this target carries (job, instance, static and relabelled labels). */
  labels: Record<string, string>;
  url: string;
  /** Identity: the full pre-cleanup label set, as Prometheus' target hash. */
  key: string;
}

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export function jobTargets(job: ScrapeJobConfig): ScrapeTarget[] {
  const out: ScrapeTarget[] = [];
  for (const group of job.staticConfigs) {
    for (const address of group.targets) {
      const base: Record<string, string> = { __address__: address, ...group.labels };
      const defaults: Record<string, string> = {
        job: job.jobName,
        __scheme__: job.scheme,
        __metrics_path__: job.metricsPath,
        __scrape_interval__: formatMs(job.intervalMs),
        __scrape_timeout__: formatMs(job.timeoutMs),
      };
      for (const [name, values] of Object.entries(job.params)) if (values.length > 0) defaults[`__param_${name}`] = values[0];
      for (const [k, v] of Object.entries(defaults)) if (!(k in base)) base[k] = v;
      const relabelled = relabel(base, job.relabelConfigs);
      if (!relabelled || !relabelled.__address__) continue;
      if (!relabelled.instance) relabelled.instance = relabelled.__address__;
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(relabelled)) if (!k.startsWith('__')) labels[k] = v;
      out.push({ labels, url: scrapeUrl(relabelled, job), key: labelsKey({ ...relabelled }) });
    }
  }
  return out;
}

function scrapeUrl(labels: Record<string, string>, job: ScrapeJobConfig): string {
  const scheme = labels.__scheme__ || job.scheme;
  const path = labels.__metrics_path__ || job.metricsPath;
  const params = new URLSearchParams();
  const names = new Set(Object.keys(job.params));
  for (const k of Object.keys(labels)) if (k.startsWith('__param_')) names.add(k.slice('__param_'.length));
  for (const name of names) {
    const values = job.params[name] ?? [];
    const fromLabel = labels[`__param_${name}`];
    // the label overrides the first value, as in Prometheus
    const all = fromLabel !== undefined ? [fromLabel, ...values.slice(1)] : values;
    for (const v of all) params.append(name, v);
  }
  const query = params.toString();
  return `${scheme}://${labels.__address__}${path}${query ? `?${query}` : ''}`;
}
