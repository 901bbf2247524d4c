/**
 * PromQL text → typed AST. The grammar is @prometheus-io/lezer-promql (the one Prometheus' UI uses); lezer
 * recovers from errors, so the first error node becomes the parse error. Semantic checks follow Prometheus'
 * parser (checkAST) and are applied bottom-up, so the innermost problem is reported first, as Prometheus does.
 */
import { parser as lezer } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { TelltaleError } from '../errors.ts';
import { compileRegex } from '../series/matchers.ts';
import { METRIC_NAME, type Matcher, type MatchType } from '../series/types.ts';
import {
  COMPARISON_OPS, SET_OPS, typeName, typeOf,
  type AggregateOp, type AtModifier, type Binary, type BinaryOp, type Cardinality, type Expr, type PosRange, type ValueType,
  type VectorMatching, type VectorSelector,
} from './ast.ts';
import { parseDuration, parseNumber, unquoteString } from './lex.ts';
import { describeToken, parseError, unclosed } from './parse-error.ts';
import { FUNCTIONS, returnTypeOf } from './signatures.ts';

const MAX_QUERY_LENGTH = 1 << 20;

const BINARY_OPS: Record<string, BinaryOp> = {
  Pow: '^', Mul: '*', Div: '/', Mod: '%', Atan2: 'atan2', Add: '+', Sub: '-', Eql: '==', Gte: '>=', Gtr: '>',
  Lte: '<=', Lss: '<', Neq: '!=', And: 'and', Unless: 'unless', Or: 'or',
};
const AGG_OPS: Record<string, AggregateOp> = {
  Avg: 'avg', Bottomk: 'bottomk', Count: 'count', CountValues: 'count_values', Group: 'group', Max: 'max', Min: 'min',
  Quantile: 'quantile', LimitK: 'limitk', LimitRatio: 'limit_ratio', Stddev: 'stddev', Stdvar: 'stdvar', Sum: 'sum',
  Topk: 'topk',
};
const PARAM_AGGS: ReadonlySet<string> = new Set(['topk', 'bottomk', 'quantile', 'count_values', 'limitk', 'limit_ratio']);
const MATCH_OPS: Record<string, MatchType> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

/** Parses and type-checks a PromQL expression. Throws TelltaleError TT_PROMQL_PARSE. */
export function parseExpr(query: string): Expr {
  if (typeof query !== 'string') throw new TelltaleError('TT_PROMQL_PARSE', 'query must be a string');
  if (query.length > MAX_QUERY_LENGTH) throw parseError(query, 0, `query is longer than ${MAX_QUERY_LENGTH} characters`);
  let tree;
  try {
    tree = lezer.parse(renameLegacyFunctions(query));
  } catch (err) {
    throw parseError(query, 0, `could not parse: ${(err as Error).message}`, err);
  }
  const top = tree.topNode;
  const err = firstError(top);
  if (err) throw syntaxError(query, err);
  const child = exprChildren(top);
  if (child.length === 0) throw parseError(query, query.length, 'no expression found in input');
  return new Builder(query).expr(child[0]);
}

/** Parses a metric selector (`foo{a="b"}`, as /api/v1/series' match[] takes) into its matchers. */
export function parseSelector(query: string): Matcher[] {
  const e = parseExpr(query);
  if (e.type !== 'vector_selector') throw parseError(query, 0, 'expected a metric selector (vector selector) without offset or @');
  if (e.offset !== 0 || e.at) throw parseError(query, 0, 'selectors may not have offset or @ modifiers here');
  return [...e.matchers];
}

/**
 * The grammar only knows `double_exponential_smoothing`, Prometheus 2's `holt_winters` under its newer name.
 * The tree is parsed from a copy where the old name is replaced by a function name of the same length (so
 * positions stay valid); the AST is built from the original text, so the function keeps its written name.
 */
function renameLegacyFunctions(query: string): string {
  if (!query.includes('holt_winters')) return query;
  let out = '';
  let i = 0;
  while (i < query.length) {
    const c = query[i];
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < query.length && query[j] !== c) j += query[j] === '\\' && c !== '`' ? 2 : 1;
      out += query.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (query.startsWith('holt_winters', i) && !/[a-zA-Z0-9_:]/.test(query[i - 1] ?? '') && /^\s*\(/.test(query.slice(i + 12))) {
      out += 'day_of_month';
      i += 12;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function firstError(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type.isError) return node;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    const e = firstError(c);
    if (e) return e;
  }
  return undefined;
}

function syntaxError(query: string, err: SyntaxNode): TelltaleError {
  const at = err.from;
  const rest = query.slice(at);
  const pos = at + (rest.length - rest.trimStart().length);
  const before = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*$/.exec(query.slice(0, at));
  if (rest.trimStart().startsWith('(') && before && !/\b(by|without|on|ignoring|group_left|group_right|bool|offset)$/.test(before[1])) {
    return parseError(query, before.index, `unknown function with name ${JSON.stringify(before[1])}`);
  }
  const token = describeToken(query, at);
  if (token === 'end of input') {
    const inBraces = enclosing(err, 'LabelMatchers');
    return parseError(query, query.length, inBraces ? 'unexpected end of input inside braces' : unclosed(query) ?? 'unexpected end of input');
  }
  // Prometheus' lexer reports a stray closing parenthesis or bracket after consuming it.
  const closing = token.startsWith('right ') ? 1 : 0;
  return parseError(query, pos + closing, `unexpected ${token}`);
}

function enclosing(node: SyntaxNode, name: string): boolean {
  for (let p: SyntaxNode | null = node.parent; p; p = p.parent) if (p.name === name) return true;
  return false;
}

function exprChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.type.is('Expr')) out.push(c);
  return out;
}

interface Clause {
  on: boolean;
  labels: string[];
  card: Cardinality;
  include: string[];
}

class Builder {
  readonly query: string;
  private readonly binaries = new WeakMap<Binary, { clause: Clause | undefined; opPos: number }>();
  constructor(query: string) {
    this.query = query;
  }

  private text(n: SyntaxNode): string {
    return this.query.slice(n.from, n.to);
  }

  private fail(pos: number | PosRange, msg: string): never {
    throw parseError(this.query, typeof pos === 'number' ? pos : pos.start, msg);
  }

  private typeOf(e: Expr): ValueType {
    return typeOf(e, returnTypeOf);
  }

  expr(n: SyntaxNode): Expr {
    const pos = { start: n.from, end: n.to };
    switch (n.name) {
      case 'NumberDurationLiteral': {
        const v = parseNumber(this.text(n).replace(/\s+/g, ''));
        if (v === undefined) this.fail(pos, `bad number or duration syntax: ${JSON.stringify(this.text(n))}`);
        return { type: 'number', value: v, pos };
      }
      case 'StringLiteral':
        return { type: 'string', value: this.string(n), pos };
      case 'VectorSelector':
        return this.vectorSelector(n, pos);
      case 'MatrixSelector': {
        const range = this.duration(n.getChild('DurationExpr')!);
        return this.postfix(this.expr(exprChildren(n)[0]), (inner) => {
          const p = { start: inner.pos.start, end: pos.end };
          if (inner.type !== 'vector_selector') this.fail(p, 'ranges only allowed for vector selectors');
          if (inner.offset !== 0 || inner.at) this.fail(p, 'no offset or @ modifiers allowed before range');
          if (range <= 0) this.fail(n.getChild('DurationExpr')!.from, 'duration must be greater than 0');
          return { type: 'matrix_selector', selector: inner, range, pos: p };
        });
      }
      case 'SubqueryExpr': {
        const durs = n.getChildren('DurationExpr');
        const range = this.duration(durs[0]);
        const step = durs[1] ? this.duration(durs[1]) : 0;
        return this.postfix(this.expr(exprChildren(n)[0]), (inner) => {
          const p = { start: inner.pos.start, end: pos.end };
          const t = this.typeOf(inner);
          if (t !== 'vector') this.fail(p, `subquery is only allowed on instant vector, got ${typeName(t)}`);
          if (range <= 0) this.fail(durs[0].from, 'duration must be greater than 0');
          if (durs[1] && step <= 0) this.fail(durs[1].from, 'duration must be greater than 0');
          return { type: 'subquery', expr: inner, range, step, offset: 0, at: undefined, pos: p };
        });
      }
      case 'OffsetExpr': {
        const offset = this.offsetDuration(n.getChild('OffsetDurationExpr')!);
        return this.postfix(this.expr(exprChildren(n)[0]), (inner) => this.withModifier(inner, { start: inner.pos.start, end: pos.end }, 'offset', offset, undefined));
      }
      case 'StepInvariantExpr': {
        const inner = this.expr(exprChildren(n)[0]);
        const lit = n.getChild('NumberDurationLiteral');
        let at: AtModifier;
        if (lit) {
          const ts = parseNumber(this.text(lit).replace(/\s+/g, ''));
          if (ts === undefined || !Number.isFinite(ts) || Math.abs(ts) >= 9.2e15) {
            this.fail(pos, `timestamp out of bounds for @ modifier: ${this.text(lit)}`);
          }
          at = { kind: 'time', ms: Math.round(ts * 1000) };
        } else {
          at = n.getChild('AtModifierPreprocessors')!.getChild('AtStart') ? { kind: 'start' } : { kind: 'end' };
        }
        return this.postfix(inner, (e) => this.withModifier(e, { start: e.pos.start, end: pos.end }, 'at', 0, at));
      }
      case 'ParenExpr':
        return { type: 'paren', expr: this.expr(exprChildren(n)[0]), pos };
      case 'UnaryExpr': {
        const op = this.text(n.getChild('UnaryOp')!) as '-' | '+';
        return this.makeUnary(op, this.expr(exprChildren(n)[0]), pos);
      }
      case 'FunctionCall':
        return this.call(n, pos);
      case 'AggregateExpr':
        return this.aggregate(n, pos);
      case 'BinaryExpr':
        return this.binary(n, pos);
      case 'AnchoredExpr':
      case 'SmoothedExpr':
        return this.fail(pos, `the ${n.name === 'AnchoredExpr' ? 'anchored' : 'smoothed'} modifier is not supported`);
      default:
        return this.fail(pos, `unexpected ${n.name}`);
    }
  }

  /**
   * Applies a postfix construct (`[5m]`, `[5m:1m]`, `offset`, `@`). The grammar attaches it to a whole
   * binary or unary expression (`a + b offset 1m`); in Prometheus it binds to the operand next to it.
   */
  private postfix(e: Expr, apply: (e: Expr) => Expr): Expr {
    if (e.type === 'binary') {
      const info = this.binaries.get(e)!;
      return this.makeBinary(e.op, e.lhs, this.postfix(e.rhs, apply), e.bool, info.clause, { start: e.pos.start, end: Math.max(e.pos.end, e.rhs.pos.end) }, info.opPos);
    }
    if (e.type === 'unary') {
      const inner = this.postfix(e.expr, apply);
      return this.makeUnary(e.op, inner, { start: e.pos.start, end: inner.pos.end });
    }
    return apply(e);
  }

  private makeUnary(op: '-' | '+', inner: Expr, pos: PosRange): Expr {
    const t = this.typeOf(inner);
    if (t !== 'scalar' && t !== 'vector') {
      this.fail(pos, `unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(typeName(t))}`);
    }
    if (inner.type === 'number') return { type: 'number', value: op === '-' ? -inner.value : inner.value, pos };
    return { type: 'unary', op, expr: inner, pos };
  }

  private withModifier(inner: Expr, pos: PosRange, kind: 'offset' | 'at', offset: number, at: AtModifier | undefined): Expr {
    const apply = (target: VectorSelector): VectorSelector => {
      if (kind === 'offset' && target.offset !== 0) this.fail(pos, 'offset may not be set multiple times');
      if (kind === 'at' && target.at) this.fail(pos, '@ <timestamp> may not be set multiple times');
      return kind === 'offset' ? { ...target, offset } : { ...target, at };
    };
    switch (inner.type) {
      case 'vector_selector':
        return { ...apply(inner), pos };
      case 'matrix_selector':
        return { ...inner, selector: apply(inner.selector), pos };
      case 'subquery':
        if (kind === 'offset' && inner.offset !== 0) this.fail(pos, 'offset may not be set multiple times');
        if (kind === 'at' && inner.at) this.fail(pos, '@ <timestamp> may not be set multiple times');
        return kind === 'offset' ? { ...inner, offset, pos } : { ...inner, at, pos };
      default:
        return this.fail(
          pos,
          kind === 'offset'
            ? 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'
            : '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
        );
    }
  }

  private string(n: SyntaxNode): string {
    const s = unquoteString(this.text(n));
    if (typeof s !== 'string') this.fail(n.from, s.error);
    return s;
  }

  /** A range or subquery duration: a duration literal, float seconds, or (newer syntax) arithmetic over those. */
  private duration(n: SyntaxNode): number {
    const ms = this.durationExpr(n);
    if (!Number.isFinite(ms)) this.fail(n.from, `invalid duration ${JSON.stringify(this.text(n))}`);
    return Math.round(ms);
  }

  private durationExpr(n: SyntaxNode): number {
    const kids: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) kids.push(c);
    if (n.name === 'NumberDurationLiteralInDurationContext') {
      const text = this.text(n);
      const d = parseDuration(text);
      if (d !== undefined) return d;
      const v = parseNumber(text);
      if (v === undefined) this.fail(n.from, `bad duration syntax: ${JSON.stringify(text)}`);
      return v * 1000;
    }
    if (kids.length === 1) return this.durationExpr(kids[0]);
    const first = kids[0];
    if (first.name === 'UnaryOp') {
      const v = this.durationExpr(kids[1]);
      return this.text(first) === '-' ? -v : v;
    }
    if (first.name === 'DurationStep' || first.name === 'DurationRange' || first.name === 'DurationMinOf' || first.name === 'DurationMaxOf') {
      this.fail(n.from, `${this.text(first)}() in durations is not supported`);
    }
    if (kids.length === 3 && kids[0].name === 'DurationExpr') {
      const a = this.durationExpr(kids[0]);
      const b = this.durationExpr(kids[2]);
      switch (kids[1].name) {
        case 'Add': return a + b;
        case 'Sub': return a - b;
        case 'Mul': return (a * b) / 1000;
        case 'Div': return (a / b) * 1000;
        case 'Mod': return a % b;
        case 'Pow': return Math.pow(a / 1000, b / 1000) * 1000;
      }
    }
    const inner = kids.find((k) => k.name === 'DurationExpr');
    if (inner) return this.durationExpr(inner);
    return this.fail(n.from, `bad duration syntax: ${JSON.stringify(this.text(n))}`);
  }

  private offsetDuration(n: SyntaxNode): number {
    const op = n.getChild('UnaryOp');
    if (op) {
      const v = this.offsetDuration(n.getChild('OffsetDurationExpr')!);
      return this.text(op) === '-' ? -v : v;
    }
    return this.duration(n);
  }

  private vectorSelector(n: SyntaxNode, pos: PosRange): VectorSelector {
    const ident = n.getChild('Identifier');
    const name = ident ? this.text(ident) : undefined;
    const matchers: Matcher[] = [];
    const list = n.getChild('LabelMatchers');
    let nameFromBraces: string | undefined;
    if (list) {
      for (let c = list.firstChild; c; c = c.nextSibling) {
        if (c.name === 'QuotedLabelName') {
          nameFromBraces = this.string(c.getChild('StringLiteral')!);
          matchers.push({ type: '=', name: METRIC_NAME, value: nameFromBraces });
          continue;
        }
        if (c.name !== 'UnquotedLabelMatcher' && c.name !== 'QuotedLabelMatcher') continue;
        const labelNode = c.getChild('LabelName') ?? c.getChild('QuotedLabelName')!;
        const label = labelNode.name === 'LabelName' ? this.text(labelNode) : this.string(labelNode.getChild('StringLiteral')!);
        const opNode = c.getChild('MatchOp')!.firstChild!;
        const type = MATCH_OPS[opNode.name];
        const value = this.string(c.getChild('StringLiteral', 'MatchOp')!);
        if (type === '=~' || type === '!~') {
          try {
            compileRegex(value);
          } catch (err) {
            this.fail(c.from, `error parsing regexp: ${(err as Error).message}`);
          }
        }
        if (label === METRIC_NAME && name !== undefined) {
          this.fail(pos, `metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(value)}`);
        }
        matchers.push({ type, name: label, value });
      }
    }
    if (name !== undefined) {
      if (nameFromBraces !== undefined) this.fail(pos, `metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(nameFromBraces)}`);
      matchers.unshift({ type: '=', name: METRIC_NAME, value: name });
    }
    const nonEmpty = matchers.some((m) => {
      if (m.type === '=') return m.value !== '';
      if (m.type === '!=') return m.value === '';
      return !compileRegex(m.value).test('') === (m.type === '=~');
    });
    if (!nonEmpty) this.fail(pos, 'vector selector must contain at least one non-empty matcher');
    return { type: 'vector_selector', name: name ?? nameFromBraces, matchers, offset: 0, at: undefined, pos };
  }

  private call(n: SyntaxNode, pos: PosRange): Expr {
    const func = this.text(n.getChild('FunctionIdentifier')!);
    const sig = FUNCTIONS.get(func);
    if (!sig) this.fail(pos, `function ${JSON.stringify(func)} is not supported`);
    const args = exprChildren(n.getChild('FunctionCallBody')!).map((a) => this.expr(a));
    const want = sig.args.length;
    if (sig.variadic === 0) {
      if (args.length !== want) this.fail(pos, `expected ${want} argument(s) in call to ${JSON.stringify(func)}, got ${args.length}`);
    } else {
      if (args.length < want - 1) this.fail(pos, `expected at least ${want - 1} argument(s) in call to ${JSON.stringify(func)}, got ${args.length}`);
      if (sig.variadic > 0 && args.length > want - 1 + sig.variadic) {
        this.fail(pos, `expected at most ${want - 1 + sig.variadic} argument(s) in call to ${JSON.stringify(func)}, got ${args.length}`);
      }
    }
    args.forEach((a, i) => {
      const t = this.typeOf(a);
      const expected = sig.args[Math.min(i, want - 1)];
      if (t !== expected) {
        this.fail(a.pos, `expected type ${typeName(expected)} in call to function ${JSON.stringify(func)}, got ${typeName(t)}`);
      }
    });
    return { type: 'call', func, args, pos };
  }

  private grouping(n: SyntaxNode | null): string[] {
    const out: string[] = [];
    if (!n) return out;
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.name === 'LabelName') out.push(this.text(c));
      else if (c.name === 'QuotedLabelName') out.push(this.string(c.getChild('StringLiteral')!));
    }
    return out;
  }

  private aggregate(n: SyntaxNode, pos: PosRange): Expr {
    const op = AGG_OPS[n.getChild('AggregateOp')!.firstChild!.name];
    const mod = n.getChild('AggregateModifier');
    const without = !!mod?.getChild('Without');
    const grouping = this.grouping(mod?.getChild('GroupingLabels') ?? null);
    const args = exprChildren(n.getChild('FunctionCallBody')!).map((a) => this.expr(a));
    const wantArgs = PARAM_AGGS.has(op) ? 2 : 1;
    if (args.length !== wantArgs) {
      this.fail(pos, `wrong number of arguments for aggregate expression provided, expected ${wantArgs}, got ${args.length}`);
    }
    const expr = args[wantArgs - 1];
    const param = wantArgs === 2 ? args[0] : undefined;
    const t = this.typeOf(expr);
    if (t !== 'vector') this.fail(expr.pos, `expected type instant vector in aggregation expression, got ${typeName(t)}`);
    if (param) {
      const want: ValueType = op === 'count_values' ? 'string' : 'scalar';
      const pt = this.typeOf(param);
      if (pt !== want) this.fail(param.pos, `expected type ${typeName(want)} in aggregation parameter, got ${typeName(pt)}`);
    }
    return { type: 'aggregate', op, expr, param, grouping, without, pos };
  }

  private binary(n: SyntaxNode, pos: PosRange): Expr {
    const [lhsNode, rhsNode] = exprChildren(n);
    let opNode: SyntaxNode | undefined;
    for (let c = n.firstChild; c; c = c.nextSibling) if (BINARY_OPS[c.name] && c.from >= lhsNode.to && c.to <= rhsNode.from) opNode ??= c;
    if (!opNode) {
      const trim = n.getChild('TrimUpper') ?? n.getChild('TrimLower');
      return this.fail(trim ? trim.from : pos.start, 'unsupported binary operator');
    }
    if (n.getChild('FillModifier')) this.fail(n.getChild('FillModifier')!.from, 'fill modifiers are not supported');
    const op = BINARY_OPS[opNode.name];
    // The grammar reads `-1 ^ 2` as (-1)^2; Prometheus' unary minus binds looser than `^`: -(1^2).
    const lhsText = this.text(lhsNode);
    if (op === '^' && lhsNode.name === 'NumberDurationLiteral' && /^[-+]/.test(lhsText)) {
      const unsigned = { type: 'number' as const, value: Math.abs(parseNumber(lhsText.slice(1).trim()) ?? NaN), pos: { start: lhsNode.from + 1, end: lhsNode.to } };
      const inner = this.finishBinary(op, unsigned, this.expr(rhsNode), n, { start: lhsNode.from + 1, end: pos.end }, opNode);
      if (inner.type === 'binary' && this.typeOf(inner) === 'scalar' && lhsText[0] === '-') return { type: 'unary', op: '-', expr: inner, pos };
      return lhsText[0] === '-' ? { type: 'unary', op: '-', expr: inner, pos } : inner;
    }
    return this.finishBinary(op, this.expr(lhsNode), this.expr(rhsNode), n, pos, opNode);
  }

  private finishBinary(op: BinaryOp, lhs: Expr, rhs: Expr, n: SyntaxNode, pos: PosRange, opNode: SyntaxNode): Expr {
    const bool = !!n.getChild('BoolModifier');
    const node = n.getChild('MatchingModifierClause');
    let clause: Clause | undefined;
    if (node) {
      const groups = node.getChildren('GroupingLabels');
      clause = {
        on: !!node.getChild('On'),
        labels: this.grouping(groups[0]),
        card: node.getChild('GroupLeft') ? 'many-to-one' : node.getChild('GroupRight') ? 'one-to-many' : 'one-to-one',
        include: groups[1] ? this.grouping(groups[1]) : [],
      };
    }
    return this.makeBinary(op, lhs, rhs, bool, clause, pos, opNode.from);
  }

  private makeBinary(op: BinaryOp, lhs: Expr, rhs: Expr, bool: boolean, clause: Clause | undefined, pos: PosRange, opPos: number): Expr {
    let card: Cardinality = clause?.card ?? 'one-to-one';
    const on = clause?.on ?? false;
    const labels = clause?.labels ?? [];
    const include = clause?.include ?? [];
    const isComparison = COMPARISON_OPS.has(op);
    const isSet = SET_OPS.has(op);
    const lt = this.typeOf(lhs);
    const rt = this.typeOf(rhs);
    if (bool && !isComparison) this.fail(opPos, 'bool modifier can only be used on comparison operators');
    if (isComparison && !bool && lt === 'scalar' && rt === 'scalar') this.fail(opPos, 'comparisons between scalars must use BOOL modifier');
    if (isSet && card === 'one-to-one') card = 'many-to-many';
    if (on) {
      for (const l of labels) if (include.includes(l)) this.fail(opPos, `label ${JSON.stringify(l)} must not occur in ON and GROUP clause at once`);
    }
    if (lt !== 'scalar' && lt !== 'vector') this.fail(lhs.pos, 'binary expression must contain only scalar and instant vector types');
    if (rt !== 'scalar' && rt !== 'vector') this.fail(rhs.pos, 'binary expression must contain only scalar and instant vector types');
    let matching: VectorMatching | undefined = { card, on, labels, include, explicit: !!clause };
    if (lt !== 'vector' || rt !== 'vector') {
      if (labels.length > 0) this.fail(pos, 'vector matching only allowed between instant vectors');
      matching = undefined;
    } else if (isSet) {
      if (card === 'one-to-many' || card === 'many-to-one') this.fail(pos, `no grouping allowed for ${JSON.stringify(op)} operation`);
    }
    if ((lt === 'scalar' || rt === 'scalar') && isSet) this.fail(pos, `set operator ${JSON.stringify(op)} not allowed in binary scalar expression`);
    const b: Binary = { type: 'binary', op, lhs, rhs, bool, matching, pos };
    this.binaries.set(b, { clause, opPos });
    return b;
  }
}
