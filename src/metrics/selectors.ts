import { EXPECTED_RESPONSE_KEY } from './builtin.ts';
import { parseMetricKey, selectorIdentity } from './metric-key.ts';
import type { SubmetricSelector } from './types.ts';

/**
 * Sub-metric selectors plus the `http_req_duration{expected_response:true}` one k6 always keeps,
 * one per set of tags (the first spelling wins); selectors without tags are plain metrics and are dropped.
 */
export function withDefaultSelectors(selectors: readonly SubmetricSelector[]): SubmetricSelector[] {
  const byIdentity = new Map<string, SubmetricSelector>();
  for (const s of [...selectors, parseMetricKey(EXPECTED_RESPONSE_KEY)]) {
    const id = selectorIdentity(s);
    if (Object.keys(s.tags).length > 0 && !byIdentity.has(id)) byIdentity.set(id, s);
  }
  return [...byIdentity.values()];
}
