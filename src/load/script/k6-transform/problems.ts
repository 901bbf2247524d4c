/**
 * Turns what the analysis found it cannot make correct into one TelltaleError: the first problem in
 * module order, with the function involved and the chain of calls that makes it wait.
 */
import { describeAt, failAtNode, keyName, type AstNode } from './ast.ts';
import type { ModuleInfo } from './module.ts';
import type { SiteInfo } from './analyze.ts';
import type { ValueSolver } from './values.ts';

export interface Problem {
  mod: ModuleInfo;
  node: AstNode;
  /** The function that waits; `{fn}` in the message is replaced by its name. */
  fn?: AstNode;
  message: string;
  advice: string;
}

interface Context {
  solver: ValueSolver;
  asyncFns: Set<AstNode>;
  reasons: Map<AstNode, SiteInfo>;
}

export function reportProblems(problems: Problem[], modules: ModuleInfo[], ctx: Context): void {
  if (problems.length === 0) return;
  problems.sort((a, b) => modules.indexOf(a.mod) - modules.indexOf(b.mod) || a.node.start - b.node.start);
  const p = problems[0];
  let message = p.message.replace('{fn}', p.fn ? functionLabel(p.fn, ctx.solver) : 'a function');
  if (p.fn) message += ` (${whyItWaits(p.fn, ctx)})`;
  if (problems.length > 1) message += ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})`;
  failAtNode(p.mod, p.node, message, p.advice);
}

export function functionLabel(fn: AstNode, solver: ValueSolver): string {
  const mod = solver.moduleOf(fn);
  if (!mod) return 'a function';
  const info = mod.fns.get(fn);
  let name: string | null | undefined = fn.id?.name;
  if (!name && info?.method) name = keyName(info.method.key, info.method.computed);
  const parent = mod.parent.get(fn);
  if (!name && parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') name = parent.id.name;
  if (!name && parent?.type === 'AssignmentExpression') name = mod.code.slice(parent.left.start, parent.left.end);
  if (!name && (parent?.type === 'Property' || parent?.type === 'PropertyDefinition')) name = keyName(parent.key, parent.computed);
  if (name) return `${name}()`;
  return `the ${fn.type === 'ArrowFunctionExpression' ? 'arrow function' : 'function'} at ${describeAt(mod, fn)}`;
}

function whyItWaits(fn: AstNode, ctx: Context): string {
  const parts: string[] = [];
  const seen = new Set<AstNode>();
  for (let f: AstNode | undefined = fn; f && parts.length < 4 && !seen.has(f); ) {
    seen.add(f);
    const r = ctx.reasons.get(f);
    if (!r) break;
    const c = r.site.node.type === 'TaggedTemplateExpression' ? r.site.node.tag : r.site.node.callee;
    const text = r.mod.code.slice(c.start, c.end).replace(/\s+/g, ' ');
    parts.push(`${text.length > 40 ? `${text.slice(0, 37)}...` : text}() at ${describeAt(r.mod, r.site.node)}`);
    if (r.direct) break;
    f = r.deps.find((d) => ctx.asyncFns.has(d));
  }
  return parts.length ? `it calls ${parts.join(', which calls ')}` : 'it calls k6 functions that wait';
}
