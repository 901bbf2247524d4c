/**
 * Go's time.Time.Format for UTC times (Prometheus' template times are always UTC): the reference-time layout
 * (`2006-01-02 15:04:05.000 -0700 MST`), chunk for chunk as Go's nextStdChunk reads it.
 */

import { GoTime, type GoValue } from './values.ts';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const startsLower = (s: string) => s.length > 0 && s[0] >= 'a' && s[0] <= 'z';
const pad = (n: number, w: number, c = '0') => String(n).padStart(w, c);

/** Formats ms since the epoch (UTC) with a Go layout. */
export function formatGoTime(ms: number, layout: string): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  const day = d.getUTCDate();
  const hour = d.getUTCHours();
  const min = d.getUTCMinutes();
  const sec = d.getUTCSeconds();
  const nanos = (((ms % 1000) + 1000) % 1000) * 1_000_000;
  const yday = Math.floor((Date.UTC(year, month, day) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
  let out = '';
  let i = 0;
  const take = (s: string) => layout.startsWith(s, i);
  while (i < layout.length) {
    const c = layout[i];
    const rest = layout.slice(i);
    let chunk: string | undefined;
    let len = 0;
    switch (c) {
      case 'J':
        if (take('January')) [chunk, len] = [MONTHS[month], 7];
        else if (take('Jan') && !startsLower(layout.slice(i + 3))) [chunk, len] = [MONTHS[month].slice(0, 3), 3];
        break;
      case 'M':
        if (take('Monday')) [chunk, len] = [DAYS[d.getUTCDay()], 6];
        else if (take('Mon') && !startsLower(layout.slice(i + 3))) [chunk, len] = [DAYS[d.getUTCDay()].slice(0, 3), 3];
        else if (take('MST')) [chunk, len] = ['UTC', 3];
        break;
      case '0':
        if (take('002')) [chunk, len] = [pad(yday, 3), 3];
        else if (rest.length > 1 && '123456'.includes(rest[1])) {
          const v = [month + 1, day, hour % 12 === 0 ? 12 : hour % 12, min, sec, year % 100][Number(rest[1]) - 1];
          [chunk, len] = [pad(v, 2), 2];
        }
        break;
      case '1':
        if (take('15')) [chunk, len] = [pad(hour, 2), 2];
        else [chunk, len] = [String(month + 1), 1];
        break;
      case '2':
        if (take('2006')) [chunk, len] = [pad(year, 4), 4];
        else [chunk, len] = [String(day), 1];
        break;
      case '_':
        if (take('_2006')) [chunk, len] = [`_${pad(year, 4)}`, 5];
        else if (take('__2')) [chunk, len] = [pad(yday, 3, ' '), 3];
        else if (take('_2')) [chunk, len] = [pad(day, 2, ' '), 2];
        break;
      case '3': [chunk, len] = [String(hour % 12 === 0 ? 12 : hour % 12), 1]; break;
      case '4': [chunk, len] = [String(min), 1]; break;
      case '5': [chunk, len] = [String(sec), 1]; break;
      case 'P': if (take('PM')) [chunk, len] = [hour >= 12 ? 'PM' : 'AM', 2]; break;
      case 'p': if (take('pm')) [chunk, len] = [hour >= 12 ? 'pm' : 'am', 2]; break;
      case '-': case 'Z': {
        const forms: Array<[string, string]> = [
          ['07:00:00', '+00:00:00'], ['070000', '+000000'], ['07:00', '+00:00'], ['0700', '+0000'], ['07', '+00'],
        ];
        for (const [f, utc] of forms) {
          if (take(c + f)) {
            [chunk, len] = [c === 'Z' ? 'Z' : utc, f.length + 1];
            break;
          }
        }
        break;
      }
      case '.': case ',': {
        const m = /^[.,](0+|9+)/.exec(rest);
        if (m && !(rest[m[0].length] >= '0' && rest[m[0].length] <= '9')) {
          const digits = m[1].length;
          let frac = pad(nanos, 9).slice(0, digits);
          if (m[1][0] === '9') frac = frac.replace(/0+$/, '');
          [chunk, len] = [frac === '' ? '' : `${c}${frac}`, m[0].length];
        }
        break;
      }
    }
    if (chunk === undefined) {
      out += c;
      i++;
    } else {
      out += chunk;
      i += len;
    }
  }
  return out;
}

/** The methods of *time.Time templates may call. */
export const TIME_METHODS = new Map<string, { params: string[]; call: (t: GoTime, args: GoValue[]) => GoValue }>([
  ['Unix', { params: [], call: (t) => BigInt(Math.floor(t.ms / 1000)) }],
  ['UnixMilli', { params: [], call: (t) => BigInt(Math.floor(t.ms)) }],
  ['UnixNano', { params: [], call: (t) => BigInt(Math.floor(t.ms)) * 1_000_000n }],
  ['UTC', { params: [], call: (t) => t }],
  ['String', { params: [], call: (t) => t.toString() }],
  ['Format', { params: ['string'], call: (t, [layout]) => formatGoTime(t.ms, layout as string) }],
  ['Year', { params: [], call: (t) => BigInt(new Date(t.ms).getUTCFullYear()) }],
  ['YearDay', { params: [], call: (t) => BigInt(Number(formatGoTime(t.ms, '002'))) }],
  ['Day', { params: [], call: (t) => BigInt(new Date(t.ms).getUTCDate()) }],
  ['Hour', { params: [], call: (t) => BigInt(new Date(t.ms).getUTCHours()) }],
  ['Minute', { params: [], call: (t) => BigInt(new Date(t.ms).getUTCMinutes()) }],
  ['Second', { params: [], call: (t) => BigInt(new Date(t.ms).getUTCSeconds()) }],
]);

