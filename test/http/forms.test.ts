import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type http from 'node:http';
import type { Element as DomElement } from 'domhandler';
import { file, FileData, setPageActions, VuHttp, type K6Response, type Params, type RequestBody } from '../../src/load/http/index.ts';
import { parseHTML, type Selection } from '../../src/load/runtime/k6-html.ts';
import { nodeOf } from '../../src/load/runtime/k6-html-element.ts';
import { formSubmission, overrideFields } from '../../src/load/runtime/k6-html-form.ts';
import { pageActions } from '../../src/load/runtime/k6-http-page.ts';
import { collector, defaults, httpServer, type Collector, type Started } from './helpers.ts';

const el = (sel: Selection): DomElement => nodeOf(sel.get(0)!) as DomElement;

/** The submission of the first form of `html`, with the first match of `submit` (if given) as the submitter. */
function submit(html: string, submit?: string) {
  const doc = parseHTML(html);
  const form = doc.find('form').first();
  const submitter = submit === undefined ? undefined : el(doc.find(submit));
  return formSubmission(el(form), submitter);
}

const entriesOf = (html: string, s?: string) => submit(html, s).entries.map(([n, v]) => [n, v instanceof FileData ? `file:${v.filename}` : v]);

describe('the entries of a form, as a browser builds them', () => {
  it('takes named inputs, hidden ones, checked checkboxes and radios, in tree order', () => {
    expect(entriesOf(`<form>
      <input name="text" value="t"><input type="hidden" name="h" value="hv"><input name="noval">
      <input type="checkbox" name="c1" value="yes" checked><input type="checkbox" name="c2" value="no">
      <input type="checkbox" name="c3" checked><input type="radio" name="r" value="a"><input type="radio" name="r" value="b" checked>
      <input value="unnamed"><input name="" value="empty name"><input type="password" name="pw" value="secret">
      <input type="bogus" name="bogus" value="like text">
    </form>`)).toEqual([['text', 't'], ['h', 'hv'], ['noval', ''], ['c1', 'yes'], ['c3', 'on'], ['r', 'b'], ['pw', 'secret'], ['bogus', 'like text']]);
  });

  it('leaves out disabled controls, those in a disabled fieldset (not its first legend) and in a datalist', () => {
    expect(entriesOf(`<form>
      <input name="off" value="1" disabled>
      <fieldset disabled><legend><input name="legend" value="kept"></legend><input name="inside" value="no"><legend><input name="second" value="no"></legend></fieldset>
      <fieldset><input name="open" value="yes"></fieldset>
      <datalist><input name="listed" value="no"></datalist>
    </form>`)).toEqual([['legend', 'kept'], ['open', 'yes']]);
  });

  it('sends selected options: the last marked one of a single select, else its first enabled option', () => {
    expect(entriesOf(`<form>
      <select name="one"><option value="a">A</option><option value="b" selected>B</option><option value="c" selected>C</option></select>
      <select name="def"><option disabled value="x">X</option><option>  Text   value </option></select>
      <select name="many" multiple><option value="1" selected>1</option><option value="2">2</option><option value="3" selected>3</option><optgroup disabled><option value="4" selected>4</option></optgroup></select>
      <select name="none" multiple><option value="1">1</option></select>
      <select name="rows" size="3"><option value="1">1</option></select>
      <select name="empty"></select>
    </form>`)).toEqual([['one', 'c'], ['def', 'Text value'], ['many', '1'], ['many', '3']]);
  });

  it('sends textareas with CRLF line breaks, _charset_ and dirname', () => {
    expect(entriesOf(`<form><textarea name="t" dirname="t.dir">
line 1
line 2\r
</textarea><input type="hidden" name="_charset_"><input name="q" dirname="q.dir" value="v"></form>`)).toEqual([
      ['t', 'line 1\r\nline 2\r\n'], ['t.dir', 'ltr'], ['_charset_', 'UTF-8'], ['q', 'v'], ['q.dir', 'ltr'],
    ]);
  });

  it('sends only the submitter among buttons, an image button as its click coordinates', () => {
    const html = `<form><input type="submit" name="a" value="A"><button name="b" value="B">B</button><button type="reset" name="r">R</button>
      <input type="image" name="img"><input type="image" id="anon"><input type="button" name="x" value="X"><input name="t" value="1"></form>`;
    expect(entriesOf(html)).toEqual([['t', '1']]);
    expect(entriesOf(html, '[name=a]')).toEqual([['a', 'A'], ['t', '1']]);
    expect(entriesOf(html, 'button[name=b]')).toEqual([['b', 'B'], ['t', '1']]);
    expect(entriesOf(html, '[name=img]')).toEqual([['img.x', '0'], ['img.y', '0'], ['t', '1']]);
    expect(entriesOf(html, '#anon')).toEqual([['x', '0'], ['y', '0'], ['t', '1']]);
  });

  it('adds a matched element that is not a submit button as k6 does: its name and value, replacing the field', () => {
    const html = '<form><input name="t" value="1"><button type="button" name="go" value="now">go</button></form>';
    expect(entriesOf(html, 'button')).toEqual([['t', '1'], ['go', 'now']]);
    expect(entriesOf(html, '[name=t]')).toEqual([['t', '1']]);
  });

  it('follows the form attribute in and out of the form', () => {
    const html = `<input name="before" form="f" value="1"><form id="f"><input name="in" value="2"><input name="away" form="other" value="x"></form>
      <form id="other"></form><textarea name="after" form="f">3</textarea><input name="loose" value="no">`;
    expect(entriesOf(html)).toEqual([['before', '1'], ['in', '2'], ['after', '3']]);
  });

  it('takes the method, action and enctype from the form, or from the submitter', () => {
    const html = `<form method="post" action="/a" enctype="MULTIPART/FORM-DATA"><button name="s" formmethod="put" formaction="/b" formenctype="text/plain">s</button></form>`;
    expect(submit(html)).toMatchObject({ method: 'POST', action: '/a', enctype: 'multipart/form-data' });
    expect(submit(html, 'button')).toMatchObject({ method: 'PUT', action: '/b', enctype: 'text/plain' });
    expect(submit('<form action="" enctype="bogus"></form>')).toMatchObject({ method: 'GET', action: undefined, enctype: 'application/x-www-form-urlencoded' });
    expect(submit('<form method=""></form>').method).toBe('GET');
  });

  it('sends a file input as an empty file in a multipart form and as an empty value otherwise', () => {
    expect(entriesOf('<form enctype="multipart/form-data"><input type="file" name="f"></form>')).toEqual([['f', 'file:']]);
    expect(entriesOf('<form><input type="file" name="f"></form>')).toEqual([['f', '']]);
  });

  it('lets fields replace entries of their name, add new ones and give several values', () => {
    const entries = submit('<form><input name="a" value="1"><input name="b" value="2"><input name="a" value="3"></form>').entries;
    const f = file('x', 'x.txt');
    expect(overrideFields(entries, { a: 'A', c: ['c1', 2], b: null, d: f, e: { k: true } })).toEqual([
      ['a', 'A'], ['b', ''], ['c', 'c1'], ['c', '2'], ['d', f], ['e', '{"k":true}'],
    ]);
    expect(overrideFields(entries, { a: ['x', 'y'] })).toEqual([['a', 'x'], ['a', 'y'], ['b', '2']]);
  });

  it('reads any generated form back as the values it holds', () => {
    const text = fc.string({ maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, ' '));
    const control = fc.oneof(
      fc.record({ kind: fc.constant('text' as const), name: text, value: text }),
      fc.record({ kind: fc.constant('checkbox' as const), name: text, value: text, checked: fc.boolean() }),
      fc.record({ kind: fc.constant('select' as const), name: text, options: fc.array(text, { minLength: 1, maxLength: 3 }), pick: fc.nat() }),
    );
    const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    fc.assert(fc.property(fc.array(control, { maxLength: 6 }), (controls) => {
      const html = controls.map((c) => {
        if (c.kind === 'text') return `<input name="${attr(c.name)}" value="${attr(c.value)}">`;
        if (c.kind === 'checkbox') return `<input type="checkbox" name="${attr(c.name)}" value="${attr(c.value)}"${c.checked ? ' checked' : ''}>`;
        return `<select name="${attr(c.name)}">${c.options.map((o, i) => `<option value="${attr(o)}"${i === c.pick % c.options.length ? ' selected' : ''}>x</option>`).join('')}</select>`;
      }).join('');
      const want = controls.filter((c) => c.name !== '' && (c.kind !== 'checkbox' || c.checked)).map((c) => [c.name, c.kind === 'select' ? c.options[c.pick % c.options.length] : c.value]);
      // The HTML parser turns NUL into U+FFFD in attribute values.
      const fix = (s: string) => s.replace(/\0/g, '\uFFFD');
      expect(entriesOf(`<form>${html}</form>`)).toEqual(want.map(([n, v]) => [fix(n), fix(v)]));
    }), { numRuns: 300 });
  });

  it('walks deeply nested markup without recursion', () => {
    const html = `<form>${'<div>'.repeat(5000)}<fieldset disabled><legend>${'<span>'.repeat(3000)}<input name="a" value="1"></legend></fieldset><textarea name="t">${'x'.repeat(10000)}</textarea></form>`;
    expect(entriesOf(html)).toEqual([['a', '1'], ['t', 'x'.repeat(10000)]]);
  });

  it('never throws on arbitrary markup', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('<form', '<form id=f>', '</form>', '<input', ' name=a', ' form=f', ' disabled', '>', '<select>', '<option selected>', '<fieldset disabled>', '<legend>', '<textarea name=t>', '</textarea>', '<datalist>', '<button>', 'text', '"', '='), { maxLength: 40 }), (pieces) => {
      const doc = parseHTML(pieces.join(''));
      for (const e of doc.find('form, input, div').get()) formSubmission(nodeOf(e) as DomElement, undefined);
    }), { numRuns: 500 });
  });
});

let srv: Started<http.Server>;
let vu: VuHttp;
let ctx: Collector;

const PAGE = `<!DOCTYPE html><html><head><title>Forms</title></head><body>
<form id="login" action="/echo/login?keep=1" method="post">
  <input type="hidden" name="csrf" value="tok">
  <input name="user" value="">
  <input type="checkbox" name="remember" value="yes" checked>
  <input type="submit" name="go" value="Log in">
</form>
<form id="search" action="echo/search?dropped=1#frag"><input name="q" value="default"><input type="submit" value="Search"></form>
<form id="self" method="POST"><input name="x" value="1"></form>
<form id="upload" action="/echo/upload" method="post" enctype="multipart/form-data"><input name="t" value="v"><input type="file" name="doc"></form>
<form id="plain" action="/echo/plain" method="post" enctype="text/plain"><input name="a" value="1 2"></form>
<a href="/echo/first">first</a><a id="rel" href="next?x=1">rel</a><a id="nohref">none</a><span class="link" href="/echo/span">span</span>
</body></html>`;

beforeAll(async () => {
  srv = await httpServer((req, res, body) => {
    const u = new URL(req.url!, 'http://x');
    if (req.method === 'GET' && (u.pathname === '/pages/index.html' || u.pathname === '/pages/x')) {
      res.setHeader('content-type', 'text/html');
      res.end(PAGE);
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, path: u.pathname, query: u.search, contentType: req.headers['content-type'] ?? null, body: body.toString(), from: req.headers['x-from'] ?? null }));
  });
  setPageActions(pageActions((method: string, url: string, body: RequestBody | null | undefined, params?: Params) => vu.request(method, url, body, params, ctx)));
});
afterAll(() => srv.close());
afterEach(async () => {
  await vu?.close();
});

async function page(): Promise<K6Response> {
  vu = new VuHttp(defaults());
  ctx = collector();
  return vu.request('GET', `${srv.url}/pages/index.html`, null, undefined, ctx);
}

interface Echo {
  method: string;
  path: string;
  query: string;
  contentType: string | null;
  body: string;
  from: string | null;
}

describe('Response.html()', () => {
  it('parses the body, remembering the response URL', async () => {
    const res = await page();
    const doc = res.html() as Selection;
    expect(doc.find('title').text()).toBe('Forms');
    expect(doc.url).toBe(`${srv.url}/pages/index.html`);
    expect((res.html('form') as Selection).size()).toBe(5);
  });

  it("refuses a response without a body with k6's message", async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', `${srv.url}/pages/x`, null, { responseType: 'none' }, collector());
    expect(() => res.html()).toThrow("the body is null so we can't transform it to HTML - this likely was because of a request error getting the response");
  });

  it('parses binary bodies too', async () => {
    vu = new VuHttp(defaults());
    const res = await vu.request('GET', `${srv.url}/pages/x`, null, { responseType: 'binary' }, collector());
    expect((res.html('title') as Selection).text()).toBe('Forms');
  });
});

describe('Response.submitForm()', () => {
  it('posts the first form to its action with its fields, the submitter and overrides', async () => {
    const res = await page();
    const sent = await res.submitForm({ fields: { user: 'carol', extra: 'e' } });
    const echo = sent.json() as Echo;
    expect(echo).toMatchObject({ method: 'POST', path: '/echo/login', query: '?keep=1', contentType: 'application/x-www-form-urlencoded' });
    expect(echo.body).toBe('csrf=tok&user=carol&remember=yes&go=Log+in&extra=e');
    expect(sent.url).toBe(`${srv.url}/echo/login?keep=1`);
  });

  it('makes its request as the VU: samples with the same context', async () => {
    const res = await page();
    await res.submitForm({ formSelector: '#self', params: { tags: { step: 'form' } } });
    const reqs = ctx.of('http_reqs');
    expect(reqs).toHaveLength(2);
    expect(reqs[1].tags).toMatchObject({ method: 'POST', url: `${srv.url}/pages/index.html`, step: 'form', status: '200' });
  });

  it('sends a GET form as the query, replacing the action query and keeping its fragment out of the request', async () => {
    const res = await page();
    const echo = (await res.submitForm({ formSelector: 'form#search', fields: { q: 'shoes & socks' } })).json() as Echo;
    expect(echo).toMatchObject({ method: 'GET', path: '/pages/echo/search', query: '?q=shoes+%26+socks', body: '' });
  });

  it('submits to the page itself when the form has no action', async () => {
    const res = await page();
    const sent = await res.submitForm({ formSelector: '#self' });
    expect(sent.request.method).toBe('POST');
    expect(sent.request.body).toBe('x=1');
  });

  it('encodes multipart and text/plain forms per their enctype, and uploads files given as fields', async () => {
    const res = await page();
    const multi = (await res.submitForm({ formSelector: '#upload', fields: { doc: file('content', 'c.txt', 'text/plain') } })).json() as Echo;
    expect(multi.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(multi.body).toContain('Content-Disposition: form-data; name="t"\r\n\r\nv\r\n');
    expect(multi.body).toContain('Content-Disposition: form-data; name="doc"; filename="c.txt"\r\nContent-Type: text/plain\r\n\r\ncontent\r\n');
    const empty = (await res.submitForm({ formSelector: '#upload' })).json() as Echo;
    expect(empty.body).toContain('Content-Disposition: form-data; name="doc"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n');
    const plain = (await res.submitForm({ formSelector: '#plain' })).json() as Echo;
    expect(plain).toMatchObject({ contentType: 'text/plain', body: 'a=1 2\r\n' });
    const upgraded = (await res.submitForm({ formSelector: '#self', fields: { f: file('z', 'z.bin') } })).json() as Echo;
    expect(upgraded.contentType).toMatch(/^multipart\/form-data/);
  });

  it('passes params on', async () => {
    const res = await page();
    const echo = (await res.submitForm({ formSelector: '#self', params: { headers: { 'X-From': 'form' } } })).json() as Echo;
    expect(echo.from).toBe('form');
  });

  it("throws k6's error when no form matches, sending nothing", async () => {
    const res = await page();
    expect(() => res.submitForm({ formSelector: '#missing' })).toThrow(`no form found for selector '#missing' in response '${srv.url}/pages/index.html'`);
    expect(() => res.submitForm({ formSelector: '[[bad' })).toThrow('no form found');
    expect(ctx.of('http_reqs')).toHaveLength(1);
  });

  it('refuses an options argument that is not an object', async () => {
    const res = await page();
    expect(() => res.submitForm('form')).toThrow('submitForm(): the argument must be an object');
  });
});

describe('Response.clickLink()', () => {
  it('follows the first link by default', async () => {
    const res = await page();
    expect(((await res.clickLink()).json() as Echo).path).toBe('/echo/first');
  });

  it('resolves a relative href against the response URL and passes params on', async () => {
    const res = await page();
    const next = await res.clickLink({ selector: '#rel', params: { headers: { 'X-From': 'link' } } });
    expect(next.url).toBe(`${srv.url}/pages/next?x=1`);
    expect((next.json() as Echo)).toMatchObject({ method: 'GET', from: 'link' });
  });

  it('follows any element with an href', async () => {
    const res = await page();
    expect(((await res.clickLink({ selector: 'span.link' })).json() as Echo).path).toBe('/echo/span');
  });

  it("throws k6's errors for no match and no href", async () => {
    const res = await page();
    expect(() => res.clickLink({ selector: 'a#gone' })).toThrow(`no element found for selector 'a#gone' in response '${srv.url}/pages/index.html'`);
    expect(() => res.clickLink({ selector: '#nohref' })).toThrow(`no valid href attribute value found on element '#nohref' in response '${srv.url}/pages/index.html'`);
  });
});
