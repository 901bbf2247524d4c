/**
 * The values the analysis tracks: the script's function, object, array and class nodes, plus a few
 * special values (k6 operations and modules, class instances, native and opaque values, HTTP responses).
 *
 * An empty set of values means "unknown": a value that came from code the analysis cannot see.
 * OPAQUE marks a value known not to be one of the script's functions (literals, globals).
 * RESPONSE is what http.get() and friends return: opaque too, but its submitForm() and clickLink() make
 * requests, so calls of them wait. RESPONSES is what http.batch() returns: any element is a RESPONSE.
 */
import { keyName, type AstNode } from './ast.ts';
import type { ModuleInfo } from './types.ts';

export interface Special {
  type: 'K6Op' | 'K6Namespace' | 'ModuleNamespace' | 'Instance' | 'Native' | 'Opaque' | 'Response' | 'Responses' | 'CompatHelper' | 'Values' | 'Entries' | 'Entry';
  name?: string;
  mod?: ModuleInfo;
  cls?: AstNode;
  /** For Values, Entries and Entry: the object whose property values they hold. */
  of?: Val;
}
/** A function, object literal, array literal or class node, or one of the special values. */
export type Val = AstNode | Special;

/** What an import specifier of a module refers to. */
export type Dep =
  | { kind: 'k6'; module: 'k6' | 'http' | 'other' }
  | { kind: 'local'; mod: ModuleInfo }
  /** A TypeScript module: native Telltale code whose functions may return promises. */
  | { kind: 'native' }
  | { kind: 'compat' }
  | { kind: 'opaque' };

export const HTTP_WAITING = new Set(['get', 'post', 'put', 'patch', 'del', 'head', 'options', 'request', 'batch']);
/** Methods of a response that make a request (their k6 operations are http.submitForm and http.clickLink). */
export const RESPONSE_WAITING = new Set(['submitForm', 'clickLink']);
export const ITERATION_METHODS = new Set(['forEach', 'map', 'flatMap', 'filter', 'some', 'every', 'find', 'findIndex', 'reduce']);
/** Array methods that take a callback: on a value from a native module they are builtins, not native code. */
export const ARRAY_CALLBACK_METHODS = new Set([...ITERATION_METHODS, 'sort', 'toSorted', 'findLast', 'findLastIndex', 'reduceRight']);

export const OPAQUE: Special = { type: 'Opaque' };
export const NATIVE: Special = { type: 'Native' };
export const RESPONSE: Special = { type: 'Response' };
export const RESPONSES: Special = { type: 'Responses' };

export const isSpecial = (v: Val, type: Special['type']): boolean => v.type === type && !('start' in v);
export const isOp = (v: Val, name?: string): boolean => isSpecial(v, 'K6Op') && (name === undefined || v.name === name);
/** Known not to be one of the script's functions or objects: its properties cannot be followed. */
export const isOpaque = (v: Val): boolean => isSpecial(v, 'Opaque') || isSpecial(v, 'Response') || isSpecial(v, 'Responses');
/** A k6 operation that suspends the VU until it completes. */
export const isWaitingOp = (v: Val): boolean => isOp(v) && (v.name === 'sleep' || (v.name as string).startsWith('http.'));

export function unique(vals: Val[]): Val[] {
  return vals.length < 2 ? vals : [...new Set(vals)];
}

const REFLECTION = new Set(['keys', 'values', 'entries', 'freeze', 'getOwnPropertyNames']);

/** `Object.keys/values/entries/freeze/getOwnPropertyNames(x)` of the global Object: which one, or undefined. */
export function objectReflection(call: AstNode, mod: ModuleInfo): string | undefined {
  const c = call.callee;
  if (call.type !== 'CallExpression' || c?.type !== 'MemberExpression' || c.object.type !== 'Identifier' || c.object.name !== 'Object') return undefined;
  if (mod.refs.has(c.object)) return undefined;
  const name = keyName(c.property, c.computed);
  return name !== null && REFLECTION.has(name) ? name : undefined;
}
