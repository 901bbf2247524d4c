/**
 * Golden-signal metrics for the demo API, named as prom-client's conventional HTTP middleware names them
 * (`http_requests_total{method,route,code}`, `http_request_duration_seconds` histogram), so the demo service
 * looks to `telltale serve` like any instrumented production service.
 */

export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface RouteSeries {
  method: string;
  route: string;
  code: string;
  count: number;
  sum: number;
  buckets: number[];
}

export class DemoInstrumentation {
  private readonly series = new Map<string, RouteSeries>();
  private inFlight = 0;
  private readonly startSeconds: number;

  constructor(now: () => number = Date.now) {
    this.startSeconds = Math.floor(now() / 1000);
  }

  begin(): void {
    this.inFlight++;
  }

  end(method: string, route: string, status: number, seconds: number): void {
    this.inFlight--;
    const code = String(status);
    const key = `${method}\n${route}\n${code}`;
    let s = this.series.get(key);
    if (!s) {
      s = { method, route, code, count: 0, sum: 0, buckets: DURATION_BUCKETS.map(() => 0) };
      this.series.set(key, s);
    }
    s.count++;
    s.sum += seconds;
    for (let i = 0; i < DURATION_BUCKETS.length; i++) if (seconds <= DURATION_BUCKETS[i]) s.buckets[i]++;
  }

  /** The Prometheus text format 0.0.4. */
  render(): string {
    const out: string[] = [];
    const all = [...this.series.values()].sort((a, b) => (a.route + a.method + a.code < b.route + b.method + b.code ? -1 : 1));
    out.push('# HELP http_requests_total Total number of HTTP requests.');
    out.push('# TYPE http_requests_total counter');
    for (const s of all) out.push(`http_requests_total{method="${s.method}",route="${s.route}",code="${s.code}"} ${s.count}`);
    out.push('# HELP http_request_duration_seconds Duration of HTTP requests in seconds.');
    out.push('# TYPE http_request_duration_seconds histogram');
    for (const s of all) {
      const l = `method="${s.method}",route="${s.route}",code="${s.code}"`;
      DURATION_BUCKETS.forEach((le, i) => out.push(`http_request_duration_seconds_bucket{${l},le="${le}"} ${s.buckets[i]}`));
      out.push(`http_request_duration_seconds_bucket{${l},le="+Inf"} ${s.count}`);
      out.push(`http_request_duration_seconds_sum{${l}} ${s.sum}`);
      out.push(`http_request_duration_seconds_count{${l}} ${s.count}`);
    }
    out.push('# HELP http_requests_in_flight HTTP requests being served.');
    out.push('# TYPE http_requests_in_flight gauge');
    out.push(`http_requests_in_flight ${this.inFlight}`);
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    out.push('# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.');
    out.push('# TYPE process_cpu_seconds_total counter');
    out.push(`process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`);
    out.push('# HELP process_resident_memory_bytes Resident memory size in bytes.');
    out.push('# TYPE process_resident_memory_bytes gauge');
    out.push(`process_resident_memory_bytes ${mem.rss}`);
    out.push('# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.');
    out.push('# TYPE process_start_time_seconds gauge');
    out.push(`process_start_time_seconds ${this.startSeconds}`);
    return `${out.join('\n')}\n`;
  }
}
