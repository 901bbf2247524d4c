import { describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { overlayHost, transformK6Module } from '../../src/load/script/k6-transform/index.ts';

const FILE = '/virtual/script.js';
const nothing = { read: () => undefined };
const HEAD = "import http from 'k6/http';\nimport { sleep } from 'k6';\n";

function errorOf(code: string, files: Record<string, string> = {}, file = FILE): TelltaleError {
  try {
    transformK6Module(code, file, { host: overlayHost(files, nothing) });
  } catch (err) {
    expect(err).toBeInstanceOf(TelltaleError);
    return err as TelltaleError;
  }
  throw new Error('expected the transform to fail');
}

/** 1-based line and column of the first occurrence of `needle` in `code`. */
function position(code: string, needle: string): { line: number; column: number } {
  const at = code.indexOf(needle);
  expect(at).toBeGreaterThanOrEqual(0);
  const before = code.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

const cases: { name: string; body: string; at: string; message: RegExp; hint: RegExp }[] = [
  { name: 'a getter that waits', body: 'const o = { get data() { return http.get(1); } };\nexport default function () { return o.data; }', at: 'data()', message: /the getter data\(\) waits for k6 calls, but a getter cannot be made async/, hint: /plain function or method/ },
  { name: 'a constructor that waits', body: 'class A { constructor() { this.r = http.get(1); } }\nexport default function () { return new A(); }', at: 'constructor()', message: /constructor\(\) waits for k6 calls, but a class constructor cannot be made async/, hint: /async init\(\)/ },
  { name: 'a generator that waits', body: 'function* pages() { yield http.get(1); }\nexport default function () { for (const p of pages()) p; }', at: 'function* pages', message: /the generator pages\(\) waits/, hint: /outside the generator/ },
  { name: 'a callback passed to setTimeout', body: 'export default function () { setTimeout(() => { http.get(1); }, 10); }', at: '() => { http', message: /the arrow function at script\.js:3:41 waits for k6 calls, but it is passed to setTimeout\(\), which would not wait for it \(it calls http\.get\(\) at script\.js:3:49\)/, hint: /for\.\.\.of/ },
  { name: 'a promise chain', body: 'function load() { return http.get(1); }\nexport default function (p) { p.then(load); }', at: 'load);', message: /load\(\) waits for k6 calls, but it is passed to p\.then\(\)/, hint: /async\/await/ },
  { name: 'a sort comparator', body: 'export default function (xs) { xs.sort((a, b) => { sleep(1); return a - b; }); }', at: '(a, b)', message: /passed to xs\.sort\(\)/, hint: /call it directly/ },
  { name: 'new of a function that waits', body: 'function Client() { http.get(1); }\nexport default function () { return new Client(); }', at: 'new Client', message: /Client\(\) waits for k6 calls, but it is called with new/, hint: /without new/ },
  { name: 'a wait in a parameter default', body: 'export default function (r = http.get(1)) { return r; }', at: 'http.get(1)', message: /http\.get\(\) waits, but it is in a parameter default value/, hint: /top of the function body/ },
  { name: 'a wait in a class field', body: 'class A { r = http.get(1); }\nexport default function () { return new A(); }', at: 'http.get(1)', message: /class field initializer/, hint: /in a method/ },
  { name: 'an optional chain continuing after a waiting call', body: 'const api = { login() { return http.post(1); } };\nexport default function (a) { return a?.login().token; }', at: 'a?.login()', message: /middle of an optional chain/, hint: /variable first/ },
  { name: 'an optional iteration call with a waiting callback', body: 'export default function (xs) { xs?.forEach((x) => http.get(x)); }', at: 'xs?.forEach', message: /\.forEach\(\) is called with \?\. and a callback that waits/, hint: /for\.\.\.of/ },
  { name: 'a function stored under a computed key of an unknown object', body: 'function go() { http.get(1); }\nexport default function (registry, k) { registry[k] = go; registry[k](); }', at: 'go; registry', message: /go\(\) waits for k6 calls, but it is stored in a property the transform cannot follow/, hint: /variable or an object literal/ },
  { name: 'bind of a function that waits', body: 'function go() { http.get(1); }\nexport default function () { const g = go.bind(null); g(); }', at: 'go.bind', message: /go\(\) waits for k6 calls, but it is used through \.bind\(\)/, hint: /directly/ },
  { name: 'an argument spread into a function', body: 'function run(...fns) { fns[0](); }\nfunction go() { sleep(1); }\nexport default function () { const list = [go]; run(...list); }', at: 'list);', message: /passed to run\(\) in a way the transform cannot follow/, hint: /plain argument/ },
];

describe('patterns the transform cannot make correct', () => {
  for (const c of cases) {
    it(`reports ${c.name} at its position`, () => {
      const code = HEAD + c.body;
      const err = errorOf(code);
      expect(err.code).toBe('TT_SCRIPT_BUNDLE');
      expect(err.file).toBe(FILE);
      expect({ line: err.line, column: err.column }).toEqual(position(code, c.at));
      expect(err.message).toMatch(c.message);
      expect(err.hint).toMatch(c.hint);
    });
  }

  it('explains the chain of calls that makes a function wait, across modules', () => {
    const files = { '/virtual/lib.js': "import http from 'k6/http';\nexport function login() { return http.post('/login'); }\n" };
    const code = "import { login } from './lib.js';\nfunction session() { return login(); }\nexport default function () { setTimeout(session, 1); }";
    const err = errorOf(code, files);
    expect(err.message).toBe(
      'session() waits for k6 calls, but it is passed to setTimeout(), which would not wait for it (it calls login() at script.js:2:29, which calls http.post() at lib.js:2:34)',
    );
    expect([err.line, err.column]).toEqual([3, 41]);
  });

  it('reports the first problem and counts the others', () => {
    const err = errorOf(`${HEAD}export default function () { setTimeout(() => sleep(1)); setInterval(() => sleep(2)); }`);
    expect(err.message).toMatch(/setTimeout\(\).*\(and 1 more problem\)$/);
  });

  it('reports a wait at the top level of a CommonJS module', () => {
    const err = errorOf("const http = require('k6/http');\nhttp.get(1);\n", {}, '/virtual/lib.cjs');
    expect(err.message).toMatch(/top level of a CommonJS module/);
    expect([err.file, err.line, err.column]).toEqual(['/virtual/lib.cjs', 2, 1]);
  });

  it('does not complain about console.log or JSON.stringify of a function that waits', () => {
    expect(() => transformK6Module(`${HEAD}function f() { sleep(1); }\nexport default function () { console.log(f); JSON.stringify({ f }); f(); }`, FILE, { host: nothing })).not.toThrow();
  });
});

describe('syntax errors', () => {
  it('point at the file, line and column acorn reports, with the line as a hint', () => {
    const err = errorOf("import http from 'k6/http';\nexport default function () {\n  http.get('/a'));\n}\n");
    expect(err.code).toBe('TT_SCRIPT_BUNDLE');
    expect([err.file, err.line, err.column]).toEqual([FILE, 3, 17]);
    expect(err.message).toMatch(/^syntax error: Unexpected token$/);
    expect(err.hint).toBe("    http.get('/a'));");
    expect(err.format()).toMatch(/^\/virtual\/script\.js:3:17: syntax error: Unexpected token \[TT_SCRIPT_BUNDLE\]/);
  });

  it('in an imported module name that module', () => {
    const err = errorOf("import { x } from './lib.js';\nexport default function () { x(); }", { '/virtual/lib.js': 'export const x = (;\n' });
    expect([err.file, err.line, err.column]).toEqual(['/virtual/lib.js', 1, 19]);
  });
});
