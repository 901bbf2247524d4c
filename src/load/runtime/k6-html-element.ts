/**
 * k6/html's Element (what Selection.get() and each() hand out) and Attribute. As in k6, the DOM-like
 * accessors are methods, not properties: `el.nodeName()`, `el.textContent()`.
 *
 * Provided: selection (a property), nodeName, nodeType, nodeValue, id, innerHTML, textContent,
 * ownerDocument, attributes, firstChild, lastChild, childElementCount, firstElementChild,
 * lastElementChild, previousSibling, nextSibling, previousElementSibling, nextElementSibling,
 * parentElement, parentNode, childNodes, children, classList, className, lang, toString, hasAttribute,
 * getAttribute, getAttributeNode, hasAttributes, hasChildNodes, isSameNode, isEqualNode,
 * getElementsByClassName, getElementsByTagName, querySelector, querySelectorAll, contains, matches,
 * namespaceURI, isDefaultNamespace.
 * Not provided: k6's per-tag accessors (AnchorElement.href(), FormElement.elements(), InputElement.value()
 * and the like); use getAttribute() or Selection.attr()/val().
 * isEqualNode compares the elements' outer HTML (k6 compares their inner HTML only).
 */
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element as DomElement } from 'domhandler';
import type { Selection } from './k6-html.ts';

/** One parsed document: its cheerio instance and the URL it came from, shared by its selections. */
export interface Doc {
  readonly $: CheerioAPI;
  readonly url: string | undefined;
}

const XHTML = 'http://www.w3.org/1999/xhtml';

export function isTag(node: AnyNode): node is DomElement {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

type SelectionFactory = (doc: Doc, node: AnyNode) => Selection;
let makeSelection: SelectionFactory;

/** k6-html.ts registers how to build a Selection (it imports this file, so this file cannot import it). */
export function setSelectionFactory(factory: SelectionFactory): void {
  makeSelection = factory;
}

let nodeOfElement: (e: Element) => AnyNode;

/** The parsed node behind an Element (kept off the script-visible API). */
export function nodeOf(e: Element): AnyNode {
  return nodeOfElement(e);
}

export class Attribute {
  readonly name: string;
  readonly value: string;
  readonly #owner: Element;
  readonly #prefix: string;
  readonly #namespace: string;

  constructor(owner: Element, name: string, value: string, prefix: string, namespace: string) {
    this.#owner = owner;
    this.name = name;
    this.value = value;
    this.#prefix = prefix;
    this.#namespace = namespace;
  }

  /** k6 names this field owner_element. A getter keeps JSON.stringify from following it back to the element. */
  get owner_element(): Element {
    return this.#owner;
  }
  prefix(): string {
    return this.#prefix;
  }
  namespaceURI(): string {
    return this.#namespace || XHTML;
  }
  localName(): string {
    return this.name;
  }
}

export class Element {
  readonly #doc: Doc;
  readonly #node: AnyNode;

  static {
    nodeOfElement = (e) => e.#node;
  }

  constructor(doc: Doc, node: AnyNode) {
    this.#doc = doc;
    this.#node = node;
  }

  #el(node: AnyNode | null | undefined): Element | undefined {
    return node ? new Element(this.#doc, node) : undefined;
  }

  #all(nodes: AnyNode[]): Element[] {
    return nodes.map((n) => new Element(this.#doc, n));
  }

  #find(selector: string): AnyNode[] {
    try {
      return this.#doc.$(this.#node).find(selector).toArray();
    } catch {
      return [];
    }
  }

  #attr(name: string): string | undefined {
    return isTag(this.#node) && Object.hasOwn(this.#node.attribs, name) ? this.#node.attribs[name] : undefined;
  }

  #elementChildren(): DomElement[] {
    return 'children' in this.#node ? this.#node.children.filter(isTag) : [];
  }

  /** A Selection holding just this element. */
  get selection(): Selection {
    return makeSelection(this.#doc, this.#node);
  }

  nodeName(): string {
    const n = this.#node;
    switch (n.type) {
      case 'text':
        return '#text';
      case 'comment':
        return '#comment';
      case 'root':
        return '#document';
      case 'cdata':
        return '#cdata-section';
      case 'directive':
        return String((n as unknown as Record<string, unknown>)['x-name'] ?? n.name);
      default:
        return isTag(n) ? n.name : '';
    }
  }

  nodeType(): number | undefined {
    const types: Record<string, number> = { tag: 1, script: 1, style: 1, text: 3, cdata: 4, comment: 8, root: 9, directive: 10 };
    return types[this.#node.type];
  }

  nodeValue(): string | undefined {
    const n = this.#node;
    return n.type === 'text' || n.type === 'comment' ? n.data : undefined;
  }

  id(): string {
    return this.#attr('id') ?? '';
  }
  innerHTML(): string {
    return this.#doc.$(this.#node).html() ?? '';
  }
  textContent(): string {
    return this.#doc.$(this.#node).text();
  }
  className(): string | undefined {
    return this.#attr('class');
  }
  classList(): string[] {
    return (this.#attr('class') ?? '').split(/\s+/).filter(Boolean);
  }
  lang(): string | undefined {
    return this.#attr('lang');
  }
  hasAttribute(name: string): boolean {
    return this.#attr(name) !== undefined;
  }
  getAttribute(name: string): string | undefined {
    return this.#attr(name);
  }
  hasAttributes(): boolean {
    return isTag(this.#node) && Object.keys(this.#node.attribs).length > 0;
  }

  getAttributeNode(name: string): Attribute | undefined {
    const value = this.#attr(name);
    return value === undefined ? undefined : this.#attribute(name, value);
  }

  /** name → Attribute, like k6's map (not a NamedNodeMap). */
  attributes(): Record<string, Attribute> {
    const out: Record<string, Attribute> = {};
    if (isTag(this.#node)) for (const [name, value] of Object.entries(this.#node.attribs)) out[name] = this.#attribute(name, value);
    return out;
  }

  #attribute(name: string, value: string): Attribute {
    const n = this.#node as unknown as Record<string, Record<string, string> | undefined>;
    return new Attribute(this, name, value, n['x-attribsPrefix']?.[name] ?? '', n['x-attribsNamespace']?.[name] ?? '');
  }

  ownerDocument(): Element | undefined {
    let n: AnyNode | null = this.#node;
    while (n && n.type !== 'root') n = n.parent;
    return this.#el(n);
  }

  parentNode(): Element | undefined {
    return this.#el(this.#node.parent);
  }
  parentElement(): Element | undefined {
    const p = this.#node.parent;
    return p && isTag(p) ? this.#el(p) : undefined;
  }
  firstChild(): Element | undefined {
    return 'children' in this.#node ? this.#el(this.#node.children[0]) : undefined;
  }
  lastChild(): Element | undefined {
    return 'children' in this.#node ? this.#el(this.#node.children.at(-1)) : undefined;
  }
  previousSibling(): Element | undefined {
    return this.#el(this.#node.prev);
  }
  nextSibling(): Element | undefined {
    return this.#el(this.#node.next);
  }

  previousElementSibling(): Element | undefined {
    let n = this.#node.prev;
    while (n && !isTag(n)) n = n.prev;
    return this.#el(n);
  }

  nextElementSibling(): Element | undefined {
    let n = this.#node.next;
    while (n && !isTag(n)) n = n.next;
    return this.#el(n);
  }

  childNodes(): Element[] {
    return 'children' in this.#node ? this.#all(this.#node.children) : [];
  }
  children(): Element[] {
    return this.#all(this.#elementChildren());
  }
  childElementCount(): number {
    return this.#elementChildren().length;
  }
  firstElementChild(): Element | undefined {
    return this.#el(this.#elementChildren()[0]);
  }
  lastElementChild(): Element | undefined {
    return this.#el(this.#elementChildren().at(-1));
  }
  hasChildNodes(): boolean {
    return 'children' in this.#node && this.#node.children.length > 0;
  }

  getElementsByClassName(names: string): Element[] {
    const classes = String(names).split(/\s+/).filter(Boolean);
    return classes.length === 0 ? [] : this.#all(this.#find(classes.map((c) => `.${c}`).join('')));
  }
  getElementsByTagName(name: string): Element[] {
    return this.#all(this.#find(String(name)));
  }
  querySelector(selector: string): Element | undefined {
    return this.#el(this.#find(selector)[0]);
  }
  querySelectorAll(selector: string): Element[] {
    return this.#all(this.#find(selector));
  }

  matches(selector: string): boolean {
    try {
      return this.#doc.$(this.#node).is(selector);
    } catch {
      return false;
    }
  }

  /** Whether `other` is a descendant (an element does not contain itself, as in the DOM). */
  contains(other: Element): boolean {
    if (!(other instanceof Element) || other.#node === this.#node) return false;
    for (let n = other.#node.parent; n; n = n.parent) if (n === this.#node) return true;
    return false;
  }

  isSameNode(other: Element): boolean {
    return other instanceof Element && other.#node === this.#node;
  }

  isEqualNode(other: Element): boolean {
    return other instanceof Element && this.#doc.$.html(this.#node) === other.#doc.$.html(other.#node);
  }

  namespaceURI(): string {
    return (isTag(this.#node) && this.#node.namespace) || XHTML;
  }
  isDefaultNamespace(): boolean {
    return this.namespaceURI() === XHTML;
  }

  toString(): string {
    return isTag(this.#node) ? '[object html.Node]' : `[object ${this.nodeName()}]`;
  }
}
