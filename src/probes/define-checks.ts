/**
 * For `telltale.config.ts`: `checks: defineChecks([...])` type-checks the definitions as they are written
 * (editor completion, a typo is a compile error); they are validated like YAML ones when the config loads.
 */
import type { CheckInput } from './check-schema.ts';

export function defineChecks<const T extends readonly CheckInput[]>(checks: T): T {
  return checks;
}
