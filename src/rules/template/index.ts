/**
 * Alert templates as Prometheus expands them: Go text/template with Prometheus' functions, on the data
 * `{ Labels, ExternalLabels, ExternalURL, Value }`, behind the same `$labels`/`$value`... prelude.
 */
import { TelltaleError } from '../../errors.ts';
import { BUILTINS } from './builtins.ts';
import { execute, type FuncMap, type GoFunction } from './exec.ts';
import { parseTemplate, type ParsedTemplate } from './parser.ts';
import { prometheusFunctions, type TemplateQueryFn } from './prometheus-functions.ts';
import { GoMap, GoStruct, type GoValue } from './values.ts';

export type { QuerySample, TemplateQueryFn } from './prometheus-functions.ts';
export { humanize, humanize1024, humanizeDuration, parsePromDuration } from './prometheus-functions.ts';
export { GoMap, GoSlice, GoStruct, GoTime, fromJs, type GoValue } from './values.ts';
export { sprintf, sprint } from './go-fmt.ts';
export { formatFloat } from './go-float.ts';

/** What Prometheus prepends to every alert label and annotation template. */
export const ALERT_TEMPLATE_PRELUDE =
  '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

const ALERT_DATA_TYPE = 'struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }';

const PROM_NAMES = new Set(prometheusFunctions({ now: 0 }).keys());
const hasFunction = (name: string) => BUILTINS.has(name) || PROM_NAMES.has(name);

export interface AlertTemplateInput {
  labels: Record<string, string>;
  externalLabels?: Record<string, string>;
  externalURL?: string;
  value: number;
  /** Runs the `query` template function; without it `query` fails. */
  query?: TemplateQueryFn;
  /** Evaluation time, milliseconds since the epoch. */
  now: number;
  /** Template name as Prometheus names it (`__alert_` + alert name); shows in error messages. */
  name?: string;
}

/** Parses a template (no prelude) against the builtin and Prometheus functions. Throws TT_TEMPLATE_INVALID. */
export function parse(name: string, text: string, options: { elseWith?: boolean } = {}): ParsedTemplate {
  return parseTemplate(name, text, { hasFunction, elseWith: options.elseWith });
}

// A parse is a pure function of (name, text), and an evaluator expands the same few templates for every alert
// at every evaluation; a bounded memo of successful parses saves re-parsing them (trees are never mutated).
const PARSED = new Map<string, ParsedTemplate>();
const PARSED_MAX = 4096;

function parseMemo(name: string, text: string): ParsedTemplate {
  const key = `${name}\u0000${text}`;
  const hit = PARSED.get(key);
  if (hit) return hit;
  const tmpl = parse(name, text);
  if (PARSED.size >= PARSED_MAX) PARSED.delete(PARSED.keys().next().value as string);
  PARSED.set(key, tmpl);
  return tmpl;
}

function funcMap(extra: Map<string, GoFunction>): FuncMap {
  const all = new Map(BUILTINS);
  for (const [k, v] of extra) all.set(k, v);
  return all;
}

/** Parses an alert template the way Prometheus checks rule files: with the prelude, named `__alert_NAME`. */
export function checkAlertTemplate(text: string, alertName: string): TelltaleError | undefined {
  try {
    parseMemo(`__alert_${alertName}`, ALERT_TEMPLATE_PRELUDE + text);
    return undefined;
  } catch (err) {
    if (err instanceof TelltaleError) return shiftColumn(err);
    throw err;
  }
}

/** Error columns in Go's message count the prelude; the error's `column` field counts from the user's text. */
function shiftColumn(err: TelltaleError): TelltaleError {
  if (err.line !== 1 || err.column === undefined) return err;
  return new TelltaleError(err.code, err.message, { line: 1, column: Math.max(1, err.column - ALERT_TEMPLATE_PRELUDE.length), cause: err.cause });
}

/**
 * Expands one alert label or annotation template as Prometheus does. Throws TT_TEMPLATE_INVALID with Go's
 * message (`template: __alert_X:1:118: executing "__alert_X" at <...>: ...`) when it does not parse or run.
 */
export async function expandAlertTemplate(text: string, input: AlertTemplateInput): Promise<string> {
  const name = input.name ?? '__alert_';
  let tmpl: ParsedTemplate;
  try {
    tmpl = parseMemo(name, ALERT_TEMPLATE_PRELUDE + text);
  } catch (err) {
    throw err instanceof TelltaleError ? shiftColumn(err) : err;
  }
  const data = new GoStruct(ALERT_DATA_TYPE, [
    ['Labels', new GoMap(new Map(Object.entries(input.labels)), 'string')],
    ['ExternalLabels', new GoMap(new Map(Object.entries(input.externalLabels ?? {})), 'string')],
    ['ExternalURL', input.externalURL ?? ''],
    ['Value', input.value],
  ]);
  const funcs = funcMap(prometheusFunctions({ query: input.query, now: input.now, externalURL: input.externalURL }));
  try {
    return await execute(tmpl, data, funcs);
  } catch (err) {
    if (err instanceof TelltaleError) throw shiftColumn(err);
    throw new TelltaleError('TT_TEMPLATE_INVALID', `template: ${name}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Prometheus' behaviour for a failing template: the alert still fires, and the label or annotation reads
 * `<error expanding template: error executing template NAME: ...>`.
 */
export async function expandAlertTemplateOrError(text: string, input: AlertTemplateInput): Promise<string> {
  const name = input.name ?? '__alert_';
  try {
    return await expandAlertTemplate(text, input);
  } catch (err) {
    if (!(err instanceof TelltaleError)) throw err;
    const phase = / executing "/.test(err.message) || !/^template: [^:]*:\d+: /.test(err.message) ? 'executing' : 'parsing';
    return `<error expanding template: error ${phase} template ${name}: ${err.message}>`;
  }
}

/** Expands a template on arbitrary data (no prelude), e.g. for tests and other callers. */
export async function expandTemplate(name: string, text: string, data: GoValue, opts: { now?: number; query?: TemplateQueryFn; externalURL?: string } = {}): Promise<string> {
  const tmpl = parse(name, text);
  return execute(tmpl, data, funcMap(prometheusFunctions({ now: opts.now ?? 0, query: opts.query, externalURL: opts.externalURL })));
}
