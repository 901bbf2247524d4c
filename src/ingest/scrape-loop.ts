/**
 * One scrape target's loop body, with Prometheus' semantics:
 *
 * - the scrape time is the clock's time when the scrape starts; samples without a timestamp get it, samples
 *   with one keep theirs (unless `honor_timestamps: false`);
 * - target labels win over scraped ones, whose clashing labels are renamed `exported_<name>` — or, with
 *   `honor_labels`, scraped labels win; then `metric_relabel_configs` run;
 * - a parse error (or `sample_limit` exceeded) fails the whole scrape: what it appended is rolled back;
 *   a sample the store refuses (out of order, duplicate ...) is counted and the rest are kept; a series
 *   repeated within one scrape keeps its first sample;
 * - a series that was in the previous scrape but not in this one (or every series, when the scrape fails)
 *   gets a staleness marker; series with explicit timestamps are left alone, as in Prometheus;
 * - each scrape writes `up`, `scrape_duration_seconds`, `scrape_samples_scraped`,
 *   `scrape_samples_post_metric_relabeling` and `scrape_series_added` with the target's labels.
 */
import type { Clock } from '../load/clock.ts';
import { labelsKey } from '../series/labels.ts';
import { STALE_NAN, type Appender, type Labels, type Storage } from '../series/types.ts';
import { emptyRejections, type RejectionCounts } from './append-stats.ts';
import { SCRAPE_ACCEPT_HEADER, formatForContentType } from './content-type.ts';
import { parseExposition, type ParsedSample } from './exposition-parser.ts';
import { relabel } from './relabel.ts';
import type { ScrapeJobConfig } from './scrape-config.ts';
import type { ScrapeTarget } from './scrape-targets.ts';
import { VERSION } from '../version.ts';

export interface HttpResponse {
  status: number;
  statusText: string;
  contentType: string | null;
  body: Uint8Array;
}

/** An HTTP GET with a timeout; injectable so tests need no server. */
export type HttpGet = (url: string, headers: Record<string, string>, timeoutMs: number) => Promise<HttpResponse>;

export const fetchGet: HttpGet = async (url, headers, timeoutMs) => {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  const body = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, statusText: res.statusText, contentType: res.headers.get('content-type'), body };
};

export interface ScrapeReport {
  /** Scrape time (ms). */
  time: number;
  up: boolean;
  error?: string;
  durationSeconds: number;
  samplesScraped: number;
  samplesPostRelabel: number;
  seriesAdded: number;
  /** Samples the store refused, and series repeated within the scrape (counted as duplicates). */
  rejected: RejectionCounts;
  staleMarkers: number;
}

export interface ScrapeLoopOptions {
  target: ScrapeTarget;
  job: ScrapeJobConfig;
  storage: Storage;
  clock: Clock;
  http?: HttpGet;
  /** OpenMetrics `_created` series as samples (off, as in Prometheus). */
  keepCreatedSeries?: boolean;
}

const utf8 = new TextDecoder('utf-8');

/** The scraped sample's labels after the target's are merged in (Prometheus' mutateSampleLabels). */
export function mergeTargetLabels(sample: Labels, target: Labels, honorLabels: boolean): Record<string, string> {
  const out: Record<string, string> = { ...sample };
  if (honorLabels) {
    for (const [k, v] of Object.entries(target)) if (!out[k]) out[k] = v;
  } else {
    const conflicts: [string, string][] = [];
    for (const [k, v] of Object.entries(target)) {
      if (out[k]) conflicts.push([k, out[k]]);
      out[k] = v;
    }
    for (const [name, value] of conflicts) {
      let exported = `exported_${name}`;
      while (out[exported]) exported = `exported_${exported}`;
      out[exported] = value;
    }
  }
  for (const k of Object.keys(out)) if (out[k] === '') delete out[k];
  return out;
}

export class ScrapeLoop {
  readonly target: ScrapeTarget;
  readonly job: ScrapeJobConfig;
  private readonly storage: Storage;
  private readonly clock: Clock;
  private readonly http: HttpGet;
  private readonly keepCreated: boolean;
  /** Series written without an explicit timestamp in the last scrape: the candidates for staleness. */
  private stalenessSet = new Map<string, Labels>();
  /** Every series in the last scrape, for scrape_series_added. */
  private lastSeen = new Set<string>();
  lastReport: ScrapeReport | undefined;

  constructor(options: ScrapeLoopOptions) {
    this.target = options.target;
    this.job = options.job;
    this.storage = options.storage;
    this.clock = options.clock;
    this.http = options.http ?? fetchGet;
    this.keepCreated = options.keepCreatedSeries ?? false;
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = {
      Accept: SCRAPE_ACCEPT_HEADER,
      'Accept-Encoding': 'gzip',
      'User-Agent': `Telltale/${VERSION}`,
      'X-Prometheus-Scrape-Timeout-Seconds': String(this.job.timeoutMs / 1000),
    };
    if (this.job.basicAuth) h.Authorization = `Basic ${Buffer.from(`${this.job.basicAuth.username}:${this.job.basicAuth.password}`).toString('base64')}`;
    if (this.job.bearerToken) h.Authorization = `Bearer ${this.job.bearerToken}`;
    return h;
  }

  /** Scrapes once at the clock's current time, appends and commits. Never throws for target or body errors. */
  async scrape(): Promise<ScrapeReport> {
    const start = this.clock.now();
    const time = Math.floor(start);
    let samples: ParsedSample[] | undefined;
    let error: string | undefined;
    try {
      const res = await this.http(this.target.url, this.headers(), this.job.timeoutMs);
      if (res.status !== 200) error = `server returned HTTP status ${res.status} ${res.statusText}`.trim();
      else {
        const format = formatForContentType(res.contentType);
        samples = parseExposition(utf8.decode(res.body), format, { keepCreatedSeries: this.keepCreated }).samples;
      }
    } catch (err) {
      const e = err as Error;
      error = e.name === 'TimeoutError' ? `scrape timed out after ${this.job.timeoutMs}ms` : e.message;
    }
    let app = this.storage.appender();
    const report: ScrapeReport = {
      time, up: false, durationSeconds: 0, samplesScraped: samples?.length ?? 0, samplesPostRelabel: 0, seriesAdded: 0,
      rejected: emptyRejections(), staleMarkers: 0,
    };
    if (samples) {
      const ok = this.appendSamples(app, samples, time, report);
      if (ok === true) report.up = true;
      else {
        // a failed scrape keeps nothing it appended; the previous series go stale instead
        app.rollback();
        app = this.storage.appender();
        error = ok;
        report.samplesPostRelabel = 0;
        report.seriesAdded = 0;
        report.rejected = emptyRejections();
      }
    }
    if (!report.up) {
      report.staleMarkers = this.writeStale(app, this.stalenessSet, time);
      this.stalenessSet = new Map();
      this.lastSeen = new Set();
    }
    report.error = error;
    report.durationSeconds = (this.clock.now() - start) / 1000;
    this.appendReport(app, report, time);
    try {
      await app.commit();
    } catch (err) {
      app.rollback();
      report.error = `storing the scrape failed: ${(err as Error).message}`;
    }
    this.lastReport = report;
    return report;
  }

  /** Appends a successful scrape's samples; returns true, or the reason the scrape fails. */
  private appendSamples(app: Appender, samples: ParsedSample[], time: number, report: ScrapeReport): true | string {
    const seen = new Set<string>();
    const staleness = new Map<string, Labels>();
    for (const sample of samples) {
      let labels: Record<string, string> | undefined = mergeTargetLabels({ ...sample.labels, __name__: sample.name }, this.target.labels, this.job.honorLabels);
      if (this.job.metricRelabelConfigs.length > 0) labels = relabel(labels, this.job.metricRelabelConfigs);
      if (!labels) continue;
      report.samplesPostRelabel++;
      if (this.job.sampleLimit > 0 && report.samplesPostRelabel > this.job.sampleLimit) {
        return `sample limit exceeded: more than ${this.job.sampleLimit} samples after metric relabelling`;
      }
      const key = labelsKey(labels);
      if (seen.has(key)) {
        report.rejected.duplicate_sample++;
        continue;
      }
      seen.add(key);
      const explicit = this.job.honorTimestamps && sample.timestamp !== undefined;
      const why = app.append(labels, explicit ? sample.timestamp! : time, sample.value);
      if (why !== undefined) {
        report.rejected[why]++;
        continue;
      }
      if (!this.lastSeen.has(key)) report.seriesAdded++;
      if (!explicit) staleness.set(key, labels);
    }
    for (const [key, labels] of this.stalenessSet) {
      if (!staleness.has(key) && !seen.has(key) && app.append(labels, time, STALE_NAN) === undefined) report.staleMarkers++;
    }
    this.stalenessSet = staleness;
    this.lastSeen = seen;
    return true;
  }

  private writeStale(app: Appender, series: Map<string, Labels>, time: number): number {
    let n = 0;
    for (const labels of series.values()) if (app.append(labels, time, STALE_NAN) === undefined) n++;
    return n;
  }

  private reportSeries(): [string, Labels][] {
    const names = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'];
    return names.map((n) => [n, { ...this.target.labels, __name__: n }]);
  }

  private appendReport(app: Appender, r: ScrapeReport, time: number): void {
    const values = [r.up ? 1 : 0, r.durationSeconds, r.samplesScraped, r.samplesPostRelabel, r.seriesAdded];
    this.reportSeries().forEach(([, labels], i) => app.append(labels, time, values[i]));
  }

  /** Marks every series of the target stale (the target went away or the manager stops), and commits. */
  async markStale(time = Math.floor(this.clock.now())): Promise<number> {
    const app = this.storage.appender();
    const all = new Map(this.stalenessSet);
    if (this.lastReport) for (const [, labels] of this.reportSeries()) all.set(labelsKey(labels), labels);
    const n = this.writeStale(app, all, time);
    this.stalenessSet = new Map();
    this.lastSeen = new Set();
    await app.commit();
    return n;
  }
}
