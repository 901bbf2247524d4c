/** Reading samples back from a real Prometheus through its HTTP API, for compatibility tests. */
import type { RunningPrometheus } from '../helpers/prometheus.ts';
import { formatLabels } from '../../src/series/labels.ts';

interface ApiResult {
  metric: Record<string, string>;
  values?: [number, string][];
  value?: [number, string];
}

async function api(prom: RunningPrometheus, path: string, params: Record<string, string>): Promise<{ resultType: string; result: ApiResult[] }> {
  const res = await fetch(`${prom.url}${path}?${new URLSearchParams(params)}`);
  const json = (await res.json()) as { status: string; error?: string; data: { resultType: string; result: ApiResult[] } };
  if (json.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${json.error}\n${prom.log()}`);
  return json.data;
}

const num = (s: string) => (s === 'NaN' ? NaN : s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s));

/** Raw samples of a range-vector selector (`sel[1h]`), by formatted labels; timestamps in ms. */
export async function queryRaw(prom: RunningPrometheus, selector: string, time = Date.now() / 1000): Promise<Map<string, { t: number; v: number }[]>> {
  const data = await api(prom, '/api/v1/query', { query: selector, time: String(time) });
  const out = new Map<string, { t: number; v: number }[]>();
  for (const r of data.result) out.set(formatLabels(r.metric), (r.values ?? []).map(([t, v]) => ({ t: Math.round(t * 1000), v: num(v) })));
  return out;
}

export async function queryInstant(prom: RunningPrometheus, query: string, time = Date.now() / 1000): Promise<{ metric: Record<string, string>; v: number }[]> {
  const data = await api(prom, '/api/v1/query', { query, time: String(time) });
  return data.result.map((r) => ({ metric: r.metric, v: num(r.value![1]) }));
}

export async function queryRange(prom: RunningPrometheus, query: string, start: number, end: number, step: number): Promise<Map<string, { t: number; v: number }[]>> {
  const data = await api(prom, '/api/v1/query_range', { query, start: String(start), end: String(end), step: String(step) });
  const out = new Map<string, { t: number; v: number }[]>();
  for (const r of data.result) out.set(formatLabels(r.metric), (r.values ?? []).map(([t, v]) => ({ t: Math.round(t * 1000), v: num(v) })));
  return out;
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`condition not met within ${timeoutMs}ms`);
}
