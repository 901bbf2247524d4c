/**
 * AST → PromQL text, as Prometheus' String() prints expressions (format_query, logs). Parsing the output
 * again yields the same tree.
 */
import { isValidLabelName } from '../series/labels.ts';
import { METRIC_NAME } from '../series/types.ts';
import type { Aggregate, AtModifier, Binary, Expr, VectorSelector } from './ast.ts';
import { formatGoV } from './go-float.ts';
import { formatDuration, quoteString } from './lex.ts';

function labelName(name: string): string {
  return isValidLabelName(name) ? name : quoteString(name);
}

function modifiers(offset: number, at: AtModifier | undefined): string {
  let out = '';
  if (at) out += at.kind === 'time' ? ` @ ${(at.ms / 1000).toFixed(3)}` : at.kind === 'start' ? ' @ start()' : ' @ end()';
  if (offset > 0) out += ` offset ${formatDuration(offset)}`;
  else if (offset < 0) out += ` offset -${formatDuration(-offset)}`;
  return out;
}

function selector(e: VectorSelector): string {
  const nameOk = e.name !== undefined && /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(e.name);
  const parts: string[] = [];
  let skippedName = false;
  for (const m of e.matchers) {
    if (nameOk && !skippedName && m.name === METRIC_NAME && m.type === '=' && m.value === e.name) {
      skippedName = true;
      continue;
    }
    parts.push(`${labelName(m.name)}${m.type}${quoteString(m.value)}`);
  }
  parts.sort();
  const head = nameOk ? e.name! : '';
  return parts.length === 0 && head !== '' ? head : `${head}{${parts.join(',')}}`;
}

function grouping(labels: readonly string[]): string {
  return `(${labels.map(labelName).join(', ')})`;
}

export function formatExpr(e: Expr): string {
  switch (e.type) {
    case 'number':
      return formatGoV(e.value);
    case 'string':
      return quoteString(e.value);
    case 'vector_selector':
      return selector(e) + modifiers(e.offset, e.at);
    case 'matrix_selector':
      return `${selector(e.selector)}[${formatDuration(e.range)}]${modifiers(e.selector.offset, e.selector.at)}`;
    case 'subquery':
      return `${formatExpr(e.expr)}[${formatDuration(e.range)}:${e.step ? formatDuration(e.step) : ''}]${modifiers(e.offset, e.at)}`;
    case 'paren':
      return `(${formatExpr(e.expr)})`;
    case 'unary':
      return `${e.op}${formatExpr(e.expr)}`;
    case 'call':
      return `${e.func}(${e.args.map(formatExpr).join(', ')})`;
    case 'aggregate': {
      const args = e.param ? `${formatExpr(e.param)}, ${formatExpr(e.expr)}` : formatExpr(e.expr);
      return `${aggregateHead(e)}(${args})`;
    }
    case 'binary':
      return `${formatExpr(e.lhs)} ${e.op}${binaryModifiers(e)} ${formatExpr(e.rhs)}`;
  }
}

/** `sum by (a) ` / `sum without (a) ` / `sum`: what precedes the parenthesized arguments. */
function aggregateHead(e: Aggregate): string {
  if (e.without) return `${e.op} without ${grouping(e.grouping)} `;
  if (e.grouping.length > 0) return `${e.op} by ${grouping(e.grouping)} `;
  return e.op;
}

function binaryModifiers(e: Binary): string {
  let mods = e.bool ? ' bool' : '';
  const m = e.matching;
  if (m) {
    if (m.on || m.labels.length > 0) mods += ` ${m.on ? 'on' : 'ignoring'} ${grouping(m.labels)}`;
    if (m.card === 'many-to-one' || m.card === 'one-to-many') {
      if (!m.on && m.labels.length === 0) mods += ' ignoring ()';
      mods += ` ${m.card === 'many-to-one' ? 'group_left' : 'group_right'} ${grouping(m.include)}`;
    }
  }
  return mods;
}

const MAX_LINE = 100;

/**
 * Prometheus' prettifier (format_query): an expression that fits in 100 characters stays on one line;
 * longer binary expressions, aggregations, calls and parentheses are split, two spaces per level.
 */
export function prettyExpr(e: Expr, level = 0): string {
  const indent = '  '.repeat(level);
  const flat = formatExpr(e);
  if (flat.length <= MAX_LINE) return indent + flat;
  switch (e.type) {
    case 'binary':
      return `${prettyExpr(e.lhs, level + 1)}\n${indent}${e.op}${binaryModifiers(e)}\n${prettyExpr(e.rhs, level + 1)}`;
    case 'aggregate': {
      const param = e.param ? `${prettyExpr(e.param, level + 1)},\n` : '';
      return `${indent}${aggregateHead(e)}(\n${param}${prettyExpr(e.expr, level + 1)}\n${indent})`;
    }
    case 'call':
      return `${indent}${e.func}(\n${e.args.map((a) => prettyExpr(a, level + 1)).join(',\n')}\n${indent})`;
    case 'paren':
      return `${indent}(\n${prettyExpr(e.expr, level + 1)}\n${indent})`;
    case 'unary':
      return `${indent}${e.op}${prettyExpr(e.expr, level).trimStart()}`;
    case 'subquery':
      return `${prettyExpr(e.expr, level)}[${formatDuration(e.range)}:${e.step ? formatDuration(e.step) : ''}]${modifiers(e.offset, e.at)}`;
    default:
      return indent + flat;
  }
}
