// Inline SVG sparklines for table rows: one <path> per line, so a page of 50 accounts with three
// sparklines each stays cheap to render (a canvas chart per cell would cost far more).
import { svg } from '../dom.js';

const WIDTH = 96;
const HEIGHT = 24;
const PAD = 2;

export interface SparkOptions {
  /** Fixed value range so rows compare with each other (e.g. score 0..100); default: the data's own. */
  min?: number;
  max?: number;
  /** A reference line (e.g. neutral sentiment at 0). */
  zero?: number;
  kind?: 'line' | 'bars';
  /**
   * Points the x axis spans, when the series is known to be one point a slot ending now: a
   * shorter series then sits at the right edge. Unset: the series spans the full width.
   */
  slots?: number;
  className: string;
  title: string;
}

function finite(values: number[]): number[] {
  return values.filter((v) => Number.isFinite(v));
}

export function sparkline(values: number[], opts: SparkOptions): SVGElement {
  const el = svg('svg', {
    class: `spark ${opts.className}`,
    width: WIDTH,
    height: HEIGHT,
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': opts.title,
  });
  const title = svg('title');
  title.textContent = opts.title;
  el.appendChild(title);
  const present = finite(values);
  if (present.length === 0) {
    el.appendChild(svg('line', { x1: PAD, x2: WIDTH - PAD, y1: HEIGHT / 2, y2: HEIGHT / 2, class: 'spark-empty' }));
    return el;
  }
  const lo = opts.min ?? Math.min(...present);
  let hi = opts.max ?? Math.max(...present);
  if (hi <= lo) hi = lo + 1;
  const n = Math.max(values.length, opts.slots ?? 0);
  const shift = n - values.length;
  const innerH = HEIGHT - 2 * PAD;
  const y = (v: number): number => PAD + innerH - ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * innerH;

  if (opts.zero !== undefined && opts.zero > lo && opts.zero < hi) {
    const zy = y(opts.zero).toFixed(1);
    el.appendChild(svg('line', { x1: 0, x2: WIDTH, y1: zy, y2: zy, class: 'spark-zero' }));
  }

  if (opts.kind === 'bars') {
    const step = (WIDTH - 2 * PAD) / n;
    const barW = Math.max(1, step - 1);
    let d = '';
    values.forEach((v, j) => {
      if (!Number.isFinite(v) || v <= lo) return;
      const i = j + shift;
      const top = y(v);
      d += `M${(PAD + i * step).toFixed(1)} ${(HEIGHT - PAD).toFixed(1)}V${top.toFixed(1)}h${barW.toFixed(1)}V${(HEIGHT - PAD).toFixed(1)}Z`;
    });
    el.appendChild(svg('path', { d, class: 'spark-bars' }));
    return el;
  }

  const step = n > 1 ? (WIDTH - 2 * PAD) / (n - 1) : 0;
  let d = '';
  let pen = false;
  let lastX = 0;
  let lastY = 0;
  values.forEach((v, j) => {
    if (!Number.isFinite(v)) {
      pen = false;
      return;
    }
    const i = j + shift;
    lastX = PAD + i * step;
    lastY = y(v);
    d += `${pen ? 'L' : 'M'}${lastX.toFixed(1)} ${lastY.toFixed(1)}`;
    pen = true;
  });
  el.appendChild(svg('path', { d, class: 'spark-line' }));
  el.appendChild(svg('circle', { cx: lastX.toFixed(1), cy: lastY.toFixed(1), r: 2, class: 'spark-dot' }));
  return el;
}
