import { parseHTML } from 'k6/html';
import { check } from 'k6';

export const options = { vus: 1, iterations: 1 };

const PAGE = `<html><head><title>Inventory</title></head><body>
<table id="stock"><tr><td class="sku">A-1</td><td class="qty">5</td></tr><tr><td class="sku">B-2</td><td class="qty">0</td></tr></table>
<div class="note" data-level="warn" data-owner-id="7">Low stock</div>
<form><input name="q" value="hats"><select name="sort"><option value="asc">up</option><option value="desc" selected>down</option></select></form>
</body></html>`;

export default function () {
  const doc = parseHTML(PAGE);
  check(doc, {
    'title text': (d) => d.find('title').text() === 'Inventory',
    'implied tbody is present': (d) => d.find('table > tbody > tr').size() === 2,
    'eq/first/last': (d) => d.find('td.sku').first().text() === 'A-1' && d.find('td.sku').last().text() === 'B-2' && d.find('td.qty').eq(1).text() === '0',
    'map over a selection': (d) => d.find('td.sku').map((i, s) => s.text()).join('|') === 'A-1|B-2',
    'attr and data': (d) => d.find('div.note').attr('data-level') === 'warn' && d.find('div.note').data('level') === 'warn',
    'filter and is': (d) => d.find('td').filter('.qty').size() === 2 && d.find('div').is('.note'),
    'parent and children': (d) => d.find('td.sku').first().parent().children().size() === 2,
    'form values': (d) => d.find('input[name=q]').val() === 'hats' && d.find('select[name=sort]').val() === 'desc',
    'serializeObject': (d) => {
      const o = d.find('form').serializeObject();
      return o.q === 'hats' && o.sort === 'desc';
    },
    'each visits every element': (d) => {
      let n = 0;
      d.find('td').each(() => n++);
      return n === 4;
    },
    'missing selection is empty': (d) => d.find('.nope').size() === 0 && d.find('.nope').text() === '',
  });
}
