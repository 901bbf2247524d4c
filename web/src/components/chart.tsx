/**
 * A uPlot time-series chart of query_range results on the range's step grid (gaps where a series has no
 * sample), with optional vertical markers drawn over the plot: process restarts dashed, recorded deployments solid.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Range } from '../api.ts';
import { alignLines, type Line } from '../align.ts';
import { Link } from '../router.tsx';

export type { Line };

const COLORS = ['#2563eb', '#d97706', '#dc2626', '#059669', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#9333ea', '#ea580c'];

function markersPlugin(markers: number[], color: string, dash: number[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = color;
        ctx.setLineDash(dash);
        ctx.lineWidth = 1.5 * devicePixelRatio;
        for (const t of markers) {
          const x = Math.round(u.valToPos(t, 'x', true));
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

export function Chart(props: { title: string; lines: Line[]; range: Range; format: (v: number) => string; markers?: number[]; deploys?: number[]; height?: number; explore?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const { lines, range, format, markers, deploys, title } = props;
  const height = props.height ?? 200;
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    // the legend shows the hovered point, and the latest value while the cursor is elsewhere
    const legendValue = (u: uPlot, v: number | null, si: number, idx: number | null): string => {
      if (idx !== null) return v === null ? '–' : format(v);
      const col = u.data[si] as Array<number | null>;
      for (let i = col.length - 1; i >= 0; i--) if (col[i] !== null) return format(col[i] as number);
      return '–';
    };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      scales: { x: { time: true, min: range.start, max: range.end } },
      axes: [{ stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.15)' } }, { stroke: 'currentColor', size: 64, values: (_u, vals) => vals.map((v) => (v === null ? '' : format(v))), grid: { stroke: 'rgba(128,128,128,0.15)' } }],
      series: [{}, ...lines.map((l, i) => ({ label: l.label, stroke: COLORS[i % COLORS.length], width: 1.5, value: legendValue, spanGaps: false }))],
      legend: { show: lines.length > 0 },
      plugins: [
        ...(markers && markers.length > 0 ? [markersPlugin(markers, '#7c3aed', [4, 4])] : []),
        ...(deploys && deploys.length > 0 ? [markersPlugin(deploys, '#059669', [])] : []),
      ],
    };
    const plot = new uPlot(opts, alignLines(lines, range) as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [lines, range, format, markers, deploys, height]);
  return (
    <figure class="chart">
      <figcaption>
        {title}
        {props.explore ? <Link class="explore-link" href={`/explore?q=${encodeURIComponent(props.explore)}`}>Explore ↗</Link> : null}
      </figcaption>
      {lines.length === 0 ? <div class="empty">no data in this range</div> : null}
      <div ref={box} class="plot" data-deploys={deploys?.length ?? 0} />
    </figure>
  );
}
