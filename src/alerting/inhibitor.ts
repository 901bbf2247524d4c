/**
 * Inhibition as Alertmanager does it: an alert matching a rule's target matchers is muted while some firing
 * alert matches the rule's source matchers and has the same values for the rule's `equal` labels (a label
 * missing on both counts as equal). An alert never inhibits itself, and an alert matching both sides is
 * only inhibited by sources that do not also match the target side — so two alerts cannot mute each other.
 */
import { isResolved, type Alert } from './alert.ts';
import type { InhibitRule } from './config.ts';
import { matchesAll } from './matchers.ts';

export function inhibitedBy(target: Alert, candidates: Iterable<Alert>, rules: readonly InhibitRule[], now: number): string[] {
  const by = new Set<string>();
  for (const rule of rules) {
    if (!matchesAll(rule.targetMatchers, target.labels)) continue;
    const targetIsSource = matchesAll(rule.sourceMatchers, target.labels);
    for (const source of candidates) {
      if (source.fingerprint === target.fingerprint || isResolved(source, now)) continue;
      if (!matchesAll(rule.sourceMatchers, source.labels)) continue;
      if (targetIsSource && matchesAll(rule.targetMatchers, source.labels)) continue;
      if (rule.equal.every((l) => (source.labels[l] ?? '') === (target.labels[l] ?? ''))) by.add(source.fingerprint);
    }
  }
  return [...by].sort();
}
