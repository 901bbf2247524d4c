/**
 * Response.html(), Response.submitForm() and Response.clickLink(), as k6 has them
 * (js/modules/k6/http/response.go): the body parsed with k6/html, and a form submitted or a link followed as
 * a request of the calling VU, with the same metrics and tags as any other, resolving to its response.
 *
 * - html(selector?): the document, or find(selector) on it; its `url` is the response's.
 * - submitForm({ formSelector = 'form', submitSelector = '[type="submit"]', fields, params }): the first
 *   form matching; its entries as a browser builds them (k6-html-form.ts), `fields` over them; the method
 *   and action from the form (GET and the response URL by default, the action resolved against the
 *   response URL); a GET sends the entries as the query (replacing the action's), any other method as a
 *   body encoded per the form's enctype (urlencoded by default, multipart/form-data, text/plain).
 * - clickLink({ selector = 'a[href]', params }): a GET of the first match's href, resolved against the
 *   response URL.
 *
 * Errors (no body, no form, no link, no href) throw with k6's messages before anything is sent.
 */
import type { Element as DomElement } from 'domhandler';
import { FormBody, urlencodeEntries, type K6Response, type PageActions, type Params, type RequestBody } from '../http/index.ts';
import { formSubmission, overrideFields } from './k6-html-form.ts';
import { isTag, nodeOf } from './k6-html-element.ts';
import { selectionFromBody, type Selection } from './k6-html.ts';

/** Makes a request as the calling VU: k6/http's request(). */
export type RequestFn = (method: string, url: string, body: RequestBody | null | undefined, params?: Params) => Promise<K6Response>;

export function pageActions(request: RequestFn): PageActions {
  return {
    html: responseHtml,
    submitForm: (res, args) => submitForm(res, args, request),
    clickLink: (res, args) => clickLink(res, args, request),
  };
}

function responseHtml(res: K6Response, selector?: unknown): Selection {
  const body = res.body;
  if (body === null) {
    throw new Error("the body is null so we can't transform it to HTML - this likely was because of a request error getting the response");
  }
  const doc = selectionFromBody(typeof body === 'string' ? body : Buffer.from(body).toString(), res.url);
  return selector === undefined || selector === null ? doc : doc.find(String(selector));
}

/** The options object of submitForm()/clickLink(); absent means all defaults. */
function options(args: unknown, what: string): Record<string, unknown> {
  if (args === undefined || args === null) return {};
  if (typeof args !== 'object') throw new TypeError(`${what}: the argument must be an object`);
  return args as Record<string, unknown>;
}

function paramsOf(o: Record<string, unknown>): Params | undefined {
  const p = o.params;
  return p === undefined || p === null ? undefined : (p as Params);
}

function submitForm(res: K6Response, args: unknown, request: RequestFn): Promise<K6Response> {
  const o = options(args, 'submitForm()');
  const formSelector = o.formSelector === undefined ? 'form' : String(o.formSelector);
  const submitSelector = o.submitSelector === undefined ? '[type="submit"]' : String(o.submitSelector);
  const fields = typeof o.fields === 'object' && o.fields !== null ? (o.fields as Record<string, unknown>) : undefined;

  const forms = responseHtml(res, formSelector);
  const form = firstElement(forms);
  if (form === undefined) throw new Error(`no form found for selector '${formSelector}' in response '${res.url}'`);
  const submitter = submitterOf(forms, form, submitSelector);
  const submission = formSubmission(form, submitter);
  const entries = fields === undefined ? submission.entries : overrideFields(submission.entries, fields);

  const target = resolve(submission.action ?? '', res.url, 'submitForm()');
  if (submission.method === 'GET') {
    target.search = urlencodeEntries(entries);
    return request('GET', target.href, null, paramsOf(o));
  }
  return request(submission.method, target.href, new FormBody(entries, submission.enctype), paramsOf(o));
}

function clickLink(res: K6Response, args: unknown, request: RequestFn): Promise<K6Response> {
  const o = options(args, 'clickLink()');
  const selector = o.selector === undefined ? 'a[href]' : String(o.selector);
  const links = responseHtml(res, selector);
  if (links.size() === 0) throw new Error(`no element found for selector '${selector}' in response '${res.url}'`);
  const href = links.attr('href');
  if (href === undefined) throw new Error(`no valid href attribute value found on element '${selector}' in response '${res.url}'`);
  return request('GET', resolve(String(href), res.url, 'clickLink()').href, undefined, paramsOf(o));
}

function firstElement(sel: Selection): DomElement | undefined {
  const el = sel.get(0);
  if (el === undefined) return undefined;
  const node = nodeOf(el);
  return isTag(node) ? node : undefined;
}

/**
 * The first match of the submit selector inside the form, as in k6; failing that, one elsewhere in the document
 * that belongs to the form through its form attribute, as a browser allows.
 */
function submitterOf(forms: Selection, form: DomElement, selector: string): DomElement | undefined {
  const inside = firstElement(forms.first().find(selector));
  if (inside !== undefined) return inside;
  const id = form.attribs.id;
  if (id === undefined || form.name !== 'form') return undefined;
  for (const el of forms.closest('html').find(selector).get()) {
    const node = nodeOf(el);
    if (isTag(node) && node.attribs.form === id) return node;
  }
  return undefined;
}

function resolve(ref: string, base: string, what: string): URL {
  try {
    return new URL(ref, base);
  } catch {
    throw new Error(`${what}: cannot resolve ${JSON.stringify(ref)} against the response URL ${JSON.stringify(base)}`);
  }
}
