/**
 * Applies a module's plan to its source with magic-string: `async ` before functions, `await ` (with
 * parentheses where precedence needs them) before calls, iteration calls redirected to the sequential
 * helpers. Only insertions and one replacement per iteration call are made, so the high-resolution
 * source map sends every original character back to where it was.
 */
import MagicString, { type SourceMap } from 'magic-string';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstNode } from './ast.ts';
import type { ModuleInfo } from './module.ts';
import { wrapTarget, type ModulePlan } from './analyze.ts';

/** The runtime module with the sequential iteration helpers, imported by rewritten modules. */
export const COMPAT_URL = new URL('../../runtime/k6-compat.ts', import.meta.url).href;
export const COMPAT_PATH = fileURLToPath(COMPAT_URL);

export interface TransformResult {
  code: string;
  map: SourceMap;
}

interface Edit {
  start: number;
  end: number;
  apply(): void;
}

export function rewriteModule(mod: ModuleInfo, plan: ModulePlan): TransformResult {
  const ms = new MagicString(mod.code);
  const edits: Edit[] = [];
  for (const fn of plan.asyncFns) {
    const { pos, text } = asyncInsertion(fn, mod);
    edits.push({ start: fn.start, end: fn.end, apply: () => ms.prependRight(pos, text) });
  }

  const helpers = new Map<string, string>();
  for (const method of plan.iterations.values()) if (!helpers.has(method)) helpers.set(method, freshName(`__telltale_${method}`, mod.code, helpers));
  const awaits = new Set(plan.awaits);
  for (const call of new Set([...plan.awaits, ...plan.iterations.keys()])) {
    const target = wrapTarget(call, mod);
    const addAwait = awaits.has(call);
    const parens = addAwait && needsParens(target, mod.parent.get(target));
    const helper = plan.iterations.get(call);
    edits.push({
      start: target.start,
      end: target.end,
      apply: () => {
        let open = addAwait ? (parens ? '(await ' : 'await ') : '';
        if (helper) {
          // list.forEach(cb, ...) → helper(list, cb, ...): the callee's `.forEach(` becomes `, `.
          ms.update(call.callee.object.end, call.arguments[0].start, ', ');
          open += `${helpers.get(helper)}(`;
        }
        ms.prependRight(target.start, open);
        if (parens) ms.appendLeft(target.end, ')');
      },
    });
  }
  // Inner edits first: at a shared position, prependRight puts later (outer) text before earlier text
  // and appendLeft puts it after, which nests parentheses correctly.
  edits.sort((a, b) => a.end - a.start - (b.end - b.start));
  for (const e of edits) e.apply();

  if (helpers.size) insertHelperImport(ms, mod, helpers);
  const base = path.basename(mod.file);
  return { code: ms.toString(), map: ms.generateMap({ hires: true, source: base, file: base, includeContent: false }) };
}

function asyncInsertion(fn: AstNode, mod: ModuleInfo): { pos: number; text: string } {
  const method = mod.fns.get(fn)?.method;
  if (!method) return { pos: fn.start, text: 'async ' };
  if (method.type === 'MethodDefinition' && method.static) {
    const m = /^static\b/.exec(mod.code.slice(method.start, method.start + 6));
    if (m) return { pos: method.start + 6, text: ' async' };
  }
  return { pos: method.start, text: 'async ' };
}

/** Whether `await x` must be written `(await x)` where x sits. */
function needsParens(target: AstNode, parent: AstNode | undefined): boolean {
  if (!parent) return false;
  switch (parent.type) {
    case 'MemberExpression':
      return parent.object === target;
    case 'CallExpression':
    case 'NewExpression':
      return parent.callee === target;
    case 'TaggedTemplateExpression':
      return parent.tag === target;
    case 'BinaryExpression':
      return parent.operator === '**' && parent.left === target;
    case 'ClassDeclaration':
    case 'ClassExpression':
      return parent.superClass === target;
  }
  return false;
}

function insertHelperImport(ms: MagicString, mod: ModuleInfo, helpers: Map<string, string>): void {
  const url = JSON.stringify(COMPAT_URL);
  const names = [...helpers];
  const text =
    mod.format === 'esm'
      ? `import { ${names.map(([m, local]) => `${m} as ${local}`).join(', ')} } from ${url};`
      : `const { ${names.map(([m, local]) => `${m}: ${local}`).join(', ')} } = require(${url});`;
  // After a hashbang and any directives ('use strict' must stay first), on the same line so the
  // rewritten file keeps the original line numbers.
  let pos = mod.code.startsWith('#!') ? mod.code.indexOf('\n') + 1 || mod.code.length : 0;
  for (const stmt of mod.program.body) {
    if (stmt.type !== 'ExpressionStatement' || stmt.directive === undefined) break;
    pos = stmt.end;
  }
  if (pos === 0) ms.prepend(text);
  else ms.appendLeft(pos, pos === mod.code.length || mod.code[pos - 1] === '\n' ? text : ` ${text}`);
}

// A name that appears nowhere in the file (not even in a string or comment) cannot collide.
function freshName(base: string, code: string, chosen: Map<string, string>): string {
  const taken = (n: string) => [...chosen.values()].includes(n) || new RegExp(`(?<![\\w$])${n}(?![\\w$])`).test(code);
  let name = base;
  for (let i = 1; taken(name); i++) name = `${base}${i}`;
  return name;
}
