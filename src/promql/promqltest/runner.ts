/**
 * Runs a PromQL test file against the engine over in-memory storage and reports every mismatch with the
 * line of the command. Values compare like Prometheus' test runner (relative 1e-6, NaN equal to NaN).
 */
import { TelltaleError } from '../../errors.ts';
import { formatLabels, labelsKey } from '../../series/labels.ts';
import { MemoryStorage } from '../../series/memory.ts';
import { STALE_NAN } from '../../series/types.ts';
import { Engine, type EngineOptions, type QueryResult } from '../engine.ts';
import { parseTestFile, type EvalCommand } from './test-file.ts';

export interface TestFailure {
  line: number;
  expr: string;
  message: string;
}

export function almostEqual(a: number, b: number, epsilon = 1e-6): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || diff < Number.MIN_VALUE) return diff < epsilon * Number.MIN_VALUE || diff < 1e-300;
  return diff / (Math.abs(a) + Math.abs(b)) < epsilon;
}

export async function runTestFile(text: string, file = 'test', options: EngineOptions = {}): Promise<TestFailure[]> {
  const commands = parseTestFile(text, file);
  const storage = new MemoryStorage();
  const engine = new Engine(options);
  const failures: TestFailure[] = [];
  for (const cmd of commands) {
    if (cmd.kind === 'clear') {
      storage.clear();
      continue;
    }
    if (cmd.kind === 'load') {
      for (const s of cmd.series) {
        s.values.forEach((v, i) => {
          if (v === undefined) return;
          storage.add(s.labels, i * cmd.interval, v === 'stale' ? STALE_NAN : v);
        });
      }
      continue;
    }
    const problem = await runEval(engine, storage, cmd);
    if (problem) failures.push({ line: cmd.line, expr: cmd.expr, message: problem });
  }
  return failures;
}

async function runEval(engine: Engine, storage: MemoryStorage, cmd: EvalCommand): Promise<string | undefined> {
  let result: QueryResult;
  try {
    result = cmd.mode === 'instant'
      ? await engine.instantQuery(storage, cmd.expr, cmd.start)
      : await engine.rangeQuery(storage, cmd.expr, cmd.start, cmd.end, cmd.step);
  } catch (err) {
    if (!(err instanceof TelltaleError)) return `unexpected internal error: ${(err as Error).stack ?? err}`;
    if (!cmd.fail) return `unexpected error: ${err.message}`;
    if (cmd.failMessage !== undefined && !err.message.includes(cmd.failMessage)) {
      return `expected error containing ${JSON.stringify(cmd.failMessage)}, got ${JSON.stringify(err.message)}`;
    }
    if (cmd.failRegexp && !cmd.failRegexp.test(err.message)) return `expected error matching ${cmd.failRegexp}, got ${JSON.stringify(err.message)}`;
    return undefined;
  }
  if (cmd.fail) return `expected an error, got a ${result.resultType} result`;
  if (cmd.expectedString !== undefined) {
    if (result.resultType !== 'string' || result.result.v !== cmd.expectedString) return `expected string ${JSON.stringify(cmd.expectedString)}, got ${describe(result)}`;
    return undefined;
  }
  if (cmd.expectedScalar !== undefined) {
    if (result.resultType === 'scalar') {
      return almostEqual(result.result.v, cmd.expectedScalar) ? undefined : `expected scalar ${cmd.expectedScalar}, got ${result.result.v}`;
    }
    if (result.resultType === 'matrix' && cmd.mode === 'range') {
      // A range query over a scalar expression: one series without labels.
      const s = result.result[0];
      if (s && result.result.length === 1 && s.v.every((v) => almostEqual(v, cmd.expectedScalar!))) return undefined;
    }
    return `expected scalar ${cmd.expectedScalar}, got ${describe(result)}`;
  }
  if (result.resultType === 'vector') {
    const got = result.result;
    if (got.length !== cmd.expected.length) return `expected ${cmd.expected.length} samples, got ${got.length}: ${describe(result)}`;
    const byKey = new Map(got.map((s, i) => [labelsKey(s.metric), { s, i }]));
    for (let k = 0; k < cmd.expected.length; k++) {
      const exp = cmd.expected[k];
      const hit = byKey.get(labelsKey(exp.labels));
      if (!hit) return `missing ${formatLabels(exp.labels)} in ${describe(result)}`;
      const want = exp.values[0];
      if (typeof want !== 'number' || exp.values.length !== 1) return `expected one value for ${formatLabels(exp.labels)} in an instant result`;
      if (!almostEqual(hit.s.v, want)) return `${formatLabels(exp.labels)}: expected ${want}, got ${hit.s.v}`;
      if (cmd.ordered && hit.i !== k) return `${formatLabels(exp.labels)}: expected at position ${k}, got ${hit.i}`;
    }
    return undefined;
  }
  if (result.resultType === 'matrix') {
    const got = result.result;
    if (got.length !== cmd.expected.length) return `expected ${cmd.expected.length} series, got ${got.length}: ${describe(result)}`;
    const byKey = new Map(got.map((s) => [labelsKey(s.metric), s]));
    for (const exp of cmd.expected) {
      const s = byKey.get(labelsKey(exp.labels));
      if (!s) return `missing ${formatLabels(exp.labels)} in ${describe(result)}`;
      const want: { t: number; v: number }[] = [];
      if (cmd.mode === 'range') {
        exp.values.forEach((v, i) => {
          if (typeof v === 'number') want.push({ t: cmd.start + i * cmd.step, v });
        });
      } else {
        return 'expected results for a range vector cannot be written in an instant eval';
      }
      if (want.length !== s.t.length) return `${formatLabels(exp.labels)}: expected ${want.length} points, got ${s.t.length} (${s.v.join(' ')})`;
      for (let i = 0; i < want.length; i++) {
        if (s.t[i] !== want[i].t || !almostEqual(s.v[i], want[i].v)) {
          return `${formatLabels(exp.labels)}: expected ${want[i].v} at ${want[i].t / 1000}s, got ${s.v[i]} at ${s.t[i] / 1000}s`;
        }
      }
    }
    return undefined;
  }
  return `unexpected ${result.resultType} result ${describe(result)}`;
}

function describe(r: QueryResult): string {
  switch (r.resultType) {
    case 'scalar': return `scalar ${r.result.v}`;
    case 'string': return `string ${JSON.stringify(r.result.v)}`;
    case 'vector': return `[${r.result.map((s) => `${formatLabels(s.metric)} ${s.v}`).join(', ')}]`;
    case 'matrix': return `[${r.result.map((s) => `${formatLabels(s.metric)} ${s.v.join(' ')}`).join(', ')}]`;
  }
}
