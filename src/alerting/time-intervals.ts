/**
 * Alertmanager time intervals (`time_intervals:` and the older `mute_time_intervals:`), used to mute routes
 * (maintenance windows) or to keep them active only at certain times. An interval matches an instant when
 * every field it sets matches (an unset field matches always); a named set of intervals matches when any
 * of them does. Times are read in the interval's `location` (an IANA zone, UTC by default) through Intl.
 */

export interface DayRange { readonly start: number; readonly end: number }
/** minutes since midnight, end exclusive */
export interface TimeRange { readonly startMinute: number; readonly endMinute: number }

export interface TimeInterval {
  readonly times?: readonly TimeRange[];
  /** 0 = Sunday … 6 = Saturday */
  readonly weekdays?: readonly DayRange[];
  /** 1…31 or negative from the month's end (-1 = last day) */
  readonly daysOfMonth?: readonly DayRange[];
  /** 1…12 */
  readonly months?: readonly DayRange[];
  readonly years?: readonly DayRange[];
  readonly location?: string;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** A problem in one field of an interval; the config loader turns it into TT_ALERTING_CONFIG with the path. */
export class IntervalSyntaxError extends Error {}

function rangeOf(text: string, parse: (part: string) => number, what: string): DayRange {
  const parts = text.split(':');
  if (parts.length > 2 || parts.some((p) => p.trim() === '')) throw new IntervalSyntaxError(`${JSON.stringify(text)} is not a ${what} or a "start:end" range`);
  const start = parse(parts[0].trim());
  const end = parts.length === 2 ? parse(parts[1].trim()) : start;
  return { start, end };
}

export function parseWeekdayRange(text: string): DayRange {
  const r = rangeOf(text, (p) => {
    const i = WEEKDAYS.indexOf(p.toLowerCase());
    if (i < 0) throw new IntervalSyntaxError(`${JSON.stringify(p)} is not a weekday (sunday … saturday)`);
    return i;
  }, 'weekday');
  if (r.end < r.start) throw new IntervalSyntaxError(`weekday range ${JSON.stringify(text)} ends before it starts`);
  return r;
}

export function parseMonthRange(text: string): DayRange {
  const r = rangeOf(text, (p) => {
    const i = MONTHS.indexOf(p.toLowerCase());
    if (i >= 0) return i + 1;
    const n = integer(p, 'month');
    if (n < 1 || n > 12) throw new IntervalSyntaxError(`month ${n} is not between 1 and 12`);
    return n;
  }, 'month');
  if (r.end < r.start) throw new IntervalSyntaxError(`month range ${JSON.stringify(text)} ends before it starts`);
  return r;
}

export function parseDayOfMonthRange(text: string): DayRange {
  const r = rangeOf(text, (p) => {
    const n = integer(p, 'day of month');
    if (n === 0 || n < -31 || n > 31) throw new IntervalSyntaxError(`day of month ${n} is not between 1 and 31 (or -31 and -1)`);
    return n;
  }, 'day of month');
  // Alertmanager only orders the ends when both have the same sign; -1:1 and 5:-3 are left to the month
  if (Math.sign(r.start) === Math.sign(r.end) && r.end < r.start) {
    throw new IntervalSyntaxError(`day-of-month range ${JSON.stringify(text)} ends before it starts`);
  }
  return r;
}

export function parseYearRange(text: string): DayRange {
  const r = rangeOf(text, (p) => integer(p, 'year'), 'year');
  if (r.end < r.start) throw new IntervalSyntaxError(`year range ${JSON.stringify(text)} ends before it starts`);
  return r;
}

export function parseTimeRange(start: string, end: string): TimeRange {
  const s = clock(start);
  const e = clock(end);
  if (e <= s) throw new IntervalSyntaxError(`end_time ${end} is not after start_time ${start}`);
  return { startMinute: s, endMinute: e };
}

function clock(text: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new IntervalSyntaxError(`${JSON.stringify(text)} is not a time of day like "09:30"`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) throw new IntervalSyntaxError(`${text} is not a valid time of day (00:00 … 24:00)`);
  return h * 60 + min;
}

function integer(text: string, what: string): number {
  if (!/^-?\d{1,6}$/.test(text)) throw new IntervalSyntaxError(`${JSON.stringify(text)} is not a ${what}`);
  return Number(text);
}

/** Throws IntervalSyntaxError when Intl does not know the zone. `Local` means the process' own zone. */
export function checkLocation(location: string): void {
  if (location === 'Local' || location === 'UTC') return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: location });
  } catch {
    throw new IntervalSyntaxError(`unknown time zone ${JSON.stringify(location)}`);
  }
}

interface CivilTime { year: number; month: number; day: number; weekday: number; minute: number }

const formatters = new Map<string, Intl.DateTimeFormat>();

function civil(ms: number, location: string | undefined): CivilTime {
  const zone = location === undefined || location === 'UTC' ? 'UTC' : location === 'Local' ? undefined : location;
  const key = zone ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'long', hour: 'numeric', minute: 'numeric',
    });
    formatters.set(key, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAYS.indexOf(parts.weekday.toLowerCase()),
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function inRange(v: number, ranges: readonly DayRange[] | undefined): boolean {
  return ranges === undefined || ranges.length === 0 || ranges.some((r) => v >= r.start && v <= r.end);
}

export function intervalContains(interval: TimeInterval, ms: number): boolean {
  const t = civil(ms, interval.location);
  if (interval.times && interval.times.length > 0 && !interval.times.some((r) => t.minute >= r.startMinute && t.minute < r.endMinute)) return false;
  if (!inRange(t.weekday, interval.weekdays)) return false;
  if (!inRange(t.month, interval.months)) return false;
  if (!inRange(t.year, interval.years)) return false;
  if (interval.daysOfMonth && interval.daysOfMonth.length > 0) {
    const n = daysIn(t.year, t.month);
    const hit = interval.daysOfMonth.some((r) => {
      // negative days count back from the month's end; out-of-range ends are clamped to the month
      const start = Math.min(Math.max(r.start < 0 ? n + r.start + 1 : r.start, 1), n);
      const end = Math.min(Math.max(r.end < 0 ? n + r.end + 1 : r.end, 1), n);
      return t.day >= start && t.day <= end;
    });
    if (!hit) return false;
  }
  return true;
}

/** True when any interval of the set holds `ms`. */
export function anyIntervalContains(intervals: readonly TimeInterval[], ms: number): boolean {
  return intervals.some((i) => intervalContains(i, ms));
}
