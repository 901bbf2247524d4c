/**
 * Assertions: `{ source, property?, comparison, target }`, as Checkly writes them. Each check type says which
 * sources it offers (an HTTP check: statusCode, header, jsonBody, textBody, responseTime ...) and resolves
 * them against its response; this module compiles assertions once (regexes, JSON paths) and compares.
 *
 * Comparison semantics, whatever the source:
 *   equals / notEquals      numbers compare as numbers (a numeric string equals the number), objects and
 *                           arrays by JSON value, everything else by its string form
 *   lessThan / greaterThan  both sides must be numbers (or numeric strings); anything else fails
 *   contains / notContains  a string contains the target's string form; an array contains an element that
 *                           equals the target
 *   matches / notMatches    the actual value's string form matches the regular expression (not anchored);
 *                           for an array, one of its elements does (notMatches: none does)
 *   isEmpty / notEmpty      missing, null, "", [] and {} are empty
 * A value the source does not have (a missing header, a path leading nowhere) fails every comparison except
 * notEquals, notContains, notMatches and isEmpty.
 */
import { evaluateJsonPath, type JsonPath } from './json-path.ts';

export const COMPARISONS = [
  'equals', 'notEquals', 'lessThan', 'greaterThan', 'contains', 'notContains', 'matches', 'notMatches', 'isEmpty', 'notEmpty',
] as const;
export type Comparison = (typeof COMPARISONS)[number];

/** Comparisons that take no target. */
export const UNARY_COMPARISONS: ReadonlySet<Comparison> = new Set(['isEmpty', 'notEmpty']);
export const NUMERIC_COMPARISONS: ReadonlySet<Comparison> = new Set(['lessThan', 'greaterThan']);
export const REGEX_COMPARISONS: ReadonlySet<Comparison> = new Set(['matches', 'notMatches']);

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Assertion {
  readonly source: string;
  /** Header name, JSON path, ... — what the source needs to find one value. */
  readonly property?: string;
  readonly comparison: Comparison;
  readonly target?: JsonValue;
}

/** An assertion ready to run: regexes compiled and JSON paths parsed when it was validated. */
export interface CompiledAssertion extends Assertion {
  readonly regex?: RegExp;
  readonly path?: JsonPath;
}

/** What a source resolved to; `found: false` when the response has no such value. */
export interface Actual {
  readonly found: boolean;
  readonly value: unknown;
}

export const NOT_FOUND: Actual = { found: false, value: undefined };

export interface AssertionResult {
  readonly source: string;
  readonly property?: string;
  readonly comparison: Comparison;
  readonly target?: JsonValue;
  /** The value compared, as text (shortened); absent when the source had none. */
  readonly actual?: string;
  readonly ok: boolean;
  /** One line for the dashboard and notifications: what was expected and what came. */
  readonly message: string;
}

/** Resolves a source (and property) against one probe's response. */
export type SourceResolver = (a: CompiledAssertion) => Actual;

export function evaluateAssertions(assertions: readonly CompiledAssertion[], resolve: SourceResolver): AssertionResult[] {
  return assertions.map((a) => {
    let actual: Actual;
    try {
      actual = resolve(a);
    } catch (err) {
      // A resolver never throws on purpose; if one does, the assertion fails instead of the whole check.
      return result(a, NOT_FOUND, false, `${describeSubject(a)}: ${(err as Error).message}`);
    }
    const ok = compare(actual, a);
    return result(a, actual, ok, ok ? `${describeSubject(a)} ${phrase(a)}` : failureMessage(a, actual));
  });
}

/** A JSON document resolved through a parsed path. */
export function resolveJsonPath(path: JsonPath | undefined, document: Actual): Actual {
  if (!document.found || path === undefined) return NOT_FOUND;
  return evaluateJsonPath(path, document.value);
}

export function compare(actual: Actual, a: CompiledAssertion): boolean {
  const v = actual.value;
  switch (a.comparison) {
    case 'equals':
      return actual.found && equalsValue(v, a.target);
    case 'notEquals':
      return !actual.found || !equalsValue(v, a.target);
    case 'lessThan':
    case 'greaterThan': {
      if (!actual.found) return false;
      const x = toNumber(v);
      const y = toNumber(a.target);
      if (x === undefined || y === undefined) return false;
      return a.comparison === 'lessThan' ? x < y : x > y;
    }
    case 'contains':
      return actual.found && containsValue(v, a.target);
    case 'notContains':
      return !actual.found || !containsValue(v, a.target);
    case 'matches':
      return actual.found && a.regex !== undefined && matchesValue(v, a.regex);
    case 'notMatches':
      return !actual.found || (a.regex !== undefined && !matchesValue(v, a.regex));
    case 'isEmpty':
      return isEmpty(actual);
    case 'notEmpty':
      return !isEmpty(actual);
    default:
      return false;
  }
}

function equalsValue(v: unknown, target: unknown): boolean {
  if (typeof v === 'number' || typeof target === 'number') {
    const x = toNumber(v);
    const y = toNumber(target);
    if (x !== undefined && y !== undefined) return x === y;
  }
  if ((v !== null && typeof v === 'object') || (target !== null && typeof target === 'object')) {
    return canonicalJson(v) === canonicalJson(target);
  }
  if (v === null || target === null) return v === target;
  return textOf(v) === textOf(target);
}

function containsValue(v: unknown, target: unknown): boolean {
  if (Array.isArray(v)) return v.some((e) => equalsValue(e, target));
  if (v === undefined) return false;
  return textOf(v).includes(textOf(target));
}

function matchesValue(v: unknown, regex: RegExp): boolean {
  if (Array.isArray(v)) return v.some((e) => regex.test(textOf(e)));
  return regex.test(textOf(v));
}

function isEmpty(actual: Actual): boolean {
  const v = actual.value;
  if (!actual.found || v === null || v === undefined || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** The text a string comparison sees: strings as they are, everything else as JSON. */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return canonicalJson(v);
}

/** JSON with object keys sorted, so equal values print equal. */
function canonicalJson(v: unknown): string {
  if (v === undefined) return 'undefined';
  return JSON.stringify(v, (_k, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = (value as Record<string, unknown>)[k];
    return out;
  }) ?? String(v);
}

const MAX_SHOWN = 200;

function shorten(s: string): string {
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}… (${s.length} characters)` : s;
}

function describeSubject(a: Assertion): string {
  return a.property === undefined || a.property === '' ? a.source : `${a.source} ${a.property}`;
}

function phrase(a: Assertion): string {
  const t = a.target === undefined ? '' : ` ${shorten(JSON.stringify(a.target))}`;
  const words: Record<Comparison, string> = {
    equals: 'equals', notEquals: 'does not equal', lessThan: 'is less than', greaterThan: 'is greater than',
    contains: 'contains', notContains: 'does not contain', matches: 'matches', notMatches: 'does not match',
    isEmpty: 'is empty', notEmpty: 'is not empty',
  };
  return `${words[a.comparison]}${t}`;
}

function failureMessage(a: Assertion, actual: Actual): string {
  const got = actual.found ? `got ${shorten(JSON.stringify(actual.value) ?? String(actual.value))}` : 'it is missing';
  const words: Record<Comparison, string> = {
    equals: 'to equal', notEquals: 'not to equal', lessThan: 'to be less than', greaterThan: 'to be greater than',
    contains: 'to contain', notContains: 'not to contain', matches: 'to match', notMatches: 'not to match',
    isEmpty: 'to be empty', notEmpty: 'not to be empty',
  };
  const t = a.target === undefined ? '' : ` ${shorten(JSON.stringify(a.target))}`;
  return `expected ${describeSubject(a)} ${words[a.comparison]}${t}, ${got}`;
}

function result(a: CompiledAssertion, actual: Actual, ok: boolean, message: string): AssertionResult {
  return {
    source: a.source,
    ...(a.property === undefined ? {} : { property: a.property }),
    comparison: a.comparison,
    ...(a.target === undefined ? {} : { target: a.target }),
    ...(actual.found ? { actual: shorten(textOf(actual.value)) } : {}),
    ok,
    message,
  };
}
