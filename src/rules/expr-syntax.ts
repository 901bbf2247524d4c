/**
 * A syntax-only check of PromQL expressions on the grammar Prometheus' own UI uses (lezer-promql). It catches
 * what does not parse (`sum(`, `a +* b`), not type errors (`rate(up)` on an instant vector) — those need the
 * PromQL engine's parser, which callers pass as `parseExpr` when it is available.
 */
import { parser } from '@prometheus-io/lezer-promql';

export function promqlSyntaxProblem(expr: string): string | undefined {
  if (expr.trim() === '') return 'no expression found in input';
  const tree = parser.parse(expr);
  let at = -1;
  tree.iterate({
    enter(node) {
      if (at < 0 && node.type.isError) at = node.from;
      return at < 0;
    },
  });
  if (at < 0) return undefined;
  const before = expr.slice(0, at);
  const line = before.split('\n').length;
  const col = at - (before.lastIndexOf('\n') + 1) + 1;
  const near = expr.slice(at, at + 10);
  return `${line}:${col}: parse error: unexpected ${near === '' ? 'end of input' : JSON.stringify(near)}`;
}
