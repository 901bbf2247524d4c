/** The time ranges a page can show, and the query_range step for each (about 240 points per chart). */
import type { Range } from './api.ts';

export const RANGES: Record<string, number> = { '15m': 900, '1h': 3600, '6h': 21_600, '24h': 86_400, '7d': 604_800 };
export const DEFAULT_RANGE = '1h';

/**
 * The range ending at the last step boundary: every viewer of a page then asks the same query_range, which
 * the server answers once for all (src/server/query-cache.ts), and a chart moves one whole step at a time.
 */
export function rangeFor(name: string, nowMs = Date.now()): Range {
  const span = RANGES[name] ?? RANGES[DEFAULT_RANGE];
  const step = Math.max(1, Math.ceil(span / 240));
  const end = Math.floor(nowMs / 1000 / step) * step;
  return { start: end - span, end, step };
}

/** How often the service page refreshes each part, ms (the load benchmark polls the same way). */
export const REFRESH = { charts: 30_000, endpoints: 30_000, signals: 10_000, checks: 15_000, alerts: 15_000 } as const;
