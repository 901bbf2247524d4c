/**
 * Declarations and scopes of one module. Every binding records where its value can come from (an
 * initializer, an assignment, a destructured part of either, a parameter's arguments), so the value
 * analysis can tell which functions a name may hold.
 */
import { forEachChild, keyName, type AstNode } from './ast.ts';

/** One step into a value: a property name, or null for "some element of an array". */
export type PathStep = string | null;

export type Source =
  | { expr: AstNode; path: PathStep[] }
  /** The argument at `index` of any call that reaches `fn`. */
  | { fn: AstNode; index: number; path: PathStep[] };

export interface Binding {
  name: string;
  kind: 'var' | 'let' | 'const' | 'function' | 'class' | 'param' | 'import' | 'catch' | 'self';
  id: AstNode;
  /** The function or class a `function`/`class`/`self` binding names. */
  decl?: AstNode;
  sources: Source[];
  /** Also written in ways the analysis does not follow (`x += 1`, `for (x in o)`, rest elements...). */
  opaque: boolean;
  importFrom?: { source: string; name: string };
}

export class Scope {
  readonly vars = new Map<string, Binding>();
  readonly parent: Scope | null;
  /** Function, program and static-block scopes receive `var` declarations. */
  readonly isFunction: boolean;

  constructor(parent: Scope | null, isFunction: boolean) {
    this.parent = parent;
    this.isFunction = isFunction;
  }

  lookup(name: string): Binding | undefined {
    const own = this.vars.get(name);
    if (own) return own;
    for (let s = this.parent; s; s = s.parent) {
      const b = s.vars.get(name);
      if (b) return b;
    }
    return undefined;
  }
}

export interface Scopes {
  root: Scope;
  /** The scope a node opens (functions, blocks, loops, switch, catch, static blocks, named class expressions). */
  of: Map<AstNode, Scope>;
  bindings: Binding[];
}

/** First pass: creates every scope and declares every binding, so later lookups see hoisted names. */
export function declareScopes(program: AstNode): Scopes {
  const root = new Scope(null, true);
  const of = new Map<AstNode, Scope>([[program, root]]);
  const bindings: Binding[] = [];

  const declare = (scope: Scope, id: AstNode, kind: Binding['kind'], extra: Partial<Binding> = {}): Binding => {
    const existing = scope.vars.get(id.name);
    // `var x` twice, or a var next to a function of the same name, is one binding.
    if (existing) {
      if (extra.decl && !existing.decl) existing.decl = extra.decl;
      return existing;
    }
    const b: Binding = { name: id.name, kind, id, sources: [], opaque: false, ...extra };
    scope.vars.set(id.name, b);
    bindings.push(b);
    return b;
  };

  const declarePattern = (p: AstNode | null, scope: Scope, kind: Binding['kind'], srcs: Source[], opaque: boolean): void => {
    if (!p) return;
    switch (p.type) {
      case 'Identifier': {
        const b = declare(scope, p, kind);
        b.sources.push(...srcs);
        if (opaque) b.opaque = true;
        return;
      }
      case 'ObjectPattern':
        for (const prop of p.properties) {
          if (prop.type === 'RestElement') {
            declarePattern(prop.argument, scope, kind, [], true);
            continue;
          }
          const key = keyName(prop.key, prop.computed);
          if (key === null) declarePattern(prop.value, scope, kind, [], true);
          else declarePattern(prop.value, scope, kind, extend(srcs, key), opaque);
        }
        return;
      case 'ArrayPattern':
        for (const el of p.elements) {
          if (el?.type === 'RestElement') declarePattern(el.argument, scope, kind, [], true);
          else declarePattern(el, scope, kind, extend(srcs, null), opaque);
        }
        return;
      case 'AssignmentPattern':
        declarePattern(p.left, scope, kind, [...srcs, { expr: p.right, path: [] }], opaque);
        return;
      case 'RestElement':
        declarePattern(p.argument, scope, kind, [], true);
        return;
    }
  };

  const functionScope = (scope: Scope): Scope => {
    let s = scope;
    while (!s.isFunction && s.parent) s = s.parent;
    return s;
  };

  const enterFunction = (fn: AstNode, outer: Scope): void => {
    const s = new Scope(outer, true);
    of.set(fn, s);
    if (fn.type === 'FunctionExpression' && fn.id) declare(s, fn.id, 'self', { decl: fn });
    fn.params.forEach((p: AstNode, index: number) => {
      declarePattern(p, s, 'param', [{ fn, index, path: [] }], p.type === 'RestElement');
      visit(p, s);
    });
    if (fn.body.type === 'BlockStatement') {
      of.set(fn.body, s);
      for (const stmt of fn.body.body) visit(stmt, s);
    } else {
      visit(fn.body, s);
    }
  };

  const declareVariables = (decl: AstNode, scope: Scope, loopSource?: Source | 'opaque'): void => {
    const target = decl.kind === 'var' ? functionScope(scope) : scope;
    const kind = decl.kind === 'var' ? 'var' : decl.kind === 'const' ? 'const' : 'let';
    for (const d of decl.declarations) {
      if (loopSource === 'opaque') declarePattern(d.id, target, kind, [], true);
      else if (loopSource) declarePattern(d.id, target, kind, [loopSource], false);
      else declarePattern(d.id, target, kind, d.init ? [{ expr: d.init, path: [] }] : [], false);
    }
  };

  function visit(node: AstNode, scope: Scope): void {
    switch (node.type) {
      case 'ImportDeclaration':
        for (const spec of node.specifiers) {
          const name =
            spec.type === 'ImportDefaultSpecifier' ? 'default' : spec.type === 'ImportNamespaceSpecifier' ? '*' : (keyName(spec.imported, false) ?? 'default');
          declare(root, spec.local, 'import', { importFrom: { source: String(node.source.value), name } });
        }
        return;
      case 'FunctionDeclaration':
        if (node.id) declare(scope, node.id, 'function', { decl: node });
        enterFunction(node, scope);
        return;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        enterFunction(node, scope);
        return;
      case 'ClassDeclaration':
        if (node.id) declare(scope, node.id, 'class', { decl: node });
        break;
      case 'ClassExpression':
        if (node.id) {
          const s = new Scope(scope, false);
          of.set(node, s);
          declare(s, node.id, 'class', { decl: node });
          forEachChild(node, visit, s, undefined, undefined);
          return;
        }
        break;
      case 'VariableDeclaration':
        declareVariables(node, scope);
        break;
      case 'BlockStatement':
      case 'SwitchStatement':
      case 'StaticBlock': {
        const s = new Scope(scope, node.type === 'StaticBlock');
        of.set(node, s);
        forEachChild(node, visit, s, undefined, undefined);
        return;
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        const s = new Scope(scope, false);
        of.set(node, s);
        if (node.type !== 'ForStatement' && node.left.type === 'VariableDeclaration') {
          declareVariables(node.left, s, node.type === 'ForOfStatement' ? { expr: node.right, path: [null] } : 'opaque');
          forEachChild(node.left, visit, s, undefined, undefined);
          visit(node.right, s);
          visit(node.body, s);
          return;
        }
        forEachChild(node, visit, s, undefined, undefined);
        return;
      }
      case 'CatchClause': {
        const s = new Scope(scope, false);
        of.set(node, s);
        declarePattern(node.param, s, 'catch', [], true);
        forEachChild(node, visit, s, undefined, undefined);
        return;
      }
    }
    forEachChild(node, visit, scope, undefined, undefined);
  }

  forEachChild(program, visit, root, undefined, undefined);
  return { root, of, bindings };
}

function extend(srcs: Source[], step: PathStep): Source[] {
  return srcs.map((s) => ({ ...s, path: [...s.path, step] }));
}

