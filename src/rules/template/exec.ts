/**
 * Executes a parsed template with Go's semantics: the same evaluation order, variable scoping, truthiness,
 * argument checking and error messages (`template: NAME:LINE:COL: executing "NAME" at <NODE>: ...`).
 * Execution is async because functions may be (Prometheus' `query` asks the query engine).
 */
import { TelltaleError } from '../../errors.ts';
import type {
  ChainNode, CommandNode, FieldNode, IdentifierNode, Node, NumberNode, PipeNode, RangeNode, TemplateNode, VariableNode,
} from './ast.ts';
import { nodeString } from './ast.ts';
import { printValue } from './go-fmt.ts';
import { TIME_METHODS } from './go-time.ts';
import { location, type ParsedTemplate } from './parser.ts';
import { GoMap, GoSlice, GoStruct, GoTime, goTypeName, isTrue, type GoValue } from './values.ts';

/** A parameter's Go type: `any` (interface {} or reflect.Value) or an exact type name. */
export type ParamType = string;

export interface GoFunction {
  params: ParamType[];
  /** Element type of a trailing `...T` parameter. */
  variadic?: ParamType;
  call: (args: GoValue[]) => GoValue | Promise<GoValue>;
}

export type FuncMap = ReadonlyMap<string, GoFunction>;

const MAX_DEPTH = 1000;
const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

class ExecFailure extends Error {
  readonly node: Node | undefined;
  /** The template executing when it failed (a {{define}}d one inside {{template}}). */
  readonly executing: string;
  constructor(message: string, node: Node | undefined, executing: string) {
    super(message);
    this.node = node;
    this.executing = executing;
  }
}

interface Variable {
  name: string;
  value: GoValue;
}

/** Runs `tmpl` on `data`; throws TT_TEMPLATE_INVALID with Go's message on an execution error. */
export async function execute(tmpl: ParsedTemplate, data: GoValue, funcs: FuncMap): Promise<string> {
  const st = new State(tmpl, funcs, data);
  try {
    await st.walk(data, tmpl.root);
  } catch (err) {
    if (err instanceof ExecFailure) {
      let msg: string;
      let line: number | undefined;
      let column: number | undefined;
      if (err.node) {
        ({ line, col: column } = location(tmpl.text, err.node.pos));
        // Go of Prometheus 2.42 prints the whole node here (later Go versions cut it at 20 bytes)
        const ctx = nodeString(err.node);
        msg = `template: ${tmpl.name}:${line}:${column}: executing ${JSON.stringify(err.executing)} at <${ctx}>: ${err.message}`;
        column += 1;
      } else msg = `template: ${tmpl.name}: ${err.message}`;
      throw new TelltaleError('TT_TEMPLATE_INVALID', msg, { line, column, cause: err });
    }
    throw err;
  }
  return st.out.join('');
}

class State {
  readonly out: string[] = [];
  private vars: Variable[];
  private node: Node | undefined;
  private depth = 0;
  private executing: string;
  private readonly tmpl: ParsedTemplate;
  private readonly funcs: FuncMap;

  constructor(tmpl: ParsedTemplate, funcs: FuncMap, data: GoValue) {
    this.tmpl = tmpl;
    this.executing = tmpl.name;
    this.funcs = funcs;
    this.vars = [{ name: '$', value: data }];
  }

  private at(n: Node): void {
    this.node = n;
  }
  private fail(msg: string): never {
    throw new ExecFailure(msg, this.node, this.executing);
  }

  async walk(dot: GoValue, node: Node): Promise<void> {
    this.at(node);
    switch (node.kind) {
      case 'action': {
        const v = await this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.print(node, v);
        return;
      }
      case 'break': throw BREAK;
      case 'continue': throw CONTINUE;
      case 'if': case 'with': {
        const mark = this.vars.length;
        const v = await this.evalPipeline(dot, node.pipe);
        if (isTrue(v)) await this.walk(node.kind === 'with' ? v : dot, node.list);
        else if (node.elseList) await this.walk(dot, node.elseList);
        this.vars.length = mark;
        return;
      }
      case 'list':
        for (const n of node.nodes) await this.walk(dot, n);
        return;
      case 'range': return this.walkRange(dot, node);
      case 'template': return this.walkTemplate(dot, node);
      case 'text':
        this.out.push(node.text);
        return;
      default:
        this.fail(`unknown node: ${nodeString(node)}`);
    }
  }

  private print(node: Node, v: GoValue): void {
    this.at(node);
    try {
      this.out.push(printValue(v));
    } catch (err) {
      this.fail((err as Error).message);
    }
  }

  private async walkRange(dot: GoValue, r: RangeNode): Promise<void> {
    this.at(r);
    const mark0 = this.vars.length;
    const val = await this.evalPipeline(dot, r.pipe);
    const mark = this.vars.length;
    const one = async (index: GoValue, elem: GoValue): Promise<boolean> => {
      const d = r.pipe.decl;
      if (d.length > 0) {
        if (r.pipe.isAssign) this.setVar(d[0].ident[0], d.length > 1 ? index : elem);
        else this.vars[this.vars.length - 1].value = elem;
      }
      if (d.length > 1) {
        if (r.pipe.isAssign) this.setVar(d[1].ident[0], elem);
        else this.vars[this.vars.length - 2].value = index;
      }
      try {
        await this.walk(elem, r.list);
      } catch (err) {
        if (err === BREAK) return false;
        if (err !== CONTINUE) throw err;
      } finally {
        this.vars.length = mark;
      }
      return true;
    };
    let iterated = false;
    if (val instanceof GoSlice) {
      for (let i = 0; i < val.items.length; i++) {
        iterated = true;
        if (!(await one(BigInt(i), val.items[i]))) break;
      }
    } else if (val instanceof GoMap) {
      for (const k of val.sortedKeys()) {
        iterated = true;
        if (!(await one(k, val.entries.get(k)))) break;
      }
    } else if (val !== undefined && val !== null) {
      // the error points at the last node evaluated, as Go's does
      this.fail(`range can't iterate over ${printValue(val)}`);
    }
    if (!iterated && r.elseList) await this.walk(dot, r.elseList);
    this.vars.length = mark0;
  }

  private async walkTemplate(dot: GoValue, t: TemplateNode): Promise<void> {
    this.at(t);
    const body = this.tmpl.defines.get(t.name);
    if (!body) this.fail(`template ${JSON.stringify(t.name)} not defined`);
    if (this.depth >= MAX_DEPTH) this.fail(`exceeded maximum template depth (${MAX_DEPTH})`);
    const newDot = t.pipe ? await this.evalPipeline(dot, t.pipe) : undefined;
    const saved = this.vars;
    const savedName = this.executing;
    this.vars = [{ name: '$', value: newDot }];
    this.executing = t.name;
    this.depth++;
    try {
      await this.walk(newDot, body);
    } finally {
      this.depth--;
      this.vars = saved;
      this.executing = savedName;
    }
  }

  private setVar(name: string, value: GoValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  private varValue(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    return this.fail(`undefined variable: ${name}`);
  }

  async evalPipeline(dot: GoValue, pipe: PipeNode): Promise<GoValue> {
    this.at(pipe);
    let value: GoValue | typeof MISSING = MISSING;
    for (const cmd of pipe.cmds) value = await this.evalCommand(dot, cmd, value);
    const v = value === MISSING ? undefined : value;
    for (const d of pipe.decl) {
      if (pipe.isAssign) this.setVar(d.ident[0], v);
      else this.vars.push({ name: d.ident[0], value: v });
    }
    return v;
  }

  private async evalCommand(dot: GoValue, cmd: CommandNode, final: Final): Promise<GoValue> {
    const first = cmd.args[0];
    switch (first.kind) {
      case 'field': return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain': return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier': return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable': return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool': return first.value;
      case 'dot': return dot;
      case 'nil': return this.fail('nil is not a command');
      case 'number': return this.idealConstant(first);
      case 'string': return first.text;
    }
    return this.fail(`can't evaluate command ${JSON.stringify(nodeString(first))}`);
  }

  private notAFunction(args: Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.fail(`can't give argument to non-function ${nodeString(args[0])}`);
  }

  private idealConstant(n: NumberNode): GoValue {
    this.at(n);
    // Go: a float unless it is a hex integer (0x1F: its e/E are digits) or a character
    const hexInt = /^[+-]?0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    if (n.isFloat && !hexInt && !n.text.startsWith("'") && /[.eEpP]/.test(n.text)) return n.float as number;
    if (n.isInt) return n.int as bigint;
    if (n.isUint) return this.fail(`${n.text} overflows int`);
    return this.fail(`cannot use ${n.text}`);
  }

  private async evalFieldNode(dot: GoValue, field: FieldNode, args: Node[], final: Final): Promise<GoValue> {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private async evalChainNode(dot: GoValue, chain: ChainNode, args: Node[], final: Final): Promise<GoValue> {
    this.at(chain);
    if (chain.node.kind === 'nil') this.fail(`indirection through explicit nil in ${nodeString(chain)}`);
    const recv = await this.evalArg(dot, 'any', chain.node);
    return this.evalFieldChain(dot, recv, chain, chain.field, args, final);
  }

  private async evalVariableNode(dot: GoValue, v: VariableNode, args: Node[], final: Final): Promise<GoValue> {
    this.at(v);
    const value = this.varValue(v.ident[0]);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private async evalFieldChain(dot: GoValue, receiver: GoValue, node: Node, ident: string[], args: Node[], final: Final): Promise<GoValue> {
    let r = receiver;
    for (let i = 0; i < ident.length - 1; i++) r = await this.evalField(dot, ident[i], node, [], MISSING, r);
    return this.evalField(dot, ident[ident.length - 1], node, args, final, r);
  }

  private async evalField(dot: GoValue, name: string, node: Node, args: Node[], final: Final, receiver: GoValue): Promise<GoValue> {
    if (receiver === undefined) return undefined;
    if (receiver === null) this.fail(`nil pointer evaluating interface {}.${name}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    if (receiver instanceof GoTime) {
      const method = TIME_METHODS.get(name);
      // Go's message; docs/rules.md lists the methods Telltale has
      if (method === undefined) this.fail(`can't evaluate field ${name} in type *time.Time`);
      return this.evalCall(dot, { params: method.params, call: (a) => method.call(receiver, a) }, name, node, args, final);
    }
    if (receiver instanceof GoStruct) {
      if (receiver.fields.has(name)) {
        if (hasArgs) this.fail(`${name} has arguments but cannot be invoked as function`);
        return receiver.fields.get(name);
      }
    } else if (receiver instanceof GoMap) {
      if (hasArgs) this.fail(`${name} is not a method but has arguments`);
      return receiver.get(name);
    }
    return this.fail(`can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  private async evalFunction(dot: GoValue, node: IdentifierNode, cmd: Node, args: Node[] | undefined, final: Final): Promise<GoValue> {
    this.at(node);
    const fn = this.funcs.get(node.name);
    if (!fn) this.fail(`${JSON.stringify(node.name)} is not a defined function`);
    return this.evalCall(dot, fn, node.name, cmd, args, final);
  }

  /** Calls a function or method: checks the argument count, evaluates and type-checks the arguments. */
  private async evalCall(dot: GoValue, fn: GoFunction, name: string, cmd: Node, args: Node[] | undefined, final: Final): Promise<GoValue> {
    const rest = args ? args.slice(1) : [];
    const numIn = rest.length + (final !== MISSING ? 1 : 0);
    const numFixed = fn.params.length;
    if (fn.variadic !== undefined) {
      if (numIn < numFixed) this.fail(`wrong number of args for ${name}: want at least ${numFixed} got ${rest.length}`);
    } else if (numIn !== numFixed) {
      this.fail(`wrong number of args for ${name}: want ${numFixed} got ${numIn}`);
    }
    if ((name === 'and' || name === 'or') && fn === this.funcs.get(name)) {
      let v: GoValue;
      for (const a of rest) {
        v = await this.evalArg(dot, 'any', a);
        if (isTrue(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }
    const argv: GoValue[] = [];
    let i = 0;
    for (; i < numFixed && i < rest.length; i++) argv.push(await this.evalArg(dot, fn.params[i], rest[i]));
    for (; i < rest.length; i++) argv.push(await this.evalArg(dot, fn.variadic as string, rest[i]));
    if (final !== MISSING) {
      const t = fn.variadic !== undefined && numIn - 1 >= numFixed ? fn.variadic : fn.params[numIn - 1];
      argv.push(this.validateType(final, t));
    }
    try {
      return await fn.call(argv);
    } catch (err) {
      if (err instanceof ExecFailure || err instanceof TelltaleError) throw err;
      this.at(cmd);
      return this.fail(`error calling ${name}: ${(err as Error).message}`);
    }
  }

  private async evalArg(dot: GoValue, type: ParamType, n: Node): Promise<GoValue> {
    this.at(n);
    switch (n.kind) {
      case 'dot': return this.validateType(dot, type);
      case 'nil':
        if (type === 'any' || type.startsWith('*') || type.startsWith('map[') || type.startsWith('[]') || type === 'template.queryResult') return null;
        return this.fail(`cannot assign nil to ${type}`);
      case 'field': return this.validateType(await this.evalFieldNode(dot, n, [n], MISSING), type);
      case 'variable': return this.validateType(await this.evalVariableNode(dot, n, [], MISSING), type);
      case 'pipe': return this.validateType(await this.evalPipeline(dot, n), type);
      case 'identifier': return this.validateType(await this.evalFunction(dot, n, n, undefined, MISSING), type);
      case 'chain': return this.validateType(await this.evalChainNode(dot, n, [], MISSING), type);
    }
    switch (type) {
      case 'any':
        switch (n.kind) {
          case 'bool': return n.value;
          case 'number': return this.idealConstant(n);
          case 'string': return n.text;
        }
        break;
      case 'string':
        if (n.kind === 'string') return n.text;
        return this.fail(`expected string; found ${nodeString(n)}`);
      case 'float64':
        if (n.kind === 'number' && n.isFloat) return n.float as number;
        return this.fail(`expected float; found ${nodeString(n)}`);
      case 'int':
        if (n.kind === 'number' && n.isInt) return n.int as bigint;
        return this.fail(`expected integer; found ${nodeString(n)}`);
      case 'bool':
        if (n.kind === 'bool') return n.value;
        return this.fail(`expected bool; found ${nodeString(n)}`);
    }
    return this.fail(`can't handle ${nodeString(n)} for arg of type ${type}`);
  }

  private validateType(value: GoValue, type: ParamType): GoValue {
    if (value === undefined) {
      if (type === 'any') return undefined;
      if (type.startsWith('*') || type.startsWith('map[') || type.startsWith('[]') || type === 'template.queryResult') return null;
      return this.fail(`invalid value; expected ${type}`);
    }
    if (type === 'any') return value;
    if (value === null) {
      if (type.startsWith('*') || type.startsWith('map[') || type.startsWith('[]') || type === 'template.queryResult') return null;
      return this.fail(`invalid value; expected ${type}`);
    }
    const actual = goTypeName(value);
    if (actual === type) return value;
    return this.fail(`wrong type for value; expected ${type}; got ${actual}`);
  }
}

const MISSING = Symbol('missing');
type Final = GoValue | typeof MISSING;

