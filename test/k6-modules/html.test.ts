import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import html, { Element, parseHTML, Selection, selectionFromBody } from '../../src/load/runtime/k6-html.ts';

const LIST = `
<ul id="one" class="level-1">
  <li class="item-i">I</li>
  <li id="ii" class="item-ii">II
    <ul class="level-2">
      <li class="item-a">A</li>
      <li class="item-b">B
        <ul class="level-3">
          <li class="item-1">1</li>
          <li class="item-2">2</li>
          <li class="item-3">3</li>
        </ul>
      </li>
      <li class="item-c">C</li>
    </ul>
  </li>
  <li class="item-iii">III</li>
</ul>`;

const DL = `<dl>
  <dt id="term-1">term 1</dt><dd>definition 1-a</dd><dd>definition 1-b</dd><dd>definition 1-c</dd><dd>definition 1-d</dd>
  <dt id="term-2">term 2</dt><dd>definition 2-a</dd><dd>definition 2-b</dd><dd>definition 2-c</dd>
  <dt id="term-3">term 3</dt><dd>definition 3-a</dd><dd>definition 3-b</dd>
</dl>`;

const FORM = `<form id="f" action="/login">
  <input name="user" value="ada lovelace">
  <input type="password" name="pw" value="p&amp;w">
  <input type="checkbox" name="remember" checked>
  <input type="checkbox" name="newsletter" value="yes">
  <input type="radio" name="plan" value="free">
  <input type="radio" name="plan" value="pro" checked="checked">
  <input name="locked" value="x" disabled>
  <input name="">
  <input type="submit" name="go" value="Go">
  <input type="file" name="upload">
  <button name="b" value="clicked">Press</button>
  <textarea name="bio">likes &lt;math&gt; &amp; engines</textarea>
  <select name="lang"><option value="en">English</option><option selected>Français</option></select>
  <select name="none"><option value="first">1</option><option value="second">2</option></select>
  <select name="tags" multiple><option value="a" selected>A</option><option value="b">B</option><option value="c" selected>C</option></select>
</form>`;

describe('k6/html parseHTML and traversal', () => {
  it('parses a document like a browser (implied html/head/body) and finds elements', () => {
    const doc = parseHTML('<p>one<p>two');
    expect(doc).toBeInstanceOf(Selection);
    expect(doc.find('body').children().size()).toBe(2);
    expect(doc.find('p').eq(1).text()).toBe('two');
    expect(html.parseHTML).toBe(parseHTML);
  });

  it('children([selector]) — k6 documentation example', () => {
    const sel = parseHTML(DL).find('dl');
    expect(sel.children().size()).toBe(12);
    expect(sel.children('dt').size()).toBe(3);
  });

  it('closest(selector) — k6 documentation example', () => {
    const doc = parseHTML(LIST);
    expect(doc.find('li.item-a').closest('ul').attr('class')).toBe('level-2');
    expect(doc.find('li.item-a').closest(doc.find('#one')).attr('id')).toBe('one');
    expect(doc.find('li.item-a').closest(doc.find('#one').get(0)!).size()).toBe(1);
  });

  it('text, html, attr with a default, eq with negative indexes, first, last, slice', () => {
    const doc = parseHTML('<div id="d" title="t"><b>bold</b> and <i>it</i></div><div>second</div>');
    const div = doc.find('div');
    expect(div.size()).toBe(2);
    expect(div.text()).toBe('bold and itsecond');
    expect(div.html()).toBe('<b>bold</b> and <i>it</i>');
    expect(div.attr('title')).toBe('t');
    expect(div.attr('missing')).toBeUndefined();
    expect(div.attr('missing', 'fallback')).toBe('fallback');
    expect(div.eq(-1).text()).toBe('second');
    expect(div.eq(5).size()).toBe(0);
    expect(div.first().attr('id')).toBe('d');
    expect(div.last().text()).toBe('second');
    expect(div.slice(1).text()).toBe('second');
    expect(div.slice(0, 1).size()).toBe(1);
    expect(doc.find('nothing').html()).toBe('');
    expect(doc.find('nothing').attr('x', 1)).toBe(1);
  });

  it('each(fn(index, element)), map(fn(index, selection)) returning strings, get, toArray', () => {
    const doc = parseHTML(LIST);
    const seen: string[] = [];
    const ret = doc.find('ul.level-3 li').each((i, el) => {
      expect(el).toBeInstanceOf(Element);
      seen.push(`${i}:${el.textContent()}`);
    });
    expect(seen).toEqual(['0:1', '1:2', '2:3']);
    expect(ret.size()).toBe(3);
    expect(doc.find('ul.level-3 li').map((i, s) => `${i}${s.text()}`)).toEqual(['01', '12', '23']);
    expect(doc.find('ul.level-3 li').map((i) => i * 2)).toEqual(['0', '2', '4']);
    expect(doc.find('ul.level-3 li').get()).toHaveLength(3);
    expect(doc.find('ul.level-3 li').get(-1)!.textContent()).toBe('3');
    expect(doc.find('ul.level-3 li').get(3)).toBeUndefined();
    expect(doc.find('ul.level-3 li').get(-3)).toBeUndefined();
    const arr = doc.find('ul.level-3 li').toArray();
    expect(arr.map((s) => s.attr('class'))).toEqual(['item-1', 'item-2', 'item-3']);
    expect(() => doc.find('li').each('nope' as never)).toThrow('Argument to each() must be a function.');
    expect(() => doc.find('li').map(undefined as never)).toThrow(/map\(\) must be a function/);
  });

  it('filter, is, not and has accept selectors, selections, elements and functions', () => {
    const doc = parseHTML(LIST);
    const items = doc.find('ul.level-2 > li');
    expect(items.filter('.item-b').text()).toMatch(/^B/);
    expect(items.filter(doc.find('.item-c')).size()).toBe(1);
    expect(items.filter((i) => i !== 1).size()).toBe(2);
    expect(items.filter((_i, s) => s instanceof Selection && s.attr('class') === 'item-a').size()).toBe(1);
    expect(items.is('.item-c')).toBe(true);
    expect(items.is(doc.find('#one'))).toBe(false);
    expect(items.is((_i, s) => s.text() === 'C')).toBe(true);
    expect(items.not('.item-a').size()).toBe(2);
    expect(items.not((i) => i === 0).size()).toBe(2);
    expect(doc.find('ul').has('li.item-2').size()).toBe(3);
    expect(doc.find('ul').has(doc.find('.item-c')).size()).toBe(2);
    expect(doc.find('ul').has(doc.find('.item-c').get(0)!).size()).toBe(2);
    expect(() => items.filter(42 as never)).toThrow('Argument to filter() must be a function, a selector or a selection');
    expect(() => items.is({} as never)).toThrow('Argument to is() must be a function, a selector or a selection');
    expect(() => items.find(7 as never)).toThrow('Invalid argument: Cannot use a number as a selector');
  });

  it('siblings and ancestors, with and without filters and until-bounds', () => {
    const doc = parseHTML(LIST);
    const b = doc.find('.item-b');
    expect(b.next().attr('class')).toBe('item-c');
    expect(b.prev().attr('class')).toBe('item-a');
    expect(b.next('.nope').size()).toBe(0);
    expect(b.siblings().size()).toBe(2);
    expect(b.siblings('.item-c').size()).toBe(1);
    expect(doc.find('.item-i').nextAll().size()).toBe(2);
    expect(doc.find('.item-iii').prevAll('.item-i').size()).toBe(1);
    expect(doc.find('.item-1').nextUntil('.item-3').size()).toBe(1);
    expect(doc.find('.item-1').nextUntil(null, '.item-3').size()).toBe(1);
    expect(doc.find('.item-3').prevUntil(doc.find('.item-1')).size()).toBe(1);
    expect(doc.find('.item-1').parent().attr('class')).toBe('level-3');
    expect(doc.find('.item-1').parents('ul').size()).toBe(3);
    expect(doc.find('.item-1').parentsUntil('#one').size()).toBe(4);
    expect(doc.find('.item-1').parentsUntil('#one', 'li').size()).toBe(2);
    expect(doc.find('#ii').contents().first().text().trim()).toBe('II');
    expect(doc.find('li').index(doc.find('#ii'))).toBe(1);
    expect(doc.find('#ii').index()).toBe(1);
    expect(doc.find('.item-a').add('.item-c').size()).toBe(2);
    expect(doc.find('ul').find('li').end().size()).toBe(3);
  });

  it('an invalid CSS selector matches nothing, as in k6', () => {
    const doc = parseHTML(LIST);
    expect(doc.find('[[[').size()).toBe(0);
    expect(doc.find('li').filter(':nope(').size()).toBe(0);
    expect(doc.find('li').is('!!')).toBe(false);
    expect(doc.find('li').children('###').size()).toBe(0);
    expect(doc.find('li').index('((')).toBe(-1);
  });

  it('data(): camelCase keys, JSON, numbers and booleans converted like k6', () => {
    const doc = parseHTML(`<div data-user-id="42" data-obj='{"a":[1,2]}' data-on="true" data-off="false" data-f="1.50" data-n="null" data-e="" data-s="hello"></div><p></p>`);
    const div = doc.find('div');
    expect(div.data('userId')).toBe(42);
    expect(div.data('obj')).toEqual({ a: [1, 2] });
    expect(div.data('on')).toBe(true);
    expect(div.data('f')).toBe('1.50');
    expect(div.data('n')).toBeUndefined();
    expect(div.data('missing')).toBeUndefined();
    expect(div.data()).toEqual({ userId: 42, obj: { a: [1, 2] }, on: true, off: false, f: '1.50', n: undefined, e: undefined, s: 'hello' });
    expect(doc.find('p').data()).toBeUndefined();
    expect(doc.find('nothing').data('x')).toBeUndefined();
  });
});

describe('k6/html forms', () => {
  it('val() of inputs, buttons, textareas, options and selects', () => {
    const doc = parseHTML(FORM);
    expect(doc.find('[name=user]').val()).toBe('ada lovelace');
    expect(doc.find('[name=pw]').val()).toBe('p&w');
    expect(doc.find('[name=remember]').val()).toBe('on');
    expect(doc.find('[name=b]').val()).toBe('clicked');
    expect(doc.find('textarea').val()).toBe('likes <math> & engines');
    expect(doc.find('[name=lang]').val()).toBe('Français');
    expect(doc.find('[name=none]').val()).toBe('first');
    expect(doc.find('[name=tags]').val()).toEqual(['a', 'c']);
    expect(doc.find('option').first().val()).toBe('en');
    expect(doc.find('form').val()).toBeUndefined();
  });

  it('serializeArray / serializeObject / serialize: successful controls only', () => {
    const form = parseHTML(FORM).find('form');
    expect(form.serializeArray()).toEqual([
      { name: 'user', value: 'ada lovelace' },
      { name: 'pw', value: 'p&w' },
      { name: 'remember', value: 'on' },
      { name: 'plan', value: 'pro' },
      { name: 'bio', value: 'likes <math> & engines' },
      { name: 'lang', value: 'Français' },
      { name: 'none', value: 'first' },
      { name: 'tags', value: ['a', 'c'] },
    ]);
    expect(form.serializeObject()).toEqual({
      user: 'ada lovelace',
      pw: 'p&w',
      remember: 'on',
      plan: 'pro',
      bio: 'likes <math> & engines',
      lang: 'Français',
      none: 'first',
      tags: ['a', 'c'],
    });
    expect(form.serialize()).toBe(
      'bio=likes+%3Cmath%3E+%26+engines&lang=Fran%C3%A7ais&none=first&plan=pro&pw=p%26w&remember=on&tags=a&tags=c&user=ada+lovelace',
    );
  });

  it('serializes selected controls directly when the selection is not a form', () => {
    const doc = parseHTML(FORM);
    expect(doc.find('input').serializeObject()).toEqual({ user: 'ada lovelace', pw: 'p&w', remember: 'on', plan: 'pro' });
    expect(doc.find('h1').serialize()).toBe('');
  });
});

describe('k6/html Element', () => {
  const doc = parseHTML(`<html><head><title>T</title></head><body>
    <h1 id="top">Lorem ipsum</h1><empty></empty>
    <p>para one</p><p>para one</p>
    pretext<div id="div_elem" class="class1 class2" lang="en">innerfirst<h2 id="h2_elem" class="class2">Nullam</h2><span id="span1"><b>test content</b></span><svg id="svg_elem"></svg><span id="span2">Maecenas</span>innerlast</div>aftertext
    <footer>This is the footer.</footer></body></html>`);
  const div = () => doc.find('div').get(0)!;

  it('names, types, values, ids, classes and text (methods, as in k6)', () => {
    const h1 = doc.find('#top').get(0)!;
    expect(h1.nodeName()).toBe('h1');
    expect(h1.nodeType()).toBe(1);
    expect(h1.firstChild()!.nodeValue()).toBe('Lorem ipsum');
    expect(h1.firstChild()!.nodeType()).toBe(3);
    expect(h1.firstChild()!.nodeName()).toBe('#text');
    expect(doc.find('span').get(0)!.innerHTML()).toBe('<b>test content</b>');
    expect(doc.find('b').get(0)!.textContent()).toBe('test content');
    expect(div().id()).toBe('div_elem');
    expect(div().className()).toBe('class1 class2');
    expect(div().classList()).toEqual(['class1', 'class2']);
    expect(div().lang()).toBe('en');
    expect(h1.className()).toBeUndefined();
    expect(String(div())).toBe('[object html.Node]');
    expect(div().previousSibling()!.toString()).toBe('[object #text]');
  });

  it('attributes', () => {
    const attrs = div().attributes();
    expect(Object.keys(attrs)).toEqual(['id', 'class', 'lang']);
    expect(attrs.id.value).toBe('div_elem');
    expect(attrs.id.name).toBe('id');
    expect(attrs.id.owner_element.id()).toBe('div_elem');
    expect(attrs.id.localName()).toBe('id');
    expect(attrs.id.namespaceURI()).toBe('http://www.w3.org/1999/xhtml');
    expect(JSON.parse(JSON.stringify(attrs.id))).toEqual({ name: 'id', value: 'div_elem' });
    expect(div().hasAttribute('id')).toBe(true);
    expect(div().hasAttribute('noattr')).toBe(false);
    expect(div().getAttribute('id')).toBe('div_elem');
    expect(div().getAttribute('noattr')).toBeUndefined();
    expect(div().getAttributeNode('lang')!.value).toBe('en');
    expect(doc.find('h1').get(0)!.hasAttributes()).toBe(true);
    expect(doc.find('footer').get(0)!.hasAttributes()).toBe(false);
  });

  it('tree navigation', () => {
    expect(doc.find('body').get(0)!.ownerDocument()!.nodeName()).toBe('#document');
    expect(div().firstChild()!.nodeValue()).toBe('innerfirst');
    expect(div().lastChild()!.nodeValue()).toBe('innerlast');
    expect(doc.find('body').get(0)!.childElementCount()).toBe(6);
    expect(div().firstElementChild()!.textContent()).toBe('Nullam');
    expect(div().lastElementChild()!.textContent()).toBe('Maecenas');
    expect(div().previousSibling()!.textContent()).toContain('pretext');
    expect(div().nextSibling()!.textContent()).toContain('aftertext');
    expect(div().previousElementSibling()!.textContent()).toBe('para one');
    expect(div().nextElementSibling()!.textContent()).toBe('This is the footer.');
    expect(div().parentElement()!.nodeName()).toBe('body');
    expect(doc.find('html').get(0)!.parentNode()!.nodeName()).toBe('#document');
    expect(doc.find('html').get(0)!.parentElement()).toBeUndefined();
    expect(div().childNodes()).toHaveLength(6);
    expect(div().children()).toHaveLength(4);
    expect(doc.find('p').get(0)!.hasChildNodes()).toBe(true);
    expect(doc.find('empty').get(0)!.hasChildNodes()).toBe(false);
    expect(doc.find('empty').get(0)!.firstChild()).toBeUndefined();
  });

  it('queries, comparison, containment, namespaces and the element selection', () => {
    const body = doc.find('body').get(0)!;
    expect(body.getElementsByClassName('class2').map((e) => e.id())).toEqual(['div_elem', 'h2_elem']);
    expect(body.getElementsByTagName('span')).toHaveLength(2);
    expect(body.querySelector('#div_elem')!.id()).toBe('div_elem');
    expect(body.querySelector('nothing')).toBeUndefined();
    expect(body.querySelectorAll('span').map((e) => e.id())).toEqual(['span1', 'span2']);
    const p = doc.find('p');
    expect(p.get(0)!.isSameNode(p.get(1)!)).toBe(false);
    expect(p.get(0)!.isSameNode(p.get(0)!)).toBe(true);
    expect(p.get(0)!.isEqualNode(p.get(1)!)).toBe(true);
    expect(p.get(0)!.isEqualNode(doc.find('h1').get(0)!)).toBe(false);
    expect(doc.find('html').get(0)!.contains(body)).toBe(true);
    expect(body.contains(body)).toBe(false);
    expect(div().matches('#div_elem')).toBe(true);
    expect(div().matches('[[')).toBe(false);
    expect(doc.find('#svg_elem').get(0)!.namespaceURI()).toBe('http://www.w3.org/2000/svg');
    expect(doc.find('#svg_elem').get(0)!.isDefaultNamespace()).toBe(false);
    expect(div().isDefaultNamespace()).toBe(true);
    const sel = div().selection;
    expect(sel).toBeInstanceOf(Selection);
    expect(sel.children('span').size()).toBe(2);
  });
});

describe('k6/html selectionFromBody (for Response.html())', () => {
  it('parses a response body and keeps its URL', () => {
    const sel = selectionFromBody('<a href="/next">next</a>', 'https://example.com/page');
    expect(sel.url).toBe('https://example.com/page');
    expect(sel.find('a').attr('href')).toBe('/next');
    expect(sel.find('a').url).toBe('https://example.com/page');
    expect(parseHTML('<p>').url).toBeUndefined();
  });
});

describe('k6/html hostile input', () => {
  it('parseHTML never throws on arbitrary strings, and the document always has html/head/body', () => {
    const tags = fc.constantFrom('<', '>', '</', '/>', '<!--', '-->', '<![CDATA[', '<!doctype', '<table>', '<tr>', '<td>', '<form>', '<input ', 'name=', '"', "'", '&amp;', '&#x', '<script>', '</script>', '<svg>', '<template>', ' ', 'x');
    const hostile = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.array(tags, { maxLength: 60 }).map((p) => p.join('')));
    fc.assert(
      fc.property(hostile, (src) => {
        const doc = parseHTML(src);
        expect(doc.find('html').size()).toBe(1);
        expect(doc.find('body').size()).toBe(1);
        expect(typeof doc.text()).toBe('string');
        expect(typeof doc.html()).toBe('string');
        doc.find('*').each((_i, el) => {
          el.nodeName();
          el.attributes();
        });
        doc.find('form').serialize();
        doc.find('*').data();
      }),
      { numRuns: 500 },
    );
  });

  it('parseHTML takes non-strings by their string form', () => {
    expect(parseHTML(undefined as unknown as string).find('body').text()).toBe('');
    expect(parseHTML(42 as unknown as string).find('body').text()).toBe('42');
  });
});
