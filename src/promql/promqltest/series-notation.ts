/**
 * Prometheus' series notation for test data: `metric{label="v"} 1 2+3x4 _x2 stale -Inf`. Each value item
 * expands to one or more samples: `a+bxn` / `a-bxn` are n+1 samples stepping by b, `axn` is a repeated n+1
 * times, `_` is a missing sample (`_xn`: n of them), `stale` a staleness marker. Used by the PromQL test
 * runner and by promtool-style unit tests' input_series.
 */
import { TelltaleError } from '../../errors.ts';
import { METRIC_NAME, type Labels } from '../../series/types.ts';
import { parseExpr } from '../parser.ts';
import { parseNumber } from '../lex.ts';

/** One expanded slot: a value, the staleness marker, or nothing (`_`). */
export type SeriesValue = number | 'stale' | undefined;

export interface SeriesLine {
  labels: Labels;
  values: SeriesValue[];
}

function fail(message: string): never {
  throw new TelltaleError('TT_PROMQL_PARSE', message);
}

/** Splits `metric{...} rest` into the series part and the value text, respecting quoted label values. */
export function splitSeries(line: string): [string, string] {
  const text = line.trim();
  let i = 0;
  while (i < text.length && /[a-zA-Z0-9_:]/.test(text[i])) i++;
  if (text[i] === '{') {
    let quote = '';
    for (i++; i < text.length; i++) {
      const c = text[i];
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'" || c === '`') quote = c;
      else if (c === '}') break;
    }
    if (i >= text.length) fail(`unterminated label set in ${JSON.stringify(line)}`);
    i++;
  }
  return [text.slice(0, i), text.slice(i).trim()];
}

/** Parses `metric{a="b"}` (or `{__name__="m", a="b"}`) into a label set. */
export function parseSeriesLabels(text: string): Labels {
  if (text === '') fail('missing series');
  const labels: Record<string, string> = {};
  if (/^\{\s*\}$/.test(text)) return labels;
  const e = parseExpr(text);
  if (e.type !== 'vector_selector') fail(`expected a series, got ${JSON.stringify(text)}`);
  for (const m of e.matchers) {
    if (m.type !== '=') fail(`series labels must use "=", got ${m.name}${m.type} in ${JSON.stringify(text)}`);
    if (m.name in labels && labels[m.name] !== m.value) fail(`label ${m.name} set twice in ${JSON.stringify(text)}`);
    if (m.value !== '') labels[m.name] = m.value;
  }
  if (!(METRIC_NAME in labels) && e.name) labels[METRIC_NAME] = e.name;
  return labels;
}

function number(text: string, item: string): number {
  const v = parseNumber(text);
  // Prometheus' series lexer has no digit separators
  if (v === undefined || text === '' || text.includes('_') || /[a-z]{2,}/i.test(text.replace(/^[-+]?(inf|nan)$/i, ''))) {
    fail(`invalid value ${JSON.stringify(text)} in ${JSON.stringify(item)}`);
  }
  return v;
}

const MAX_EXPANSION = 1_000_000;

/** A decimal number, Inf or NaN, without sign (Prometheus refuses hex and digit separators around `x`). */
const DECIMAL = String.raw`(?:inf|nan|(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)`;
/** `a+bxn`, `a-bxn`, `axn`, `_xn`: the step is unsigned, so `1+-2x3` is refused as Prometheus does. */
const EXPANSION = new RegExp(String.raw`^(_|stale|[-+]?${DECIMAL})(?:([-+])(${DECIMAL}))?x(\d+)$`, 'i');

/** Expands the value part of a series line. */
export function expandValues(text: string): SeriesValue[] {
  const out: SeriesValue[] = [];
  for (const item of text.split(/\s+/).filter((s) => s !== '')) {
    if (item === '_') {
      out.push(undefined);
      continue;
    }
    if (item === 'stale') {
      out.push('stale');
      continue;
    }
    const m = EXPANSION.exec(item);
    if (!m) {
      out.push(number(item, item));
      continue;
    }
    const times = Number(m[4]);
    if (times > MAX_EXPANSION || out.length + times > MAX_EXPANSION) fail(`series expansion ${JSON.stringify(item)} is too long`);
    if (m[1] === '_') {
      if (m[2]) fail(`invalid value ${JSON.stringify(item)}: "_" cannot step`);
      for (let k = 0; k < times; k++) out.push(undefined);
      continue;
    }
    if (m[1] === 'stale') {
      // Prometheus steps from the staleness marker's bits: the marker, then plain NaNs; `stalexn` it refuses
      if (!m[2]) fail(`invalid value ${JSON.stringify(item)}: "stale" repeats only with a step`);
      out.push('stale');
      for (let k = 0; k < times; k++) out.push(NaN);
      continue;
    }
    const start = number(m[1], item);
    const step = m[2] ? number(m[3], item) * (m[2] === '-' ? -1 : 1) : 0;
    // Accumulate like Prometheus (repeated addition), so float steps give the same values.
    let v = start;
    for (let k = 0; k <= times; k++) {
      out.push(v);
      v += step;
    }
  }
  return out;
}

export function parseSeriesLine(line: string): SeriesLine {
  const [series, values] = splitSeries(line);
  return { labels: parseSeriesLabels(series), values: expandValues(values) };
}
