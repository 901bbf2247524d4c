/** Escaping and number helpers for the HTML report. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values alike. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Tick values covering [min, max] at a 1/2/5 × 10^k step, about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** The upper end of a value axis: the data max rounded up to the next tick, never zero. */
export function niceMax(max: number): number {
  if (!(max > 0) || !Number.isFinite(max)) return 1;
  const ticks = niceTicks(0, max, 5);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : max;
  return Math.ceil(max / step - 1e-9) * step;
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** Ticks in elapsed seconds at human steps (10s, 30s, 1m, 5m ...). */
export function timeTicks(maxSeconds: number, count = 6): number[] {
  if (!(maxSeconds > 0)) return [0];
  const step = TIME_STEPS.find((s) => maxSeconds / s <= count) ?? Math.ceil(maxSeconds / count / 86400) * 86400;
  const ticks: number[] = [];
  for (let v = 0; v <= maxSeconds + 1e-9; v += step) ticks.push(v);
  return ticks;
}

/** Elapsed seconds as `45s`, `2m`, `1m30s`, `1h5m`. */
export function formatElapsed(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h${m > 0 ? `${m}m` : ''}${rest > 0 ? `${rest}s` : ''}`;
  return `${m}m${rest > 0 ? `${rest}s` : ''}`;
}

/** A compact axis/tooltip number: 1.5k, 12, 0.25. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  if (a >= 100) return String(Math.round(v));
  if (a >= 1) return String(+v.toFixed(2));
  return String(+v.toPrecision(2));
}

/** Milliseconds for axes and tooltips: `850µs`, `12.5ms`, `1.25s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return '0';
  if (Math.abs(ms) < 1) return `${+(ms * 1000).toPrecision(3)}µs`;
  if (Math.abs(ms) < 1000) return `${+ms.toPrecision(3)}ms`;
  return `${+(ms / 1000).toPrecision(3)}s`;
}

/** `2025-01-15 10:00:00 UTC`; the report may be read anywhere, so one unambiguous zone. */
export function formatTimestamp(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
