import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'acorn';
import { TelltaleError } from '../../src/errors.ts';
import { transformK6Module } from '../../src/load/script/k6-transform/index.ts';
import { traces, transformFiles, type Files } from './harness.ts';

type Stmt =
  | { k: 'mark' | 'get' | 'post' | 'sleep' | 'check' | 'checkWaits' | 'batch' | 'form' | 'link' }
  | { k: 'call'; h: number; use: boolean }
  | { k: 'group'; fn: boolean; body: Stmt[] }
  | { k: 'if'; then: Stmt[]; else: Stmt[] }
  | { k: 'for' | 'forEach' | 'map' | 'filter' | 'some'; body: Stmt[] };

interface Helper {
  style: 'decl' | 'arrow' | 'expr' | 'method' | 'class';
  body: Stmt[];
}

interface Program {
  helpers: Helper[];
  main: Stmt[];
  /** Helpers with an index below this live in lib.js. */
  split: number;
}

const { block } = fc.letrec<{ stmt: Stmt; block: Stmt[] }>((tie) => ({
  stmt: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    fc.constantFrom<Stmt>({ k: 'mark' }, { k: 'get' }, { k: 'post' }, { k: 'sleep' }, { k: 'check' }, { k: 'checkWaits' }, { k: 'batch' }, { k: 'form' }, { k: 'link' }),
    fc.record({ k: fc.constant('call' as const), h: fc.nat(5), use: fc.boolean() }),
    fc.record({ k: fc.constant('group' as const), fn: fc.boolean(), body: tie('block') }),
    fc.record({ k: fc.constant('if' as const), then: tie('block'), else: tie('block') }),
    fc.record({ k: fc.constantFrom('for' as const, 'forEach' as const, 'map' as const, 'filter' as const, 'some' as const), body: tie('block') }),
  ) as fc.Arbitrary<Stmt>,
  block: fc.array(tie('stmt'), { maxLength: 4 }) as fc.Arbitrary<Stmt[]>,
}));

const programs: fc.Arbitrary<Program> = fc.record({
  helpers: fc.array(fc.record({ style: fc.constantFrom<Helper['style']>('decl', 'arrow', 'expr', 'method', 'class'), body: block }), { maxLength: 4 }),
  main: block,
  split: fc.nat(4),
});

/** Prints a program as k6-style modules: /virtual/main.js and, when helpers are split off, /virtual/lib.js. */
function print(p: Program): Files {
  let next = 0;
  const id = () => next++;
  const callOf = (j: number, arg: string) => {
    const style = p.helpers[j].style;
    return style === 'method' ? `o${j}.run(${arg})` : style === 'class' ? `c${j}.run(${arg})` : `h${j}(${arg})`;
  };
  const stmts = (list: Stmt[], v: string, maxHelper: number, indent: string): string => list.map((s) => indent + stmt(s, v, maxHelper, indent)).join('\n');
  const stmt = (s: Stmt, v: string, maxHelper: number, indent: string): string => {
    const n = id();
    const inner = (body: Stmt[], w: string) => stmts(body, w, maxHelper, `${indent}  `);
    switch (s.k) {
      case 'mark':
        return `mark('m${n}:' + ${v});`;
      case 'get':
        return `http.get('/g${n}?v=' + ${v});`;
      case 'post':
        return `const r${n} = http.post('/p${n}', 'x'); mark(r${n}.json().url);`;
      case 'sleep':
        return `sleep(${n % 3});`;
      case 'batch':
        return `mark(http.batch([1, 2]).length);`;
      case 'form':
        return `const f${n} = http.get('/f${n}'); mark(f${n}.submitForm({ formSelector: '#f' + ${v} }).url);`;
      case 'link':
        return `check(http.get('/l${n}'), { 'l${n}': (r) => r.clickLink().clickLink().status === 200 });`;
      case 'check':
        return `check(http.get('/c${n}'), { 'c${n}': (r) => r.status === 200 });`;
      case 'checkWaits':
        return `check(${v}, { 'w${n}': (x) => http.get('/w' + x).status === 200 });`;
      case 'call': {
        if (maxHelper <= 0) return `mark('no helper ${n}');`;
        const call = callOf(s.h % maxHelper, v);
        return s.use ? `const v${n} = ${call}; mark(v${n});` : `${call};`;
      }
      case 'group':
        return `group('g${n}', ${s.fn ? 'function ()' : '() =>'} {\n${inner(s.body, v)}\n${indent}});`;
      case 'if':
        return `if ((${v} + ${n}) % 2 === 0) {\n${inner(s.then, v)}\n${indent}} else {\n${inner(s.else, v)}\n${indent}}`;
      case 'for':
        return `for (let i${n} = 0; i${n} < 2; i${n}++) {\n${inner(s.body, `i${n}`)}\n${indent}}`;
      case 'forEach':
        return `[1, 2].forEach((x${n}) => {\n${inner(s.body, `x${n}`)}\n${indent}});`;
      case 'map':
        return `mark([1, 2].map((x${n}) => {\n${inner(s.body, `x${n}`)}\n${indent}  return x${n} * 2;\n${indent}}).join());`;
      case 'filter':
        return `mark([1, 2, 3].filter((x${n}) => {\n${inner(s.body, `x${n}`)}\n${indent}  return x${n} % 2 === 1;\n${indent}}).length);`;
      case 'some':
        return `mark([1, 2, 3].some((x${n}) => {\n${inner(s.body, `x${n}`)}\n${indent}  return x${n} === 2;\n${indent}}));`;
    }
  };
  const helper = (h: Helper, j: number, exported: boolean): string => {
    const body = `${stmts(h.body, 'a', j, '  ')}\n  return a + ${j};`;
    const ex = exported ? 'export ' : '';
    switch (h.style) {
      case 'decl':
        return `${ex}function h${j}(a) {\n${body}\n}`;
      case 'arrow':
        return `${ex}const h${j} = (a) => {\n${body}\n};`;
      case 'expr':
        return `${ex}const h${j} = function (a) {\n${body}\n};`;
      case 'method':
        return `${ex}const o${j} = {\n  run(a) {\n${body}\n  },\n};`;
      case 'class':
        return `class C${j} {\n  run(a) {\n${body}\n  }\n}\n${ex}const c${j} = new C${j}();`;
    }
  };
  const head = "import http from 'k6/http';\nimport { sleep, group, check } from 'k6';\nimport { mark } from 'trace';\n";
  const split = Math.min(p.split, p.helpers.length);
  const exportedName = (j: number) => (p.helpers[j].style === 'method' ? `o${j}` : p.helpers[j].style === 'class' ? `c${j}` : `h${j}`);
  const files: Files = {};
  const imports = split > 0 ? `import { ${Array.from({ length: split }, (_, j) => exportedName(j)).join(', ')} } from './lib.js';\n` : '';
  if (split > 0) files['/virtual/lib.js'] = `${head}\n${p.helpers.slice(0, split).map((h, j) => helper(h, j, true)).join('\n\n')}\n`;
  const local = p.helpers.map((h, j) => (j < split ? '' : helper(h, j, false))).filter(Boolean);
  files['/virtual/main.js'] = `${head}${imports}\n${local.join('\n\n')}\n\nexport default function () {\n  const start = 0;\n${stmts(p.main, 'start', p.helpers.length, '  ')}\n}\n`;
  return files;
}

describe('random k6 programs', () => {
  it('produce the same events transformed on async fakes as the original on sync fakes', async () => {
    await fc.assert(
      fc.asyncProperty(programs, async (p) => {
        const files = print(p);
        const { expected, actual } = await traces(files, '/virtual/main.js');
        expect(actual).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });
});

describe('idempotence on random programs', () => {
  it('transforming the transformed modules changes nothing', () => {
    fc.assert(
      fc.property(programs, (p) => {
        const once = transformFiles(print(p), '/virtual/main.js');
        expect(transformFiles(once, '/virtual/main.js')).toEqual(once);
      }),
      { numRuns: 100 },
    );
  });
});

const TOKENS = ['(', ')', '{', '}', '[', ']', 'await ', 'async ', 'function ', '=>', 'yield ', 'http.get(1)', 'sleep(1)', '.submitForm()', '.clickLink(', ',', ';', '`', '${', 'class ', 'get ', 'static ', '#x', '?.', '...', 'new ', 'this.', 'super.', 'group("g", ', '.forEach(', 'export ', 'import ', 'return ', '\n', '*', '=', '"'];

function mustNotCrash(code: string): void {
  let out: string;
  try {
    out = transformK6Module(code, '/virtual/fuzz.js', { host: { read: () => undefined } }).code;
  } catch (err) {
    if (!(err instanceof TelltaleError)) throw err;
    expect(err.code).toBe('TT_SCRIPT_BUNDLE');
    return;
  }
  // Whatever comes out must still be a valid module.
  parse(out, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true });
}

describe('hostile input', () => {
  it('never crashes on random text: it transforms or throws TelltaleError', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), mustNotCrash), { numRuns: 300 });
  });

  it('never crashes on mutated k6 programs, and what it produces parses', () => {
    const mutation = fc.oneof(
      fc.record({ at: fc.nat(), del: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ at: fc.nat(), insert: fc.constantFrom(...TOKENS) }),
    );
    fc.assert(
      fc.property(programs, fc.array(mutation, { minLength: 1, maxLength: 4 }), (p, mutations) => {
        let code = print(p)['/virtual/main.js'];
        for (const m of mutations) {
          const at = m.at % (code.length + 1);
          code = 'del' in m ? code.slice(0, at) + code.slice(at + m.del) : code.slice(0, at) + m.insert + code.slice(at);
        }
        mustNotCrash(code);
      }),
      { numRuns: 400 },
    );
  });

  it('reports excessive nesting as a TelltaleError', () => {
    const deep = `import http from 'k6/http';\nexport default function () { return ${'['.repeat(20000)}http.get(1)${']'.repeat(20000)}; }`;
    mustNotCrash(deep);
  });
});
