import { describe, expect, it } from 'vitest';
import { overlayHost, transformK6Module, COMPAT_URL } from '../../src/load/script/k6-transform/index.ts';

const FILE = '/virtual/script.js';
const nothing = { read: () => undefined };
const tx = (code: string, files: Record<string, string> = {}, file = FILE) => transformK6Module(code, file, { host: overlayHost(files, nothing) }).code;
const HEAD = "import http from 'k6/http';\nimport { sleep, group, check } from 'k6';\n";
const k6 = (body: string) => HEAD + body;

describe('which calls are awaited', () => {
  it('awaits http calls through a default import', () => {
    expect(tx(k6("export default function () { http.get('/a'); }"))).toBe(k6("export default async function () { await http.get('/a'); }"));
  });

  it('awaits http calls through a namespace import', () => {
    const src = "import * as h from 'k6/http';\nexport default function () { const r = h.post('/a', 'b'); return r.status; }";
    expect(tx(src)).toBe("import * as h from 'k6/http';\nexport default async function () { const r = await h.post('/a', 'b'); return r.status; }");
  });

  it('awaits named and renamed http imports', () => {
    const src = "import { get, post as send, batch } from 'k6/http';\nexport default function () { get('/a'); send('/b'); batch([]); }";
    expect(tx(src)).toBe("import { get, post as send, batch } from 'k6/http';\nexport default async function () { await get('/a'); await send('/b'); await batch([]); }");
  });

  it('awaits every request method and batch', () => {
    const out = tx(k6('export default function () { http.put(1); http.patch(1); http.del(1); http.head(1); http.options(1); http.request("GET", 1); http.batch([]); }'));
    expect(out.match(/await http\./g)).toHaveLength(7);
  });

  it('leaves non-waiting k6 functions alone', () => {
    const src = "import http from 'k6/http';\nimport { check, fail } from 'k6';\nexport default function () { const u = http.url`/x`; check(1, { a: (v) => v === 1 }); if (!u) fail('no'); }";
    expect(tx(src)).toBe(src);
  });

  it('awaits sleep through the k6 default and namespace objects', () => {
    expect(tx("import k6 from 'k6';\nexport default function () { k6.sleep(1); }")).toBe("import k6 from 'k6';\nexport default async function () { await k6.sleep(1); }");
    expect(tx("import * as k6 from 'k6';\nexport function x() { k6.sleep(1); }")).toBe("import * as k6 from 'k6';\nexport async function x() { await k6.sleep(1); }");
  });

  it('awaits group when its callback waits, at any depth, and leaves it alone otherwise', () => {
    const src = k6("export default function () {\n  group('a', () => {\n    group('b', function () { sleep(1); });\n    group('c', () => check(1, { ok: true }));\n  });\n}");
    expect(tx(src)).toBe(
      k6("export default async function () {\n  await group('a', async () => {\n    await group('b', async function () { await sleep(1); });\n    group('c', () => check(1, { ok: true }));\n  });\n}"),
    );
  });

  it('makes every kind of function async when it waits', () => {
    const src = k6(
      [
        'function decl() { http.get(1); }',
        'const expr = function () { decl(); };',
        'const arrow = () => expr();',
        'const block = (x) => { arrow(); return x; };',
        'const obj = { method() { block(1); }, prop: function () { obj.method(); }, arrow: () => obj.prop() };',
        'class C { m() { obj.arrow(); } static s() { new C().m(); } f = () => C.s(); }',
        'export function setup() { return new C().f(); }',
        'export function teardown() { sleep(1); }',
        'export const scenario = () => decl();',
        'export function pure() { return 1; }',
      ].join('\n'),
    );
    expect(tx(src)).toBe(
      k6(
        [
          'async function decl() { await http.get(1); }',
          'const expr = async function () { await decl(); };',
          'const arrow = async () => await expr();',
          'const block = async (x) => { await arrow(); return x; };',
          'const obj = { async method() { await block(1); }, prop: async function () { await obj.method(); }, arrow: async () => await obj.prop() };',
          'class C { async m() { await obj.arrow(); } static async s() { await new C().m(); } f = async () => await C.s(); }',
          'export async function setup() { return await new C().f(); }',
          'export async function teardown() { await sleep(1); }',
          'export const scenario = async () => await decl();',
          'export function pure() { return 1; }',
        ].join('\n'),
      ),
    );
  });

  it('parenthesizes an awaited call used as an object, callee or ** operand', () => {
    const src = k6('function f() { return http.get(1); }\nexport default function () { const a = http.get(1).json().items; const b = f().status ** 2; const c = f()[0]; }');
    expect(tx(src)).toBe(
      k6('async function f() { return await http.get(1); }\nexport default async function () { const a = (await http.get(1)).json().items; const b = (await f()).status ** 2; const c = (await f())[0]; }'),
    );
  });

  it('awaits an optional call as a whole chain, and an optional chain after a call', () => {
    const src = k6('const api = { login() { return http.post(1); } };\nexport default function (o) { api?.login(); http.get(1)?.json(); }');
    expect(tx(src)).toBe(
      k6('const api = { async login() { return await http.post(1); } };\nexport default async function (o) { await api?.login(); (await http.get(1))?.json(); }'),
    );
  });

  it('follows functions through parameters, return values, arrays, .call and .apply', () => {
    const src = k6(
      [
        'function retry(fn, n) { for (let i = 0; i < n; i++) { const r = fn(); if (r.status === 200) return r; } }',
        'function make(u) { return () => http.get(u); }',
        'const steps = [make(1), () => sleep(1)];',
        'export default function () { retry(() => http.get(1), 3); const f = make(2); f(); for (const s of steps) s(); steps[0](); f.call(null); f.apply(null, []); }',
      ].join('\n'),
    );
    expect(tx(src)).toBe(
      k6(
        [
          'async function retry(fn, n) { for (let i = 0; i < n; i++) { const r = await fn(); if (r.status === 200) return r; } }',
          'function make(u) { return async () => await http.get(u); }',
          'const steps = [make(1), async () => await sleep(1)];',
          'export default async function () { await retry(async () => await http.get(1), 3); const f = make(2); await f(); for (const s of steps) await s(); await steps[0](); await f.call(null); await f.apply(null, []); }',
        ].join('\n'),
      ),
    );
  });

  it('propagates through a long chain of functions passing a callback along, declared before their callers', () => {
    const n = 40;
    const chain = Array.from({ length: n }, (_, i) => (i === 0 ? 'function f0(cb) { return cb(); }' : `function f${i}(cb) { return f${i - 1}(cb); }`));
    const out = tx(k6(`${chain.join('\n')}\nexport default function () { f${n - 1}(() => sleep(1)); }`));
    expect(out).toContain('async function f0(cb) { return await cb(); }');
    for (let i = 1; i < n; i++) expect(out).toContain(`async function f${i}(cb) { return await f${i - 1}(cb); }`);
    expect(out).toContain(`export default async function () { await f${n - 1}(async () => await sleep(1)); }`);
  });

  it('follows methods through this, instances, object spreads and computed names', () => {
    const src = k6(
      [
        'class Api { constructor(b) { this.b = b; } get(p) { return http.get(this.b + p); } all() { return [this.get(1), this.get(2)]; } }',
        'const base = { ping() { return http.head(1); } };',
        'const handlers = { ...base, home: () => http.get(0) };',
        'export default function (name) { const a = new Api("x"); a.all(); handlers[name](); handlers.ping(); }',
      ].join('\n'),
    );
    const out = tx(src);
    expect(out).toContain('async all() { return [await this.get(1), await this.get(2)]; }');
    expect(out).toContain('await handlers[name](); await handlers.ping();');
    expect(out).toContain('await a.all();');
  });

  it('matches members of unknown objects by name against the methods that wait', () => {
    const src = "import http from 'k6/http';\nimport { makeClient } from 'some-package';\nconst local = { login() { return http.post(1); } };\nexport default function () { const c = makeClient(); c.login(); c.other(); local.login(); }";
    expect(tx(src)).toContain('{ const c = makeClient(); await c.login(); c.other(); await local.login(); }');
  });

  it('awaits check when one of its callbacks waits', () => {
    const src = k6('const ok = (r) => http.get(r.url).status === 200;\nexport default function () { check(1, { plain: (v) => v === 1, deep: ok }); }');
    expect(tx(src)).toBe(k6('const ok = async (r) => (await http.get(r.url)).status === 200;\nexport default async function () { await check(1, { plain: (v) => v === 1, deep: ok }); }'));
  });

  it('awaits calls into TypeScript modules, which are native and may return promises', () => {
    const files = { '/virtual/native.ts': 'export async function login() {}' };
    const src = "import { login } from './native.ts';\nexport default function () { const t = login(); return t; }";
    expect(tx(src, files)).toBe("import { login } from './native.ts';\nexport default async function () { const t = await login(); return t; }");
  });

  it('treats array methods on values from TypeScript modules as the builtins they are', () => {
    const files = { '/virtual/data.ts': 'export const USERS: string[] = ["a", "b"];' };
    const src = "import http from 'k6/http';\nimport { USERS } from './data.ts';\nexport default function () { USERS.forEach((u) => http.get(u)); }";
    expect(tx(src, files)).toContain('{ await __telltale_forEach(USERS, async (u) => await http.get(u)); }');
    expect(() => tx("import http from 'k6/http';\nimport { USERS } from './data.ts';\nexport default function () { USERS.sort(() => http.get(1).status); }", files)).toThrow(/passed to USERS\.sort\(\)/);
  });

  it('supports require() of k6 modules', () => {
    const src = "const http = require('k6/http');\nconst { sleep: nap } = require('k6');\nmodule.exports.default = function () { http.get(1); nap(1); };";
    expect(tx(src)).toBe("const http = require('k6/http');\nconst { sleep: nap } = require('k6');\nmodule.exports.default = async function () { await http.get(1); await nap(1); };");
  });

  it('awaits waiting calls at the top level of an ES module', () => {
    expect(tx(k6('const r = http.get(1);'))).toBe(k6('const r = await http.get(1);'));
  });

  it('leaves code that does not wait byte for byte unchanged', () => {
    const src = k6('export const options = { vus: 1 };\nexport default function () { const xs = [1, 2].map((x) => x * 2); check(xs, { two: (v) => v.length === 2 }); }');
    expect(tx(src)).toBe(src);
  });
});

describe('response methods that make requests', () => {
  it('awaits submitForm() and clickLink() of a response, and of what they return', () => {
    const src = k6("export default function () { const page = http.get('/p'); const login = page.submitForm({ fields: { u: 'a' } }); login.clickLink(); http.post(1).clickLink().submitForm(); }");
    expect(tx(src)).toBe(
      k6("export default async function () { const page = await http.get('/p'); const login = await page.submitForm({ fields: { u: 'a' } }); await login.clickLink(); await (await (await http.post(1)).clickLink()).submitForm(); }"),
    );
  });

  it('follows responses through parameters, return values, check callbacks and destructuring', () => {
    const src = k6(
      [
        'function open(u) { return http.get(u); }',
        'function follow(res) { return res.clickLink({ selector: "a" }); }',
        'export default function () { follow(open(1)); check(open(2), { ok: (r) => r.submitForm().status === 200 }); const { status } = open(3); }',
      ].join('\n'),
    );
    expect(tx(src)).toBe(
      k6(
        [
          'async function open(u) { return await http.get(u); }',
          'async function follow(res) { return await res.clickLink({ selector: "a" }); }',
          'export default async function () { await follow(await open(1)); await check(await open(2), { ok: async (r) => (await r.submitForm()).status === 200 }); const { status } = await open(3); }',
        ].join('\n'),
      ),
    );
  });

  it('follows the responses of http.batch() in both forms, through iteration and for...of', () => {
    const src = k6("export default function () { const [a] = http.batch([1]); a.clickLink(); const o = http.batch({ home: 1 }); o.home.submitForm(); http.batch([1, 2]).forEach((r) => r.clickLink()); for (const r of http.batch([3])) r.submitForm(); }");
    const out = tx(src);
    expect(out).toContain('const [a] = await http.batch([1]); await a.clickLink();');
    expect(out).toContain('await o.home.submitForm();');
    expect(out).toContain('await __telltale_forEach((await http.batch([1, 2])), async (r) => await r.clickLink());');
    expect(out).toContain('for (const r of await http.batch([3])) await r.submitForm();');
  });

  it('awaits them on receivers the analysis cannot see into, where awaiting a non-promise is harmless', () => {
    const src = "import http from 'k6/http';\nimport { browse } from 'some-package';\nexport default function (data) { browse().submitForm(); data.page.clickLink(); JSON.parse(data).clickLink(); http.batch([1]).find((r) => r.status === 200).submitForm(); }";
    expect(tx(src)).toContain('{ await browse().submitForm(); await data.page.clickLink(); await JSON.parse(data).clickLink(); await (await http.batch([1])).find((r) => r.status === 200).submitForm(); }');
  });

  it('awaits a computed method name of a response', () => {
    expect(tx(k6('export default function (m) { http.get(1)[m](); }'))).toBe(k6('export default async function (m) { await (await http.get(1))[m](); }'));
  });

  it("leaves the script's own submitForm() and clickLink() methods to what they do", () => {
    const src = k6("const form = { submitForm() { return 1; } };\nclass Nav { clickLink() { return 2; } }\nexport default function () { form.submitForm(); new Nav().clickLink(); 'text'.submitForm; }");
    expect(tx(src)).toBe(src);
    const waits = k6("const form = { submitForm() { return http.post(1); } };\nexport default function () { form.submitForm(); }");
    expect(tx(waits)).toBe(k6('const form = { async submitForm() { return await http.post(1); } };\nexport default async function () { await form.submitForm(); }'));
  });

  it('leaves response methods that do not make requests alone', () => {
    const src = k6("export default function () { const r = http.get(1); r.html('a').text(); r.json(); }");
    expect(tx(src)).toBe(k6("export default async function () { const r = await http.get(1); r.html('a').text(); r.json(); }"));
  });
});

describe('iteration callbacks that wait', () => {
  it('rewrites forEach, map, filter, some, every, find, findIndex, flatMap and reduce to sequential helpers', () => {
    const src = k6(
      'export default function (xs) {\n' +
        '  xs.forEach((x) => http.get(x));\n' +
        '  const a = xs.map((x) => http.get(x).status);\n' +
        '  const b = xs.filter((x) => http.get(x).status === 200).length;\n' +
        '  if (xs.some((x) => http.get(x)) && xs.every((x) => http.get(x))) xs.find((x) => http.get(x));\n' +
        '  xs.findIndex((x) => http.get(x)); xs.flatMap((x) => [http.get(x)]);\n' +
        '  return xs.reduce((acc, x) => acc + http.get(x).status, 0);\n' +
        '}',
    );
    const out = tx(src);
    expect(out.split('\n')[0]).toBe(
      `import { forEach as __telltale_forEach, map as __telltale_map, filter as __telltale_filter, some as __telltale_some, every as __telltale_every, find as __telltale_find, findIndex as __telltale_findIndex, flatMap as __telltale_flatMap, reduce as __telltale_reduce } from ${JSON.stringify(COMPAT_URL)};import http from 'k6/http';`,
    );
    expect(out).toContain('  await __telltale_forEach(xs, async (x) => await http.get(x));');
    expect(out).toContain('  const a = await __telltale_map(xs, async (x) => (await http.get(x)).status);');
    expect(out).toContain('  const b = (await __telltale_filter(xs, async (x) => (await http.get(x)).status === 200)).length;');
    expect(out).toContain('  if (await __telltale_some(xs, async (x) => await http.get(x)) && await __telltale_every(xs, async (x) => await http.get(x))) await __telltale_find(xs, async (x) => await http.get(x));');
    expect(out).toContain('  return await __telltale_reduce(xs, async (acc, x) => acc + (await http.get(x)).status, 0);');
    expect(out.split('\n')).toHaveLength(src.split('\n').length);
  });

  it('rewrites a nested chain and keeps synchronous callbacks as they are', () => {
    const src = k6("export default function () { http.get('/l').json().items.forEach((i) => { [1].forEach((n) => n); sleep(i); }); }");
    expect(tx(src)).toContain("await __telltale_forEach((await http.get('/l')).json().items, async (i) => { [1].forEach((n) => n); await sleep(i); });");
  });

  it('picks helper names that collide with nothing, after a hashbang', () => {
    const src = `#!/usr/bin/env k6\n${k6('const __telltale_map = 1;\nexport default function (xs) { return xs.map(() => sleep(__telltale_map)); }')}`;
    const out = tx(src);
    expect(out.split('\n')[1]).toMatch(/^import \{ map as __telltale_map1 \} from "file:.*";import http/);
    expect(out).toContain('return await __telltale_map1(xs, async () => await sleep(__telltale_map));');
  });
});

describe('idempotence', () => {
  const programs = [
    k6("export default function () { group('g', () => { [1, 2].forEach((x) => http.get(x)); sleep(1); }); }"),
    k6('class A { m() { return http.get(1).json(); } }\nexport default function () { return new A().m(); }'),
    k6('function f(cb) { return cb(); }\nexport function setup() { return f(() => http.batch([])); }'),
  ];
  for (const [i, src] of programs.entries()) {
    it(`transforming twice gives the same code as once (${i})`, () => {
      const once = tx(src);
      expect(once).not.toBe(src);
      expect(tx(once)).toBe(once);
    });
  }

  it('leaves calls that are already awaited as they are', () => {
    const src = k6('export default async function () { await http.get(1); const r = (await http.get(2)).json(); await group("g", async () => { await sleep(1); }); }');
    expect(tx(src)).toBe(src);
  });
});

describe('TypeScript modules', () => {
  it('comes back unchanged', () => {
    const src = "import http from 'k6/http';\nexport default function () { http.get('/a'); }";
    expect(transformK6Module(src, '/virtual/script.ts').code).toBe(src);
  });
});
