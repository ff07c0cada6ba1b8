// Bucketed count series as the API sends them (a point per written bucket) made regular for
// charting: a bucket with no point had no events, so it is drawn as zero, not as a held value.

export interface CountPoint {
  t: number;
  count: number;
  baseline: number;
}

/** Past this many buckets a gap-filled series would cost more to draw than it shows. */
const MAX_FILLED_POINTS = 5000;

/** Fills missing buckets (the smallest spacing between points) with zero counts, baseline carried over. */
export function fillSeries<T extends CountPoint>(series: T[]): CountPoint[] {
  if (series.length < 3) return series;
  let step = Infinity;
  for (let i = 1; i < series.length; i++) {
    const d = series[i]!.t - series[i - 1]!.t;
    if (d > 0 && d < step) step = d;
  }
  const span = series[series.length - 1]!.t - series[0]!.t;
  if (!Number.isFinite(step) || span / step > MAX_FILLED_POINTS) return series;
  const out: CountPoint[] = [];
  for (const p of series) {
    const prev = out[out.length - 1];
    if (prev) for (let t = prev.t + step; t < p.t; t += step) out.push({ t, count: 0, baseline: prev.baseline });
    out.push(p);
  }
  return out;
}
