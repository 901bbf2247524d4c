/**
 * Everything the transform needs to know about one module, from a single walk after the scopes are
 * built: which binding each name refers to, every function and call with the context it sits in,
 * imports and exports (ES and CommonJS), member writes and named members.
 */
import { forEachChild, keyName, parseSource, type AstNode } from './ast.ts';
import { declareScopes, type Binding, type Scope, type Source } from './scope.ts';
import type { Ctx, FnInfo, ModuleInfo } from './types.ts';

export type { CallSite, Ctx, ExportEntry, FnInfo, ModuleInfo } from './types.ts';

const isK6Specifier = (s: string) => s === 'k6' || s.startsWith('k6/');

// Parents are kept only where the analysis looks upwards: around calls (await placement, optional
// chains), at functions (how they are named, which object a method belongs to).
const NEEDS_PARENT = new Set([
  'CallExpression', 'NewExpression', 'TaggedTemplateExpression', 'ChainExpression', 'MemberExpression',
  'FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression', 'Property',
]);
const TOP: Ctx = { kind: 'top' };
const CLASS_INIT: Ctx = { kind: 'class-init' };
const OPENS_SCOPE = new Set(['BlockStatement', 'SwitchStatement', 'StaticBlock', 'ForStatement', 'ForInStatement', 'ForOfStatement', 'CatchClause', 'ClassExpression']);

export function analyzeModule(code: string, file: string, sourceType: 'module' | 'script'): ModuleInfo {
  const program = parseSource(code, file, sourceType);
  const scopes = declareScopes(program);
  let esmSyntax = false;
  let cjsSyntax = false;
  const m: ModuleInfo = {
    file, code, program, format: 'esm', refs: new Map(), bindings: scopes.bindings, parent: new Map(), fns: new Map(),
    calls: [], news: [], memberWrites: [], named: [], exports: new Map(), starExports: [], cjsExports: new Map(),
    cjsWhole: [], specifiers: new Set(), importsK6: false, yields: [], thisOwner: new Map(),
  };
  // The innermost non-arrow function (for `arguments`), what `this` is there, and the enclosing class.
  let thisFn: AstNode | null = null;
  let thisOwner: FnInfo['owner'] = undefined;
  let currentClass: AstNode | null = null;

  const addSpecifier = (s: string) => {
    m.specifiers.add(s);
    if (isK6Specifier(s)) m.importsK6 = true;
  };
  const resolve = (id: AstNode, scope: Scope): Binding | undefined => {
    const b = scope.lookup(id.name);
    if (b) m.refs.set(id, b);
    return b;
  };
  const isGlobal = (id: AstNode, scope: Scope, name: string) => id.type === 'Identifier' && id.name === name && !scope.lookup(name);

  const write = (target: AstNode, scope: Scope, srcs: Source[], opaque: boolean, ctx: Ctx): void => {
    switch (target.type) {
      case 'Identifier': {
        const b = resolve(target, scope);
        if (b) {
          b.sources.push(...srcs);
          if (opaque) b.opaque = true;
        }
        return;
      }
      case 'ObjectPattern':
        for (const prop of target.properties) {
          if (prop.type === 'RestElement') {
            write(prop.argument, scope, [], true, ctx);
            continue;
          }
          if (prop.computed) visit(prop.key, prop, scope, ctx);
          const key = keyName(prop.key, prop.computed);
          write(prop.value, scope, key === null ? [] : srcs.map((s) => ({ ...s, path: [...s.path, key] })), opaque || key === null, ctx);
        }
        return;
      case 'ArrayPattern':
        for (const el of target.elements) {
          if (!el) continue;
          if (el.type === 'RestElement') write(el.argument, scope, [], true, ctx);
          else write(el, scope, srcs.map((s) => ({ ...s, path: [...s.path, null] })), opaque, ctx);
        }
        return;
      case 'AssignmentPattern':
        visit(target.right, target, scope, ctx);
        write(target.left, scope, [...srcs, { expr: target.right, path: [] }], opaque, ctx);
        return;
      case 'RestElement':
        write(target.argument, scope, [], true, ctx);
        return;
      default:
        visit(target, null, scope, ctx);
    }
  };

  // Declared names were bound in the first pass; only defaults and computed keys need visiting.
  const visitDeclared = (p: AstNode | null, parent: AstNode, scope: Scope, ctx: Ctx): void => {
    if (!p || p.type === 'Identifier') return;
    if (p.type === 'ObjectPattern') {
      for (const prop of p.properties) {
        if (prop.type === 'RestElement') visitDeclared(prop.argument, prop, scope, ctx);
        else {
          if (prop.computed) visit(prop.key, prop, scope, ctx);
          visitDeclared(prop.value, prop, scope, ctx);
        }
      }
    } else if (p.type === 'ArrayPattern') {
      for (const el of p.elements) visitDeclared(el, p, scope, ctx);
    } else if (p.type === 'AssignmentPattern') {
      visitDeclared(p.left, p, scope, ctx);
      visit(p.right, p, scope, ctx);
    } else if (p.type === 'RestElement') {
      visitDeclared(p.argument, p, scope, ctx);
    }
  };

  const visitFunction = (fn: AstNode, parent: AstNode | null, scope: Scope): void => {
    const s = scopes.of.get(fn) ?? scope;
    const info: FnInfo = { node: fn, role: 'plain', params: [], returns: [], usesArguments: false };
    if (parent?.type === 'MethodDefinition') {
      info.role = parent.kind === 'constructor' ? 'constructor' : parent.kind === 'get' ? 'getter' : parent.kind === 'set' ? 'setter' : 'method';
      info.method = parent;
    } else if (parent?.type === 'Property' && (parent.method || parent.kind !== 'init')) {
      info.role = parent.kind === 'get' ? 'getter' : parent.kind === 'set' ? 'setter' : 'method';
      info.method = parent;
    }
    m.fns.set(fn, info);
    const saved = [thisFn, thisOwner] as const;
    if (fn.type !== 'ArrowFunctionExpression') {
      info.owner = ownerOf(parent);
      thisFn = fn;
      thisOwner = info.owner;
    }
    if (fn.params.length) {
      const paramCtx: Ctx = { kind: 'param', fn };
      for (const p of fn.params) visitDeclared(p, fn, s, paramCtx);
    }
    const bodyCtx: Ctx = { kind: 'fn', fn };
    if (fn.body.type === 'BlockStatement') {
      for (const stmt of fn.body.body) visit(stmt, fn.body, s, bodyCtx);
    } else {
      info.returns.push(fn.body);
      visit(fn.body, fn, s, bodyCtx);
    }
    [thisFn, thisOwner] = saved;
  };

  const ownerOf = (parent: AstNode | null): FnInfo['owner'] => {
    if (parent?.type === 'MethodDefinition' && currentClass) return { node: currentClass, isStatic: parent.static };
    if (parent?.type === 'Property' && m.parent.get(parent)?.type === 'ObjectExpression') return { node: m.parent.get(parent)!, isStatic: false };
    return undefined;
  };

  const recordExportedDeclaration = (decl: AstNode, scope: Scope): void => {
    const ids: AstNode[] = [];
    if (decl.type === 'VariableDeclaration') for (const d of decl.declarations) collectIds(d.id, ids);
    else if (decl.id) ids.push(decl.id);
    for (const id of ids) {
      const b = scope.lookup(id.name);
      if (b) m.exports.set(id.name, { kind: 'binding', binding: b });
    }
  };

  function visit(node: AstNode, parent: AstNode | null, scope: Scope, ctx: Ctx): void {
    if (parent && NEEDS_PARENT.has(node.type)) m.parent.set(node, parent);
    const s = OPENS_SCOPE.has(node.type) ? (scopes.of.get(node) ?? scope) : scope;
    switch (node.type) {
      case 'Identifier': {
        const b = resolve(node, s);
        if (!b && node.name === 'arguments' && thisFn) m.fns.get(thisFn)!.usesArguments = true;
        return;
      }
      case 'ThisExpression':
      case 'Super':
        if (thisOwner) m.thisOwner.set(node, thisOwner);
        return;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        visitFunction(node, parent, scope);
        return;
      case 'ReturnStatement':
        if (node.argument && ctx.kind === 'fn') m.fns.get(ctx.fn)!.returns.push(node.argument);
        break;
      case 'MemberExpression':
        visit(node.object, node, s, ctx);
        if (node.computed) visit(node.property, node, s, ctx);
        return;
      case 'Property':
      case 'MethodDefinition':
      case 'PropertyDefinition': {
        if (node.computed) visit(node.key, node, s, ctx);
        const name = keyName(node.key, node.computed);
        if (!node.value) return;
        if (name !== null && node.kind !== 'get' && node.kind !== 'set' && node.kind !== 'constructor') m.named.push({ name, value: node.value });
        if (node.type !== 'PropertyDefinition' || !currentClass) {
          visit(node.value, node, s, ctx);
          return;
        }
        const saved = [thisFn, thisOwner] as const;
        [thisFn, thisOwner] = [null, { node: currentClass, isStatic: node.static }];
        visit(node.value, node, s, CLASS_INIT);
        [thisFn, thisOwner] = saved;
        return;
      }
      case 'StaticBlock': {
        const saved = [thisFn, thisOwner] as const;
        [thisFn, thisOwner] = [null, currentClass ? { node: currentClass, isStatic: true } : undefined];
        forEachChild(node, visit, node, s, CLASS_INIT);
        [thisFn, thisOwner] = saved;
        return;
      }
      case 'LabeledStatement':
        visit(node.body, node, s, ctx);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
        return;
      case 'ClassDeclaration':
      case 'ClassExpression': {
        if (node.superClass) visit(node.superClass, node, s, ctx);
        const saved = currentClass;
        currentClass = node;
        visit(node.body, node, s, ctx);
        currentClass = saved;
        return;
      }
      case 'ImportDeclaration':
        esmSyntax = true;
        addSpecifier(String(node.source.value));
        return;
      case 'ExportNamedDeclaration':
        esmSyntax = true;
        if (node.source) {
          addSpecifier(String(node.source.value));
          for (const spec of node.specifiers) {
            m.exports.set(keyName(spec.exported, false)!, { kind: 'reexport', source: String(node.source.value), name: keyName(spec.local, false)! });
          }
          return;
        }
        if (node.declaration) {
          visit(node.declaration, node, s, ctx);
          recordExportedDeclaration(node.declaration, s);
          return;
        }
        for (const spec of node.specifiers) {
          const b = spec.local.type === 'Identifier' ? resolve(spec.local, s) : undefined;
          if (b) m.exports.set(keyName(spec.exported, false)!, { kind: 'binding', binding: b });
        }
        return;
      case 'ExportDefaultDeclaration': {
        esmSyntax = true;
        const d = node.declaration;
        visit(d, node, s, ctx);
        const b = (d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') && d.id ? s.lookup(d.id.name) : undefined;
        m.exports.set('default', b ? { kind: 'binding', binding: b } : { kind: 'expr', expr: d });
        return;
      }
      case 'ExportAllDeclaration':
        esmSyntax = true;
        addSpecifier(String(node.source.value));
        if (node.exported) m.exports.set(keyName(node.exported, false)!, { kind: 'reexport', source: String(node.source.value), name: '*' });
        else m.starExports.push(String(node.source.value));
        return;
      case 'CallExpression':
        m.calls.push({ node, ctx, awaited: parent?.type === 'AwaitExpression' });
        if (isGlobal(node.callee, s, 'require') && node.arguments[0]?.type === 'Literal' && typeof node.arguments[0].value === 'string') {
          cjsSyntax = true;
          addSpecifier(node.arguments[0].value);
        }
        break;
      case 'TaggedTemplateExpression':
        m.calls.push({ node, ctx, awaited: parent?.type === 'AwaitExpression' });
        break;
      case 'NewExpression':
        m.news.push({ node, ctx, awaited: false });
        break;
      case 'ImportExpression':
        if (node.source.type === 'Literal' && typeof node.source.value === 'string') m.specifiers.add(node.source.value);
        break;
      case 'AwaitExpression':
        m.firstAwait ??= node;
        break;
      case 'YieldExpression':
        if (node.argument) m.yields.push(node.argument);
        break;
      case 'VariableDeclaration':
        for (const d of node.declarations) {
          visitDeclared(d.id, d, s, ctx);
          if (d.init) visit(d.init, d, s, ctx);
        }
        return;
      case 'CatchClause':
        visitDeclared(node.param, node, s, ctx);
        visit(node.body, node, s, ctx);
        return;
      case 'ForInStatement':
      case 'ForOfStatement':
        if (node.await) m.firstAwait ??= node;
        if (node.left.type === 'VariableDeclaration') {
          for (const d of node.left.declarations) visitDeclared(d.id, d, s, ctx);
        } else {
          write(node.left, s, node.type === 'ForOfStatement' ? [{ expr: node.right, path: [null] }] : [], node.type === 'ForInStatement', ctx);
        }
        visit(node.right, node, s, ctx);
        visit(node.body, node, s, ctx);
        return;
      case 'UpdateExpression':
        if (node.argument.type === 'Identifier') write(node.argument, s, [], true, ctx);
        else visit(node.argument, node, s, ctx);
        return;
      case 'AssignmentExpression':
        assignment(node, s, ctx);
        return;
    }
    forEachChild(node, visit, node, s, ctx);
  }

  function assignment(node: AstNode, s: Scope, ctx: Ctx): void {
    const left = node.left;
    const keepsValue = node.operator === '=' || node.operator === '||=' || node.operator === '&&=' || node.operator === '??=';
    if (left.type === 'MemberExpression') {
      visit(left, node, s, ctx);
      const name = keyName(left.property, left.computed);
      if (keepsValue) {
        const target = cjsTarget(left, s);
        m.memberWrites.push({ object: left.object, name, value: node.right, cjs: target !== undefined });
        if (name !== null) m.named.push({ name, value: node.right });
        if (target === 'whole') m.cjsWhole.push(node.right);
        else if (target !== undefined) m.cjsExports.set(target, [...(m.cjsExports.get(target) ?? []), node.right]);
        if (target !== undefined) cjsSyntax = true;
      }
    } else {
      write(left, s, keepsValue ? [{ expr: node.right, path: [] }] : [], !keepsValue, ctx);
    }
    visit(node.right, node, s, ctx);
  }

  // `module.exports = v` → 'whole'; `module.exports.x = v` / `exports.x = v` → 'x'.
  function cjsTarget(left: AstNode, s: Scope): string | undefined {
    const isModuleExports = (n: AstNode) =>
      n.type === 'MemberExpression' && isGlobal(n.object, s, 'module') && keyName(n.property, n.computed) === 'exports';
    if (isModuleExports(left)) return 'whole';
    const name = keyName(left.property, left.computed);
    if (name !== null && (isModuleExports(left.object) || isGlobal(left.object, s, 'exports'))) return name;
    return undefined;
  }

  forEachChild(program, visit, program, scopes.root, TOP);

  for (const b of m.bindings) {
    for (const src of b.sources) {
      if ('fn' in src) m.fns.get(src.fn)?.params.push({ binding: b, index: src.index, path: src.path });
    }
  }
  m.format = sourceType === 'script' || (!esmSyntax && cjsSyntax) ? 'cjs' : 'esm';
  return m;
}

function collectIds(p: AstNode | null, out: AstNode[]): void {
  if (!p) return;
  if (p.type === 'Identifier') out.push(p);
  else if (p.type === 'ObjectPattern') for (const prop of p.properties) collectIds(prop.type === 'RestElement' ? prop.argument : prop.value, out);
  else if (p.type === 'ArrayPattern') for (const el of p.elements) collectIds(el, out);
  else if (p.type === 'AssignmentPattern') collectIds(p.left, out);
  else if (p.type === 'RestElement') collectIds(p.argument, out);
}
