/**
 * k6-style durations: Go duration strings ("1h2m3.5s", "300ms", "10us", "1d") or plain numbers, which k6
 * reads as milliseconds in options.
 */
import { TelltaleError } from '../errors.ts';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)/y;

/**
 * Parses a duration to milliseconds. `field` names where it came from, for the error message.
 * Throws TT_CONFIG_INVALID on anything else than a non-negative number or a Go-style duration string.
 */
export function parseDuration(input: unknown, field: string): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) {
      throw new TelltaleError('TT_CONFIG_INVALID', `${field}: expected a non-negative duration, got ${input}`, { field });
    }
    return input;
  }
  if (typeof input !== 'string') {
    throw new TelltaleError('TT_CONFIG_INVALID', `${field}: expected a duration like "30s" or "1m30s", got ${describe(input)}`, { field });
  }
  const s = input.trim();
  if (s === '0') return 0;
  if (/^\d+(\.\d+)?$/.test(s)) {
    // k6 reads unit-less numeric strings as seconds for CLI flags, but as an error in options; accept as seconds
    // only where the caller opts in (parseDurationFlag).
    throw new TelltaleError('TT_CONFIG_INVALID', `${field}: "${s}" has no unit; write e.g. "${s}s" or "${s}ms"`, { field });
  }
  let total = 0;
  let pos = 0;
  PART.lastIndex = 0;
  while (pos < s.length) {
    PART.lastIndex = pos;
    const m = PART.exec(s);
    if (!m) {
      throw new TelltaleError('TT_CONFIG_INVALID', `${field}: "${s}" is not a duration (expected e.g. "30s", "1m30s", "500ms")`, { field });
    }
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = PART.lastIndex;
  }
  if (pos === 0 || !Number.isFinite(total)) {
    throw new TelltaleError('TT_CONFIG_INVALID', `${field}: "${s}" is not a duration (expected e.g. "30s", "1m30s", "500ms")`, { field });
  }
  return total;
}

/** Like parseDuration, but a bare number means seconds, as k6's `-d 30` does on the command line. */
export function parseDurationFlag(input: string, flag: string): number {
  const s = input.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  return parseDuration(s, flag);
}

/** Formats milliseconds the way k6 prints durations: 1m30s, 2.5s, 350ms, 12.3µs. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1) return `${round(ms * 1000, 2)}µs`;
  if (ms < 1000) return `${round(ms, 2)}ms`;
  const totalS = ms / 1000;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const sec = round(totalS - h * 3600 - m * 60, 2);
  let out = '';
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  out += `${sec}s`;
  return out;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : JSON.stringify(v) ?? String(v);
}
