/**
 * Parameter parsing for the Prometheus HTTP API: times (RFC3339 or unix float seconds), durations (float
 * seconds or `5m`), and the form/query merge (repeated keys such as `match[]`).
 */
import { TelltaleError } from '../../errors.ts';
import { parseDuration } from '../../promql/lex.ts';

export type Params = Record<string, string | string[] | undefined>;

export class BadData extends TelltaleError {
  constructor(message: string) {
    super('TT_PROMQL_PARSE', message);
  }
}

/** The last value of a parameter (Prometheus reads form values with FormValue: the first). */
export function param(params: Params, name: string): string | undefined {
  const v = params[name];
  return Array.isArray(v) ? v[0] : v;
}

export function params(params: Params, name: string): string[] {
  const v = params[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Milliseconds of a time parameter, or undefined when it is missing. */
export function parseTimeParam(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(value)) {
    const s = Number(value);
    if (Number.isFinite(s) && Math.abs(s) < 9.2e15) {
      // Go: whole seconds plus the fraction rounded to milliseconds.
      const whole = Math.trunc(s);
      return whole * 1000 + Math.round((s - whole) * 1000);
    }
  }
  if (RFC3339.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new BadData(`invalid parameter ${JSON.stringify(name)}: cannot parse ${JSON.stringify(value)} to a valid timestamp`);
}

/** Milliseconds of a duration parameter (float seconds or a Prometheus duration). */
export function parseDurationParam(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(value)) {
    const s = Number(value);
    if (Number.isFinite(s) && Math.abs(s) < 9.2e9) return Math.trunc(s * 1000);
    throw new BadData(`invalid parameter ${JSON.stringify(name)}: cannot parse ${JSON.stringify(value)} to a valid duration. It overflows int64`);
  }
  const d = parseDuration(value);
  if (d !== undefined) return d;
  throw new BadData(`invalid parameter ${JSON.stringify(name)}: cannot parse ${JSON.stringify(value)} to a valid duration`);
}
