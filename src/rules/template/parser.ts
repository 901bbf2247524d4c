/**
 * The parser of Go's text/template: the same grammar, the same checks at parse time (functions must exist,
 * variables must be declared, break/continue only inside range) and the same messages, prefixed like Go's
 * `template: NAME:LINE: ...`.
 */
import { TelltaleError } from '../../errors.ts';
import type {
  ActionNode, CommandNode, ElseNode, EndNode, IfNode, ListNode, Node, PipeNode, RangeNode, TemplateNode, VariableNode, WithNode,
} from './ast.ts';
import { nodeString } from './ast.ts';
import { parseNumber, unquote } from './go-literals.ts';
import { describeItem, lex, type Item, type ItemType } from './lexer.ts';

/** A parsed template: its main tree and every {{define}}/{{block}} it declares. */
export interface ParsedTemplate {
  name: string;
  text: string;
  root: ListNode;
  defines: Map<string, ListNode>;
}

export interface ParseOptions {
  /** Names of the functions the template may call. */
  hasFunction: (name: string) => boolean;
  /** Accept `{{else with}}` (Go 1.23); Prometheus 2.42 is built with an older Go that rejects it. */
  elseWith?: boolean;
}

/** Line (1-based) and column (0-based, in UTF-8 bytes, as Go counts) of an offset. */
export function location(text: string, pos: number): { line: number; col: number } {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line, col: Buffer.byteLength(before.slice(lineStart), 'utf8') };
}

const MAX_DEPTH = 500;

class ParseFailure extends Error {
  readonly pos: number;
  constructor(message: string, pos: number) {
    super(message);
    this.pos = pos;
  }
}

export function parseTemplate(name: string, text: string, options: ParseOptions): ParsedTemplate {
  const p = new Parser(name, text, options);
  try {
    const root = p.parse();
    return { name, text, root, defines: p.defines };
  } catch (err) {
    if (err instanceof ParseFailure) {
      const { line, col } = location(text, err.pos);
      throw new TelltaleError('TT_TEMPLATE_INVALID', `template: ${name}:${line}: ${err.message}`, { line, column: col + 1, cause: err });
    }
    throw err;
  }
}

class Parser {
  readonly defines = new Map<string, ListNode>();
  private readonly items: Item[];
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  /** Nesting of pipelines and control blocks; Go stops at a depth too, here before the JS stack would. */
  private depth = 0;
  private last: Item;
  private readonly name: string;
  private readonly text: string;
  private readonly options: ParseOptions;

  constructor(name: string, text: string, options: ParseOptions) {
    this.name = name;
    this.text = text;
    this.options = options;
    this.items = lex(text);
    this.last = this.items[0];
  }

  private fail(message: string, at?: number): never {
    throw new ParseFailure(message, at ?? this.last.pos);
  }

  private next(): Item {
    const it = this.items[Math.min(this.i, this.items.length - 1)];
    this.i++;
    this.last = it;
    return it;
  }
  private backup(n = 1): void {
    this.i -= n;
  }
  private peek(): Item {
    return this.items[Math.min(this.i, this.items.length - 1)];
  }
  private nextNonSpace(): Item {
    let it: Item;
    do it = this.next(); while (it.type === 'space');
    return it;
  }
  /** Like Go's: skips the spaces for good, leaves the next token unread. */
  private peekNonSpace(): Item {
    const it = this.nextNonSpace();
    this.backup();
    return it;
  }
  private expect(type: ItemType, context: string): Item {
    const it = this.nextNonSpace();
    if (it.type !== type) this.unexpected(it, context);
    return it;
  }
  private unexpected(it: Item, context: string): never {
    if (it.type === 'error') this.fail(it.val, it.pos);
    this.fail(`unexpected ${describeItem(it)} in ${context}`, it.pos);
  }

  parse(): ListNode {
    const root: ListNode = { kind: 'list', pos: 0, nodes: [] };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const save = this.i;
        this.next();
        if (this.nextNonSpace().type === 'define') {
          this.parseDefinition();
          continue;
        }
        this.i = save;
      }
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') this.fail(`unexpected ${nodeString(n)}`);
      if (n.kind !== 'text' || n.text !== '') root.nodes.push(n);
    }
    return root;
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const nameItem = this.nextNonSpace();
    if (nameItem.type !== 'string' && nameItem.type !== 'rawString') this.unexpected(nameItem, context);
    const name = this.unquoteItem(nameItem);
    this.expect('rightDelim', context);
    const outerVars = this.vars;
    this.vars = ['$'];
    const [list, end] = this.itemList();
    if (end.kind !== 'end') this.fail(`unexpected ${nodeString(end)} in ${context}`);
    this.addDefine(name, list);
    this.vars = outerVars;
  }

  private addDefine(name: string, list: ListNode): void {
    const existing = this.defines.get(name);
    // Go lets an empty definition be replaced, and a non-empty one replace an empty one
    if (existing && !isEmptyTree(existing) && !isEmptyTree(list)) this.fail(`template: multiple definition of template "${name}"`);
    if (!existing || isEmptyTree(existing)) this.defines.set(name, list);
  }

  private unquoteItem(it: Item): string {
    try {
      return unquote(it.val);
    } catch (err) {
      return this.fail((err as Error).message, it.pos);
    }
  }

  private itemList(): [ListNode, EndNode | ElseNode] {
    const list: ListNode = { kind: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.nextNonSpace();
    return this.fail('unexpected EOF');
  }

  private textOrAction(): Node {
    const it = this.nextNonSpace();
    switch (it.type) {
      case 'text': return { kind: 'text', pos: it.pos, text: it.val };
      case 'leftDelim': return this.action();
      case 'comment': return { kind: 'text', pos: it.pos, text: '' };
      default: return this.unexpected(it, 'input');
    }
  }

  private action(): Node {
    const it = this.nextNonSpace();
    switch (it.type) {
      case 'block': return this.blockControl();
      case 'break': case 'continue': {
        const t = this.nextNonSpace();
        if (t.type !== 'rightDelim') this.unexpected(t, `{{${it.type}}}`);
        if (this.rangeDepth === 0) this.fail(`{{${it.type}}} outside {{range}}`, it.pos);
        return { kind: it.type, pos: it.pos };
      }
      case 'else': return this.elseControl();
      case 'end': return { kind: 'end', pos: this.expect('rightDelim', 'end').pos };
      case 'if': return this.control('if');
      case 'range': return this.control('range');
      case 'template': return this.templateControl();
      case 'with': return this.control('with');
    }
    this.backup();
    const pos = this.peek().pos;
    const action: ActionNode = { kind: 'action', pos, pipe: this.pipeline('command', 'rightDelim') };
    return action;
  }

  private elseControl(): ElseNode {
    const peek = this.peekNonSpace();
    if (peek.type === 'if' || (peek.type === 'with' && this.options.elseWith !== false)) return { kind: 'else', pos: peek.pos };
    return { kind: 'else', pos: this.expect('rightDelim', 'else').pos };
  }

  private control(context: 'if' | 'range' | 'with'): IfNode | RangeNode | WithNode {
    if (++this.depth > MAX_DEPTH) this.fail('max expression depth exceeded');
    try {
      return this.controlBody(context);
    } finally {
      this.depth--;
    }
  }

  private controlBody(context: 'if' | 'range' | 'with'): IfNode | RangeNode | WithNode {
    const mark = this.vars.length;
    const pipe = this.pipeline(context, 'rightDelim');
    if (context === 'range') this.rangeDepth++;
    const [list, next] = this.itemList();
    if (context === 'range') this.rangeDepth--;
    let elseList: ListNode | undefined;
    if (next.kind === 'else') {
      // {{else if x}} is {{else}}{{if x}}...{{end}}{{end}} whose inner {{end}} also closes the outer
      const peek = this.peekNonSpace();
      if (context === 'if' && peek.type === 'if') {
        this.nextNonSpace();
        elseList = { kind: 'list', pos: next.pos, nodes: [this.control('if')] };
      } else if (context === 'with' && peek.type === 'with') {
        this.nextNonSpace();
        elseList = { kind: 'list', pos: next.pos, nodes: [this.control('with')] };
      } else {
        let end: EndNode | ElseNode;
        [elseList, end] = this.itemList();
        if (end.kind !== 'end') this.fail(`expected end; found ${nodeString(end)}`);
      }
    }
    this.vars.length = mark;
    return { kind: context, pos: pipe.pos, pipe, list, elseList } as IfNode | RangeNode | WithNode;
  }

  private templateName(it: Item, context: string): string {
    if (it.type === 'string' || it.type === 'rawString') return this.unquoteItem(it);
    return this.unexpected(it, context);
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const it = this.nextNonSpace();
    const name = this.templateName(it, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { kind: 'template', pos: it.pos, name, pipe };
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const it = this.nextNonSpace();
    const name = this.templateName(it, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const outerVars = this.vars;
    const outerRange = this.rangeDepth;
    this.vars = ['$'];
    this.rangeDepth = 0;
    const [list, end] = this.itemList();
    if (end.kind !== 'end') this.fail(`unexpected ${nodeString(end)} in ${context}`);
    this.vars = outerVars;
    this.rangeDepth = outerRange;
    this.addDefine(name, list);
    return { kind: 'template', pos: it.pos, name, pipe };
  }

  private pipeline(context: string, end: ItemType): PipeNode {
    if (++this.depth > MAX_DEPTH) this.fail('max expression depth exceeded');
    try {
      return this.pipelineBody(context, end);
    } finally {
      this.depth--;
    }
  }

  private pipelineBody(context: string, end: ItemType): PipeNode {
    const pipe: PipeNode = { kind: 'pipe', pos: this.peekNonSpace().pos, isAssign: false, decl: [], cmds: [] };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      const save = this.i;
      this.nextNonSpace();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
        break;
      }
      if (next.type === 'char' && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const t = this.peekNonSpace().type;
          if (t === 'variable' || t === 'rightDelim' || t === 'rightParen') continue;
          this.fail('range can only initialize variables');
        }
        this.fail(`too many declarations in ${context}`);
      }
      this.i = save;
      break;
    }
    for (;;) {
      const it = this.nextNonSpace();
      if (it.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (it.type) {
        case 'bool': case 'charConstant': case 'complex': case 'dot': case 'field': case 'identifier':
        case 'number': case 'nil': case 'rawString': case 'string': case 'variable': case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(it, context);
      }
    }
  }

  private newVariable(pos: number, text: string): VariableNode {
    return { kind: 'variable', pos, ident: text.split('.') };
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const k = c.args[0].kind;
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') {
        this.fail(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { kind: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const it = this.next();
      if (it.type === 'space') continue;
      if (it.type === 'rightDelim' || it.type === 'rightParen') this.backup();
      else if (it.type !== 'pipe') this.unexpected(it, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.fail('empty command');
    return cmd;
  }

  private operand(): Node | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().type !== 'field') return node;
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
    switch (node.kind) {
      case 'field': return { kind: 'field', pos, ident: [...node.ident, ...fields] };
      case 'variable': return { kind: 'variable', pos, ident: [...node.ident, ...fields] };
      case 'bool': case 'string': case 'number': case 'nil': case 'dot':
        return this.fail(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
      default: return { kind: 'chain', pos, node, field: fields };
    }
  }

  private term(): Node | undefined {
    const it = this.nextNonSpace();
    switch (it.type) {
      case 'identifier':
        if (!this.options.hasFunction(it.val)) this.fail(`function ${JSON.stringify(it.val)} not defined`, it.pos);
        return { kind: 'identifier', pos: it.pos, name: it.val };
      case 'dot': return { kind: 'dot', pos: it.pos };
      case 'nil': return { kind: 'nil', pos: it.pos };
      case 'variable': {
        const v = this.newVariable(it.pos, it.val);
        if (!this.vars.includes(v.ident[0])) this.fail(`undefined variable ${JSON.stringify(v.ident[0])}`, it.pos);
        return v;
      }
      case 'field': return { kind: 'field', pos: it.pos, ident: it.val.slice(1).split('.') };
      case 'bool': return { kind: 'bool', pos: it.pos, value: it.val === 'true' };
      case 'charConstant': case 'complex': case 'number':
        try {
          return parseNumber(it.pos, it.val, it.type);
        } catch (err) {
          return this.fail((err as Error).message, it.pos);
        }
      case 'leftParen': return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string': case 'rawString':
        return { kind: 'string', pos: it.pos, quoted: it.val, text: this.unquoteItem(it) };
    }
    this.backup();
    return undefined;
  }
}

function isEmptyTree(list: ListNode): boolean {
  return list.nodes.every((n) => n.kind === 'text' && n.text.trim() === '');
}
