/**
 * Check definitions from a YAML (or JSON) file: `checks: [...]` at the top, or a bare list. Problems name the
 * file, the line and the field path (`checks.yaml:14: checks[2].assertions[0].target: ...`), so a user can
 * jump to the mistake. Relative multistep script paths are resolved against the file's directory.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { TelltaleError } from '../errors.ts';
import type { CheckDefinition } from './check-types.ts';
import { formatPath, validateChecks, type FieldPath } from './parse-checks.ts';

/** Anchors/aliases allowed per document: enough for reuse, too few for a "billion laughs" blow-up. */
const MAX_ALIASES = 100;
/** A larger check file is a mistake (or an attack), not a config. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

export async function loadChecksFile(file: string): Promise<CheckDefinition[]> {
  let text: string;
  try {
    const buf = await readFile(file);
    if (buf.length > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
    text = buf.toString('utf8');
  } catch (err) {
    throw new TelltaleError('TT_CHECK_INVALID', `cannot read the checks file: ${(err as Error).message}`, { file, cause: err });
  }
  return parseChecksText(text, { file, baseDir: path.dirname(path.resolve(file)) });
}

export function parseChecksText(text: string, options: { file?: string; baseDir?: string } = {}): CheckDefinition[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const at = lines.linePos(syntax.pos[0]);
    throw new TelltaleError('TT_CHECK_INVALID', `not valid YAML: ${syntax.message.split('\n')[0]}`, { file: options.file, line: at?.line, column: at?.col });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    throw new TelltaleError('TT_CHECK_INVALID', `not a usable document: ${(err as Error).message}`, { file: options.file, cause: err });
  }
  const wrapped = value !== null && typeof value === 'object' && !Array.isArray(value);
  if (wrapped && !('checks' in (value as object))) {
    throw new TelltaleError('TT_CHECK_INVALID', 'expected a list of checks, or an object with a `checks` list', { file: options.file, field: 'checks', line: 1 });
  }
  const { checks, problems } = validateChecks(value, options);
  if (problems.length === 0) return checks;
  const located = problems.map((p) => ({ ...p, line: lineOf(doc, lines, wrapped ? p.path : p.path.slice(1)) }));
  const rendered = located.map((p) => `${p.line === undefined ? '' : `line ${p.line}: `}${formatPath(p.path)}: ${p.message}`);
  const head = problems.length === 1 ? 'invalid check definition' : `${problems.length} problems in check definitions`;
  return fail(head, rendered, options.file, located[0].line, formatPath(problems[0].path));
}

function fail(head: string, lines: string[], file: string | undefined, line: number | undefined, field: string): never {
  throw new TelltaleError('TT_CHECK_INVALID', `${head}:\n  ${lines.join('\n  ')}`, { file, line, field });
}

/** The line of the node at `at`, or of its nearest ancestor that exists (a missing field: its object's line). */
function lineOf(doc: Document, lines: LineCounter, at: FieldPath): number | undefined {
  for (let n = at.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(at.slice(0, n), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}
