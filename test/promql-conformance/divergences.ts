/**
 * Queries whose results differ from Prometheus 2.42 on purpose or for a documented reason (docs/promql.md).
 * Each entry says why; the suite still runs them but does not fail on them.
 */
export const KNOWN_DIVERGENCES: ReadonlyMap<string, string> = new Map<string, string>([]);
