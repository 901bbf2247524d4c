/**
 * Durations as Alertmanager and Prometheus write them (`model.Duration`): whole numbers with the units y, w, d,
 * h, m, s and ms, largest first and each at most once (`1h30m`, `90s`, `0`). Fractions (`1.5h`) are refused
 * there, so they are refused here: a config accepted by Telltale must mean the same to a real Alertmanager.
 */

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['y', 365 * 86_400_000],
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds, or undefined when `text` is not a Prometheus duration. */
export function parsePromDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  const m = DURATION.exec(text);
  if (!m) return undefined;
  let total = 0;
  for (let i = 0; i < UNITS.length; i++) {
    const part = m[i + 1];
    if (part !== undefined) total += Number(part) * UNITS[i][1];
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** The shortest Prometheus spelling of a duration (`5m`, `1h30m`, `0s`), as Alertmanager prints it. */
export function formatPromDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of UNITS) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}
