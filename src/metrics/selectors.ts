import { EXPECTED_RESPONSE_KEY } from './builtin.ts';
import { parseMetricKey } from './metric-key.ts';
import type { SubmetricSelector } from './types.ts';

/**
 * Sub-metric selectors plus the `http_req_duration{expected_response:true}` one k6 always keeps,
 * deduplicated by key; selectors without tags are plain metrics and are dropped.
 */
export function withDefaultSelectors(selectors: readonly SubmetricSelector[]): SubmetricSelector[] {
  const byKey = new Map<string, SubmetricSelector>();
  for (const s of [...selectors, parseMetricKey(EXPECTED_RESPONSE_KEY)]) {
    if (Object.keys(s.tags).length > 0 && !byKey.has(s.key)) byKey.set(s.key, s);
  }
  return [...byKey.values()];
}
