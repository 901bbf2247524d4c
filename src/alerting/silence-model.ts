/**
 * Silences as Alertmanager's API v2 has them: matchers (name, value, isRegex, isEqual), a time range, who
 * made it and why. A silence is pending before startsAt, active until endsAt, expired after.
 */
import { TelltaleError } from '../errors.ts';
import { makeMatcher, MatcherSyntaxError, type LabelMatcher } from './matchers.ts';

export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  /** false for != and !~ (Alertmanager ≥ 0.22); true when absent */
  isEqual: boolean;
}

export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  /** epoch ms */
  startsAt: number;
  endsAt: number;
  updatedAt: number;
  createdBy: string;
  comment: string;
}

export type SilenceState = 'pending' | 'active' | 'expired';

export function silenceState(s: Silence, now: number): SilenceState {
  if (now < s.startsAt) return 'pending';
  if (now >= s.endsAt) return 'expired';
  return 'active';
}

export function silenceMatcher(m: SilenceMatcher): LabelMatcher {
  const op = m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
  return makeMatcher(m.name, op, m.value);
}

export interface SilenceInput {
  id?: string;
  matchers: SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Alertmanager's silence validation; errors name the field (`matchers[1].value`). */
export function validateSilence(s: SilenceInput, field = ''): LabelMatcher[] {
  const f = (rest: string) => (field ? `${field}.${rest}` : rest);
  const bad = (rest: string, message: string): never => {
    throw new TelltaleError('TT_ALERTING_INPUT', `${f(rest)}: ${message}`, { field: f(rest) });
  };
  if (!Array.isArray(s.matchers) || s.matchers.length === 0) bad('matchers', 'at least one matcher is required');
  const compiled = s.matchers.map((m, i) => {
    if (!LABEL_NAME.test(m.name)) bad(`matchers[${i}].name`, `${JSON.stringify(m.name)} is not a valid label name`);
    try {
      return silenceMatcher(m);
    } catch (err) {
      if (err instanceof MatcherSyntaxError) return bad(`matchers[${i}].value`, err.message);
      throw err;
    }
  });
  if (compiled.every((m) => m.test(''))) bad('matchers', 'at least one matcher must not match the empty string (a silence must not match every alert)');
  if (!Number.isFinite(s.startsAt)) bad('startsAt', 'a time is required');
  if (!Number.isFinite(s.endsAt)) bad('endsAt', 'a time is required');
  if (s.endsAt < s.startsAt) bad('endsAt', 'must not be before startsAt');
  if (typeof s.createdBy !== 'string' || s.createdBy.trim() === '') bad('createdBy', 'who creates the silence is required');
  if (typeof s.comment !== 'string' || s.comment.trim() === '') bad('comment', 'a comment is required');
  return compiled;
}
