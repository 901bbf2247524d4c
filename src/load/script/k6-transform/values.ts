/**
 * Which functions, objects and k6 operations an expression may evaluate to, across the script's
 * modules. Bindings, parameters, return values and written properties are slots whose value sets
 * grow until nothing changes (slots.ts); an expression's values are then read off the slots.
 *
 * An empty set means "unknown": a value that came from code the analysis cannot see. OPAQUE marks a
 * value that is known not to be one of the script's functions (literals, globals); RESPONSE and RESPONSES
 * are k6 responses, whose submitForm() and clickLink() wait.
 */
import { isClass, isFunction, keyName, type AstNode } from './ast.ts';
import { ANY_PROPERTY, EMPTY, Slots } from './slots.ts';
import type { Binding, PathStep } from './scope.ts';
import type { CallSite, FnInfo, ModuleInfo } from './module.ts';
import {
  ARRAY_CALLBACK_METHODS, HTTP_WAITING, ITERATION_METHODS, NATIVE, OPAQUE, RESPONSE, RESPONSES, RESPONSE_WAITING, isOp, isOpaque, isSpecial, objectReflection, unique,
  type Dep, type Special, type Val,
} from './domain.ts';

export * from './domain.ts';

// Results are never mutated, so these can be shared.
const OPAQUE_LIST: Val[] = [OPAQUE];
const NATIVE_LIST: Val[] = [NATIVE];
const RESPONSE_LIST: Val[] = [RESPONSE];
const MAX_DEPTH = 60;

export class ValueSolver extends Slots {
  /** Expression values, kept once the slots are final (during solving a value may still grow). */
  private readonly memo = new Map<AstNode, Val[]>();
  private readonly inProgress = new Set<AstNode>();
  /** Shared one-value lists for the special values, so the hot paths allocate nothing for them. */
  private readonly specials = new Map<string, Val[]>();
  private readonly bindingMemo = new Map<Binding, Val[]>();
  private readonly instances = new Map<AstNode, Special>();
  private readonly modOf = new Map<AstNode, ModuleInfo>();
  private readonly modules: ModuleInfo[];
  private readonly depOf: (mod: ModuleInfo, specifier: string) => Dep;

  constructor(modules: ModuleInfo[], depOf: (mod: ModuleInfo, specifier: string) => Dep) {
    super();
    this.modules = modules;
    this.depOf = depOf;
    for (const mod of modules) for (const fn of mod.fns.keys()) this.modOf.set(fn, mod);
  }

  moduleOf(node: AstNode): ModuleInfo | undefined {
    return this.modOf.get(node);
  }

  fnInfo(fn: AstNode): FnInfo | undefined {
    return this.modOf.get(fn)?.fns.get(fn);
  }

  /** Grows the slots until no constraint adds anything; afterwards values are final and memoized. */
  solve(): void {
    if (this.frozen) return;
    const constraints: (() => void)[] = [];
    for (const mod of this.modules) {
      for (const b of mod.bindings) {
        for (const src of b.sources) {
          if ('expr' in src) constraints.push(() => this.add(this.slot(this.bindingVals, b), this.pathValues(src.expr, src.path, mod)));
        }
      }
      for (const [fn, info] of mod.fns) for (const r of info.returns) constraints.push(() => this.add(this.slot(this.returnVals, fn), this.values(r, mod)));
      for (const site of mod.calls) if (site.node.type === 'CallExpression') constraints.push(() => this.flowArguments(site, mod));
      for (const w of mod.memberWrites) {
        constraints.push(() => {
          const vals = this.values(w.value, mod);
          if (vals.length === 0) return;
          for (const o of this.values(w.object, mod)) {
            if (isOpaque(o) || isSpecial(o, 'Native')) continue;
            this.add(this.propSlot(o, w.name ?? ''), vals);
            this.add(this.propSlot(o, ANY_PROPERTY), vals);
          }
        });
      }
    }
    this.settle(constraints);
  }

  values(e: AstNode, mod: ModuleInfo, depth = 0): Val[] {
    if (this.frozen) {
      const hit = this.memo.get(e);
      if (hit) return hit;
      this.memo.set(e, EMPTY);
      const out = unique(this.compute(e, mod, 1));
      this.memo.set(e, out);
      return out;
    }
    if (depth > MAX_DEPTH || this.inProgress.has(e)) return EMPTY;
    this.inProgress.add(e);
    const out = unique(this.compute(e, mod, depth + 1));
    this.inProgress.delete(e);
    return out;
  }

  pathValues(e: AstNode, path: PathStep[], mod: ModuleInfo): Val[] {
    let vals = this.values(e, mod);
    for (const step of path) vals = unique(vals.flatMap((v) => this.member(v, step)));
    return vals;
  }

  /** The values a call's callee may be; `.call`/`.apply` of a function count as calling it. */
  callee(site: AstNode, mod: ModuleInfo): { vals: Val[]; shift: number; spread: boolean } {
    const c = site.type === 'TaggedTemplateExpression' ? site.tag : site.callee;
    if (c.type === 'MemberExpression' && !c.computed && (c.property.name === 'call' || c.property.name === 'apply')) {
      const fns = this.values(c.object, mod).filter(isFunction);
      if (fns.length) return { vals: fns, shift: 1, spread: c.property.name === 'apply' };
    }
    return { vals: this.values(c, mod), shift: 0, spread: false };
  }

  member(v: Val, name: string | null, depth = 0): Val[] {
    if (depth > 8) return [];
    switch (v.type) {
      case 'K6Namespace':
        if (v.name === 'http' && name !== null && HTTP_WAITING.has(name)) return this.special('K6Op', `http.${name}`);
        if (v.name === 'k6' && (name === 'sleep' || name === 'group' || name === 'check')) return this.special('K6Op', name);
        return OPAQUE_LIST;
      case 'ModuleNamespace':
        return name === null ? [] : this.exportValues(v.mod!, name, depth + 1);
      case 'Native':
        return name !== null && ARRAY_CALLBACK_METHODS.has(name) ? OPAQUE_LIST : NATIVE_LIST;
      case 'Response':
        return name !== null && RESPONSE_WAITING.has(name) ? this.special('K6Op', `http.${name}`) : OPAQUE_LIST;
      case 'Responses':
        // http.batch() returns an array or an object of responses: any element is one; array methods are builtins.
        return name !== null && ARRAY_CALLBACK_METHODS.has(name) ? OPAQUE_LIST : RESPONSE_LIST;
      case 'Opaque':
      case 'K6Op':
      case 'CompatHelper':
        return OPAQUE_LIST;
      case 'Instance':
        return [...this.classMembers(v.cls!, name, false, depth), ...this.props(v, name)];
      case 'Values':
        return name === null || /^\d+$/.test(name) ? this.member(v.of!, null, depth + 1) : OPAQUE_LIST;
      case 'Entries':
        return name === null || /^\d+$/.test(name) ? [this.wrap('Entry', v.of!)] : OPAQUE_LIST;
      case 'Entry':
        return name === '1' || name === null ? [...this.member(v.of!, null, depth + 1), OPAQUE] : OPAQUE_LIST;
      case 'ClassDeclaration':
      case 'ClassExpression':
        return [...this.classMembers(v as AstNode, name, true, depth), ...this.props(v, name)];
      case 'ObjectExpression': {
        const mod = this.modOf.get(v as AstNode)!;
        const out: Val[] = [];
        for (const p of (v as AstNode).properties) {
          if (p.type === 'SpreadElement') {
            for (const s of this.values(p.argument, mod)) out.push(...this.member(s, name, depth + 1));
            continue;
          }
          const k = keyName(p.key, p.computed);
          if (p.kind === 'init' && (name === null || k === null || k === name)) out.push(...this.values(p.value, mod));
        }
        return [...out, ...this.props(v, name)];
      }
      case 'ArrayExpression': {
        if (name !== null && !/^\d+$/.test(name)) return OPAQUE_LIST;
        const mod = this.modOf.get(v as AstNode)!;
        const out: Val[] = [];
        for (const el of (v as AstNode).elements) {
          if (!el) continue;
          if (el.type === 'SpreadElement') for (const s of this.values(el.argument, mod)) out.push(...this.member(s, null, depth + 1));
          else out.push(...this.values(el, mod));
        }
        return [...out, ...this.props(v, name)];
      }
    }
    return isFunction(v as AstNode) ? this.props(v, name) : [];
  }

  /** Values of `name` exported by `mod` (ES exports, re-exports, `export *`, CommonJS exports). */
  exportValues(mod: ModuleInfo, name: string, depth = 0): Val[] {
    if (depth > 20) return [];
    const out: Val[] = [];
    const e = mod.exports.get(name);
    if (e?.kind === 'binding') out.push(...this.bindingValues(e.binding, mod));
    else if (e?.kind === 'expr') out.push(...this.values(e.expr, mod));
    else if (e?.kind === 'reexport') out.push(...this.importValues(mod, e.source, e.name, depth + 1));
    else if (name !== 'default') for (const s of mod.starExports) out.push(...this.importValues(mod, s, name, depth + 1));
    for (const x of mod.cjsExports.get(name) ?? []) out.push(...this.values(x, mod));
    for (const w of mod.cjsWhole) {
      if (name === 'default') out.push(...this.values(w, mod));
      else for (const v of this.values(w, mod)) out.push(...this.member(v, name, depth + 1));
    }
    return out;
  }

  private importValues(mod: ModuleInfo, source: string, name: string, depth: number): Val[] {
    const dep = this.depOf(mod, source);
    switch (dep.kind) {
      case 'k6': {
        const ns = this.special('K6Namespace', dep.module);
        return name === '*' || name === 'default' ? ns : this.member(ns[0], name);
      }
      case 'local':
        return name === '*' ? this.special('ModuleNamespace', dep.mod.file, dep.mod) : this.exportValues(dep.mod, name, depth);
      case 'native':
        return NATIVE_LIST;
      case 'compat':
        return this.special('CompatHelper', name);
    }
    return [];
  }

  private compute(e: AstNode, mod: ModuleInfo, depth: number): Val[] {
    switch (e.type) {
      case 'Identifier': {
        const b = mod.refs.get(e);
        if (!b) return e.name === 'undefined' ? EMPTY : OPAQUE_LIST;
        return this.bindingValues(b, mod);
      }
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
      case 'FunctionDeclaration':
      case 'ClassExpression':
      case 'ClassDeclaration':
      case 'ObjectExpression':
      case 'ArrayExpression':
        this.modOf.set(e, mod);
        return [e];
      case 'MemberExpression': {
        const name = keyName(e.property, e.computed);
        return this.values(e.object, mod, depth).flatMap((o) => this.member(o, name));
      }
      case 'ChainExpression':
        return this.values(e.expression, mod, depth);
      case 'ConditionalExpression':
        return [...this.values(e.consequent, mod, depth), ...this.values(e.alternate, mod, depth)];
      case 'LogicalExpression':
        return [...this.values(e.left, mod, depth), ...this.values(e.right, mod, depth)];
      case 'SequenceExpression':
        return this.values(e.expressions[e.expressions.length - 1], mod, depth);
      case 'AssignmentExpression':
        return this.values(e.right, mod, depth);
      case 'AwaitExpression':
        return this.values(e.argument, mod, depth);
      case 'CallExpression':
      case 'TaggedTemplateExpression':
        return this.callResult(e, mod);
      case 'NewExpression':
        return this.values(e.callee, mod, depth).flatMap((c) => (isClass(c as AstNode) ? [this.instance(c as AstNode)] : isFunction(c as AstNode) ? [] : [OPAQUE]));
      case 'ThisExpression':
      case 'Super':
        return this.receiver(e, mod);
      case 'Literal':
      case 'TemplateLiteral':
      case 'BinaryExpression':
      case 'UnaryExpression':
      case 'UpdateExpression':
        return OPAQUE_LIST;
    }
    return EMPTY;
  }

  private bindingValues(b: Binding, mod: ModuleInfo): Val[] {
    const hit = this.frozen ? this.bindingMemo.get(b) : undefined;
    if (hit) return hit;
    let out: Val[] = EMPTY;
    if (b.decl) {
      this.modOf.set(b.decl, mod);
      out = [b.decl];
    }
    if (b.importFrom) out = out.length ? [...out, ...this.importValues(mod, b.importFrom.source, b.importFrom.name, 0)] : this.importValues(mod, b.importFrom.source, b.importFrom.name, 0);
    const set = this.read(this.bindingVals, b);
    if (set.size) out = [...out, ...set];
    if (this.frozen) this.bindingMemo.set(b, out);
    return out;
  }

  private callResult(call: AstNode, mod: ModuleInfo): Val[] {
    if (call.type === 'CallExpression' && call.callee.type === 'Identifier' && call.callee.name === 'require' && !mod.refs.has(call.callee)) {
      const arg = call.arguments[0];
      return arg?.type === 'Literal' && typeof arg.value === 'string' ? this.importValues(mod, arg.value, '*', 0) : [];
    }
    const reflected = objectReflection(call, mod);
    if (reflected) {
      const args = call.arguments.length ? this.values(call.arguments[0], mod) : EMPTY;
      if (reflected === 'freeze') return args;
      if (reflected === 'values' || reflected === 'entries') return args.map((o) => this.wrap(reflected === 'values' ? 'Values' : 'Entries', o));
      return OPAQUE_LIST;
    }
    const out: Val[] = [];
    for (const v of this.callee(call, mod).vals) {
      if (isFunction(v)) out.push(...this.read(this.returnVals, v));
      else if (isOp(v, 'group') && call.arguments?.[1]) {
        for (const f of this.values(call.arguments[1], mod)) if (isFunction(f)) out.push(...this.read(this.returnVals, f));
      } else if (isSpecial(v, 'Native')) out.push(NATIVE);
      else if (isOp(v) && (v.name as string).startsWith('http.')) out.push(v.name === 'http.batch' ? RESPONSES : RESPONSE);
      else if (!isClass(v as AstNode)) out.push(OPAQUE);
    }
    return out;
  }

  /** What `this` (or `super`) is inside the method, class field or static block around `e`. */
  private receiver(e: AstNode, mod: ModuleInfo): Val[] {
    const owner = mod.thisOwner.get(e);
    if (!owner) return [];
    this.modOf.set(owner.node, mod);
    let targets: AstNode[] = [owner.node];
    if (e.type === 'Super') {
      if (!isClass(owner.node) || !owner.node.superClass) return [];
      targets = this.values(owner.node.superClass, mod).filter(isClass);
    }
    return targets.map((t) => (isClass(t) && !owner.isStatic ? this.instance(t) : t));
  }

  private classMembers(cls: AstNode, name: string | null, isStatic: boolean, depth: number): Val[] {
    const mod = this.modOf.get(cls);
    if (!mod || depth > 8) return [];
    const out: Val[] = [];
    for (const el of cls.body.body) {
      if ((el.type !== 'MethodDefinition' && el.type !== 'PropertyDefinition') || !!el.static !== isStatic || !el.value) continue;
      if (el.kind === 'constructor' || el.kind === 'get' || el.kind === 'set') continue;
      const k = keyName(el.key, el.computed);
      if (name === null || k === null || k === name) out.push(...this.values(el.value, mod));
    }
    if (cls.superClass) {
      for (const sc of this.values(cls.superClass, mod)) if (isClass(sc as AstNode)) out.push(...this.classMembers(sc as AstNode, name, isStatic, depth + 1));
    }
    return out;
  }

  private flowArguments(site: CallSite, mod: ModuleInfo): void {
    const call = site.node;
    if (call.type !== 'CallExpression') return;
    const { vals, shift, spread } = this.callee(call, mod);
    const args: AstNode[] = call.arguments;
    let resolved = false;
    for (const v of vals) {
      if (isFunction(v as AstNode)) {
        resolved = true;
        if (spread) continue;
        for (const p of this.fnInfo(v as AstNode)?.params ?? []) {
          const a = args[p.index + shift];
          if (a && a.type !== 'SpreadElement') this.add(this.slot(this.bindingVals, p.binding), this.pathValues(a, p.path, mod));
        }
      } else if (isOp(v, 'check') && args[1]) {
        resolved = true;
        const subject = args[0] && args[0].type !== 'SpreadElement' ? this.values(args[0], mod) : [];
        for (const set of this.values(args[1], mod)) for (const f of this.member(set, null)) this.flowInto(f, 0, subject);
      } else if (isSpecial(v, 'CompatHelper') && args[0] && args[1]) {
        resolved = true;
        this.flowIteration(v.name!, this.values(args[0], mod), this.values(args[1], mod));
      } else if (!isOpaque(v)) {
        resolved = true;
      }
    }
    const c = call.callee;
    if (!resolved && c.type === 'MemberExpression' && !c.computed && ITERATION_METHODS.has(c.property.name) && args[0]) {
      this.flowIteration(c.property.name, this.values(c.object, mod), this.values(args[0], mod));
    }
  }

  private flowIteration(method: string, receivers: Val[], callbacks: Val[]): void {
    const elements = unique(receivers.flatMap((r) => this.member(r, null)));
    for (const f of callbacks) this.flowInto(f, method === 'reduce' ? 1 : 0, elements);
  }

  private flowInto(fn: Val, index: number, vals: Val[]): void {
    if (!isFunction(fn as AstNode) || vals.length === 0) return;
    for (const p of this.fnInfo(fn as AstNode)?.params ?? []) {
      if (p.index !== index) continue;
      let v = vals;
      for (const step of p.path) v = unique(v.flatMap((x) => this.member(x, step)));
      this.add(this.slot(this.bindingVals, p.binding), v);
    }
  }

  private readonly wrappers = new Map<string, Map<Val, Special>>();

  /** Object.values()/entries() of an object, one value per object, so value sets stay small. */
  private wrap(type: 'Values' | 'Entries' | 'Entry', of: Val): Special {
    let byObject = this.wrappers.get(type);
    if (!byObject) this.wrappers.set(type, (byObject = new Map()));
    let w = byObject.get(of);
    if (!w) byObject.set(of, (w = { type, of }));
    return w;
  }

  private instance(cls: AstNode): Special {
    let i = this.instances.get(cls);
    if (!i) this.instances.set(cls, (i = { type: 'Instance', cls }));
    return i;
  }

  private special(type: Special['type'], name: string, mod?: ModuleInfo): Val[] {
    const key = type + name;
    let s = this.specials.get(key);
    if (!s) this.specials.set(key, (s = [{ type, name, mod }]));
    return s;
  }
}
