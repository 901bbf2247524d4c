/**
 * What a browser submits for an HTML form (HTML's "constructing the entry list"), for Response.submitForm():
 *
 * - the controls are the form's listed elements in tree order: its descendants, and elements elsewhere
 *   whose `form` attribute names it; a descendant whose `form` attribute names another form belongs there;
 * - skipped: controls without a name, disabled ones (their own `disabled`, or a disabled fieldset around
 *   them outside its first legend), those inside a datalist, unchecked checkboxes and radios, and buttons
 *   other than the submitter;
 * - checkboxes and radios without a value send "on"; a select sends each selected, enabled option (a
 *   single select with no option marked selected, the first enabled one); textareas send their text with
 *   line breaks as CRLF; a file input sends an empty file in a multipart form and an empty value
 *   otherwise; a hidden `_charset_` sends UTF-8; `dirname` adds the text direction (ltr);
 * - the submitter adds its name and value, or name.x and name.y (0) for an image button, and its
 *   formmethod, formaction and formenctype override the form's.
 *
 * The method is the form's attribute upper-cased as k6 sends it (GET when absent). k6 serializes the form
 * with k6/html's serializeObject() (one value per name, file inputs left out) and adds whatever the submit
 * selector matched; the browser's way is kept here, except that an element the submit selector matches
 * which is not a submit button still adds its name and value, as in k6.
 */
import type { AnyNode, Element as DomElement } from 'domhandler';
import { FileData, type FormEnctype, type FormEntry } from '../http/index.ts';
import { isTag } from './k6-html-element.ts';

export interface Submission {
  /** Upper-cased as k6 sends it; GET when the form gives none. */
  method: string;
  /** The action as written; undefined when absent or empty, meaning the document's own URL. */
  action: string | undefined;
  enctype: FormEnctype;
  entries: FormEntry[];
}

const LISTED = new Set(['button', 'input', 'select', 'textarea']);
const INPUT_BUTTONS = new Set(['submit', 'image', 'reset', 'button']);
const ENCTYPES = new Set<string>(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);
const EMPTY_FILE_TYPE = 'application/octet-stream';

/**
 * The submission of `form` (a form element; another element is taken as a container of controls) with
 * `submitter` as the button pressed, if any.
 */
export function formSubmission(form: DomElement, submitter: DomElement | undefined): Submission {
  const pressed = submitter !== undefined && isSubmitButton(submitter) ? submitter : undefined;
  const setting = (name: string): string | undefined => {
    const own = pressed?.attribs[`form${name}`];
    return own !== undefined ? own : form.attribs[name];
  };
  const method = setting('method');
  const action = setting('action');
  const enctypeAttr = (setting('enctype') ?? '').trim().toLowerCase();
  const enctype = (ENCTYPES.has(enctypeAttr) ? enctypeAttr : 'application/x-www-form-urlencoded') as FormEnctype;

  const entries: FormEntry[] = [];
  for (const el of controlsOf(form)) {
    if (withinTag(el, 'datalist') || isDisabled(el)) continue;
    const tag = el.name;
    const type = tag === 'input' ? inputType(el) : '';
    const button = tag === 'button' || INPUT_BUTTONS.has(type);
    if (button && el !== pressed) continue;
    if ((type === 'checkbox' || type === 'radio') && el.attribs.checked === undefined) continue;
    const name = el.attribs.name ?? '';
    if (type === 'image') {
      entries.push([name === '' ? 'x' : `${name}.x`, '0'], [name === '' ? 'y' : `${name}.y`, '0']);
      continue;
    }
    if (name === '') continue;
    if (tag === 'select') {
      for (const option of selectedOptions(el)) entries.push([name, optionValue(option)]);
    } else if (type === 'checkbox' || type === 'radio') {
      entries.push([name, el.attribs.value ?? 'on']);
    } else if (type === 'file') {
      entries.push([name, enctype === 'multipart/form-data' ? new FileData('', '', EMPTY_FILE_TYPE) : '']);
    } else if (type === 'hidden' && name.toLowerCase() === '_charset_') {
      entries.push([name, 'UTF-8']);
    } else if (tag === 'textarea') {
      entries.push([name, textOf(el).replace(/\r\n|\r|\n/g, '\r\n')]);
    } else {
      entries.push([name, el.attribs.value ?? '']);
    }
    const dirname = el.attribs.dirname;
    if (dirname && (tag === 'textarea' || type === 'text' || type === 'search')) entries.push([dirname, 'ltr']);
  }
  if (submitter !== undefined && pressed === undefined && submitter.attribs.name !== undefined) {
    setEntry(entries, submitter.attribs.name, [controlValue(submitter)]);
  }
  return {
    method: method === undefined || method === '' ? 'GET' : method.toUpperCase(),
    action: action === undefined || action === '' ? undefined : action,
    enctype,
    entries,
  };
}

/**
 * The script's `fields` over the form's entries: a field replaces every entry of its name (at the first one's
 * place) or is added at the end; an array value gives one entry per element; files stay files.
 */
export function overrideFields(entries: FormEntry[], fields: Readonly<Record<string, unknown>>): FormEntry[] {
  const out = entries.slice();
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    const values = (Array.isArray(value) ? value : [value]).map((v) => (v instanceof FileData ? v : fieldText(v)));
    setEntry(out, name, values);
  }
  return out;
}

function fieldText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function setEntry(entries: FormEntry[], name: string, values: (string | FileData)[]): void {
  const at = entries.findIndex(([n]) => n === name);
  const replacement: FormEntry[] = values.map((v) => [name, v]);
  if (at === -1) {
    entries.push(...replacement);
    return;
  }
  for (let i = entries.length - 1; i > at; i--) if (entries[i][0] === name) entries.splice(i, 1);
  entries.splice(at, 1, ...replacement);
}

/** A button that submits its form: a button element of type submit (the default), an input of type submit or image. */
export function isSubmitButton(el: DomElement): boolean {
  if (el.name === 'button') {
    const type = (el.attribs.type ?? '').toLowerCase();
    return type !== 'reset' && type !== 'button';
  }
  return el.name === 'input' && (inputType(el) === 'submit' || inputType(el) === 'image');
}

/** The value an element shows k6's val(): what it would submit. */
function controlValue(el: DomElement): string {
  if (el.name === 'select') return optionValue(selectedOptions(el)[0]);
  if (el.name === 'textarea') return textOf(el);
  if (el.name === 'input') {
    const type = inputType(el);
    if (el.attribs.value === undefined && (type === 'checkbox' || type === 'radio')) return 'on';
  }
  return el.attribs.value ?? '';
}

const INPUT_TYPES = new Set([
  'hidden', 'text', 'search', 'tel', 'url', 'email', 'password', 'date', 'month', 'week', 'time', 'datetime-local',
  'number', 'range', 'color', 'checkbox', 'radio', 'file', 'submit', 'image', 'reset', 'button',
]);

/** An input's type, lower case; text when absent or unknown, as in browsers. */
function inputType(el: DomElement): string {
  const type = (el.attribs.type ?? '').toLowerCase();
  return INPUT_TYPES.has(type) ? type : 'text';
}

/** The form's listed elements in tree order; for an element that is not a form, its descendant controls. */
function controlsOf(form: DomElement): DomElement[] {
  if (form.name !== 'form') return descendants(form).filter((el) => LISTED.has(el.name));
  const all = descendants(rootOf(form));
  // The first element with an id is the one a form attribute refers to.
  const byId = new Map<string, DomElement>();
  for (const el of all) {
    const id = el.attribs.id;
    if (id !== undefined && !byId.has(id)) byId.set(id, el);
  }
  return all.filter((el) => LISTED.has(el.name) && ownerOf(el, byId) === form);
}

function ownerOf(el: DomElement, byId: ReadonlyMap<string, DomElement>): DomElement | null {
  const ref = el.attribs.form;
  if (ref !== undefined) {
    const target = byId.get(ref);
    return target !== undefined && target.name === 'form' ? target : null;
  }
  for (let p = el.parent; p !== null; p = p.parent) if (isTag(p) && p.name === 'form') return p;
  return null;
}

function rootOf(node: AnyNode): AnyNode {
  let n = node;
  while (n.parent !== null) n = n.parent;
  return n;
}

/** Element descendants of `node` in tree order (iterative: documents can nest deeply). */
function descendants(node: AnyNode): DomElement[] {
  const out: DomElement[] = [];
  const stack: AnyNode[] = [];
  const push = (n: AnyNode) => {
    if ('children' in n) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  };
  push(node);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (isTag(n)) out.push(n);
    push(n);
  }
  return out;
}

function withinTag(el: DomElement, tag: string): boolean {
  for (let p = el.parent; p !== null; p = p.parent) if (isTag(p) && p.name === tag) return true;
  return false;
}

/** Disabled itself, or inside a disabled fieldset but not inside that fieldset's first legend. */
function isDisabled(el: DomElement): boolean {
  if (el.attribs.disabled !== undefined) return true;
  let child: AnyNode = el;
  for (let p = el.parent; p !== null; child = p, p = p.parent) {
    if (!isTag(p) || p.name !== 'fieldset' || p.attribs.disabled === undefined) continue;
    const legend = p.children.find((c) => isTag(c) && c.name === 'legend');
    if (legend === undefined || legend !== child) return true;
  }
  return false;
}

function selectedOptions(select: DomElement): DomElement[] {
  const options = descendants(select).filter((el) => el.name === 'option');
  const marked = options.filter((o) => o.attribs.selected !== undefined);
  if (select.attribs.multiple !== undefined) return marked.filter((o) => !optionDisabled(o));
  // A single select shows the last option marked selected; with none marked and one row, the first enabled option.
  let chosen: DomElement | undefined = marked[marked.length - 1];
  if (chosen === undefined && displaySize(select) === 1) chosen = options.find((o) => !optionDisabled(o));
  return chosen !== undefined && !optionDisabled(chosen) ? [chosen] : [];
}

function displaySize(select: DomElement): number {
  const n = /^\s*(\d+)/.exec(select.attribs.size ?? '');
  const size = n === null ? 0 : Number(n[1]);
  return size > 0 ? size : 1;
}

function optionDisabled(option: DomElement): boolean {
  if (option.attribs.disabled !== undefined) return true;
  const parent = option.parent;
  return parent !== null && isTag(parent) && parent.name === 'optgroup' && parent.attribs.disabled !== undefined;
}

function optionValue(option: DomElement | undefined): string {
  if (option === undefined) return '';
  return option.attribs.value ?? textOf(option).replace(/[\t\n\f\r ]+/g, ' ').trim();
}

function textOf(node: AnyNode): string {
  let out = '';
  const stack: AnyNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'text') out += n.data;
    else if ('children' in n) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return out;
}
