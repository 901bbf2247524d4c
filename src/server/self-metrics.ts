/**
 * The server's own metrics, served at /metrics in the Prometheus text format 0.0.4: HTTP requests by
 * route and status (a counter and a latency histogram, the golden signals of the server itself) and any
 * values a component exposes through `addCollector` (series count, samples appended, rule evaluations ...).
 */

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface CollectedMetric {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: Array<{ labels?: Record<string, string>; value: number }>;
}

export type Collector = () => CollectedMetric[];

interface RouteStats {
  method: string;
  route: string;
  code: string;
  count: number;
  buckets: number[];
  sum: number;
}

export class SelfMetrics {
  private readonly routes = new Map<string, RouteStats>();
  private readonly collectors: Collector[] = [];
  private readonly startedAt: number;

  constructor(now: () => number = Date.now) {
    this.startedAt = now() / 1000;
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const code = String(status);
    const key = `${method} ${route} ${code}`;
    let stats = this.routes.get(key);
    if (!stats) {
      stats = { method, route, code, count: 0, buckets: DURATION_BUCKETS.map(() => 0), sum: 0 };
      this.routes.set(key, stats);
    }
    stats.count++;
    stats.sum += seconds;
    for (let i = 0; i < DURATION_BUCKETS.length; i++) if (seconds <= DURATION_BUCKETS[i]) stats.buckets[i]++;
  }

  addCollector(collector: Collector): void {
    this.collectors.push(collector);
  }

  render(): string {
    const lines: string[] = [];
    lines.push('# HELP telltale_http_requests_total HTTP requests the server answered.');
    lines.push('# TYPE telltale_http_requests_total counter');
    const all = [...this.routes.values()];
    for (const s of all) lines.push(`telltale_http_requests_total${fmt({ method: s.method, route: s.route, code: s.code })} ${s.count}`);
    lines.push('# HELP telltale_http_request_duration_seconds Time to answer an HTTP request.');
    lines.push('# TYPE telltale_http_request_duration_seconds histogram');
    for (const s of all) {
      const base = { method: s.method, route: s.route, code: s.code };
      DURATION_BUCKETS.forEach((le, i) => lines.push(`telltale_http_request_duration_seconds_bucket${fmt({ ...base, le: String(le) })} ${s.buckets[i]}`));
      lines.push(`telltale_http_request_duration_seconds_bucket${fmt({ ...base, le: '+Inf' })} ${s.count}`);
      lines.push(`telltale_http_request_duration_seconds_sum${fmt(base)} ${s.sum}`);
      lines.push(`telltale_http_request_duration_seconds_count${fmt(base)} ${s.count}`);
    }
    lines.push('# HELP process_start_time_seconds Start time of the process since the epoch in seconds.');
    lines.push('# TYPE process_start_time_seconds gauge');
    lines.push(`process_start_time_seconds ${this.startedAt}`);
    const mem = process.memoryUsage();
    lines.push('# HELP process_resident_memory_bytes Resident memory size in bytes.');
    lines.push('# TYPE process_resident_memory_bytes gauge');
    lines.push(`process_resident_memory_bytes ${mem.rss}`);
    const cpu = process.cpuUsage();
    lines.push('# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.');
    lines.push('# TYPE process_cpu_seconds_total counter');
    lines.push(`process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`);
    for (const collect of this.collectors) {
      for (const m of collect()) {
        lines.push(`# HELP ${m.name} ${m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
        lines.push(`# TYPE ${m.name} ${m.type}`);
        for (const s of m.samples) lines.push(`${m.name}${fmt(s.labels ?? {})} ${formatValue(s.value)}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}

function fmt(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
