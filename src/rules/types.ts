/** Prometheus rule files as Telltale holds them after loading: groups of recording and alerting rules. */

/** Where something is in its file (1-based line and column). */
export interface SourcePos {
  line: number;
  column: number;
}

export interface RecordingRule {
  kind: 'record';
  /** The metric name the rule records. */
  name: string;
  expr: string;
  /** Fixed labels added to the recorded series (not templates). */
  labels: Record<string, string>;
  pos: SourcePos;
  exprPos: SourcePos;
}

export interface AlertingRule {
  kind: 'alert';
  name: string;
  expr: string;
  /** Milliseconds the condition must hold before the alert fires (0: at once). */
  forMs: number;
  /** Milliseconds the alert keeps firing after the condition cleared. */
  keepFiringForMs: number;
  /** Label templates (Go text/template), expanded per alert. */
  labels: Record<string, string>;
  /** Annotation templates. */
  annotations: Record<string, string>;
  pos: SourcePos;
  exprPos: SourcePos;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  name: string;
  /** Evaluation interval in milliseconds; undefined means the global one. */
  intervalMs?: number;
  /** Most series a rule of the group may produce (0: no limit). */
  limit: number;
  /** Evaluate at now − offset, for late data (newer Prometheus); undefined means the global one. */
  queryOffsetMs?: number;
  /** Labels added to every rule of the group (newer Prometheus); a rule's own labels win. */
  labels: Record<string, string>;
  rules: Rule[];
  pos: SourcePos;
}

export interface RuleFile {
  file: string;
  groups: RuleGroup[];
}

/** One problem found in a rule file; every finding says where. */
export interface RuleFinding {
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning';
  message: string;
  /** The group and 1-based rule index, when the finding is about one. */
  group?: string;
  rule?: number;
  /** The rule's record or alert name, when the finding is about one rule. */
  ruleName?: string;
}

/**
 * Checks one PromQL expression; returns what is wrong with it, or undefined when it is valid. The PromQL
 * engine's parser plugs in here; without one, a syntax-only check runs (see expr-syntax.ts).
 */
export type ExprChecker = (expr: string) => string | undefined;
