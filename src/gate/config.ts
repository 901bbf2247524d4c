/**
 * `telltale gate --config gate.yaml`: rules (for all requests and every endpoint, or one endpoint's own), the
 * statistics' settings, the baseline and the history, in one YAML file kept next to the test. Keys are the
 * command-line flags without their dashes' prefix; flags given on the command line win over the file.
 *
 * The file is hostile input like any other: it is read whole, parsed by `yaml` with positions kept, checked
 * by a zod schema and every rule parsed, and any problem is one TT_GATE_CONFIG error naming the file, the line
 * and the field (`endpoints[1].rules[0]`), never a crash or a half-read config.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { TelltaleError } from '../errors.ts';
import { parseRule, type GateRule } from './rules.ts';

/** A gate config is a few dozen lines; anything near this size is not one. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** The field of a problem with the document as a whole (not YAML, not a mapping). */
const DOCUMENT = '(root)';

const ruleText = z.string().min(1).max(1000);

const schema = z.strictObject({
  /** the rules for all requests together and for every endpoint without rules of its own */
  rules: z.array(ruleText).optional(),
  /** endpoints (the `name` tag) with rules of their own, instead of `rules` */
  endpoints: z.array(z.strictObject({ name: z.string().min(1).max(10_000), rules: z.array(ruleText) })).optional(),
  alpha: z.number().gt(0).lt(1).optional(),
  'min-intervals': z.number().int().min(2).max(1_000_000).optional(),
  'fail-on-inconclusive': z.boolean().optional(),
  /** the test, when the newest run in the store is gated */
  test: z.string().min(1).max(200).optional(),
  baseline: z
    .strictObject({
      /** a run record file, relative to the config file */
      file: z.string().min(1).optional(),
      /** a run id or unique prefix in the store */
      run: z.string().min(1).optional(),
      /** the newest passing run of the test (other than the one gated) */
      'last-passing': z.boolean().optional(),
      /** with last-passing: of this git branch */
      branch: z.string().min(1).optional(),
    })
    .superRefine((b, ctx) => {
      const ways = [b.file !== undefined, b.run !== undefined, b['last-passing'] === true].filter(Boolean).length;
      if (ways > 1) ctx.addIssue({ code: 'custom', message: 'give one of file, run and last-passing' });
      if (b.branch !== undefined && b['last-passing'] !== true) ctx.addIssue({ code: 'custom', message: 'branch only goes with last-passing: true', path: ['branch'] });
    })
    .optional(),
  history: z
    .strictObject({
      /** how many earlier passing runs to estimate run-to-run noise from (0: none) */
      runs: z.number().int().min(0).max(1000).optional(),
      /** fewest runs (the baseline included) for an estimate */
      'min-runs': z.number().int().min(2).max(1000).optional(),
      /** the history's branch (default: the baseline's) */
      branch: z.string().min(1).optional(),
    })
    .optional(),
});

export type GateBaselineChoice = { kind: 'file'; file: string } | { kind: 'run'; run: string } | { kind: 'last-passing'; branch?: string };

export interface GateConfig {
  file: string;
  /** global rules, parsed (undefined: not in the file) */
  rules?: GateRule[];
  /** every endpoint rule, parsed, with its endpoint set */
  endpointRules: GateRule[];
  /** the endpoints that have rules of their own */
  ownRules: string[];
  alpha?: number;
  minIntervals?: number;
  failOnInconclusive?: boolean;
  test?: string;
  baseline?: GateBaselineChoice;
  history: { runs?: number; minRuns?: number; branch?: string };
}

/** `endpoints[1].rules[0]`, `history.min-runs`: the keys as they are written in the file. */
function formatPath(at: readonly PropertyKey[]): string {
  let out = '';
  for (const p of at) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(String(p))) out += out === '' ? String(p) : `.${String(p)}`;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out === '' ? DOCUMENT : out;
}

type Lines = (offset: number) => { line: number; col: number };

/** The line of the YAML node at `at`, or of its nearest ancestor present in the file. */
function lineOf(doc: Document, lines: Lines, at: readonly PropertyKey[], key?: string): number | undefined {
  for (let n = at.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(at.slice(0, n) as (string | number)[], true);
    if (node === undefined || node === null || typeof node !== 'object' || !('range' in node)) continue;
    // an unknown or misplaced key: point at the key itself
    if (key !== undefined && n === at.length && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
      if (pair && isScalar(pair.key) && pair.key.range) return lines(pair.key.range[0]).line;
    }
    const range = (node as { range?: [number, number, number] | null }).range;
    if (range) return lines(range[0]).line;
  }
  return undefined;
}

function problem(file: string, message: string, where: { line?: number; field?: string; hint?: string; cause?: unknown } = {}): TelltaleError {
  const field = where.field ?? DOCUMENT;
  return new TelltaleError('TT_GATE_CONFIG', `gate config: ${field === DOCUMENT ? '' : `${field}: `}${message}`, { file, ...where, field });
}

/** Parses the text of a gate config file; `file` names it in errors and anchors relative paths. */
export function parseGateConfig(text: string, file: string): GateConfig {
  if (text.trim() === '') throw problem(file, 'the file is empty (a gate config holds at least one setting)');
  const counter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  } catch (err) {
    throw problem(file, `cannot be parsed: ${(err as Error).message}`, { cause: err });
  }
  const lines: Lines = (offset) => counter.linePos(offset);
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw problem(file, `not valid YAML: ${message}`, { line: e.linePos?.[0].line ?? lines(e.pos[0]).line });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw problem(file, `cannot be read: ${(err as Error).message}`, { cause: err });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw problem(file, 'expected a mapping of settings (rules:, alpha:, baseline: ...)', { line: lineOf(doc, lines, []) });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const at = unknownKey === undefined ? issue.path : [...issue.path, unknownKey];
    const field = formatPath(at);
    const message = unknownKey === undefined ? issue.message : `unknown setting (known: ${knownKeys(issue.path)})`;
    throw problem(file, message, { field, line: lineOf(doc, lines, issue.path, unknownKey) });
  }
  const c = parsed.data;
  const rule = (text: string, at: (string | number)[], endpoint?: string): GateRule => {
    const field = formatPath(at);
    let r: GateRule;
    try {
      r = parseRule(text, field);
    } catch (err) {
      const e = err as TelltaleError;
      throw problem(file, e.message.replace(`${field} `, ''), { field, line: lineOf(doc, lines, at), hint: e.hint });
    }
    if (endpoint === undefined) return r;
    if (r.endpoint !== undefined) throw problem(file, `an endpoint's own rule names no endpoint of its own ({name:...} is the endpoint's name already)`, { field, line: lineOf(doc, lines, at) });
    return { ...r, endpoint };
  };
  const seen = new Set<string>();
  const endpointRules: GateRule[] = [];
  (c.endpoints ?? []).forEach((e, i) => {
    if (seen.has(e.name)) throw problem(file, `endpoint ${JSON.stringify(e.name)} is listed twice`, { field: `endpoints[${i}].name`, line: lineOf(doc, lines, ['endpoints', i, 'name']) });
    seen.add(e.name);
    e.rules.forEach((t, j) => endpointRules.push(rule(t, ['endpoints', i, 'rules', j], e.name)));
  });
  const out: GateConfig = { file, endpointRules, ownRules: [...seen], history: {} };
  if (c.rules !== undefined) out.rules = c.rules.map((t, i) => rule(t, ['rules', i]));
  if (c.alpha !== undefined) out.alpha = c.alpha;
  if (c['min-intervals'] !== undefined) out.minIntervals = c['min-intervals'];
  if (c['fail-on-inconclusive'] !== undefined) out.failOnInconclusive = c['fail-on-inconclusive'];
  if (c.test !== undefined) out.test = c.test;
  const b = c.baseline;
  if (b?.file !== undefined) out.baseline = { kind: 'file', file: path.resolve(path.dirname(file), b.file) };
  else if (b?.run !== undefined) out.baseline = { kind: 'run', run: b.run };
  else if (b?.['last-passing'] === true) out.baseline = b.branch === undefined ? { kind: 'last-passing' } : { kind: 'last-passing', branch: b.branch };
  if (c.history?.runs !== undefined) out.history.runs = c.history.runs;
  if (c.history?.['min-runs'] !== undefined) out.history.minRuns = c.history['min-runs'];
  if (c.history?.branch !== undefined) out.history.branch = c.history.branch;
  return out;
}

function knownKeys(at: readonly PropertyKey[]): string {
  const where = at.filter((p) => typeof p === 'string').join('.');
  const keys: Record<string, string[]> = {
    '': Object.keys(schema.shape),
    endpoints: ['name', 'rules'],
    baseline: ['file', 'run', 'last-passing', 'branch'],
    history: ['runs', 'min-runs', 'branch'],
  };
  return (keys[where] ?? []).join(', ');
}

export async function readGateConfig(file: string): Promise<GateConfig> {
  let text: string;
  try {
    const data = await readFile(file);
    if (data.length > MAX_CONFIG_BYTES) throw problem(file, `the file is ${data.length} bytes; a gate config is at most ${MAX_CONFIG_BYTES}`);
    text = data.toString('utf8');
  } catch (err) {
    if (err instanceof TelltaleError) throw err;
    throw problem(file, `cannot read the file: ${(err as Error).message}`, { cause: err });
  }
  return parseGateConfig(text, file);
}
