/**
 * What the analysis records about one module (module.ts fills it in).
 */
import type { AstNode, Located } from './ast.ts';
import type { Binding } from './scope.ts';

/** Where code runs: in a function body, a function's parameter list, module top level or a class initializer. */
export type Ctx = { kind: 'fn'; fn: AstNode } | { kind: 'param'; fn: AstNode } | { kind: 'top' } | { kind: 'class-init' };

export interface CallSite {
  /** CallExpression, TaggedTemplateExpression or NewExpression. */
  node: AstNode;
  ctx: Ctx;
  awaited: boolean;
}

export interface FnInfo {
  node: AstNode;
  role: 'plain' | 'method' | 'getter' | 'setter' | 'constructor';
  /** The Property or MethodDefinition of a method written with method syntax (where `async` goes). */
  method?: AstNode;
  /** The object or class whose method this is, for `this`. */
  owner?: { node: AstNode; isStatic: boolean };
  params: { binding: Binding; index: number; path: (string | null)[] }[];
  returns: AstNode[];
  usesArguments: boolean;
}

export type ExportEntry = { kind: 'binding'; binding: Binding } | { kind: 'expr'; expr: AstNode } | { kind: 'reexport'; source: string; name: string };

export interface ModuleInfo extends Located {
  program: AstNode;
  format: 'esm' | 'cjs';
  refs: Map<AstNode, Binding>;
  bindings: Binding[];
  parent: Map<AstNode, AstNode>;
  fns: Map<AstNode, FnInfo>;
  calls: CallSite[];
  news: CallSite[];
  /** `obj.name = value` (name null when computed); `cjs` for writes to module.exports/exports. */
  memberWrites: { object: AstNode; name: string | null; value: AstNode; cjs: boolean }[];
  /** Values stored under a property name: object and class members, member writes. */
  named: { name: string; value: AstNode }[];
  exports: Map<string, ExportEntry>;
  starExports: string[];
  cjsExports: Map<string, AstNode[]>;
  cjsWhole: AstNode[];
  /** Every module specifier this module loads: imports, re-exports, require() and import() with a literal. */
  specifiers: Set<string>;
  importsK6: boolean;
  firstAwait?: AstNode;
  yields: AstNode[];
  /** What `this` (and `super`) refers to at each ThisExpression and Super node: a method's object or class. */
  thisOwner: Map<AstNode, FnInfo['owner']>;
}
