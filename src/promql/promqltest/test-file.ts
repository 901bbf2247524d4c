/**
 * Parser for PromQL test files (Prometheus' promqltest format): `load <interval>` blocks of series lines,
 * `clear`, and `eval` / `eval_fail` / `eval_ordered` commands (`instant at <time>` or
 * `range from <t> to <t> step <d>`) followed by expected results. Errors name the line.
 */
import { TelltaleError } from '../../errors.ts';
import type { Labels } from '../../series/types.ts';
import { parseDuration, parseNumber } from '../lex.ts';
import { expandValues, parseSeriesLabels, parseSeriesLine, splitSeries, type SeriesLine, type SeriesValue } from './series-notation.ts';

export interface LoadCommand {
  kind: 'load';
  line: number;
  interval: number;
  series: SeriesLine[];
}

export interface ExpectedSeries {
  labels: Labels;
  values: SeriesValue[];
}

export interface EvalCommand {
  kind: 'eval';
  line: number;
  expr: string;
  /** `instant`: at `start`; `range`: from start to end by step. */
  mode: 'instant' | 'range';
  start: number;
  end: number;
  step: number;
  fail: boolean;
  ordered: boolean;
  failMessage?: string;
  failRegexp?: RegExp;
  /** Expected vector / matrix entries. */
  expected: ExpectedSeries[];
  /** Expected scalar or string result (a line that is only a value). */
  expectedScalar?: number;
  expectedString?: string;
}

export type TestCommand = LoadCommand | EvalCommand | { kind: 'clear'; line: number };

function fail(file: string, line: number, message: string): never {
  throw new TelltaleError('TT_PROMQL_PARSE', `${file}:${line}: ${message}`, { file, line });
}

/** A time in a test file: a duration from zero (`10m`) or seconds (`600`). */
export function parseTestTime(text: string): number | undefined {
  const d = parseDuration(text);
  if (d !== undefined) return d;
  const n = parseNumber(text);
  return n === undefined || !Number.isFinite(n) ? undefined : Math.round(n * 1000);
}

export function parseTestFile(text: string, file = 'test'): TestCommand[] {
  const lines = text.split(/\r?\n/);
  const out: TestCommand[] = [];
  let i = 0;
  const wrap = <T>(line: number, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof TelltaleError && !err.message.startsWith(`${file}:`)) fail(file, line, err.message);
      throw err;
    }
  };
  while (i < lines.length) {
    const raw = lines[i];
    const lineNo = i + 1;
    i++;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (/^\s/.test(raw)) fail(file, lineNo, `unexpected indented line outside a command: ${JSON.stringify(trimmed)}`);
    const body: { text: string; line: number }[] = [];
    while (i < lines.length && /^\s+\S/.test(lines[i]) && !lines[i].trim().startsWith('#')) {
      body.push({ text: lines[i].trim(), line: i + 1 });
      i++;
    }
    if (trimmed === 'clear') {
      out.push({ kind: 'clear', line: lineNo });
      continue;
    }
    const load = /^load\s+(\S+)$/.exec(trimmed);
    if (load) {
      const interval = parseDuration(load[1]);
      if (interval === undefined || interval <= 0) fail(file, lineNo, `invalid load interval ${JSON.stringify(load[1])}`);
      out.push({ kind: 'load', line: lineNo, interval, series: body.map((b) => wrap(b.line, () => parseSeriesLine(b.text))) });
      continue;
    }
    const ev = /^(eval|eval_fail|eval_ordered|eval_warn|eval_info)\s+(instant\s+at\s+(\S+)|range\s+from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+))\s+(.+)$/.exec(trimmed);
    if (!ev) fail(file, lineNo, `unknown test command ${JSON.stringify(trimmed)}`);
    const mode = ev[3] !== undefined ? 'instant' : 'range';
    const times = (mode === 'instant' ? [ev[3], ev[3], '0'] : [ev[4], ev[5], ev[6]]).map((t) => {
      const v = parseTestTime(t);
      if (v === undefined) fail(file, lineNo, `invalid time ${JSON.stringify(t)}`);
      return v;
    });
    const cmd: EvalCommand = {
      kind: 'eval', line: lineNo, expr: ev[7], mode, start: times[0], end: times[1], step: times[2],
      fail: ev[1] === 'eval_fail', ordered: ev[1] === 'eval_ordered', expected: [],
    };
    if (mode === 'range' && !(cmd.step > 0)) fail(file, lineNo, 'range step must be positive');
    for (const b of body) {
      const msg = /^expected_fail_message\s+(.*)$/.exec(b.text);
      if (msg) {
        cmd.failMessage = msg[1];
        continue;
      }
      const re = /^expected_fail_regexp\s+(.*)$/.exec(b.text);
      if (re) {
        cmd.failRegexp = wrap(b.line, () => new RegExp(re[1]));
        continue;
      }
      wrap(b.line, () => {
        if (/^"/.test(b.text)) {
          cmd.expectedString = JSON.parse(b.text) as string;
          return;
        }
        const [series, values] = splitSeries(b.text);
        if (parseNumber(b.text) !== undefined || series === '') {
          const v = parseNumber(b.text);
          if (v === undefined) fail(file, b.line, `invalid scalar ${JSON.stringify(b.text)}`);
          cmd.expectedScalar = v;
          return;
        }
        cmd.expected.push({ labels: parseSeriesLabels(series), values: expandValues(values) });
      });
    }
    out.push(cmd);
  }
  return out;
}
