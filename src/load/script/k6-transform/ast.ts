/**
 * The loose view of acorn's ESTree nodes the transform works with, parsing with positions, and the
 * TelltaleErrors that point at a node of the user's file.
 */
import { parse, type SourceLocation } from 'acorn';
import path from 'node:path';
import { TelltaleError } from '../../../errors.ts';

/** An ESTree node. Children are reached by property name, so the shape is kept open. */
export interface AstNode {
  type: string;
  start: number;
  end: number;
  loc?: SourceLocation | null;
  [key: string]: any;
}

export function isFunction(n: { type: string } | null | undefined): n is AstNode {
  return !!n && (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression');
}

export function isClass(n: { type: string } | null | undefined): n is AstNode {
  return !!n && (n.type === 'ClassDeclaration' || n.type === 'ClassExpression');
}

// Child keys per node type, in source order (as in ESTree). A table walk is much cheaper than
// enumerating every node's properties; an unknown type falls back to enumeration.
const CHILD_KEYS: Record<string, string[]> = {
  ArrayExpression: ['elements'], ArrayPattern: ['elements'], ArrowFunctionExpression: ['params', 'body'],
  AssignmentExpression: ['left', 'right'], AssignmentPattern: ['left', 'right'], AwaitExpression: ['argument'],
  BinaryExpression: ['left', 'right'], BlockStatement: ['body'], BreakStatement: [], CallExpression: ['callee', 'arguments'],
  CatchClause: ['param', 'body'], ChainExpression: ['expression'], ClassBody: ['body'], ClassDeclaration: ['id', 'superClass', 'body'],
  ClassExpression: ['id', 'superClass', 'body'], ConditionalExpression: ['test', 'consequent', 'alternate'], ContinueStatement: [],
  DebuggerStatement: [], DoWhileStatement: ['body', 'test'], EmptyStatement: [], ExportAllDeclaration: ['exported', 'source'],
  ExportDefaultDeclaration: ['declaration'], ExportNamedDeclaration: ['declaration', 'specifiers', 'source'],
  ExportSpecifier: ['local', 'exported'], ExpressionStatement: ['expression'], ForInStatement: ['left', 'right', 'body'],
  ForOfStatement: ['left', 'right', 'body'], ForStatement: ['init', 'test', 'update', 'body'], FunctionDeclaration: ['id', 'params', 'body'],
  FunctionExpression: ['id', 'params', 'body'], Identifier: [], IfStatement: ['test', 'consequent', 'alternate'],
  ImportDeclaration: ['specifiers', 'source'], ImportDefaultSpecifier: ['local'], ImportExpression: ['source', 'options'],
  ImportNamespaceSpecifier: ['local'], ImportSpecifier: ['imported', 'local'], LabeledStatement: ['label', 'body'], Literal: [],
  LogicalExpression: ['left', 'right'], MemberExpression: ['object', 'property'], MetaProperty: ['meta', 'property'],
  MethodDefinition: ['key', 'value'], NewExpression: ['callee', 'arguments'], ObjectExpression: ['properties'],
  ObjectPattern: ['properties'], ParenthesizedExpression: ['expression'], PrivateIdentifier: [], Program: ['body'],
  Property: ['key', 'value'], PropertyDefinition: ['key', 'value'], RestElement: ['argument'], ReturnStatement: ['argument'],
  SequenceExpression: ['expressions'], SpreadElement: ['argument'], StaticBlock: ['body'], Super: [], SwitchCase: ['test', 'consequent'],
  SwitchStatement: ['discriminant', 'cases'], TaggedTemplateExpression: ['tag', 'quasi'], TemplateElement: [],
  TemplateLiteral: ['quasis', 'expressions'], ThisExpression: [], ThrowStatement: ['argument'], TryStatement: ['block', 'handler', 'finalizer'],
  UnaryExpression: ['argument'], UpdateExpression: ['argument'], VariableDeclaration: ['declarations'], VariableDeclarator: ['id', 'init'],
  WhileStatement: ['test', 'body'], WithStatement: ['object', 'body'], YieldExpression: ['argument'],
};

/**
 * Calls `cb(child, a, b, c)` for every direct child node, in source order. The extra arguments are
 * passed through so walkers need not allocate a closure per node.
 */
export function forEachChild<A, B, C>(node: AstNode, cb: (child: AstNode, a: A, b: B, c: C) => void, a: A, b: B, c: C): void {
  const keys = CHILD_KEYS[node.type];
  if (!keys) {
    for (const key in node) visitValue(node[key], cb, a, b, c);
    return;
  }
  for (let i = 0; i < keys.length; i++) visitValue(node[keys[i]], cb, a, b, c);
}

function visitValue<A, B, C>(v: any, cb: (child: AstNode, a: A, b: B, c: C) => void, a: A, b: B, c: C): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (v[i] && typeof v[i].type === 'string') cb(v[i], a, b, c);
  } else if (v && typeof v === 'object' && typeof v.type === 'string') {
    cb(v, a, b, c);
  }
}

/** The property name a member expression or object key names, or null when it is computed at run time. */
export function keyName(key: AstNode, computed: boolean): string | null {
  if (key.type === 'Identifier' && !computed) return key.name;
  if (key.type === 'PrivateIdentifier') return `#${key.name}`;
  if (key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  if (key.type === 'TemplateLiteral' && key.expressions.length === 0) return key.quasis[0].value.cooked ?? null;
  return null;
}

export function parseSource(code: string, file: string, sourceType: 'module' | 'script'): AstNode {
  try {
    return parse(code, {
      ecmaVersion: 'latest',
      sourceType,
      // Positions come from offsets, and only when a message needs one: node locations would cost
      // three objects per node on every parse of a script that is fine.
      locations: false,
      allowHashBang: true,
      allowReturnOutsideFunction: sourceType === 'script',
    }) as unknown as AstNode;
  } catch (err) {
    const e = err as SyntaxError & { loc?: { line: number; column: number } };
    if (!(e instanceof SyntaxError) || !e.loc) throw err;
    return failAt(file, code, e.loc.line, e.loc.column, `syntax error: ${e.message.replace(/ \(\d+:\d+\)$/, '')}`, undefined, err);
  }
}

/** Throws TT_SCRIPT_BUNDLE at a 1-based line and 0-based column of `file`, showing the offending line. */
export function failAt(file: string, code: string, line: number, column: number, message: string, advice?: string, cause?: unknown): never {
  const text = code.split(/\r\n?|[\n\u2028\u2029]/, line)[line - 1] ?? '';
  const hint = [`    ${text.trim()}`, advice].filter((s) => s).join('\n');
  throw new TelltaleError('TT_SCRIPT_BUNDLE', message, { file, line, column: column + 1, hint, cause });
}

export interface Located {
  file: string;
  code: string;
}

export function failAtNode(where: Located, node: AstNode, message: string, advice?: string): never {
  const loc = lineColumn(where.code, node.start);
  return failAt(where.file, where.code, loc.line, loc.column, message, advice);
}

/** 1-based line and 0-based column of an offset, counting line breaks as acorn and V8 do. */
export function lineColumn(code: string, offset: number): { line: number; column: number } {
  const breaks = /\r\n?|[\n\u2028\u2029]/g;
  let line = 1;
  let lineStart = 0;
  for (let m = breaks.exec(code); m && m.index < offset; m = breaks.exec(code)) {
    line++;
    lineStart = m.index + m[0].length;
  }
  return { line, column: offset - lineStart };
}

/** `file.js:line:col` of a node, for messages that mention another place. */
export function describeAt(where: Located, node: AstNode): string {
  const loc = lineColumn(where.code, node.start);
  return `${path.basename(where.file)}:${loc.line}:${loc.column + 1}`;
}
