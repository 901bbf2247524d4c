import { METRIC_NAME } from '../../series/types.ts';
import type { VectorSelector } from '../ast.ts';

/**
 * The labels absent() gives its result: those of the selector's equality matchers, except labels matched
 * more than once or by another kind of matcher (Prometheus' createLabelsForAbsentFunction).
 */
export function absentLabels(sel: VectorSelector): Record<string, string> {
  const out: Record<string, string> = {};
  const drop = new Set<string>();
  for (const m of sel.matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === '=' && !(m.name in out)) out[m.name] = m.value;
    else drop.add(m.name);
  }
  for (const d of drop) delete out[d];
  for (const k of Object.keys(out)) if (out[k] === '') delete out[k];
  return out;
}
