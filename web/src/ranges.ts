/** The time ranges a page can show, and the query_range step for each (about 240 points per chart). */
import type { Range } from './api.ts';

export const RANGES: Record<string, number> = { '15m': 900, '1h': 3600, '6h': 21_600, '24h': 86_400, '7d': 604_800 };
export const DEFAULT_RANGE = '1h';

export function rangeFor(name: string, nowMs = Date.now()): Range {
  const span = RANGES[name] ?? RANGES[DEFAULT_RANGE];
  const end = Math.floor(nowMs / 1000);
  const step = Math.max(1, Math.ceil(span / 240));
  return { start: end - span, end, step };
}
