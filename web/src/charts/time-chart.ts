// Time-series charts (90-day account history, incident rate against baseline) drawn with uPlot.
// Each chart follows its container's width and is destroyed when the view it belongs to goes away.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from '../dom.js';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  color: string;
  fill?: string;
  dash?: number[];
  /** Draw as steps (counts per bucket) rather than a straight line. */
  stepped?: boolean;
  format?: (v: number) => string;
}

export interface TimeChartOptions {
  title: string;
  /** Epoch milliseconds, ascending. */
  times: number[];
  series: ChartSeries[];
  height?: number;
  yRange?: [number, number];
  /** Shaded horizontal bands behind the data, e.g. the health bands of the score. */
  zones?: Array<{ from: number; to: number; color: string }>;
  signal: AbortSignal;
}

const DEFAULT_HEIGHT = 180;
const AXIS_FONT = '11px system-ui, -apple-system, "Segoe UI", sans-serif';

export function timeChart(opts: TimeChartOptions): HTMLElement {
  const host = h('div', { class: 'chart-host' });
  const box = h('figure', { class: 'chart', 'aria-label': opts.title }, h('figcaption', {}, opts.title), host);
  if (opts.times.length === 0) {
    host.append(h('div', { class: 'empty' }, 'No data yet'));
    return box;
  }
  const data: uPlot.AlignedData = [opts.times.map((t) => t / 1000), ...opts.series.map((s) => s.values)];
  const zones = opts.zones ?? [];
  const config: uPlot.Options = {
    width: 600,
    height: opts.height ?? DEFAULT_HEIGHT,
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    scales: { x: { time: true }, y: opts.yRange ? { range: opts.yRange } : { range: (_u, lo, hi) => [Math.min(0, lo), hi > 0 ? hi * 1.1 : 1] } },
    axes: [
      { stroke: '#6b7280', font: AXIS_FONT, grid: { stroke: '#eef0f3', width: 1 }, ticks: { stroke: '#e3e6ea', width: 1 } },
      { stroke: '#6b7280', font: AXIS_FONT, size: 44, grid: { stroke: '#eef0f3', width: 1 }, ticks: { stroke: '#e3e6ea', width: 1 } },
    ],
    series: [
      { value: (_u, v) => (v == null ? '–' : new Date(v * 1000).toISOString().slice(0, 16).replace('T', ' ')) },
      ...opts.series.map<uPlot.Series>((s) => ({
        label: s.label,
        stroke: s.color,
        width: 2,
        fill: s.fill,
        dash: s.dash,
        spanGaps: false,
        paths: s.stepped ? uPlot.paths.stepped!({ align: 1 }) : undefined,
        points: { show: false },
        value: (_u, v) => (v == null ? '–' : s.format ? s.format(v) : String(Math.round(v * 100) / 100)),
      })),
    ],
    hooks: zones.length
      ? {
          drawClear: [
            (u) => {
              const { ctx, bbox } = u;
              ctx.save();
              for (const z of zones) {
                const top = u.valToPos(z.to, 'y', true);
                const bottom = u.valToPos(z.from, 'y', true);
                ctx.fillStyle = z.color;
                ctx.fillRect(bbox.left, Math.max(bbox.top, top), bbox.width, Math.min(bbox.top + bbox.height, bottom) - Math.max(bbox.top, top));
              }
              ctx.restore();
            },
          ],
        }
      : {},
  };
  // Created once attached, so the first size is the real one.
  requestAnimationFrame(() => {
    if (opts.signal.aborted) return;
    const plot = new uPlot({ ...config, width: Math.max(200, host.clientWidth) }, data, host);
    const resize = new ResizeObserver(() => {
      const w = Math.max(200, host.clientWidth);
      if (w !== plot.width) plot.setSize({ width: w, height: plot.height });
    });
    resize.observe(host);
    opts.signal.addEventListener('abort', () => {
      resize.disconnect();
      plot.destroy();
    });
  });
  return box;
}
