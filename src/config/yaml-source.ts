/**
 * YAML config files with positions: parse once, keep the document so any later finding about a field
 * (`scrape_configs.2.static_configs.0.targets`) can be reported at its file:line:column, and validate
 * against a zod schema collecting every problem instead of stopping at the first.
 */
import { Document, isMap, isNode, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { z } from 'zod';
import { TelltaleError, type ErrorCode } from '../errors.ts';

export interface Position {
  line: number;
  column: number;
}

export interface Finding {
  severity: 'error' | 'warning';
  message: string;
  /** dotted path of the field, e.g. `groups[0].rules[2].expr` */
  field?: string;
  file: string;
  line?: number;
  column?: number;
}

export interface YamlSource {
  file: string;
  /** the plain JavaScript value of the document */
  value: unknown;
  /** Where a path of keys and indexes is written, or the nearest ancestor that is. */
  positionOf(path: readonly (string | number)[]): Position | undefined;
}

/** `a.b[2].c` from `['a', 'b', 2, 'c']`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/**
 * Parses YAML text. Syntax errors (and duplicate keys, which YAML forbids) throw `code` with the file,
 * line and column of the first one; the message lists them all.
 */
export function parseYamlSource(text: string, file: string, code: ErrorCode = 'TT_CONFIG_INVALID'): YamlSource {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const pos = lineCounter.linePos(first.pos[0]);
    const lines = doc.errors.map((e) => {
      const p = lineCounter.linePos(e.pos[0]);
      return `${file}:${p.line}:${p.col}: ${firstLine(e.message)}`;
    });
    throw new TelltaleError(code, `invalid YAML: ${firstLine(first.message)}`, {
      file,
      line: pos.line,
      column: pos.col,
      hint: lines.length > 1 ? lines.slice(1).join('\n') : undefined,
    });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new TelltaleError(code, `invalid YAML: ${(err as Error).message}`, { file, cause: err });
  }
  const positionOf = (path: readonly (string | number)[]): Position | undefined => {
    let node: unknown = doc.contents;
    let best: Node | undefined = isNode(node) ? node : undefined;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isNode(p.key) ? (p.key as { value?: unknown }).value : p.key) === key);
        if (!pair) break;
        // point at the key for a missing or null value, else at the value
        node = pair.value;
        best = isNode(pair.value) ? pair.value : isNode(pair.key) ? (pair.key as Node) : best;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
        if (!isNode(node)) break;
        best = node;
      } else break;
    }
    if (!best?.range) return undefined;
    const p = lineCounter.linePos(best.range[0]);
    return { line: p.line, column: p.col };
  };
  return { file, value, positionOf };
}

/** Every schema problem as a finding with its position, sorted by where it is in the file. */
export function schemaFindings(source: YamlSource, error: z.ZodError): Finding[] {
  const finding = (path: (string | number)[], message: string): Finding => {
    const pos = source.positionOf(path);
    const field = formatPath(path);
    return { severity: 'error', message: field ? `${field}: ${message}` : message, field: field || undefined, file: source.file, line: pos?.line, column: pos?.column };
  };
  const findings = error.issues.flatMap((issue): Finding[] => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    // an unknown key is reported where the key is written, one finding per key
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => finding([...path, key], 'unknown field'));
    return [finding(path, issue.message)];
  });
  return findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** `file:line:col: message` */
export function formatFinding(f: Finding): string {
  const where = f.line !== undefined ? `${f.file}:${f.line}:${f.column ?? 1}` : f.file;
  return `${where}: ${f.severity === 'warning' ? 'warning: ' : ''}${f.message}`;
}

/**
 * Validates the document against a schema. On failure throws `code` at the first problem's position, with
 * every problem listed in the hint, so one run of `telltale validate` shows them all.
 */
export function validateYaml<S extends z.ZodType>(source: YamlSource, schema: S, code: ErrorCode = 'TT_CONFIG_INVALID'): z.infer<S> {
  const result = schema.safeParse(source.value);
  if (result.success) return result.data;
  throw findingsError(schemaFindings(source, result.error), code);
}

export function findingsError(findings: Finding[], code: ErrorCode = 'TT_CONFIG_INVALID'): TelltaleError {
  const errors = findings.filter((f) => f.severity === 'error');
  const first = errors[0] ?? findings[0];
  return new TelltaleError(code, first.message, {
    file: first.file,
    line: first.line,
    column: first.column,
    field: first.field,
    hint: findings.length > 1 ? findings.slice(1).map(formatFinding).join('\n') : undefined,
  });
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}
