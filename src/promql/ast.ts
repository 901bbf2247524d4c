/**
 * The typed PromQL syntax tree the parser produces and the evaluator walks. Durations and times are in
 * milliseconds; positions are offsets into the query text (for error messages).
 */
import type { Matcher } from '../series/types.ts';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export interface PosRange {
  readonly start: number;
  readonly end: number;
}

/** `@ 123.4`, `@ start()`, `@ end()`: the time a selector or subquery is pinned to. */
export type AtModifier = { readonly kind: 'time'; readonly ms: number } | { readonly kind: 'start' } | { readonly kind: 'end' };

export interface NumberLiteral {
  readonly type: 'number';
  readonly value: number;
  readonly pos: PosRange;
}

export interface StringLiteral {
  readonly type: 'string';
  readonly value: string;
  readonly pos: PosRange;
}

export interface VectorSelector {
  readonly type: 'vector_selector';
  /** The metric name as written before the braces, when it was. */
  readonly name: string | undefined;
  /** Every matcher, the name (as `__name__="..."`) included. */
  readonly matchers: readonly Matcher[];
  readonly offset: number;
  readonly at: AtModifier | undefined;
  readonly pos: PosRange;
}

export interface MatrixSelector {
  readonly type: 'matrix_selector';
  readonly selector: VectorSelector;
  readonly range: number;
  readonly pos: PosRange;
}

export interface SubqueryExpr {
  readonly type: 'subquery';
  readonly expr: Expr;
  readonly range: number;
  /** 0 means the default resolution (the query's step, or the global evaluation interval). */
  readonly step: number;
  readonly offset: number;
  readonly at: AtModifier | undefined;
  readonly pos: PosRange;
}

export interface Call {
  readonly type: 'call';
  readonly func: string;
  readonly args: readonly Expr[];
  readonly pos: PosRange;
}

export type AggregateOp =
  | 'sum' | 'avg' | 'min' | 'max' | 'count' | 'group' | 'stddev' | 'stdvar'
  | 'topk' | 'bottomk' | 'quantile' | 'count_values' | 'limitk' | 'limit_ratio';

export interface Aggregate {
  readonly type: 'aggregate';
  readonly op: AggregateOp;
  readonly expr: Expr;
  readonly param: Expr | undefined;
  readonly grouping: readonly string[];
  readonly without: boolean;
  readonly pos: PosRange;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export type Cardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  readonly card: Cardinality;
  /** `on(...)` when true, `ignoring(...)` when false. */
  readonly on: boolean;
  readonly labels: readonly string[];
  /** The extra labels of `group_left(...)` / `group_right(...)`. */
  readonly include: readonly string[];
  /** True when on/ignoring was written, so formatting keeps `ignoring()`. */
  readonly explicit: boolean;
}

export interface Binary {
  readonly type: 'binary';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  readonly bool: boolean;
  /** Set only when both sides are vectors. */
  readonly matching: VectorMatching | undefined;
  readonly pos: PosRange;
}

export interface Unary {
  readonly type: 'unary';
  readonly op: '-' | '+';
  readonly expr: Expr;
  readonly pos: PosRange;
}

export interface Paren {
  readonly type: 'paren';
  readonly expr: Expr;
  readonly pos: PosRange;
}

export type Expr =
  | NumberLiteral | StringLiteral | VectorSelector | MatrixSelector | SubqueryExpr
  | Call | Aggregate | Binary | Unary | Paren;

export const COMPARISON_OPS: ReadonlySet<string> = new Set(['==', '!=', '>', '<', '>=', '<=']);
export const SET_OPS: ReadonlySet<string> = new Set(['and', 'or', 'unless']);

/** The type an expression evaluates to (Prometheus' `Type()`). */
export function typeOf(e: Expr, returnType: (func: string) => ValueType): ValueType {
  switch (e.type) {
    case 'number': return 'scalar';
    case 'string': return 'string';
    case 'vector_selector': return 'vector';
    case 'matrix_selector': return 'matrix';
    case 'subquery': return 'matrix';
    case 'call': return returnType(e.func);
    case 'aggregate': return 'vector';
    case 'binary': {
      const l = typeOf(e.lhs, returnType);
      const r = typeOf(e.rhs, returnType);
      return l === 'scalar' && r === 'scalar' ? 'scalar' : 'vector';
    }
    case 'unary': return typeOf(e.expr, returnType);
    case 'paren': return typeOf(e.expr, returnType);
  }
}

/** Prometheus' names for value types in error messages. */
export function typeName(t: ValueType): string {
  return t === 'scalar' ? 'scalar' : t === 'vector' ? 'instant vector' : t === 'matrix' ? 'range vector' : 'string';
}
