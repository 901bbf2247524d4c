/**
 * `rules test`: runs promtool unit-test files. Rule files are resolved relative to the test file and
 * globbed; they are checked with the PromQL parser before any test runs, and a problem in one fails every
 * test group of the file (as promtool, which loads them per group). Output and exit status follow
 * `promtool test rules`.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { TelltaleError } from '../../errors.ts';
import { promqlExprProblem } from '../check.ts';
import { formatFindingWith, readRuleFile } from '../rule-file.ts';
import type { RuleFile } from '../types.ts';
import { BadPatternError, goGlob } from './go-glob.ts';
import { runTestGroup } from './run-group.ts';
import { parseUnitTestFile, type UnitTestFile } from './test-file.ts';

export interface GroupResult {
  /** the group's `name`, or `#N` (1-based) when it has none */
  name: string;
  errors: string[];
}

export interface UnitTestResult {
  file: string;
  ok: boolean;
  warnings: string[];
  /** the file could not be read or parsed (then `groups` is empty) */
  fileError?: TelltaleError;
  groups: GroupResult[];
}

/**
 * rule_files as promtool resolves them: relative to the test file, through Go's filepath.Glob, a pattern
 * that matches nothing a warning. A file named twice loads once (promtool keys its groups by file and name).
 */
async function expandRuleFiles(spec: UnitTestFile, warnings: string[]): Promise<string[]> {
  const out: string[] = [];
  const base = dirname(spec.file);
  for (const [i, p] of spec.ruleFiles.entries()) {
    const pattern = p !== '' && !isAbsolute(p) ? join(base, p) : p;
    let matches: string[];
    try {
      matches = await goGlob(pattern);
    } catch (err) {
      if (!(err instanceof BadPatternError)) throw err;
      throw new TelltaleError('TT_RULES_INVALID', `rule_files[${i}]: ${err.message}: ${JSON.stringify(p)}`, { file: spec.file, ...spec.ruleFilesPos[i], field: `rule_files[${i}]` });
    }
    if (matches.length === 0) warnings.push(`no file match pattern ${pattern}`);
    out.push(...matches);
  }
  return [...new Set(out)];
}

async function loadRules(paths: string[]): Promise<{ files: RuleFile[]; problems: string[] }> {
  const files: RuleFile[] = [];
  const problems: string[] = [];
  for (const p of paths) {
    const parsed = await readRuleFile(p, { parseExpr: promqlExprProblem });
    const errs = parsed.findings.filter((f) => f.severity === 'error');
    // promtool, loading rule files for a test, writes `FILE: LINE:COL: ...`
    problems.push(...errs.map((e) => formatFindingWith(e, ': ')));
    if (parsed.ruleFile && errs.length === 0) files.push(parsed.ruleFile);
  }
  return { files, problems };
}

/** Runs one unit-test file. Never throws for bad input: problems are in the result. */
export async function runUnitTestFile(path: string): Promise<UnitTestResult> {
  const warnings: string[] = [];
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message;
    return { file: path, ok: false, warnings, groups: [], fileError: new TelltaleError('TT_RULES_INVALID', `cannot read the file: ${reason}`, { file: path }) };
  }
  let spec;
  try {
    spec = parseUnitTestFile(text, path);
  } catch (err) {
    if (!(err instanceof TelltaleError)) throw err;
    return { file: path, ok: false, warnings, groups: [], fileError: err };
  }
  const groups: GroupResult[] = [];
  // promtool globs rule_files (warnings, bad patterns) before it looks at the tests
  let rulePaths: string[];
  try {
    rulePaths = await expandRuleFiles(spec, warnings);
  } catch (err) {
    if (!(err instanceof TelltaleError)) throw err;
    return { file: path, ok: false, warnings, groups: [], fileError: err };
  }
  if (spec.tests.length > 0) {
    const rules = await loadRules(rulePaths);
    for (const [i, tg] of spec.tests.entries()) {
      const name = tg.name === '' ? `#${i + 1}` : tg.name;
      const errors = rules.problems.length > 0
        ? rules.problems
        : await runTestGroup(tg, { ruleFiles: rules.files, evaluationIntervalMs: spec.evaluationIntervalMs, groupEvalOrder: spec.groupEvalOrder });
      groups.push({ name, errors });
    }
  }
  return { file: path, ok: groups.every((g) => g.errors.length === 0), warnings, groups };
}

/** One piece of output and the stream it goes to, in the order promtool writes them. */
export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  text: string;
}

/**
 * promtool's layout: `Unit Testing:  FILE`, then `  SUCCESS` or `  FAILED:` and every failure (on stderr),
 * each followed by an empty line on stdout.
 */
export function renderUnitTestChunks(results: UnitTestResult[]): OutputChunk[] {
  const out: OutputChunk[] = [];
  const put = (stream: OutputChunk['stream'], text: string) => out.push({ stream, text });
  for (const r of results) {
    put('stdout', `Unit Testing:  ${r.file}\n`);
    for (const w of r.warnings) put('stderr', `  WARNING: ${w}\n`);
    if (r.ok) put('stdout', '  SUCCESS\n');
    else {
      put('stderr', '  FAILED:\n');
      const errors = r.fileError ? [r.fileError.format()] : r.groups.flatMap((g) => g.errors);
      for (const e of errors) {
        put('stderr', `${e}\n`);
        put('stdout', '\n');
      }
    }
    put('stdout', '\n');
  }
  return out;
}

/** The same output split by stream. */
export function renderUnitTests(results: UnitTestResult[]): { stdout: string; stderr: string } {
  const chunks = renderUnitTestChunks(results);
  const join = (stream: OutputChunk['stream']) => chunks.filter((c) => c.stream === stream).map((c) => c.text).join('');
  return { stdout: join('stdout'), stderr: join('stderr') };
}
