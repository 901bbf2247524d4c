/** The parse tree of a template, shaped like Go's text/template/parse nodes (their String() forms included). */

export type Node =
  | ListNode | TextNode | ActionNode | IfNode | RangeNode | WithNode | TemplateNode | BreakNode | ContinueNode
  | PipeNode | CommandNode | IdentifierNode | DotNode | NilNode | FieldNode | VariableNode | ChainNode
  | BoolNode | NumberNode | StringNode | EndNode | ElseNode;

export interface ListNode { kind: 'list'; pos: number; nodes: Node[] }
export interface TextNode { kind: 'text'; pos: number; text: string }
export interface ActionNode { kind: 'action'; pos: number; pipe: PipeNode }
export interface IfNode { kind: 'if'; pos: number; pipe: PipeNode; list: ListNode; elseList?: ListNode }
export interface RangeNode { kind: 'range'; pos: number; pipe: PipeNode; list: ListNode; elseList?: ListNode }
export interface WithNode { kind: 'with'; pos: number; pipe: PipeNode; list: ListNode; elseList?: ListNode }
export interface TemplateNode { kind: 'template'; pos: number; name: string; pipe?: PipeNode }
export interface BreakNode { kind: 'break'; pos: number }
export interface ContinueNode { kind: 'continue'; pos: number }
export interface EndNode { kind: 'end'; pos: number }
export interface ElseNode { kind: 'else'; pos: number }
export interface PipeNode { kind: 'pipe'; pos: number; isAssign: boolean; decl: VariableNode[]; cmds: CommandNode[] }
export interface CommandNode { kind: 'command'; pos: number; args: Node[] }
export interface IdentifierNode { kind: 'identifier'; pos: number; name: string }
export interface DotNode { kind: 'dot'; pos: number }
export interface NilNode { kind: 'nil'; pos: number }
/** `.A.B`: ident = ['A', 'B']. */
export interface FieldNode { kind: 'field'; pos: number; ident: string[] }
/** `$x.A`: ident = ['$x', 'A']. */
export interface VariableNode { kind: 'variable'; pos: number; ident: string[] }
/** `(pipeline).A.B` or `fn.A`. */
export interface ChainNode { kind: 'chain'; pos: number; node: Node; field: string[] }
export interface BoolNode { kind: 'bool'; pos: number; value: boolean }
export interface NumberNode {
  kind: 'number';
  pos: number;
  text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int?: bigint;
  float?: number;
}
export interface StringNode { kind: 'string'; pos: number; quoted: string; text: string }

/** Go's Node.String(), used in error contexts (`at <.Labels.x>`) and messages. */
export function nodeString(n: Node): string {
  switch (n.kind) {
    case 'list': return n.nodes.map(nodeString).join('');
    case 'text': return JSON.stringify(n.text);
    case 'action': return `{{${nodeString(n.pipe)}}}`;
    case 'if': case 'range': case 'with': {
      let s = `{{${n.kind} ${nodeString(n.pipe)}}}${nodeString(n.list)}`;
      if (n.elseList) s += `{{else}}${nodeString(n.elseList)}`;
      return `${s}{{end}}`;
    }
    case 'template': return n.pipe ? `{{template ${JSON.stringify(n.name)} ${nodeString(n.pipe)}}}` : `{{template ${JSON.stringify(n.name)}}}`;
    case 'break': return '{{break}}';
    case 'continue': return '{{continue}}';
    case 'end': return '{{end}}';
    case 'else': return '{{else}}';
    case 'pipe': {
      let s = '';
      if (n.decl.length) s = `${n.decl.map(nodeString).join(', ')} ${n.isAssign ? '=' : ':='} `;
      return s + n.cmds.map(nodeString).join(' | ');
    }
    case 'command': return n.args.map((a) => (a.kind === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'identifier': return n.name;
    case 'dot': return '.';
    case 'nil': return 'nil';
    case 'field': return n.ident.map((i) => `.${i}`).join('');
    case 'variable': return n.ident.join('.');
    case 'chain': {
      const inner = n.node.kind === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node);
      return inner + n.field.map((f) => `.${f}`).join('');
    }
    case 'bool': return String(n.value);
    case 'number': return n.text;
    case 'string': return n.quoted;
  }
}
