/**
 * Inline SVG line charts for the HTML report: linear value axes (optionally a second one on the right),
 * gaps where a value is missing, and hover columns whose native tooltips list the values under the cursor.
 * Long series are thinned to at most MAX_POINTS per line with min/max buckets, which keeps spikes visible.
 */
import { esc, niceMax, niceTicks } from './html-util.ts';

export const MAX_POINTS = 1000;
const W = 960;
const H = 300;
const MAX_HOVER_COLUMNS = 150;

export type Point = readonly [x: number, y: number | undefined];

export interface ChartSeries {
  name: string;
  color: string;
  points: readonly Point[];
  axis?: 'left' | 'right';
  dashed?: boolean;
}

export interface ChartOptions {
  title: string;
  series: ChartSeries[];
  xLabel: string;
  xTicks: (min: number, max: number) => number[];
  xFormat: (x: number) => string;
  yLabel: string;
  yFormat: (y: number) => string;
  yRightLabel?: string;
  yRightFormat?: (y: number) => string;
  /** Domain of x when it should not just fit the data (e.g. the whole run). */
  xDomain?: [number, number];
  emptyText: string;
}

const finite = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Thins a series to at most `max` points: each bucket contributes its lowest and highest value in time
 * order, and a bucket without any value becomes a gap.
 */
export function downsampleMinMax(points: readonly Point[], max = MAX_POINTS): Point[] {
  if (points.length <= max) return points.slice();
  const buckets = Math.max(1, Math.floor(max / 2));
  const size = points.length / buckets;
  const out: Point[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(points.length, Math.floor((b + 1) * size));
    let lo = -1;
    let hi = -1;
    for (let i = from; i < to; i++) {
      const y = points[i][1];
      if (!finite(y)) continue;
      if (lo < 0 || y < (points[lo][1] as number)) lo = i;
      if (hi < 0 || y > (points[hi][1] as number)) hi = i;
    }
    if (lo < 0) {
      out.push([points[from][0], undefined]);
    } else if (lo === hi) {
      out.push(points[lo]);
    } else {
      out.push(points[Math.min(lo, hi)], points[Math.max(lo, hi)]);
    }
  }
  return out;
}

const r1 = (v: number): string => String(Math.round(v * 10) / 10);

/** Min and max without spreading, which overflows the stack on long series. */
function extent(values: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

interface Frame {
  left: number;
  right: number;
  top: number;
  bottom: number;
  xMin: number;
  xMax: number;
  sx: (x: number) => number;
}

function yScale(f: Frame, max: number): (y: number) => number {
  return (y) => f.bottom - (Math.max(0, Math.min(y, max)) / max) * (f.bottom - f.top);
}

function seriesSvg(s: ChartSeries, f: Frame, sy: (y: number) => number): string {
  const pts = downsampleMinMax(s.points.filter((p) => finite(p[0])));
  let d = '';
  let penDown = false;
  const dots: string[] = [];
  for (let i = 0; i < pts.length; i++) {
    const [x, y] = pts[i];
    if (!finite(y)) {
      penDown = false;
      continue;
    }
    const cx = r1(f.sx(x));
    const cy = r1(sy(y));
    d += `${penDown ? 'L' : 'M'}${cx},${cy}`;
    const prevGap = i === 0 || !finite(pts[i - 1][1]);
    const nextGap = i === pts.length - 1 || !finite(pts[i + 1][1]);
    // A value with gaps on both sides draws no segment; a dot keeps it visible.
    if (prevGap && nextGap) dots.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${s.color}"/>`);
    penDown = true;
  }
  const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
  const path = d ? `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"${dash}/>` : '';
  return `<g class="series"><title>${esc(s.name)}</title>${path}${dots.join('')}</g>`;
}

function hoverColumns(opts: ChartOptions, f: Frame): string {
  const xs = new Set<number>();
  for (const s of opts.series) for (const p of s.points) if (finite(p[0]) && finite(p[1])) xs.add(p[0]);
  const columns = Math.max(1, Math.min(MAX_HOVER_COLUMNS, xs.size));
  const span = f.xMax - f.xMin;
  const rows: string[][] = Array.from({ length: columns }, () => []);
  const has: boolean[] = new Array(columns).fill(false);
  const valid = opts.series.map((s) => s.points.filter((p) => finite(p[0]) && finite(p[1])));
  for (let si = 0; si < opts.series.length; si++) {
    const s = opts.series[si];
    const fmt = s.axis === 'right' && opts.yRightFormat ? opts.yRightFormat : opts.yFormat;
    const peak: (number | undefined)[] = new Array(columns).fill(undefined);
    for (const [x, y] of valid[si]) {
      const c = Math.min(columns - 1, Math.max(0, Math.floor(((x - f.xMin) / span) * columns)));
      if (peak[c] === undefined || (y as number) > (peak[c] as number)) peak[c] = y;
    }
    peak.forEach((v, c) => {
      if (v === undefined) return;
      has[c] = true;
      rows[c].push(`${s.name}: ${fmt(v)}`);
    });
  }
  const width = (f.right - f.left) / columns;
  let out = '';
  for (let c = 0; c < columns; c++) {
    if (!has[c]) continue;
    const from = f.xMin + (c / columns) * span;
    const to = f.xMin + ((c + 1) / columns) * span;
    const head = columns === 1 ? opts.xFormat(from + span / 2) : `${opts.xFormat(from)} – ${opts.xFormat(to)}`;
    out += `<rect class="hz" x="${r1(f.left + c * width)}" y="${f.top}" width="${r1(width)}" height="${f.bottom - f.top}"><title>${esc(
      [head, ...rows[c]].join('\n'),
    )}</title></rect>`;
  }
  return out;
}

/** A titled figure: HTML legend above an SVG plot, or a placeholder when there is nothing to draw. */
export function lineChart(opts: ChartOptions): string {
  const legend = opts.series
    .map((s) => `<span><i style="background:${s.color}${s.dashed ? ';opacity:.7' : ''}"></i>${esc(s.name)}</span>`)
    .join('');
  const pointsOf = (axis: 'left' | 'right'): number[] =>
    opts.series
      .filter((s) => (s.axis ?? 'left') === axis)
      .flatMap((s) => s.points.filter((p) => finite(p[0]) && finite(p[1])).map((p) => p[1] as number));
  const leftYs = pointsOf('left');
  const rightYs = pointsOf('right');
  const xs = opts.series.flatMap((s) => s.points.filter((p) => finite(p[0]) && finite(p[1])).map((p) => p[0]));
  if (xs.length === 0) {
    return `<figure class="chart"><figcaption>${esc(opts.title)}</figcaption><div class="empty">${esc(opts.emptyText)}</div></figure>`;
  }
  let [xMin, xMax] = opts.xDomain ?? extent(xs);
  if (!(xMax > xMin)) {
    xMin -= 0.5;
    xMax += 0.5;
  }
  const hasRight = rightYs.length > 0;
  const left = 70;
  const right = W - (hasRight ? 70 : 24);
  const top = 12;
  const bottom = H - 44;
  const sx = (x: number): number => left + ((x - xMin) / (xMax - xMin)) * (right - left);
  const f: Frame = { left, right, top, bottom, xMin, xMax, sx };
  const lMax = niceMax(Math.max(0, extent(leftYs)[1]));
  const rMax = niceMax(Math.max(0, extent(rightYs)[1]));
  const syL = yScale(f, lMax);
  const syR = yScale(f, rMax);

  const parts: string[] = [];
  for (const t of niceTicks(0, lMax, 5)) {
    const y = r1(syL(t));
    parts.push(`<line class="grid" x1="${left}" x2="${right}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text class="tick" x="${left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(opts.yFormat(t))}</text>`);
  }
  if (hasRight) {
    const fmt = opts.yRightFormat ?? opts.yFormat;
    for (const t of niceTicks(0, rMax, 5)) {
      parts.push(`<text class="tick" x="${right + 8}" y="${r1(syR(t))}" dominant-baseline="middle">${esc(fmt(t))}</text>`);
    }
  }
  for (const t of opts.xTicks(xMin, xMax)) {
    if (t < xMin - 1e-9 || t > xMax + 1e-9) continue;
    const x = r1(sx(t));
    parts.push(`<line class="grid v" x1="${x}" x2="${x}" y1="${top}" y2="${bottom}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${bottom + 16}" text-anchor="middle">${esc(opts.xFormat(t))}</text>`);
  }
  parts.push(`<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`);
  parts.push(`<text class="label" x="${(left + right) / 2}" y="${H - 6}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  parts.push(`<text class="label" transform="translate(16 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  if (hasRight && opts.yRightLabel) {
    parts.push(`<text class="label" transform="translate(${W - 12} ${(top + bottom) / 2}) rotate(90)" text-anchor="middle">${esc(opts.yRightLabel)}</text>`);
  }
  for (const s of opts.series) parts.push(seriesSvg(s, f, (s.axis ?? 'left') === 'right' ? syR : syL));
  parts.push(hoverColumns(opts, f));
  return `<figure class="chart"><figcaption>${esc(opts.title)}</figcaption><div class="legend">${legend}</div><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(
    opts.title,
  )}">${parts.join('')}</svg></figure>`;
}
