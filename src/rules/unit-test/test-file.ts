/**
 * promtool's rule unit-test file (`promtool test rules`), read unchanged: `rule_files`, `evaluation_interval`,
 * `group_eval_order` and `tests[]` of input series, alert tests and PromQL expression tests. Series lines are
 * expanded here with the PromQL test notation, so a bad one is reported at its own line and field.
 */
import { TelltaleError } from '../../errors.ts';
import { expandValues, parseSeriesLabels, type SeriesValue } from '../../promql/promqltest/series-notation.ts';
import type { Labels } from '../../series/types.ts';
import { isNull, parseYaml, type FieldReader } from './yaml-fields.ts';

export interface InputSeries {
  labels: Labels;
  values: SeriesValue[];
}

export interface ExpectedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertTest {
  evalTimeMs: number;
  alertname: string;
  expAlerts: ExpectedAlert[];
}

export interface ExpectedSample {
  /** the series selector text, parsed when the test runs (promtool reports a bad one as a failure) */
  labels: string;
  value: number;
}

export interface PromqlTest {
  expr: string;
  evalTimeMs: number;
  expSamples: ExpectedSample[];
}

export interface TestGroup {
  name: string;
  /** sample spacing of input_series; 0 puts every sample at time 0, as promtool does */
  intervalMs: number;
  inputSeries: InputSeries[];
  alertTests: AlertTest[];
  promqlTests: PromqlTest[];
  externalLabels: Record<string, string>;
  externalURL: string;
}

export interface UnitTestFile {
  file: string;
  ruleFiles: string[];
  /** where each of ruleFiles is written */
  ruleFilesPos: Array<{ line: number; column: number }>;
  evaluationIntervalMs: number;
  groupEvalOrder: string[];
  tests: TestGroup[];
}

const TOP = ['rule_files', 'evaluation_interval', 'group_eval_order', 'tests'];
const GROUP = ['interval', 'input_series', 'alert_rule_test', 'promql_expr_test', 'external_labels', 'external_url', 'name'];
const SERIES = ['series', 'values'];
const ALERT_TEST = ['eval_time', 'alertname', 'exp_alerts'];
const EXP_ALERT = ['exp_labels', 'exp_annotations'];
const PROMQL_TEST = ['expr', 'eval_time', 'exp_samples'];
const EXP_SAMPLE = ['labels', 'value'];

const DEFAULT_EVALUATION_INTERVAL = 60_000;

function seriesOf(r: FieldReader, node: unknown, path: string): InputSeries {
  const f = r.fields(node, path, 'an input series', SERIES);
  const seriesNode = f.get('series')?.value;
  const valuesNode = f.get('values')?.value;
  const text = r.string(seriesNode, `${path}.series`).trim();
  let labels: Labels;
  try {
    labels = parseSeriesLabels(text);
  } catch (err) {
    if (!(err instanceof TelltaleError)) throw err;
    return r.fail(seriesNode ?? node, `${path}.series`, err.message, err);
  }
  let values: SeriesValue[];
  try {
    values = expandValues(r.string(valuesNode, `${path}.values`));
  } catch (err) {
    if (!(err instanceof TelltaleError)) throw err;
    return r.fail(valuesNode ?? node, `${path}.values`, err.message, err);
  }
  return { labels, values };
}

function alertTestOf(r: FieldReader, node: unknown, path: string): AlertTest {
  const f = r.fields(node, path, 'an alert_rule_test item', ALERT_TEST);
  return {
    evalTimeMs: r.duration(f.get('eval_time')?.value, `${path}.eval_time`),
    alertname: r.string(f.get('alertname')?.value, `${path}.alertname`),
    expAlerts: r.seq(f.get('exp_alerts')?.value, `${path}.exp_alerts`, (n, p) => {
      const a = r.fields(n, p, 'an expected alert', EXP_ALERT);
      return { labels: r.stringMap(a.get('exp_labels')?.value, `${p}.exp_labels`), annotations: r.stringMap(a.get('exp_annotations')?.value, `${p}.exp_annotations`) };
    }),
  };
}

function promqlTestOf(r: FieldReader, node: unknown, path: string): PromqlTest {
  const f = r.fields(node, path, 'a promql_expr_test item', PROMQL_TEST);
  return {
    expr: r.string(f.get('expr')?.value, `${path}.expr`),
    evalTimeMs: r.duration(f.get('eval_time')?.value, `${path}.eval_time`),
    expSamples: r.seq(f.get('exp_samples')?.value, `${path}.exp_samples`, (n, p) => {
      const s = r.fields(n, p, 'an expected sample', EXP_SAMPLE);
      return { labels: r.string(s.get('labels')?.value, `${p}.labels`), value: r.float(s.get('value')?.value, `${p}.value`) };
    }),
  };
}

function groupOf(r: FieldReader, node: unknown, path: string): TestGroup {
  const f = r.fields(node, path, 'a test group', GROUP);
  const intervalNode = f.get('interval')?.value;
  return {
    name: r.string(f.get('name')?.value, `${path}.name`),
    // promtool leaves an unset interval at 0, which loads every sample at time 0
    intervalMs: isNull(intervalNode) ? 0 : r.duration(intervalNode, `${path}.interval`),
    inputSeries: r.seq(f.get('input_series')?.value, `${path}.input_series`, (n, p) => seriesOf(r, n, p)),
    alertTests: r.seq(f.get('alert_rule_test')?.value, `${path}.alert_rule_test`, (n, p) => alertTestOf(r, n, p)),
    promqlTests: r.seq(f.get('promql_expr_test')?.value, `${path}.promql_expr_test`, (n, p) => promqlTestOf(r, n, p)),
    externalLabels: r.stringMap(f.get('external_labels')?.value, `${path}.external_labels`),
    externalURL: r.string(f.get('external_url')?.value, `${path}.external_url`),
  };
}

/** Parses a unit-test file's text. Throws TT_RULES_INVALID naming file:line:column and the field. */
export function parseUnitTestFile(text: string, file: string): UnitTestFile {
  const { root, reader: r } = parseYaml(text, file);
  const f = r.fields(root, '', 'a unit-test file', TOP);
  const intervalNode = f.get('evaluation_interval')?.value;
  const evaluationIntervalMs = isNull(intervalNode) ? DEFAULT_EVALUATION_INTERVAL : r.duration(intervalNode, 'evaluation_interval') || DEFAULT_EVALUATION_INTERVAL;
  const groupEvalOrder = r.seq(f.get('group_eval_order')?.value, 'group_eval_order', (n, p) => r.string(n, p));
  const seen = new Set<string>();
  const orderNode = f.get('group_eval_order')?.value;
  for (const g of groupEvalOrder) {
    if (seen.has(g)) r.fail(orderNode, 'group_eval_order', `group name repeated in evaluation order: ${g}`);
    seen.add(g);
  }
  const ruleFiles = r.seq(f.get('rule_files')?.value, 'rule_files', (n, p) => [r.string(n, p), r.pos(n)] as const);
  return {
    file,
    ruleFiles: ruleFiles.map(([s]) => s),
    ruleFilesPos: ruleFiles.map(([, pos]) => pos),
    evaluationIntervalMs,
    groupEvalOrder,
    tests: r.seq(f.get('tests')?.value, 'tests', (n, p) => groupOf(r, n, p)),
  };
}
