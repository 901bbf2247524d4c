/**
 * Zod building blocks for k6 options: counts, durations, stages, string maps, with messages that say what was
 * expected and what was given, and the conversion of zod issues to problems with a field path.
 */
import { z } from 'zod';
import { formatDuration, parseDuration } from '../../config/duration.ts';

export type FieldPath = readonly (string | number)[];

export interface Problem {
  path: FieldPath;
  message: string;
}

/** k6 caps VU counts (startVUs, stage targets) at this. */
export const MAX_VUS = 100_000_000;

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  return typeof v;
}

/** An error message for zod: "expected X, got Y". */
export function expected(what: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? `missing (expected ${what})` : `expected ${what}, got ${describe(issue.input)}`);
}

/** A whole number of at least `min` (and at most `max`). */
export function count(min: 0 | 1, max = Number.MAX_SAFE_INTEGER) {
  const error = expected(min === 1 ? 'a positive integer' : 'a non-negative integer');
  return z
    .number({ error })
    .int({ error })
    .min(min, { error })
    .max(max, { error: (iss) => `${describe(iss.input)} exceeds the limit of ${max}` });
}

export const bool = z.boolean({ error: expected('true or false') });
export const str = z.string({ error: expected('a string') });
export const stringMap = z.record(z.string(), z.string({ error: expected('a string') }), { error: expected('an object of strings') });

export interface DurationRule {
  /** Smallest allowed value in ms (k6 wants at least 1s for durations of whole scenarios). */
  min?: number;
  /** Whether 0 is refused. */
  positive?: boolean;
}

/** A k6 duration ("1m30s", or a number of ms), converted to ms. */
export function duration(rule: DurationRule = {}) {
  return z.any().transform((v: unknown, ctx): number => {
    if (v === undefined) {
      ctx.addIssue({ code: 'custom', message: 'missing (expected a duration like "30s")' });
      return z.NEVER;
    }
    let ms: number;
    try {
      ms = parseDuration(v, '@');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message.replace(/^@: /, '') : String(err) });
      return z.NEVER;
    }
    if (rule.positive && ms <= 0) ctx.addIssue({ code: 'custom', message: `must be more than 0, got ${describe(v)}` });
    else if (rule.min !== undefined && ms < rule.min) {
      ctx.addIssue({ code: 'custom', message: `must be at least ${formatDuration(rule.min)}, got ${describe(v)}` });
    }
    return ms;
  });
}

export const stage = z.strictObject(
  { duration: duration(), target: count(0, MAX_VUS) },
  { error: expected('a stage like { duration: "30s", target: 10 }') },
);

export const stages = z
  .array(stage, { error: expected('an array of stages') })
  .min(1, { error: 'needs at least one stage' });

/** Converts zod issues under `base` to problems; each unknown key becomes its own problem. */
export function problemsOf(error: z.ZodError, base: FieldPath, unknownKey: (key: string) => string): Problem[] {
  const out: Problem[] = [];
  for (const issue of error.issues) {
    const path = [...base, ...(issue.path as (string | number)[])];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...path, key], message: unknownKey(key) });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** `scenarios.checkout.stages[2].target` */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out || 'options';
}
