/**
 * Parsers for the two text exposition formats a scrape can return: the Prometheus text format 0.0.4 and
 * OpenMetrics 1.0 text. Both produce flat samples (metric name plus labels, value, optional timestamp in ms)
 * and the families' metadata. Syntax follows what Prometheus' scraper accepts: the text format is lenient
 * (blank lines, free comments, runs of blanks between tokens); OpenMetrics is strict (single spaces, only
 * HELP/TYPE/UNIT comments, a final `# EOF`). Any error throws TT_INGEST_INVALID naming the line.
 */
import { TelltaleError } from '../errors.ts';
import { parseFloatToken, parseIntTimestamp, parseSecondsTimestamp } from './exposition-values.ts';

export type ExpositionFormat = 'prometheus-text' | 'openmetrics';

export const TEXT_TYPES = ['counter', 'gauge', 'histogram', 'summary', 'untyped'] as const;
export const OPENMETRICS_TYPES = ['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown'] as const;
export type MetricType = (typeof TEXT_TYPES)[number] | (typeof OPENMETRICS_TYPES)[number];

export interface ParsedSample {
  /** The series' metric name (`__name__`). */
  name: string;
  /** The other labels, in the order written. */
  labels: Record<string, string>;
  value: number;
  /** Explicit timestamp in ms, when the line has one. */
  timestamp?: number;
  /** 1-based line number in the body. */
  line: number;
}

export interface FamilyMetadata {
  type?: MetricType;
  help?: string;
  unit?: string;
}

export interface ParsedExposition {
  samples: ParsedSample[];
  /** By family name, in the order first seen. */
  metadata: Map<string, FamilyMetadata>;
}

export interface ParseOptions {
  /**
   * OpenMetrics only: keep the `_created` series of counters, histograms, summaries and gauge histograms as
   * ordinary samples. Off by default, like Prometheus' scraper (which reads them as creation times, not samples).
   */
  keepCreatedSeries?: boolean;
}

const METRIC_NAME_START = /[a-zA-Z_:]/;
const METRIC_NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_NAME_START = /[a-zA-Z_]/;
const LABEL_NAME_CHAR = /[a-zA-Z0-9_]/;
const CREATED_TYPES: ReadonlySet<string> = new Set(['counter', 'histogram', 'summary', 'gaugehistogram']);

function fail(line: number, what: string): never {
  throw new TelltaleError('TT_INGEST_INVALID', `line ${line}: ${what}`, { line });
}

function show(s: string): string {
  return s === '' ? 'end of line' : JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

/** A cursor over one line. */
class LineScanner {
  text: string;
  pos = 0;
  line: number;
  readonly strict: boolean;
  constructor(text: string, line: number, strict: boolean) {
    this.text = text;
    this.line = line;
    this.strict = strict;
  }
  done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  rest(): string {
    return this.text.slice(this.pos);
  }
  fail(what: string): never {
    return fail(this.line, what);
  }
  /** Skips blanks; in OpenMetrics exactly one space is required where `required` is set. */
  blanks(required: boolean, what: string): void {
    if (this.strict) {
      if (this.peek() === ' ') {
        this.pos++;
        if (this.peek() === ' ' || this.peek() === '\t') this.fail(`more than one space before ${what}`);
      } else if (required) this.fail(`expected a single space before ${what}, got ${show(this.rest())}`);
      return;
    }
    const start = this.pos;
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
    if (required && this.pos === start) this.fail(`expected whitespace before ${what}, got ${show(this.rest())}`);
  }
  name(start: RegExp, char: RegExp, what: string): string {
    const from = this.pos;
    if (!start.test(this.peek())) this.fail(`expected ${what}, got ${show(this.rest())}`);
    this.pos++;
    while (this.pos < this.text.length && char.test(this.text[this.pos])) this.pos++;
    return this.text.slice(from, this.pos);
  }
  /** A token up to the next blank (or `stop`). */
  token(): string {
    const from = this.pos;
    while (this.pos < this.text.length && this.text[this.pos] !== ' ' && this.text[this.pos] !== '\t') this.pos++;
    return this.text.slice(from, this.pos);
  }
  /** A double-quoted label value with `\\`, `\"` and `\n` escapes (other escapes stay as written, as in Prometheus). */
  quoted(labelName: string): string {
    if (this.peek() !== '"') this.fail(`expected '"' to open the value of label ${labelName}, got ${show(this.rest())}`);
    this.pos++;
    let out = '';
    let from = this.pos;
    for (;;) {
      if (this.pos >= this.text.length) this.fail(`unterminated value of label ${labelName}`);
      const c = this.text[this.pos];
      if (c === '"') break;
      if (c === '\\') {
        const next = this.text[this.pos + 1];
        if (next === undefined) this.fail(`unterminated value of label ${labelName}`);
        out += this.text.slice(from, this.pos);
        if (next === '\\' || next === '"') out += next;
        else if (next === 'n') out += '\n';
        else out += `\\${next}`; // as Prometheus: other escapes stay as written, in both formats
        this.pos += 2;
        from = this.pos;
        continue;
      }
      this.pos++;
    }
    out += this.text.slice(from, this.pos);
    this.pos++;
    return out;
  }
  /** `{name="value",...}`; the cursor is on `{`. */
  labels(into: Record<string, string>): void {
    this.pos++;
    for (;;) {
      if (!this.strict) this.blanks(false, 'a label');
      if (this.peek() === '}') break;
      const name = this.name(LABEL_NAME_START, LABEL_NAME_CHAR, 'a label name or "}"');
      if (!this.strict) this.blanks(false, '"="');
      if (this.peek() !== '=') this.fail(`expected "=" after label name ${name}, got ${show(this.rest())}`);
      this.pos++;
      if (!this.strict) this.blanks(false, 'a label value');
      const value = this.quoted(name);
      if (Object.prototype.hasOwnProperty.call(into, name) || name === '__name__') this.fail(`duplicate label name ${name}`);
      into[name] = value;
      if (!this.strict) this.blanks(false, '"," or "}"');
      if (this.peek() === ',') {
        this.pos++;
        if (this.strict && this.peek() === '}') this.fail(`unexpected "}" after "," (OpenMetrics allows no trailing comma)`);
        continue;
      }
      if (this.peek() !== '}') this.fail(`expected "," or "}" after the value of label ${name}, got ${show(this.rest())}`);
    }
    this.pos++;
  }
}

/** Parses an exposition body. Throws TT_INGEST_INVALID (with the line number) on the first malformed line. */
export function parseExposition(body: string, format: ExpositionFormat, options: ParseOptions = {}): ParsedExposition {
  const strict = format === 'openmetrics';
  const samples: ParsedSample[] = [];
  const metadata = new Map<string, FamilyMetadata>();
  const keepCreated = options.keepCreatedSeries ?? false;
  let family = '';
  let familyType = '';
  let sawEof = false;
  let pos = 0;
  let lineNo = 0;
  while (pos < body.length) {
    let end = body.indexOf('\n', pos);
    const terminated = end >= 0;
    if (!terminated) end = body.length;
    const text = body.slice(pos, end);
    pos = end + 1;
    lineNo++;
    if (sawEof) fail(lineNo, 'unexpected data after "# EOF"');
    if (text === '# EOF' && strict) {
      sawEof = true;
      continue;
    }
    const s = new LineScanner(text, lineNo, strict);
    if (s.done()) {
      if (strict) fail(lineNo, 'empty line (OpenMetrics allows none)');
      continue;
    }
    if (!strict && (s.peek() === ' ' || s.peek() === '\t')) {
      // Prometheus' text lexer takes a line of only blanks as empty, but refuses blanks before a metric
      s.blanks(false, 'a metric');
      if (s.done()) continue;
      s.fail(`unexpected whitespace before ${show(s.rest())}`);
    }
    if (s.peek() === '#') {
      const meta = parseComment(s, format);
      if (!meta) continue;
      const entry = metadata.get(meta.name) ?? {};
      if (!metadata.has(meta.name)) metadata.set(meta.name, entry);
      if (meta.kind === 'TYPE') {
        entry.type = meta.value as MetricType;
        family = meta.name;
        familyType = meta.value;
      } else if (meta.kind === 'HELP') entry.help = meta.value;
      else entry.unit = meta.value;
      continue;
    }
    const sample = parseSampleLine(s);
    if (!keepCreated && strict && CREATED_TYPES.has(familyType) && sample.name === `${family}_created`) continue;
    samples.push(sample);
  }
  if (strict && !sawEof) fail(lineNo, 'OpenMetrics body does not end with "# EOF"');
  return { samples, metadata };
}

interface CommentLine {
  kind: 'HELP' | 'TYPE' | 'UNIT';
  name: string;
  value: string;
}

function parseComment(s: LineScanner, format: ExpositionFormat): CommentLine | undefined {
  const strict = format === 'openmetrics';
  s.pos++;
  if (strict) {
    if (s.peek() !== ' ') s.fail(`expected "# HELP", "# TYPE", "# UNIT" or "# EOF", got ${show(s.text)}`);
    s.pos++;
  } else {
    s.blanks(false, 'a comment');
  }
  const keyword = s.token();
  if (keyword !== 'HELP' && keyword !== 'TYPE' && (keyword !== 'UNIT' || !strict)) {
    if (strict) s.fail(`expected "# HELP", "# TYPE", "# UNIT" or "# EOF", got ${show(s.text)}`);
    return undefined; // an ordinary comment in the text format
  }
  s.blanks(true, 'the metric name');
  const name = s.name(METRIC_NAME_START, METRIC_NAME_CHAR, 'a metric name');
  if (s.done()) {
    if (keyword === 'TYPE') s.fail(`expected a type after "# TYPE ${name}"`);
    return { kind: keyword, name, value: '' };
  }
  if (strict && keyword === 'HELP') {
    // the help text itself may start with spaces
    if (s.peek() !== ' ') s.fail(`expected a single space before the help text, got ${show(s.rest())}`);
    s.pos++;
  } else s.blanks(true, keyword === 'TYPE' ? 'the type' : keyword === 'HELP' ? 'the help text' : 'the unit');
  const raw = s.rest();
  if (keyword === 'HELP') return { kind: keyword, name, value: unescapeHelp(raw, strict, s) };
  if (keyword === 'UNIT') {
    if (raw !== '' && !/^[a-zA-Z0-9_:]+$/.test(raw)) s.fail(`invalid unit ${show(raw)}`);
    if (raw !== '' && !name.endsWith(`_${raw}`)) s.fail(`unit ${raw} is not a suffix of the metric name ${name}`);
    return { kind: keyword, name, value: raw };
  }
  const type = raw;
  const allowed: readonly string[] = strict ? OPENMETRICS_TYPES : TEXT_TYPES;
  if (!allowed.includes(type)) s.fail(`invalid metric type ${show(raw)} (expected one of ${allowed.join(', ')})`);
  return { kind: keyword, name, value: type };
}

function unescapeHelp(raw: string, strict: boolean, s: LineScanner): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = raw[i + 1];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === '"' && strict) out += '"';
    else if (strict) s.fail(`invalid escape ${next === undefined ? '\\ at end of line' : `\\${next}`} in help text`);
    else out += next === undefined ? '\\' : `\\${next}`;
    i++;
  }
  return out;
}

function parseSampleLine(s: LineScanner): ParsedSample {
  const name = s.name(METRIC_NAME_START, METRIC_NAME_CHAR, 'a metric name or comment');
  const labels: Record<string, string> = {};
  if (s.strict) {
    if (s.peek() === '{') s.labels(labels);
    s.blanks(true, 'the value');
  } else {
    const before = s.pos;
    s.blanks(false, 'the labels or value');
    if (s.peek() === '{') {
      s.labels(labels);
      s.blanks(false, 'the value');
    } else if (s.pos === before) s.fail(`expected "{" or whitespace after the metric name ${name}, got ${show(s.rest())}`);
  }
  const valueToken = s.token();
  if (valueToken === '') s.fail(`expected a value for ${name}, got end of line`);
  const value = parseFloatToken(valueToken);
  if (value === undefined) s.fail(`invalid value ${show(valueToken)} for ${name}`);
  const sample: ParsedSample = { name, labels, value, line: s.line };
  if (s.done()) return sample;
  s.blanks(true, 'the timestamp');
  if (!s.strict && s.done()) return sample; // trailing blanks
  if (s.peek() === '#') {
    if (!s.strict) s.fail(`unexpected "#" after the value of ${name} (exemplars need OpenMetrics)`);
    skipExemplar(s);
    return sample;
  }
  const tsToken = s.token();
  const ts = s.strict ? parseSecondsTimestamp(tsToken) : parseIntTimestamp(tsToken);
  if (ts === undefined) s.fail(`invalid timestamp ${show(tsToken)} for ${name}`);
  sample.timestamp = ts;
  if (s.done()) return sample;
  s.blanks(true, 'an exemplar');
  if (!s.strict) {
    if (s.done()) return sample;
    s.fail(`unexpected ${show(s.rest())} after the timestamp of ${name}`);
  }
  if (s.peek() !== '#') s.fail(`unexpected ${show(s.rest())} after the timestamp of ${name}`);
  skipExemplar(s);
  return sample;
}

/** `# {labels} value [timestamp]`: checked for syntax and dropped (Telltale stores no exemplars). */
function skipExemplar(s: LineScanner): void {
  s.pos++;
  s.blanks(true, 'the exemplar labels');
  if (s.peek() !== '{') s.fail(`expected "{" to open the exemplar labels, got ${show(s.rest())}`);
  s.labels({});
  s.blanks(true, 'the exemplar value');
  const v = s.token();
  if (parseFloatToken(v) === undefined) s.fail(`invalid exemplar value ${show(v)}`);
  if (s.done()) return;
  s.blanks(true, 'the exemplar timestamp');
  const t = s.token();
  if (parseSecondsTimestamp(t) === undefined) s.fail(`invalid exemplar timestamp ${show(t)}`);
  if (!s.done()) s.fail(`unexpected ${show(s.rest())} after the exemplar`);
}
