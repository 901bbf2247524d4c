import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeK6Graph, overlayHost } from '../../src/load/script/k6-transform/index.ts';
import { traces, type Files } from './harness.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/k6-transform/', import.meta.url));

function fixtureFiles(dir: string): Files {
  const files: Files = {};
  for (const name of readdirSync(path.join(FIXTURES, dir))) files[path.join(FIXTURES, dir, name)] = readFileSync(path.join(FIXTURES, dir, name), 'utf8');
  return files;
}

const HEAD = "import http from 'k6/http';\nimport { sleep, group, check } from 'k6';\nimport { mark } from 'trace';\n";
const single = (body: string): Files => ({ '/virtual/script.js': HEAD + body });

describe('transformed programs run in the order the synchronous program does', () => {
  it('across modules: re-exports, export *, namespace imports, a default-exported class', async () => {
    const entry = path.join(FIXTURES, 'cross/main.js');
    const { expected, actual, transformed } = await traces(fixtureFiles('cross'), entry);
    expect(actual).toEqual(expected);
    expect(expected).toContain('POST /order/2');
    expect(transformed[path.join(FIXTURES, 'cross/lib.js')]).toContain('export async function login(who) {');
    expect(transformed[path.join(FIXTURES, 'cross/reexport.js')]).toBe(fixtureFiles('cross')[path.join(FIXTURES, 'cross/reexport.js')]);
  });

  it('runs setup across modules too', async () => {
    const { expected, actual } = await traces(fixtureFiles('cross'), path.join(FIXTURES, 'cross/main.js'), 'setup');
    expect(actual).toEqual(expected);
    expect(expected[0]).toBe('POST /login');
  });

  it('CommonJS modules with require() and a sequential forEach', async () => {
    const { expected, actual } = await traces(fixtureFiles('cjs'), path.join(FIXTURES, 'cjs/main.js'));
    expect(actual).toEqual(expected);
    expect(expected).toEqual(['GET /x', 'end GET /x', 'GET /x/2', 'end GET /x/2', 'GET /y', 'end GET /y', 'sleep 1', 'end sleep 1']);
  });

  const programs: [string, string][] = [
    ['groups with nested waits and checks', "export default function () { group('a', () => { mark(1); group('b', () => { http.get('/1'); sleep(1); }); check(http.get('/2'), { ok: (r) => r.status === 200 }); }); mark(2); }"],
    ['helpers returning values', "function id(x) { return http.post('/p' + x).json().url; }\nexport default function () { const a = id(1); mark(a); const b = [1, 2].map((x) => id(x)); mark(b.join()); }"],
    ['filter, some, every, find, reduce', "const ok = (x) => http.get('/' + x).status === 200 && x > 1;\nexport default function () { const xs = [1, 2, 3]; mark(xs.filter(ok).join()); mark(xs.some(ok)); mark(xs.every(ok)); mark(xs.find(ok)); mark(xs.findIndex(ok)); mark(xs.reduce((a, x) => a + (ok(x) ? x : 0), 0)); mark(xs.flatMap((x) => [x, ok(x)]).join()); }"],
    ['check callbacks that wait', "export default function () { const r = check(1, { a: (v) => http.get('/c').status === 200, b: () => true }); mark(r); }"],
    ['classes, this and callbacks through parameters', "class Api { constructor(b) { this.b = b; } get(p) { return http.get(this.b + p); } twice(p) { return [this.get(p), this.get(p)].length; } }\nfunction withRetry(fn) { for (let i = 0; i < 2; i++) { const r = fn(i); if (r) return r; } }\nexport default function () { const api = new Api('/api'); mark(api.twice('/x')); withRetry((i) => { sleep(i); return i === 1; }); }"],
    ['forEach over a Map and a Set', "export default function () { new Map([['a', 1], ['b', 2]]).forEach((v, k) => http.get('/' + k + v)); new Set([3, 4]).forEach((v) => sleep(v)); }"],
    ['functions stored in objects, reached through Object.entries/values and computed names', "const steps = { a() { http.get('/a'); }, b: () => sleep(1) };\nexport default function () { Object.entries(steps).forEach(([name, fn]) => group(name, fn)); for (const f of Object.values(steps)) f(); Object.keys(steps).forEach((k) => steps[k]()); }"],
    ['batch and request', "export default function () { const rs = http.batch([1, 2]); mark(rs.length); http.request('PATCH', '/r'); }"],
    [
      'submitForm and clickLink of responses, through helpers, checks and batches',
      "function login(page) { return page.submitForm({ formSelector: '#login' }); }\n"
        + "export default function () { const page = http.get('/p'); const r = login(page); mark(r.url); mark(page.clickLink().clickLink({ selector: 'a' }).url);\n"
        + "  check(http.get('/c'), { linked: (x) => x.clickLink().status === 200 }); http.batch([1, 2]).forEach((b) => mark(b.submitForm().url)); }",
    ],
  ];
  for (const [name, body] of programs) {
    it(name, async () => {
      const { expected, actual } = await traces(single(body), '/virtual/script.js');
      expect(actual).toEqual(expected);
      expect(expected.length).toBeGreaterThan(2);
    });
  }
});

describe('auto detection', () => {
  const detect = (files: Files, entry: string) => analyzeK6Graph(entry, { host: overlayHost(files, { read: () => undefined }), mode: 'auto' });

  it('takes a JavaScript script that imports k6 and never awaits for a k6 script', () => {
    const a = detect(single("export default function () { http.get('/'); }"), '/virtual/script.js');
    expect(a.k6Style).toBe(true);
    expect(a.plan).toBeDefined();
  });

  it('leaves a script that awaits anywhere in its modules alone, naming the place', () => {
    const files = { ...single("import { x } from './lib.js';\nexport default function () { x(); }"), '/virtual/lib.js': 'export async function x() {\n  await 1;\n}\n' };
    const a = detect(files, '/virtual/script.js');
    expect(a.k6Style).toBe(false);
    expect(a.reason).toBe('lib.js:2:3 uses await');
    expect(a.plan).toBeUndefined();
  });

  it('leaves a script whose async function calls k6 without await alone', () => {
    const a = detect(single("export default async function () { return http.get('/'); }"), '/virtual/script.js');
    expect(a.k6Style).toBe(false);
    expect(a.reason).toMatch(/script\.js:4:\d+: an async function calls a k6 function that waits/);
  });

  it('leaves a script that uses the promises of k6 calls alone', () => {
    expect(detect(single("export default function () { return http.get('/').then((r) => r.status); }"), '/virtual/script.js').reason).toMatch(
      /script\.js:4:\d+: the promise of a k6 call is used with \.then\/\.catch\/\.finally/,
    );
    expect(detect(single("export default function () { return Promise.all([http.get('/a'), sleep(1)]); }"), '/virtual/script.js').reason).toMatch(
      /k6 calls are run together with Promise\.all/,
    );
  });

  it('still transforms a script with an async function that does not touch k6', () => {
    const a = detect(single("async function later() { return 1; }\nexport default function () { later(); http.get('/'); }"), '/virtual/script.js');
    expect(a.k6Style).toBe(true);
  });

  it('leaves TypeScript entries and scripts that do not import k6 alone', () => {
    expect(detect({ '/virtual/s.ts': "import http from 'k6/http';" }, '/virtual/s.ts').reason).toMatch(/not a JavaScript file/);
    expect(detect({ '/virtual/s.js': 'export default function () {}' }, '/virtual/s.js').reason).toBe('the entry does not import a k6 module');
  });

  it('reads the real fixtures: native/ is native, cross/ is k6', () => {
    expect(analyzeK6Graph(path.join(FIXTURES, 'native/script.js')).k6Style).toBe(false);
    const cross = analyzeK6Graph(path.join(FIXTURES, 'cross/main.js'));
    expect(cross.k6Style).toBe(true);
    expect(cross.graph.modules.map((m) => path.basename(m.file))).toEqual(['main.js', 'reexport.js', 'util.js', 'cart.js', 'lib.js']);
  });
});
