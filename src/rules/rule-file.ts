/**
 * Loads Prometheus rule files unchanged: YAML (with positions for every node) into groups and rules, with
 * every structural problem (bad YAML, unknown or mistyped fields, bad durations) collected as a finding that
 * names file:line:column, rather than stopping at the first. Semantic checks live in rule-validate.ts.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node, type Pair, type YAMLMap } from 'yaml';
import { TelltaleError } from '../errors.ts';
import { parsePromDuration } from './template/prometheus-functions.ts';
import type { ExprChecker, Rule, RuleFile, RuleFinding, RuleGroup, SourcePos } from './types.ts';
import { GROUP_LABEL_POSITIONS, RULE_SOURCES, type RuleSource } from './rule-source.ts';
import { validateRuleFile } from './rule-validate.ts';

export interface ParseRuleFileOptions {
  /** Checks each `expr`; defaults to a syntax-only check. */
  parseExpr?: ExprChecker;
}

export interface ParsedRuleFile {
  /** Present unless the YAML itself could not be read. */
  ruleFile?: RuleFile;
  findings: RuleFinding[];
}

const GROUP_FIELDS = new Set(['name', 'interval', 'limit', 'query_offset', 'labels', 'rules']);
const RULE_FIELDS = new Set(['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);

class Reader {
  readonly findings: RuleFinding[] = [];
  readonly file: string;
  private readonly lc: LineCounter;
  constructor(file: string, lc: LineCounter) {
    this.file = file;
    this.lc = lc;
  }
  pos(node: Node | null | undefined, fallback?: SourcePos): SourcePos {
    const offset = node?.range?.[0];
    if (offset === undefined) return fallback ?? { line: 1, column: 1 };
    const { line, col } = this.lc.linePos(offset);
    return { line, column: col };
  }
  add(at: SourcePos, message: string, extra: { group?: string; rule?: number; severity?: 'error' | 'warning' } = {}): void {
    this.findings.push({ file: this.file, line: at.line, column: at.column, severity: extra.severity ?? 'error', message, group: extra.group, rule: extra.rule });
  }
}

/** The text of a scalar as Go's yaml decodes it into a string field: its source text; null is "". */
function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  if (node.value === null) return '';
  const src = (node as { source?: unknown }).source;
  return typeof src === 'string' && node.type === 'PLAIN' ? src : String(node.value);
}

function kindName(node: unknown): string {
  if (isMap(node)) return '!!map';
  if (isSeq(node)) return '!!seq';
  if (isScalar(node)) {
    if (typeof node.value === 'number') return Number.isInteger(node.value) ? '!!int' : '!!float';
    if (typeof node.value === 'boolean') return '!!bool';
    return '!!str';
  }
  return 'value';
}

function pairs(map: YAMLMap): Array<{ key: string; keyNode: Node; value: unknown; pair: Pair }> {
  return map.items.map((pair) => ({ key: scalarText(pair.key) ?? String(pair.key), keyNode: pair.key as Node, value: pair.value, pair }));
}

function readString(r: Reader, node: unknown, field: string, at: SourcePos): string {
  if (node === null || node === undefined) return '';
  const s = scalarText(node);
  if (s === undefined) {
    r.add(r.pos(node as Node, at), `${field}: cannot unmarshal ${kindName(node)} into string`);
    return '';
  }
  return s;
}

function readStringMap(r: Reader, node: unknown, field: string, at: SourcePos): { values: Record<string, string>; keyPos: Record<string, SourcePos> } {
  const values: Record<string, string> = {};
  const keyPos: Record<string, SourcePos> = {};
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return { values, keyPos };
  if (!isMap(node)) {
    r.add(r.pos(node as Node, at), `${field}: cannot unmarshal ${kindName(node)} into map[string]string`);
    return { values, keyPos };
  }
  for (const p of pairs(node)) {
    const kp = r.pos(p.keyNode, at);
    if (!isScalar(p.pair.key)) {
      r.add(kp, `${field}: a key must be a string, not ${kindName(p.pair.key)}`);
      continue;
    }
    values[p.key] = readString(r, p.value, `${field}.${p.key}`, kp);
    keyPos[p.key] = kp;
  }
  return { values, keyPos };
}

function readDuration(r: Reader, node: unknown, field: string, at: SourcePos): number | undefined {
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return undefined;
  const s = readString(r, node, field, at);
  try {
    return parsePromDuration(s);
  } catch (err) {
    r.add(r.pos(node as Node, at), `${field}: ${(err as Error).message}`);
    return undefined;
  }
}


function readRule(r: Reader, node: unknown, group: string, index: number, at: SourcePos): Rule | undefined {
  const pos = r.pos(node as Node, at);
  if (!isMap(node)) {
    r.add(pos, `cannot unmarshal ${kindName(node)} into rulefmt.RuleNode`, { group, rule: index });
    return undefined;
  }
  const f: Record<string, { value: unknown; pos: SourcePos }> = {};
  for (const p of pairs(node)) {
    const kp = r.pos(p.keyNode, pos);
    if (!RULE_FIELDS.has(p.key)) {
      r.add(kp, `field ${p.key} not found in type rulefmt.RuleNode`, { group, rule: index });
      continue;
    }
    f[p.key] = { value: p.value, pos: kp };
  }
  const str = (k: string) => (f[k] ? readString(r, f[k].value, k, f[k].pos) : '');
  const record = str('record');
  const alert = str('alert');
  const exprNode = f.expr?.value;
  // Prometheus keeps expr as a YAML node: only a scalar counts as an expression
  const expr = isScalar(exprNode) ? (scalarText(exprNode) ?? '') : '';
  const exprPos = f.expr ? r.pos(exprNode as Node, f.expr.pos) : pos;
  const labels = f.labels ? readStringMap(r, f.labels.value, 'labels', f.labels.pos) : { values: {}, keyPos: {} };
  const annotations = f.annotations ? readStringMap(r, f.annotations.value, 'annotations', f.annotations.pos) : { values: {}, keyPos: {} };
  const forMs = f.for ? readDuration(r, f.for.value, 'for', f.for.pos) : undefined;
  const keepMs = f.keep_firing_for ? readDuration(r, f.keep_firing_for.value, 'keep_firing_for', f.keep_firing_for.pos) : undefined;
  const source: RuleSource = {
    labels: labels.keyPos,
    annotations: annotations.keyPos,
    record: f.record ? { value: record, pos: r.pos(f.record.value as Node, f.record.pos) } : undefined,
    alert: f.alert ? { value: alert, pos: r.pos(f.alert.value as Node, f.alert.pos) } : undefined,
    forMs,
    keepFiringForMs: keepMs,
    annotationCount: Object.keys(annotations.values).length,
  };
  // with both record and alert set the rule is reported, and kept as the alert
  const rule: Rule = alert !== '' || record === ''
    ? { kind: 'alert', name: alert, expr, forMs: forMs ?? 0, keepFiringForMs: keepMs ?? 0, labels: labels.values, annotations: annotations.values, pos, exprPos }
    : { kind: 'record', name: record, expr, labels: labels.values, pos, exprPos };
  RULE_SOURCES.set(rule, source);
  // findings made while reading the rule learn its name now
  for (const finding of r.findings) if (finding.group === group && finding.rule === index && finding.ruleName === undefined) finding.ruleName = rule.name;
  return rule;
}

function readGroup(r: Reader, node: unknown, at: SourcePos): RuleGroup | undefined {
  const pos = r.pos(node as Node, at);
  if (!isMap(node)) {
    r.add(pos, `cannot unmarshal ${kindName(node)} into rulefmt.RuleGroup`);
    return undefined;
  }
  const f: Record<string, { value: unknown; pos: SourcePos }> = {};
  for (const p of pairs(node)) {
    const kp = r.pos(p.keyNode, pos);
    if (!GROUP_FIELDS.has(p.key)) r.add(kp, `field ${p.key} not found in type rulefmt.RuleGroup`);
    else f[p.key] = { value: p.value, pos: kp };
  }
  const name = f.name ? readString(r, f.name.value, 'name', f.name.pos) : '';
  let limit = 0;
  if (f.limit && !(isScalar(f.limit.value) && f.limit.value.value === null)) {
    const v = isScalar(f.limit.value) ? f.limit.value.value : undefined;
    if (typeof v === 'number' && Number.isSafeInteger(v)) limit = v;
    else r.add(r.pos(f.limit.value as Node, f.limit.pos), `limit: cannot unmarshal ${kindName(f.limit.value)} \`${scalarText(f.limit.value) ?? ''}\` into int`, { group: name });
  }
  const labels = f.labels ? readStringMap(r, f.labels.value, 'labels', f.labels.pos) : { values: {}, keyPos: {} };
  const group: RuleGroup = {
    name,
    intervalMs: f.interval ? readDuration(r, f.interval.value, 'interval', f.interval.pos) : undefined,
    limit,
    queryOffsetMs: f.query_offset ? readDuration(r, f.query_offset.value, 'query_offset', f.query_offset.pos) : undefined,
    labels: labels.values,
    rules: [],
    pos,
  };
  GROUP_LABEL_POSITIONS.set(group, labels.keyPos);
  const rules = f.rules?.value;
  if (rules !== undefined && rules !== null && !(isScalar(rules) && rules.value === null)) {
    if (!isSeq(rules)) r.add(r.pos(rules as Node, f.rules.pos), `rules: cannot unmarshal ${kindName(rules)} into []rulefmt.RuleNode`, { group: name });
    else {
      rules.items.forEach((item, i) => {
        const rule = readRule(r, item, name, i + 1, pos);
        if (rule) group.rules.push(rule);
      });
    }
  }
  return group;
}

/** Parses and validates one rule file's text. Never throws for bad input: problems come back as findings. */
export function parseRuleFile(text: string, file: string, options: ParseRuleFileOptions = {}): ParsedRuleFile {
  const lc = new LineCounter();
  const r = new Reader(file, lc);
  // Prometheus reads the first YAML document of a file and ignores the rest
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, strict: true });
  if (docs.length === 0) return { ruleFile: { file, groups: [] }, findings: r.findings };
  const doc = docs[0];
  if (docs.length > 1) {
    const { line, col } = lc.linePos(docs[1].range[0]);
    r.add({ line, column: col }, 'only the first YAML document of a rule file is read; the others are ignored', { severity: 'warning' });
  }
  for (const e of doc.errors) {
    const { line, col } = lc.linePos(e.pos[0]);
    r.add({ line, column: col }, `yaml: ${e.message.split('\n')[0]}`);
  }
  if (doc.errors.length > 0) return { findings: r.findings };
  const root = doc.contents;
  const ruleFile: RuleFile = { file, groups: [] };
  if (root === null || (isScalar(root) && root.value === null)) return { ruleFile, findings: r.findings };
  if (!isMap(root)) {
    r.add(r.pos(root, { line: 1, column: 1 }), `cannot unmarshal ${kindName(root)} into rulefmt.RuleGroups`);
    return { ruleFile, findings: r.findings };
  }
  for (const p of pairs(root)) {
    const kp = r.pos(p.keyNode);
    if (p.key !== 'groups') {
      r.add(kp, `field ${p.key} not found in type rulefmt.RuleGroups`);
      continue;
    }
    if (p.value === null || (isScalar(p.value) && p.value.value === null)) continue;
    if (!isSeq(p.value)) {
      r.add(r.pos(p.value as Node, kp), `groups: cannot unmarshal ${kindName(p.value)} into []rulefmt.RuleGroup`);
      continue;
    }
    for (const g of p.value.items) {
      const group = readGroup(r, g, kp);
      if (group) ruleFile.groups.push(group);
    }
  }
  validateRuleFile(ruleFile, r.findings, options.parseExpr);
  r.findings.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ruleFile, findings: r.findings };
}

/** Reads and parses a rule file; a file that cannot be read is one finding. */
export async function readRuleFile(path: string, options: ParseRuleFileOptions = {}): Promise<ParsedRuleFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message;
    return { findings: [{ file: path, line: 0, column: 0, severity: 'error', message: `cannot read the file: ${reason}` }] };
  }
  return parseRuleFile(text, path, options);
}

/** Loads rule files for evaluation: throws TT_RULES_INVALID listing every error if any file has one. */
export async function loadRuleFiles(paths: string[], options: ParseRuleFileOptions = {}): Promise<RuleFile[]> {
  const out: RuleFile[] = [];
  const errors: RuleFinding[] = [];
  for (const p of paths) {
    const parsed = await readRuleFile(p, options);
    errors.push(...parsed.findings.filter((f) => f.severity === 'error'));
    if (parsed.ruleFile) out.push(parsed.ruleFile);
  }
  if (errors.length > 0) {
    const first = errors[0];
    throw new TelltaleError('TT_RULES_INVALID', `${errors.length} problem(s) in rule files: ${first.message}`, {
      file: first.file, line: first.line, column: first.column,
      hint: errors.map(formatFinding).join('\n'),
    });
  }
  return out;
}

/** `file:line:col: message` (warnings say so). */
export function formatFinding(f: RuleFinding): string {
  return formatFindingWith(f, ':');
}

/** formatFinding with `separator` between the file and the position (`: ` as promtool test rules prints). */
export function formatFindingWith(f: RuleFinding, separator: string): string {
  const where = f.line > 0 ? `${f.file}${separator}${f.line}:${f.column}` : f.file;
  // the context reads as promtool's: group "g", rule 2, "HighLatency":
  const ctx = f.group !== undefined && f.rule !== undefined ? `group ${JSON.stringify(f.group)}, rule ${f.rule}, ${JSON.stringify(f.ruleName ?? '')}: ` : '';
  return `${where}: ${f.severity === 'warning' ? 'warning: ' : ''}${ctx}${f.message}`;
}
