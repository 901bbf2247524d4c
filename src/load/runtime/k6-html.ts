/**
 * The `k6/html` module: parseHTML() and the jQuery-like, read-only Selection API on top of cheerio
 * (parse5, a spec HTML parser like the one k6 uses, so implied <html>/<head>/<body>/<tbody> appear as in k6).
 *
 * Selection: find, children, closest, contents, each, eq, filter, first, last, has, is, map, next,
 * nextAll, nextUntil, not, parent, parents, parentsUntil, prev, prevAll, prevUntil, siblings, slice,
 * size, text, html, attr, val, data, serialize, serializeArray, serializeObject, get, toArray, index,
 * add, end, and the `url` of a document that came from an HTTP response.
 * The Element API is in k6-html-element.ts.
 *
 * As in k6: an invalid CSS selector matches nothing instead of throwing; each() passes (index, Element);
 * filter(), is(), not() and map() callbacks get (index, Selection); map() returns strings; html() of an
 * empty selection is ''. Where k6 departs from jQuery in ways that look unintended, jQuery wins: the
 * `checked` and `disabled` attributes count when present (k6 wants the value "checked"/"disabled"),
 * data-foo-id becomes fooId (k6: fooID), a <select> with no selected option has its first option's
 * value, and callback errors propagate (k6's map() turns them into "").
 *
 * cheerio is loaded on the first parse, not on import: k6/http imports this module for Response.html(),
 * and a script that never parses HTML should not pay for it (about 10 MB and 0.3 s per worker thread).
 */
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import type { Cheerio } from 'cheerio';
import type { AnyNode } from 'domhandler';
import { Element, nodeOf, setSelectionFactory, isTag, type Doc } from './k6-html-element.ts';

export { Element, Attribute } from './k6-html-element.ts';

type CheerioModule = typeof import('cheerio');
const requireCjs = createRequire(import.meta.url);
let lib: CheerioModule | undefined;

function cheerio(): CheerioModule {
  lib ??= requireCjs('cheerio') as CheerioModule;
  return lib;
}

type Matcher = (index: number, selection: Selection) => unknown;
type Target = string | Cheerio<any> | AnyNode;

export interface FormValue {
  name: string;
  value: string | string[] | undefined;
}

const SUBMITTABLE = 'input,select,textarea,keygen';
const NOT_SUBMITTED = new Set(['submit', 'button', 'reset', 'image', 'file']);

export class Selection {
  readonly #doc: Doc;
  readonly #sel: Cheerio<any>;

  constructor(doc: Doc, sel: Cheerio<any>) {
    this.#doc = doc;
    this.#sel = sel;
  }

  /** The URL of the response the document came from (undefined for parseHTML()). */
  get url(): string | undefined {
    return this.#doc.url;
  }

  #wrap(sel: Cheerio<any>): Selection {
    return new Selection(this.#doc, sel);
  }

  #one(node: AnyNode): Selection {
    return new Selection(this.#doc, this.#doc.$(node));
  }

  #target(arg: unknown): Target {
    if (typeof arg === 'string') return arg;
    if (arg instanceof Selection) return arg.#sel;
    if (arg instanceof Element) return nodeOf(arg);
    throw new TypeError(`Invalid argument: Cannot use a ${typeName(arg)} as a selector`);
  }

  /** Runs a cheerio query; a selector string cheerio cannot parse matches nothing, as in k6. */
  #query(arg: unknown, op: (target: Target) => Cheerio<any>): Selection {
    const target = this.#target(arg);
    if (typeof target !== 'string') return this.#wrap(op(target));
    try {
      return this.#wrap(op(target));
    } catch {
      return this.#wrap(this.#doc.$([]));
    }
  }

  #matcher(fn: Matcher): (index: number, node: AnyNode) => boolean {
    return (index, node) => Boolean(fn(index, this.#one(node)));
  }

  #adjacent(method: 'parent' | 'parents' | 'next' | 'nextAll' | 'prev' | 'prevAll' | 'siblings' | 'children', filter?: string): Selection {
    if (filter === undefined || filter === null) return this.#wrap(this.#sel[method]());
    return this.#query(String(filter), (f) => this.#sel[method](f as string));
  }

  #until(method: 'nextUntil' | 'prevUntil' | 'parentsUntil', until?: unknown, filter?: string): Selection {
    const u = until === undefined || until === null ? undefined : this.#target(until);
    try {
      return this.#wrap(this.#sel[method](u as any, filter === undefined || filter === null ? undefined : String(filter)));
    } catch {
      return this.#wrap(this.#doc.$([]));
    }
  }

  find(selector: string | Selection | Element): Selection {
    return this.#query(selector, (t) => this.#sel.find(t as any));
  }

  closest(selector: string | Selection | Element): Selection {
    return this.#query(selector, (t) => this.#sel.closest(t as any));
  }

  has(selector: string | Selection | Element): Selection {
    const target = this.#target(selector);
    if (typeof target === 'string') return this.#query(target, (t) => this.#sel.has(t as string));
    const needles: AnyNode[] = target instanceof Object && 'toArray' in target ? target.toArray() : [target as AnyNode];
    const { contains } = cheerio();
    return this.#wrap(this.#sel.filter((_i: number, el: AnyNode) => needles.some((n) => n !== el && contains(el as any, n))));
  }

  add(selector: string | Selection | Element): Selection {
    return this.#query(selector, (t) => this.#sel.add(t as any));
  }

  not(selector: string | Selection | Element | Matcher): Selection {
    if (typeof selector === 'function') return this.#wrap(this.#sel.not(this.#matcher(selector)));
    return this.#query(selector, (t) => this.#sel.not(t as any));
  }

  filter(selector: string | Selection | Element | Matcher): Selection {
    if (typeof selector === 'function') return this.#wrap(this.#sel.filter(this.#matcher(selector)));
    if (typeof selector !== 'string' && !(selector instanceof Selection) && !(selector instanceof Element)) {
      throw new TypeError('Argument to filter() must be a function, a selector or a selection');
    }
    return this.#query(selector, (t) => this.#sel.filter(t as any));
  }

  is(selector: string | Selection | Element | Matcher): boolean {
    if (typeof selector === 'function') return this.#sel.is(this.#matcher(selector));
    if (typeof selector !== 'string' && !(selector instanceof Selection) && !(selector instanceof Element)) {
      throw new TypeError('Argument to is() must be a function, a selector or a selection');
    }
    const target = this.#target(selector);
    try {
      return this.#sel.is(target as any);
    } catch {
      return false;
    }
  }

  children(selector?: string): Selection {
    return this.#adjacent('children', selector);
  }
  parent(selector?: string): Selection {
    return this.#adjacent('parent', selector);
  }
  parents(selector?: string): Selection {
    return this.#adjacent('parents', selector);
  }
  next(selector?: string): Selection {
    return this.#adjacent('next', selector);
  }
  nextAll(selector?: string): Selection {
    return this.#adjacent('nextAll', selector);
  }
  prev(selector?: string): Selection {
    return this.#adjacent('prev', selector);
  }
  prevAll(selector?: string): Selection {
    return this.#adjacent('prevAll', selector);
  }
  siblings(selector?: string): Selection {
    return this.#adjacent('siblings', selector);
  }
  nextUntil(until?: string | Selection | Element | null, filter?: string): Selection {
    return this.#until('nextUntil', until, filter);
  }
  prevUntil(until?: string | Selection | Element | null, filter?: string): Selection {
    return this.#until('prevUntil', until, filter);
  }
  parentsUntil(until?: string | Selection | Element | null, filter?: string): Selection {
    return this.#until('parentsUntil', until, filter);
  }

  contents(): Selection {
    return this.#wrap(this.#sel.contents());
  }
  eq(index: number): Selection {
    return this.#wrap(this.#sel.eq(Math.trunc(Number(index)) || 0));
  }
  first(): Selection {
    return this.#wrap(this.#sel.first());
  }
  last(): Selection {
    return this.#wrap(this.#sel.last());
  }
  slice(start: number, end?: number): Selection {
    return this.#wrap(this.#sel.slice(start, end));
  }
  end(): Selection {
    return this.#wrap(this.#sel.end());
  }
  size(): number {
    return this.#sel.length;
  }

  /** Calls fn(index, element) for each element; returns this selection. */
  each(fn: (index: number, element: Element) => unknown): Selection {
    if (typeof fn !== 'function') throw new TypeError('Argument to each() must be a function.');
    const nodes: AnyNode[] = this.#sel.toArray();
    for (let i = 0; i < nodes.length; i++) fn(i, new Element(this.#doc, nodes[i]));
    return this;
  }

  /** fn(index, selection) for each element, as strings. */
  map(fn: Matcher): string[] {
    if (typeof fn !== 'function') throw new TypeError('Argument to map() must be a function');
    return this.#sel.toArray().map((node: AnyNode, i: number) => String(fn(i, this.#one(node))));
  }

  /** All elements, or the one at `index` (negative counts from the end; undefined when out of range). */
  get(): Element[];
  get(index: number): Element | undefined;
  get(index?: number): Element[] | Element | undefined {
    const nodes: AnyNode[] = this.#sel.toArray();
    if (index === undefined) return nodes.map((n) => new Element(this.#doc, n));
    const i = Math.trunc(Number(index));
    if (!(i < nodes.length && i > -nodes.length)) return undefined;
    return new Element(this.#doc, nodes[i < 0 ? nodes.length + i : i]);
  }

  /** One single-element Selection per element. */
  toArray(): Selection[] {
    return this.#sel.toArray().map((n: AnyNode) => this.#one(n));
  }

  index(selector?: string | Selection | Element): number {
    if (selector === undefined) return this.#sel.index();
    try {
      return this.#sel.index(this.#target(selector) as any);
    } catch {
      return -1;
    }
  }

  /** The combined text of every element, descendants included. */
  text(): string {
    return this.#sel.text();
  }

  /** The inner HTML of the first element ('' when there is none). */
  html(): string {
    return this.#sel.length === 0 ? '' : (this.#sel.first().html() ?? '');
  }

  /** An attribute of the first element, or `defaultValue` (undefined if not given) when absent. */
  attr(name: string, defaultValue?: unknown): unknown {
    const node = this.#sel[0] as AnyNode | undefined;
    if (node && isTag(node) && Object.hasOwn(node.attribs, name)) return node.attribs[name];
    return defaultValue;
  }

  /** The form value of the first element: input, button, textarea, option or select (an array when multiple). */
  val(): string | string[] | undefined {
    const node = this.#sel[0] as AnyNode | undefined;
    return node && isTag(node) ? formValue(this.#doc, node) : undefined;
  }

  /** data-* attributes of the first element: one by (camelCase) key, or all of them; JSON, numbers and booleans converted. */
  data(key?: string): unknown {
    const node = this.#sel[0] as AnyNode | undefined;
    if (!node || !isTag(node) || Object.keys(node.attribs).length === 0) return undefined;
    if (key !== undefined) {
      const name = `data-${propertyToAttr(String(key))}`;
      return Object.hasOwn(node.attribs, name) ? dataValue(node.attribs[name]) : undefined;
    }
    const out: Record<string, unknown> = {};
    for (const [attr, value] of Object.entries(node.attribs)) {
      if (attr.startsWith('data-') && attr.length > 5) out[attrToProperty(attr.slice(5))] = dataValue(value);
    }
    return out;
  }

  /** The successful controls of the selected form(s), or of the selected controls themselves. */
  serializeArray(): FormValue[] {
    const controls = this.#sel.is('form') ? this.#sel.find(SUBMITTABLE) : this.#sel.filter(SUBMITTABLE);
    const out: FormValue[] = [];
    for (const node of controls.toArray() as AnyNode[]) {
      if (!isTag(node)) continue;
      const a = node.attribs;
      const type = (a.type ?? '').toLowerCase();
      if (!a.name || a.disabled !== undefined || NOT_SUBMITTED.has(type)) continue;
      if ((type === 'checkbox' || type === 'radio') && a.checked === undefined) continue;
      out.push({ name: a.name, value: formValue(this.#doc, node) });
    }
    return out;
  }

  /** name → value of serializeArray(); a later control with the same name wins, as in k6. */
  serializeObject(): Record<string, string | string[] | undefined> {
    const out: Record<string, string | string[] | undefined> = {};
    for (const { name, value } of this.serializeArray()) out[name] = value;
    return out;
  }

  /** URL-encoded form data like k6's (Go's url.Values): names sorted, a later same-name control wins. */
  serialize(): string {
    const values = new Map<string, string[]>();
    for (const { name, value } of this.serializeArray()) values.set(name, Array.isArray(value) ? value : [value ?? '']);
    const parts: string[] = [];
    for (const name of [...values.keys()].sort()) for (const v of values.get(name)!) parts.push(`${queryEscape(name)}=${queryEscape(v)}`);
    return parts.join('&');
  }
}

setSelectionFactory((doc, node) => new Selection(doc, doc.$(node)));

function formValue(doc: Doc, node: AnyNode & { attribs: Record<string, string> }): string | string[] | undefined {
  const a = node.attribs;
  switch ((node as { name: string }).name) {
    case 'input':
      if (a.value !== undefined) return a.value;
      return ['checkbox', 'radio'].includes((a.type ?? '').toLowerCase()) ? 'on' : '';
    case 'button':
      return a.value ?? '';
    case 'textarea':
      return doc.$(node).text();
    case 'option':
      return a.value ?? doc.$(node).text();
    case 'select': {
      const options: any[] = doc.$(node).find('option').toArray();
      const selected = options.filter((o) => o.attribs.selected !== undefined);
      if (a.multiple !== undefined) return selected.map((o) => o.attribs.value ?? doc.$(o).text());
      const chosen = selected[0] ?? options[0];
      return chosen === undefined ? '' : (chosen.attribs.value ?? doc.$(chosen).text());
    }
    default:
      return undefined;
  }
}

function propertyToAttr(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

function attrToProperty(name: string): string {
  return name.replace(/-+([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** k6's conversion of data-* values: JSON objects/arrays, booleans, numbers that print back the same. */
function dataValue(value: string): unknown {
  if (value === '' || value === 'null' || value === 'undefined') return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value[0] === '{' || value[0] === '[') {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  const n = Number(value);
  return Number.isFinite(n) && String(n) === value ? n : value;
}

/** Go's url.QueryEscape: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded, space as '+'. */
function queryEscape(s: string): string {
  // Through UTF-8 and back first: a lone surrogate would make encodeURIComponent throw.
  return encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'))
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function typeName(v: unknown): string {
  return v === null ? 'null' : typeof v !== 'object' ? typeof v : ((v as { constructor?: { name?: string } }).constructor?.name ?? 'object');
}

function load(src: string, url: string | undefined): Selection {
  const $ = cheerio().load(src);
  return new Selection({ $, url }, $.root());
}

/** Parses an HTML document; the Selection holds the document node. Never throws on malformed HTML. */
export function parseHTML(src: string): Selection {
  return load(typeof src === 'string' ? src : String(src ?? ''), undefined);
}

/** For k6/http's Response.html(): the parsed body, remembering the response URL. */
export function selectionFromBody(body: string, url?: string): Selection {
  return load(body, url);
}

export default { parseHTML };
