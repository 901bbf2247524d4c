/**
 * Decides what to rewrite: which calls get `await` and which functions become `async`, as a fixed
 * point over every module of the script. A call is awaited when it reaches a k6 operation that waits
 * (http.*, sleep), a TypeScript (native) function, `group`/`check` with a callback that waits, or a
 * function of the script that contains such a call. Then every way the result could still run
 * unawaited is looked for, and reported as an error instead of producing wrong code.
 */
import { isClass, isFunction, keyName, type AstNode } from './ast.ts';
import type { CallSite, ModuleInfo } from './module.ts';
import { ITERATION_METHODS, RESPONSE_WAITING, isOp, isOpaque, isSpecial, isWaitingOp, objectReflection, type ValueSolver, type Val } from './values.ts';
import { reportProblems, type Problem } from './problems.ts';

export interface SiteInfo {
  site: CallSite;
  mod: ModuleInfo;
  /** Reaches a k6 operation that waits, a native function or a compat helper. */
  direct: boolean;
  /** Functions whose waiting makes this call wait (callees, group/check callbacks, iteration callbacks). */
  deps: AstNode[];
  /** Unknown receiver: the call may reach any member of this name ('*' for a computed name). */
  byName?: string;
  /** An Array iteration method called with a callback (the rewrite target if the callback waits). */
  iteration?: { method: string; callbacks: AstNode[] };
  unresolved: boolean;
  callee: { vals: Val[]; spread: boolean };
}

export interface ModulePlan {
  asyncFns: AstNode[];
  awaits: AstNode[];
  /** Iteration calls to rewrite into the sequential helpers, with the helper name. */
  iterations: Map<AstNode, string>;
}

export interface GraphPlan {
  plans: Map<ModuleInfo, ModulePlan>;
  asyncFns: Set<AstNode>;
}

export function planGraph(modules: ModuleInfo[], solver: ValueSolver): GraphPlan {
  solver.solve();
  const sites: SiteInfo[] = [];
  for (const mod of modules) for (const site of mod.calls) sites.push(describeSite(site, mod, solver));

  const fnNames = new Map<AstNode, string[]>();
  for (const mod of modules) {
    for (const { name, value } of mod.named) {
      for (const v of solver.values(value, mod)) if (isFunction(v)) listIn(fnNames, v).push(name);
    }
  }

  const byDep = new Map<AstNode, SiteInfo[]>();
  const byName = new Map<string, SiteInfo[]>();
  const anyName: SiteInfo[] = [];
  for (const s of sites) {
    for (const d of s.deps) listIn(byDep, d).push(s);
    if (s.byName === '*') anyName.push(s);
    else if (s.byName !== undefined) listIn(byName, s.byName).push(s);
  }

  const asyncFns = new Set<AstNode>();
  const asyncNames = new Set<string>();
  const reasons = new Map<AstNode, SiteInfo>();
  const waiting = new Set<SiteInfo>();
  const needsAwait = (s: SiteInfo) =>
    s.direct ||
    s.deps.some((d) => asyncFns.has(d)) ||
    (s.byName !== undefined && (s.byName === '*' ? asyncNames.size > 0 : asyncNames.has(s.byName)));
  const queue = [...sites];
  while (queue.length) {
    const s = queue.pop()!;
    if (waiting.has(s) || !needsAwait(s)) continue;
    waiting.add(s);
    if (s.site.ctx.kind !== 'fn' || asyncFns.has(s.site.ctx.fn)) continue;
    const fn = s.site.ctx.fn;
    asyncFns.add(fn);
    reasons.set(fn, s);
    queue.push(...(byDep.get(fn) ?? []));
    for (const n of fnNames.get(fn) ?? []) {
      if (asyncNames.has(n)) continue;
      asyncNames.add(n);
      queue.push(...(byName.get(n) ?? []), ...anyName);
    }
  }

  const problems: Problem[] = [];
  if (asyncFns.size || waiting.size) {
    for (const fn of asyncFns) checkFunction(fn, solver, problems);
    for (const s of sites) checkSite(s, waiting.has(s), asyncFns, solver, problems);
    checkEscapes(modules, sites, solver, asyncFns, problems);
    reportProblems(problems, modules, { solver, asyncFns, reasons });
  }

  const plans = new Map<ModuleInfo, ModulePlan>();
  for (const mod of modules) plans.set(mod, { asyncFns: [], awaits: [], iterations: new Map() });
  for (const fn of asyncFns) if (!fn.async) plans.get(solver.moduleOf(fn)!)?.asyncFns.push(fn);
  for (const s of [...waiting].sort((a, b) => a.site.node.start - b.site.node.start)) {
    const plan = plans.get(s.mod)!;
    if (s.iteration && s.iteration.callbacks.some((c) => asyncFns.has(c))) plan.iterations.set(s.site.node, s.iteration.method);
    if (!isAwaited(s.site.node, s.mod)) plan.awaits.push(s.site.node);
  }
  return { plans, asyncFns };
}

function describeSite(site: CallSite, mod: ModuleInfo, solver: ValueSolver): SiteInfo {
  const call = site.node;
  const callee = solver.callee(call, mod);
  const vals = callee.vals;
  const args: AstNode[] = call.arguments ?? [];
  const info: SiteInfo = { site, mod, direct: false, deps: [], unresolved: true, callee };
  const fnsOf = (e: AstNode | undefined): AstNode[] => (e ? (solver.values(e, mod).filter((v) => isFunction(v as AstNode)) as AstNode[]) : []);
  for (const v of vals) {
    if (isFunction(v as AstNode)) info.deps.push(v as AstNode);
    else if (isWaitingOp(v) || isSpecial(v, 'Native') || isSpecial(v, 'CompatHelper')) info.direct = true;
    else if (isOp(v, 'group')) info.deps.push(...fnsOf(args[1]));
    else if (isOp(v, 'check') && args[1]) {
      for (const set of solver.values(args[1], mod)) info.deps.push(...(solver.member(set, null).filter((f) => isFunction(f as AstNode)) as AstNode[]));
    }
    if (!isOpaque(v)) info.unresolved = false;
  }
  const c = call.type === 'TaggedTemplateExpression' ? call.tag : call.callee;
  if (!info.direct && c.type === 'MemberExpression' && mayBeResponseRequest(c, mod, solver)) info.direct = true;
  if (info.unresolved && c.type === 'MemberExpression') {
    const name = keyName(c.property, c.computed);
    if (name !== null && ITERATION_METHODS.has(name) && args[0] && !c.computed) {
      const callbacks = fnsOf(args[0]);
      info.iteration = { method: name, callbacks };
      info.deps.push(...callbacks);
    }
    if (vals.length === 0 && solver.values(c.object, mod).length === 0) info.byName = name ?? '*';
  }
  return info;
}

/**
 * `x.submitForm()` and `x.clickLink()` make requests when x is a response. When the analysis cannot tell what
 * x is (it came from code it cannot see, or from an opaque call such as `responses.find(...)`), the call is
 * awaited all the same: awaiting a value that is not a promise changes nothing, while not awaiting a response
 * would hand the script a promise. Only a receiver known to be the script's own objects is left to the
 * method it names. A computed name on a response is taken to be one of the two.
 */
function mayBeResponseRequest(callee: AstNode, mod: ModuleInfo, solver: ValueSolver): boolean {
  const name = keyName(callee.property, callee.computed);
  const receivers = solver.values(callee.object, mod);
  if (name === null) return receivers.some((v) => isSpecial(v, 'Response'));
  if (!RESPONSE_WAITING.has(name)) return false;
  return receivers.length === 0 || receivers.some((v) => isOpaque(v) || isSpecial(v, 'Native'));
}

export function isAwaited(call: AstNode, mod: ModuleInfo): boolean {
  return mod.parent.get(wrapTarget(call, mod))?.type === 'AwaitExpression';
}

/** The node an `await` goes in front of: the whole optional chain when the call ends it. */
export function wrapTarget(call: AstNode, mod: ModuleInfo): AstNode {
  const p = mod.parent.get(call);
  return p?.type === 'ChainExpression' ? p : call;
}

function checkFunction(fn: AstNode, solver: ValueSolver, problems: Problem[]): void {
  const info = solver.fnInfo(fn)!;
  const mod = solver.moduleOf(fn)!;
  const at = info.method?.key ?? fn;
  const fix = 'move the k6 calls into a plain function or method and call that instead';
  if (info.role === 'getter' || info.role === 'setter') {
    problems.push({ mod, node: at, fn, message: `the ${info.role} {fn} waits for k6 calls, but a ${info.role} cannot be made async`, advice: fix });
  } else if (info.role === 'constructor') {
    problems.push({ mod, node: at, fn, message: '{fn} waits for k6 calls, but a class constructor cannot be made async', advice: `${fix} (e.g. an async init() method)` });
  } else if (fn.generator) {
    problems.push({ mod, node: at, fn, message: 'the generator {fn} waits for k6 calls; generators cannot be made to wait', advice: 'collect the values first, or make the k6 calls outside the generator' });
  }
}

function checkSite(s: SiteInfo, waits: boolean, asyncFns: Set<AstNode>, solver: ValueSolver, problems: Problem[]): void {
  const { site, mod } = s;
  const node = site.node;
  if (waits && !isAwaited(node, mod)) {
    const calleeText = describeCallee(node, mod);
    if (site.ctx.kind === 'param') {
      problems.push({ mod, node, message: `${calleeText} waits, but it is in a parameter default value, which cannot wait`, advice: 'compute the value at the top of the function body instead' });
    } else if (site.ctx.kind === 'class-init') {
      problems.push({ mod, node, message: `${calleeText} waits, but it is in a class field initializer or static block, which cannot wait`, advice: 'make the call in a method instead' });
    } else if (site.ctx.kind === 'top' && mod.format === 'cjs') {
      problems.push({ mod, node, message: `${calleeText} waits, but it is at the top level of a CommonJS module, which cannot wait`, advice: 'move it into a function' });
    }
    const target = wrapTarget(node, mod);
    if (target === node && insideChain(node, mod)) {
      problems.push({ mod, node, message: `${calleeText} waits, but it is in the middle of an optional chain (?.)`, advice: 'split the expression: store the result of the call in a variable first' });
    }
  }
  const callee = node.type === 'TaggedTemplateExpression' ? node.tag : node.callee;
  if (s.iteration && s.iteration.callbacks.some((c) => asyncFns.has(c)) && (callee.optional || node.optional)) {
    problems.push({ mod, node, message: `.${s.iteration.method}() is called with ?. and a callback that waits for k6 calls`, advice: 'check for null first, or use a for...of loop' });
  }
  if (callee.type === 'MemberExpression') {
    const name = keyName(callee.property, callee.computed);
    if (name !== 'call' && name !== 'apply') {
      const fn = solver.values(callee.object, mod).find((v) => asyncFns.has(v as AstNode)) as AstNode | undefined;
      if (fn) problems.push({ mod, node, fn, message: `{fn} waits for k6 calls, but it is used through .${name ?? '[…]'}(), which the transform cannot follow`, advice: 'call the function directly' });
    }
  }
}

/** Places where a function that waits would be called by code that does not await it. */
function checkEscapes(modules: ModuleInfo[], sites: SiteInfo[], solver: ValueSolver, asyncFns: Set<AstNode>, problems: Problem[]): void {
  const callbackAdvice = 'call it directly, use a for...of loop, or write the script with async/await (a native Telltale script)';
  for (const s of sites) {
    if (s.site.node.type !== 'CallExpression') continue;
    const mod = s.mod;
    const report = reporter(mod, solver, asyncFns, problems);
    const call = s.site.node;
    const args: AstNode[] = call.arguments;
    const { vals, spread } = s.callee;
    const text = () => describeCallee(call, mod);
    if (s.unresolved && !isHarmless(call.callee) && !objectReflection(call, mod)) {
      args.forEach((a, i) => {
        if (i === 0 && s.iteration) return;
        report(a.type === 'SpreadElement' ? a.argument : a, () => `it is passed to ${text()}, which would not wait for it`, callbackAdvice);
      });
      continue;
    }
    const fns = vals.filter((v) => isFunction(v as AstNode)) as AstNode[];
    const untracked = spread || fns.some((f) => solver.fnInfo(f)?.usesArguments);
    for (const a of args) {
      if (a.type === 'SpreadElement' || untracked) report(a.type === 'SpreadElement' ? a.argument : a, () => `it is passed to ${text()} in a way the transform cannot follow (spread, apply or arguments)`, 'pass it as a plain argument');
    }
  }
  for (const mod of modules) checkStores(mod, solver, asyncFns, problems);
}

function reporter(mod: ModuleInfo, solver: ValueSolver, asyncFns: Set<AstNode>, problems: Problem[]) {
  return (e: AstNode, what: () => string, advice: string): void => {
    if (e.type === 'Literal' || e.type === 'TemplateLiteral' || e.type === 'BinaryExpression') return;
    const fn = findAsync(solver.values(e, mod), solver, asyncFns, 0, new Set());
    if (fn) problems.push({ mod, node: e, fn, message: `{fn} waits for k6 calls, but ${what()}`, advice });
  };
}

/** `new`, yield and property stores the analysis cannot follow. */
function checkStores(mod: ModuleInfo, solver: ValueSolver, asyncFns: Set<AstNode>, problems: Problem[]): void {
  const report = reporter(mod, solver, asyncFns, problems);
  for (const site of mod.news) {
    const n = site.node;
    const fn = solver.values(n.callee, mod).find((v) => asyncFns.has(v as AstNode)) as AstNode | undefined;
    if (fn) problems.push({ mod, node: n, fn, message: '{fn} waits for k6 calls, but it is called with new', advice: 'call it without new' });
    for (const a of n.arguments) report(a.type === 'SpreadElement' ? a.argument : a, () => `it is passed to new ${describeCallee(n, mod).replace(/\(\)$/, '')}`, 'store it after construction, or call it directly');
  }
  for (const y of mod.yields) report(y, () => 'it is yielded from a generator', 'call it directly');
  for (const w of mod.memberWrites) {
    const targets = solver.values(w.object, mod);
    const tracked = targets.some((t) => !isOpaque(t) && !isSpecial(t, 'Native'));
    if (tracked || w.cjs || (targets.length === 0 && w.name !== null)) continue;
    report(w.value, () => 'it is stored in a property the transform cannot follow', 'store it in a variable or an object literal and call it from there');
  }
}

function findAsync(vals: Val[], solver: ValueSolver, asyncFns: Set<AstNode>, depth: number, seen: Set<Val>): AstNode | undefined {
  for (const v of vals) {
    if (seen.has(v)) continue;
    seen.add(v);
    if (isFunction(v as AstNode)) {
      if (asyncFns.has(v as AstNode)) return v as AstNode;
    } else if (depth < 3 && (v.type === 'ObjectExpression' || v.type === 'ArrayExpression' || isSpecial(v, 'Instance') || isClass(v) || isSpecial(v, 'Values') || isSpecial(v, 'Entries') || isSpecial(v, 'Entry'))) {
      const found = findAsync(solver.member(v, null), solver, asyncFns, depth + 1, seen);
      if (found) return found;
    }
  }
  return undefined;
}

/** A call whose own callee chain short-circuits (`a?.b()`) and that is followed by more of the chain (`.c`). */
function insideChain(node: AstNode, mod: ModuleInfo): boolean {
  let optional = false;
  for (let n = node; ; ) {
    if (n.optional) optional = true;
    if (n.type === 'CallExpression') n = n.callee;
    else if (n.type === 'MemberExpression') n = n.object;
    else break;
  }
  if (!optional) return false;
  let n = node;
  for (let p = mod.parent.get(n); p; n = p, p = mod.parent.get(p)) {
    if (p.type === 'ChainExpression') return true;
    if (!((p.type === 'MemberExpression' && p.object === n) || (p.type === 'CallExpression' && p.callee === n))) return false;
  }
  return false;
}

// console.* and JSON.stringify only look at a function; they never call it.
function isHarmless(callee: AstNode): boolean {
  if (callee.type !== 'MemberExpression' || callee.object.type !== 'Identifier') return false;
  return callee.object.name === 'console' || (callee.object.name === 'JSON' && keyName(callee.property, callee.computed) === 'stringify');
}

export function describeCallee(call: AstNode, mod: ModuleInfo): string {
  const c = call.type === 'TaggedTemplateExpression' ? call.tag : call.callee;
  const text = mod.code.slice(c.start, c.end).replace(/\s+/g, ' ');
  return `${text.length > 40 ? `${text.slice(0, 37)}...` : text}()`;
}

function listIn<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}
