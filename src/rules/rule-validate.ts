/**
 * The semantic checks `promtool check rules` makes on a loaded rule file (unique non-empty group names,
 * exactly one of record/alert, an expression that parses, what a recording rule may not have, valid metric,
 * label and annotation names, alert templates that parse), plus duplicate recording rules as warnings.
 */
import { promqlSyntaxProblem } from './expr-syntax.ts';
import { GROUP_LABEL_POSITIONS, RULE_SOURCES } from './rule-source.ts';
import { checkAlertTemplate } from './template/index.ts';
import type { ExprChecker, Rule, RuleFile, RuleFinding, SourcePos } from './types.ts';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isValidMetricName(s: string): boolean {
  return METRIC_NAME.test(s);
}
export function isValidLabelName(s: string): boolean {
  return LABEL_NAME.test(s);
}
/** Label values must be valid UTF-8: no lone surrogate. */
function isValidLabelValue(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

export function validateRuleFile(rf: RuleFile, findings: RuleFinding[], parseExpr: ExprChecker = promqlSyntaxProblem): void {
  const add = (at: SourcePos, message: string, ctx: Partial<RuleFinding> = {}) => {
    findings.push({ file: rf.file, line: at.line, column: at.column, severity: 'error', message, ...ctx });
  };
  const seen = new Set<string>();
  const recorded = new Map<string, SourcePos>();
  for (const g of rf.groups) {
    if (g.name === '') add(g.pos, 'Groupname must not be empty');
    if (seen.has(g.name)) add(g.pos, `groupname: ${JSON.stringify(g.name)} is repeated in the same file`);
    seen.add(g.name);
    const labelPos = GROUP_LABEL_POSITIONS.get(g) ?? {};
    for (const [k, v] of Object.entries(g.labels)) {
      const at = labelPos[k] ?? g.pos;
      if (!isValidLabelName(k) || k === '__name__') add(at, `invalid group label name: ${k}`, { group: g.name });
      if (!isValidLabelValue(v)) add(at, `invalid group label value: ${v}`, { group: g.name });
    }
    g.rules.forEach((rule, i) => {
      const ctx = { group: g.name, rule: i + 1, ruleName: rule.name };
      validateRule(rule, (at, msg) => add(at, msg, ctx), parseExpr);
      if (rule.kind === 'record') {
        const key = `${rule.name}${JSON.stringify(Object.entries({ ...g.labels, ...rule.labels }).sort())}`;
        const first = recorded.get(key);
        if (first) {
          findings.push({
            file: rf.file, line: rule.pos.line, column: rule.pos.column, severity: 'warning', ...ctx,
            message: `duplicate rule: ${rule.name} with the same labels is also recorded at line ${first.line}; this might cause inconsistency while recording expressions`,
          });
        } else recorded.set(key, rule.pos);
      }
    });
  }
}

function validateRule(rule: Rule, add: (at: SourcePos, message: string) => void, parseExpr: ExprChecker): void {
  const src = RULE_SOURCES.get(rule);
  const recordPos = src?.record?.pos ?? rule.pos;
  const alertPos = src?.alert?.pos ?? rule.pos;
  const record = src?.record?.value ?? (rule.kind === 'record' ? rule.name : '');
  const alert = src?.alert?.value ?? (rule.kind === 'alert' ? rule.name : '');
  if (record !== '' && alert !== '') add(recordPos, "only one of 'record' and 'alert' must be set");
  if (record === '' && alert === '') add(src?.alert ? alertPos : recordPos, "one of 'record' or 'alert' must be set");
  if (rule.expr === '') add(rule.exprPos, "field 'expr' must be set in rule");
  else {
    const problem = parseExpr(rule.expr);
    if (problem !== undefined) add(rule.exprPos, `could not parse expression: ${problem}`);
  }
  if (record !== '') {
    if ((src?.annotationCount ?? 0) > 0) add(recordPos, "invalid field 'annotations' in recording rule");
    if (src?.forMs) add(recordPos, "invalid field 'for' in recording rule");
    if (src?.keepFiringForMs) add(recordPos, "invalid field 'keep_firing_for' in recording rule");
    if (!isValidMetricName(record)) add(recordPos, `invalid recording rule name: ${record}`);
  }
  const labelPos = src?.labels ?? {};
  for (const [k, v] of Object.entries(rule.labels)) {
    const at = labelPos[k] ?? rule.pos;
    if (!isValidLabelName(k) || k === '__name__') add(at, `invalid label name: ${k}`);
    if (!isValidLabelValue(v)) add(at, `invalid label value: ${v}`);
  }
  if (rule.kind !== 'alert' || alert === '') return;
  const annPos = src?.annotations ?? {};
  for (const k of Object.keys(rule.annotations)) {
    if (!isValidLabelName(k)) add(annPos[k] ?? rule.pos, `invalid annotation name: ${k}`);
  }
  // labels and annotations of alerts are templates; they must parse as Prometheus parses them
  for (const [k, v] of Object.entries(rule.labels)) {
    const err = checkAlertTemplate(v, rule.name);
    if (err) add(labelPos[k] ?? rule.pos, `label ${JSON.stringify(k)}: ${err.message}`);
  }
  for (const [k, v] of Object.entries(rule.annotations)) {
    const err = checkAlertTemplate(v, rule.name);
    if (err) add(annPos[k] ?? rule.pos, `annotation ${JSON.stringify(k)}: ${err.message}`);
  }
}
