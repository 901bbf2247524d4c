/**
 * k6 compatibility: turns synchronous k6 scripts into scripts that await Telltale's asynchronous
 * runtime, before bundling.
 *
 * In k6, `http.get()`, `sleep()` and `group()` block the VU, and so do a response's `submitForm()`
 * and `clickLink()`, which make requests; in Telltale they return promises. The transform awaits
 * every call that reaches one of them (directly, through `group`/`check` callbacks, or through any
 * function of the script, across its modules) and makes the enclosing functions `async`. Iteration
 * methods with a callback that now waits (forEach, map, flatMap, filter, some, every, find,
 * findIndex, reduce) are redirected to sequential helpers (runtime/k6-compat.ts).
 *
 * Which modules: only JavaScript files (.js, .mjs, .cjs) reachable from the entry by relative
 * imports or require(). TypeScript modules are native Telltale scripts and are never rewritten; a
 * call into one from a transformed module is awaited, since native functions may return promises.
 *
 * Auto mode (the default) transforms the graph when all of these hold:
 *   1. the entry is a JavaScript file;
 *   2. the entry imports (or requires) `k6` or a `k6/...` module;
 *   3. no JavaScript module of the graph contains `await` (or `for await`);
 *   4. no `async` function of the graph directly calls http.*, sleep() or group();
 *   5. no module calls .then/.catch/.finally on such a call, or passes such calls in an array
 *      literal to Promise.all/allSettled/race/any.
 * Otherwise the script is taken to be a native Telltale script and left alone. Mode 'k6' transforms
 * regardless, but still only JavaScript modules reached through JavaScript modules (a TypeScript
 * entry means nothing is transformed); mode 'native' never transforms.
 *
 * Limits: the analysis follows functions through variables, parameters, return values, object and
 * array literals (also via Object.values/entries), class instances, `this`, `super` and exports. A
 * method call on a receiver it cannot see (an object from a package, `obj[name]()` on such an
 * object) is matched by member name against the script's methods that wait, and awaited if one
 * matches (awaiting a value that is not a promise is harmless); `.submitForm()` and `.clickLink()` on
 * such a receiver, or on an opaque value, are awaited as if it were a response. A call through a
 * plain unknown function value (`arguments[0]()`, a function read out of a JSON document) is not
 * awaited. Packages (bare imports) are opaque. Functions that wait and escape to code that would
 * not await them (passed to an unknown function, setTimeout, .then, .sort, `new`, getters, setters,
 * constructors, generators, parameter defaults, class field initializers, stored under a computed
 * key of an unknown object) are reported as TT_SCRIPT_BUNDLE errors with their position instead.
 */
import path from 'node:path';
import { describeAt, keyName, type AstNode } from './ast.ts';
import { buildGraph, fsHost, isJavaScript, overlayHost, type ModuleGraph, type ModuleHost } from './graph.ts';
import { planGraph, type GraphPlan } from './analyze.ts';
import { rewriteModule, type TransformResult } from './rewrite.ts';
import { isOp, isWaitingOp, ValueSolver } from './values.ts';
import MagicString from 'magic-string';
import { TelltaleError } from '../../../errors.ts';

export type CompatibilityMode = 'auto' | 'k6' | 'native';
const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);
export { k6TransformPlugin } from './plugin.ts';
export { COMPAT_URL, type TransformResult } from './rewrite.ts';
export { fsHost, overlayHost, type ModuleHost } from './graph.ts';

export interface K6Analysis {
  graph: ModuleGraph;
  /** Whether auto mode takes the script for a k6 script, and why. */
  k6Style: boolean;
  reason: string;
  /** What to rewrite; present when the graph is to be transformed. */
  plan?: GraphPlan;
}

export interface K6TransformContext {
  /** The analysis of the graph the file belongs to; without it the file is analyzed as an entry. */
  analysis?: K6Analysis;
  /** Where the file's imports are read from when it is analyzed on its own (default: the file system). */
  host?: ModuleHost;
}

/** Parses the module graph from `entry`, decides whether it is a k6 script and plans the rewrite. */
export function analyzeK6Graph(entry: string, opts: { host?: ModuleHost; mode?: 'auto' | 'k6' } = {}): K6Analysis {
  return guardDepth(entry, () => {
    const graph = buildGraph(entry, opts.host ?? fsHost);
    const solver = new ValueSolver(graph.modules, graph.depOf);
    const style = detect(graph, solver);
    const analysis: K6Analysis = { graph, ...style };
    if (opts.mode === 'k6' || style.k6Style) {
      solver.solve();
      analysis.plan = planGraph(graph.modules, solver);
    }
    return analysis;
  });
}

/**
 * Rewrites one module of a k6 script so it awaits Telltale's runtime. `code` is analyzed with the
 * modules it imports unless `ctx.analysis` already covers it. TypeScript files come back unchanged.
 */
export function transformK6Module(code: string, file: string, ctx: K6TransformContext = {}): TransformResult {
  const abs = path.resolve(file);
  let analysis = ctx.analysis;
  let mod = analysis?.graph.byFile.get(abs);
  if (!analysis?.plan || !mod || mod.code !== code) {
    if (!isJavaScript(abs)) return unchanged(code, abs);
    analysis = analyzeK6Graph(abs, { host: overlayHost({ [abs]: code }, ctx.host), mode: 'k6' });
    mod = analysis.graph.byFile.get(abs)!;
  }
  return guardDepth(abs, () => rewriteModule(mod, analysis.plan!.plans.get(mod)!));
}

function detect(graph: ModuleGraph, solver: ValueSolver): { k6Style: boolean; reason: string } {
  const entry = graph.byFile.get(graph.entry);
  if (!isJavaScript(graph.entry)) return { k6Style: false, reason: 'the entry is not a JavaScript file (TypeScript scripts are native Telltale scripts)' };
  if (!entry) return { k6Style: false, reason: 'the entry could not be read' };
  if (!entry.importsK6) return { k6Style: false, reason: 'the entry does not import a k6 module' };
  for (const mod of graph.modules) {
    if (mod.firstAwait) return { k6Style: false, reason: `${describeAt(mod, mod.firstAwait)} uses await` };
  }
  solver.solve();
  for (const mod of graph.modules) {
    const waits = (call: AstNode | null | undefined) =>
      call?.type === 'CallExpression' && solver.callee(call, mod).vals.some((v) => isWaitingOp(v) || isOp(v, 'group'));
    for (const site of mod.calls) {
      const native = (what: string) => ({ k6Style: false, reason: `${describeAt(mod, site.node)}: ${what}` });
      if (site.ctx.kind === 'fn' && site.ctx.fn.async && waits(site.node)) return native('an async function calls a k6 function that waits');
      const p = mod.parent.get(site.node);
      if (p?.type === 'MemberExpression' && p.object === site.node && PROMISE_METHODS.has(keyName(p.property, p.computed) ?? '') && waits(site.node)) {
        return native('the promise of a k6 call is used with .then/.catch/.finally');
      }
      const c = site.node.callee;
      const list = site.node.arguments?.[0];
      if (c?.type === 'MemberExpression' && c.object.type === 'Identifier' && c.object.name === 'Promise' && !mod.refs.has(c.object) && list?.type === 'ArrayExpression' && list.elements.some(waits)) {
        return native('k6 calls are run together with Promise.' + (keyName(c.property, c.computed) ?? ''));
      }
    }
  }
  return { k6Style: true, reason: 'the entry imports k6 and no module awaits or otherwise uses the promises of k6 calls' };
}

function unchanged(code: string, file: string): TransformResult {
  const ms = new MagicString(code);
  const base = path.basename(file);
  return { code, map: ms.generateMap({ hires: true, source: base, file: base, includeContent: false }) };
}

// A pathologically nested script can exhaust the stack in the recursive walks; report it, not crash.
function guardDepth<T>(file: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      throw new TelltaleError('TT_SCRIPT_BUNDLE', 'the script is nested too deeply to be analyzed for k6 compatibility', { file, cause: err });
    }
    throw err;
  }
}
