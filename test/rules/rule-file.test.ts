import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isTelltaleError } from '../../src/errors.ts';
import { formatFinding, loadRuleFiles, parseRuleFile, readRuleFile } from '../../src/rules/rule-file.ts';
import { ROOT } from '../helpers/cli.ts';

const fixture = (p: string) => join(ROOT, 'test/fixtures/rules', p);
const text = (p: string) => readFileSync(fixture(p), 'utf8');

describe('rule files: loading', () => {
  it('reads every field of a Prometheus rule file into groups and rules', () => {
    const { ruleFile, findings } = parseRuleFile(text('good/full.yml'), 'full.yml');
    expect(findings).toEqual([]);
    const [api, other] = ruleFile!.groups;
    expect(api).toMatchObject({ name: 'api', intervalMs: 30_000, limit: 100, labels: {} });
    expect(api.rules[0]).toMatchObject({ kind: 'record', name: 'job:http_requests:rate5m', labels: { team: 'platform' }, pos: { line: 7, column: 9 } });
    expect(api.rules[1]).toMatchObject({
      kind: 'alert', name: 'HighErrorRate', forMs: 120_000, keepFiringForMs: 300_000,
      labels: { severity: 'page', instance_short: '{{ $labels.instance | stripPort }}' },
    });
    expect((api.rules[1] as { expr: string }).expr).toContain('> 0.05');
    expect(api.rules[1].exprPos.line).toBe(12);
    expect(other.intervalMs).toBeUndefined();
    expect(other.rules[0]).toMatchObject({ kind: 'alert', name: 'InstanceDown', forMs: 5_400_000 });
  });

  it('reads group labels and query_offset of newer Prometheus', () => {
    const { ruleFile, findings } = parseRuleFile(text('newer/group-labels.yml'), 'n.yml');
    expect(findings).toEqual([]);
    expect(ruleFile!.groups[0]).toMatchObject({ queryOffsetMs: 60_000, labels: { team: 'platform' } });
  });

  it('takes an empty file as no groups', () => {
    expect(parseRuleFile('', 'e.yml')).toEqual({ ruleFile: { file: 'e.yml', groups: [] }, findings: [] });
    expect(parseRuleFile('# only a comment\n', 'e.yml').findings).toEqual([]);
  });
});

describe('rule files: findings name file, line and column', () => {
  const cases: Array<[string, number, number, string]> = [
    ['bad/yaml-syntax.yml', 4, 1, 'yaml: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['bad/unknown-field.yml', 6, 5, 'field annotation not found in type rulefmt.RuleNode'],
    ['bad/unknown-top.yml', 1, 1, 'field group not found in type rulefmt.RuleGroups'],
    ['bad/duplicate-group.yml', 4, 3, 'groupname: "a" is repeated in the same file'],
    ['bad/empty-group-name.yml', 2, 3, 'Groupname must not be empty'],
    ['bad/record-and-alert.yml', 4, 13, "only one of 'record' and 'alert' must be set"],
    ['bad/neither.yml', 4, 5, "one of 'record' or 'alert' must be set"],
    ['bad/no-expr.yml', 4, 5, "field 'expr' must be set in rule"],
    ['bad/bad-expr.yml', 5, 11, 'could not parse expression: 1:16: parse error: unexpected end of input'],
    ['bad/bad-duration.yml', 6, 10, 'for: not a valid duration string: "5 minutes"'],
    ['bad/bad-interval.yml', 3, 13, 'interval: not a valid duration string: "1.5m"'],
    ['bad/for-on-record.yml', 4, 13, "invalid field 'for' in recording rule"],
    ['bad/annotations-on-record.yml', 4, 13, "invalid field 'annotations' in recording rule"],
    ['bad/keep-firing-on-record.yml', 4, 13, "invalid field 'keep_firing_for' in recording rule"],
    ['bad/bad-record-name.yml', 4, 13, 'invalid recording rule name: job-up-sum'],
    ['bad/bad-label-name.yml', 7, 7, 'invalid label name: 1severity'],
    ['bad/name-label.yml', 7, 7, 'invalid label name: __name__'],
    ['bad/bad-annotation-name.yml', 7, 7, 'invalid annotation name: run-book'],
    ['bad/bad-template.yml', 7, 7, 'annotation "summary": template: __alert_A:1: unexpected EOF'],
    ['bad/unknown-function.yml', 7, 7, 'label "severity": template: __alert_A:1: function "humanise" not defined'],
    ['bad/labels-not-map.yml', 6, 13, 'labels: cannot unmarshal !!seq into map[string]string'],
    ['bad/bad-limit.yml', 3, 10, 'limit: cannot unmarshal !!str `many` into int'],
    ['bad/duplicate-key.yml', 3, 3, 'yaml: Map keys must be unique'],
    ['bad/groups-not-list.yml', 1, 9, 'groups: cannot unmarshal !!map into []rulefmt.RuleGroup'],
  ];
  for (const [file, line, column, message] of cases) {
    it(`${file}: ${message}`, () => {
      const { findings } = parseRuleFile(text(file), file);
      const f = findings.find((x) => x.message.includes(message));
      expect(f, findings.map(formatFinding).join('\n')).toBeDefined();
      expect([f!.line, f!.column, f!.severity]).toEqual([line, column, 'error']);
    });
  }

  it('collects every problem of a file rather than stopping at the first', () => {
    const src = [
      'groups:', '- name: g', '  interval: 5x', '  rules:',
      '  - record: job:up:sum', '    expr: sum(', '    for: 5m',
      '  - alert: A', '    expr: up', '    labels: {9bad: x}', '    annotations: {summary: "{{ .x "}',
      '- name: g', '  rules: [{expr: up}]',
    ].join('\n');
    const { findings } = parseRuleFile(src, 'm.yml');
    expect(findings.map(formatFinding)).toEqual([
      'm.yml:3:13: interval: not a valid duration string: "5x"',
      'm.yml:5:13: group "g", rule 1, "job:up:sum": invalid field \'for\' in recording rule',
      'm.yml:6:11: group "g", rule 1, "job:up:sum": could not parse expression: 1:5: parse error: unexpected end of input',
      'm.yml:10:14: group "g", rule 2, "A": invalid label name: 9bad',
      'm.yml:11:19: group "g", rule 2, "A": annotation "summary": template: __alert_A:1: unclosed action',
      'm.yml:12:3: groupname: "g" is repeated in the same file',
      'm.yml:13:11: group "g", rule 1, "": one of \'record\' or \'alert\' must be set',
    ]);
  });

  it('warns about a recording rule recorded twice with the same labels, without failing', () => {
    const src = 'groups:\n- name: a\n  rules:\n  - {record: x, expr: up}\n  - {record: x, expr: up}\n  - {record: x, expr: up, labels: {a: b}}\n';
    const { findings } = parseRuleFile(src, 'd.yml');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', line: 5 });
    expect(findings[0].message).toMatch(/duplicate rule: x .* line 4/);
  });

  it('reads the first YAML document only, as Prometheus, and warns about the others', () => {
    const src = 'groups:\n- name: a\n  rules:\n  - {record: a, expr: up}\n---\ngroups: oops\n';
    const { ruleFile, findings } = parseRuleFile(src, 'm.yml');
    expect(ruleFile!.groups[0].rules).toHaveLength(1);
    expect(findings).toEqual([expect.objectContaining({ severity: 'warning', line: 5, message: 'only the first YAML document of a rule file is read; the others are ignored' })]);
  });

  it('reads scalars of any YAML type as strings, as Go\'s yaml does', () => {
    const src = 'groups:\n- name: 5\n  rules:\n  - alert: 7\n    expr: 1\n    labels: {x: 5, y: true, z: 1.50, w: }\n';
    const { ruleFile, findings } = parseRuleFile(src, 's.yml');
    expect(findings).toEqual([]);
    expect(ruleFile!.groups[0]).toMatchObject({ name: '5', rules: [{ name: '7', expr: '1', labels: { x: '5', y: 'true', z: '1.50', w: '' } }] });
  });

  it('does not parse recording rule labels as templates', () => {
    const src = 'groups:\n- name: a\n  rules:\n  - record: x\n    expr: up\n    labels: {a: "{{ nope"}\n';
    expect(parseRuleFile(src, 'r.yml').findings).toEqual([]);
  });

  it('asks the injected PromQL checker about each expression', () => {
    const seen: string[] = [];
    const src = 'groups:\n- name: a\n  rules:\n  - {alert: A, expr: rate(up)}\n';
    const { findings } = parseRuleFile(src, 'p.yml', { parseExpr: (e) => { seen.push(e); return 'expected type range vector in call to function "rate", got instant vector'; } });
    expect(seen).toEqual(['rate(up)']);
    expect(formatFinding(findings[0])).toBe('p.yml:4:22: group "a", rule 1, "A": could not parse expression: expected type range vector in call to function "rate", got instant vector');
  });
});

describe('rule files: reading and loading', () => {
  it('reports a missing file as a finding', async () => {
    const { findings } = await readRuleFile('/nonexistent/rules.yml');
    expect(findings[0].message).toBe('cannot read the file: no such file or directory');
  });

  it('loads good files and refuses bad ones with TT_RULES_INVALID naming the first problem', async () => {
    const files = await loadRuleFiles([fixture('good/full.yml'), fixture('good/defines.yml')]);
    expect(files.map((f) => f.groups.length)).toEqual([2, 1]);
    const err = await loadRuleFiles([fixture('good/full.yml'), fixture('bad/for-on-record.yml')]).catch((e: unknown) => e);
    expect(isTelltaleError(err) && err.code).toBe('TT_RULES_INVALID');
    expect(err).toMatchObject({ file: fixture('bad/for-on-record.yml'), line: 4, column: 13, exitCode: 1 });
  });
});

describe('rule files: hostile input', () => {
  const good = text('good/full.yml');
  it('never throws on arbitrary text, and every finding has a position', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => {
      for (const f of parseRuleFile(s, 'x.yml').findings) expect(f.line).toBeGreaterThan(0);
    }), { numRuns: 1500 });
  });

  it('never throws on mutations of a good file', () => {
    const mutation = fc.tuple(fc.nat(good.length), fc.nat(20), fc.string({ maxLength: 12 }));
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (muts) => {
      let s = good;
      for (const [at, del, ins] of muts) s = s.slice(0, at) + ins + s.slice(at + del);
      const { findings } = parseRuleFile(s, 'm.yml');
      for (const f of findings) expect(f.line).toBeGreaterThan(0);
    }), { numRuns: 1500 });
  });

  it('never throws on structurally odd YAML values', () => {
    const yamlValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom('name', 'rules', 'alert', 'record', 'expr', 'for', 'labels', 'annotations', 'interval', 'limit', 'x'), tie('v'), { maxKeys: 4 })),
    })).v;
    fc.assert(fc.property(yamlValue, (v) => {
      parseRuleFile(JSON.stringify({ groups: [v] }), 'j.yml');
    }), { numRuns: 1500 });
  });
});
