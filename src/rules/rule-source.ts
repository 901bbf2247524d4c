/**
 * Source positions of what was loaded, kept beside the rule model (which stays plain data) for the validator
 * and for messages that point into the file.
 */
import type { Rule, RuleGroup, SourcePos } from './types.ts';

/** Where the parts of a rule were written, and what the model does not keep, for the validator. */
export interface RuleSource {
  labels: Record<string, SourcePos>;
  annotations: Record<string, SourcePos>;
  record?: { value: string; pos: SourcePos };
  alert?: { value: string; pos: SourcePos };
  forMs?: number;
  keepFiringForMs?: number;
  annotationCount: number;
}

/** Per rule: where its parts were written. */
export const RULE_SOURCES = new WeakMap<Rule, RuleSource>();

/** Per group: where each group label key was written. */
export const GROUP_LABEL_POSITIONS = new WeakMap<RuleGroup, Record<string, SourcePos>>();
