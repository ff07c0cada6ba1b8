// NAB v1.1 scorer written from the published rules (Lavin & Ahmad 2015, NAB whitepaper): windows,
// scaled-sigmoid credit, FP weighting after windows, misses, probation, corpus-wide threshold sweep.

export interface CostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

/** One scored data file: timestamps (ms), detector scores, and labelled windows as [start, end] timestamps. */
export interface ScoredSeries {
  name: string;
  timestamps: number[];
  scores: number[];
  windows: Array<[number, number]>;
}

/** A scorable point: the detector's score, the credit or penalty if detected, and its window (-1: none). */
export interface SweepPoint {
  score: number;
  credit: number;
  window: number;
}

// Share of a file (capped at PROBATION_CAP_ROWS * share rows) during which detections are not scored.
export const PROBATION_PERCENT = 0.15;
const PROBATION_CAP_ROWS = 5000;
// A detection this many window widths after a window (or before the first) is a full-weight FP.
const FAR_AFTER_WINDOW = 3;

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Credit by relative position: -1 (window start) ~ +0.987, 0 (window end) 0, >= 3 -> -1. */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition >= FAR_AFTER_WINDOW) return -1;
  return 2 * sigmoid(-5 * relativePosition) - 1;
}

export function probationaryLength(rows: number, percent = PROBATION_PERCENT): number {
  return Math.min(Math.floor(percent * rows), percent * PROBATION_CAP_ROWS);
}

/**
 * Per-point credit of one file. `windowBase` offsets window ids so files can be pooled.
 * Points inside the probationary period are left out (returned list is shorter).
 */
export function sweepPoints(s: ScoredSeries, cost: CostMatrix, windowBase = 0, probationPercent = PROBATION_PERCENT): SweepPoint[] {
  const n = s.timestamps.length;
  const index = new Map<number, number>();
  for (let i = 0; i < n; i++) if (!index.has(s.timestamps[i]!)) index.set(s.timestamps[i]!, i);
  const win = s.windows
    .map(([a, b]) => {
      const l = index.get(a);
      const r = index.get(b);
      if (l === undefined || r === undefined) throw new Error(`${s.name}: window [${new Date(a).toISOString()}, ${new Date(b).toISOString()}] does not match data timestamps`);
      return [l, r] as [number, number];
    })
    .sort((x, y) => x[0] - y[0]);
  const maxTp = scaledSigmoid(-1);
  const probation = probationaryLength(n, probationPercent);
  const out: SweepPoint[] = [];
  let w = 0;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    let credit: number;
    let window = -1;
    const cur = win[w];
    if (cur && i >= cur[0] && i <= cur[1]) {
      const width = cur[1] - cur[0] + 1;
      credit = (scaledSigmoid(-(cur[1] - i + 1) / width) * cost.tpWeight) / maxTp;
      window = windowBase + w;
    } else {
      const pos = prevRight < 0 ? FAR_AFTER_WINDOW : Math.abs(prevRight - i) / (prevWidth - 1);
      credit = scaledSigmoid(pos) * cost.fpWeight;
    }
    if (i >= probation) out.push({ score: s.scores[i]!, credit, window });
    if (cur && i === cur[1]) {
      prevRight = i;
      prevWidth = cur[1] - cur[0] + 1;
      w++;
    }
  }
  return out;
}

export interface ThresholdScore {
  threshold: number;
  score: number;
}

/**
 * Raw score at every distinct threshold of pooled points (detections: score >= threshold). A window
 * scores its best credit if detected, else -fnWeight; FPs add their (negative) credit.
 */
export function scoreByThreshold(points: SweepPoint[], cost: CostMatrix): ThresholdScore[] {
  const sorted = points.slice().sort((a, b) => b.score - a.score);
  const best = new Map<number, number>();
  for (const p of sorted) if (p.window >= 0) best.set(p.window, -cost.fnWeight);
  let windowsPart = -cost.fnWeight * best.size;
  let fpPart = 0;
  const out: ThresholdScore[] = [];
  let threshold = 1.1; // above any score: nothing detected
  for (const p of sorted) {
    if (p.score !== threshold) {
      out.push({ threshold, score: windowsPart + fpPart });
      threshold = p.score;
    }
    if (p.window < 0) fpPart += p.credit;
    else {
      const prev = best.get(p.window)!;
      if (p.credit > prev) {
        best.set(p.window, p.credit);
        windowsPart += p.credit - prev;
      }
    }
  }
  out.push({ threshold, score: windowsPart + fpPart });
  return out;
}

/** Raw corpus score at one threshold (detections: score >= threshold). */
export function scoreAtThreshold(series: ScoredSeries[], cost: CostMatrix, threshold: number): number {
  let total = 0;
  series.forEach((s, k) => {
    const pts = sweepPoints(s, cost, k * 1000);
    const best = new Map<number, number>();
    let fp = 0;
    for (const p of pts) {
      if (p.window >= 0 && !best.has(p.window)) best.set(p.window, -cost.fnWeight);
      if (p.score < threshold) continue;
      if (p.window < 0) fp += p.credit;
      else best.set(p.window, Math.max(best.get(p.window)!, p.credit));
    }
    for (const v of best.values()) total += v;
    total += fp;
  });
  return total;
}

export interface ProfileResult {
  threshold: number;
  raw: number;
  nullRaw: number;
  perfectRaw: number;
  /** 100 * (raw - null) / (perfect - null) */
  normalized: number;
}

function pooled(series: ScoredSeries[], cost: CostMatrix): SweepPoint[] {
  const all: SweepPoint[] = [];
  series.forEach((s, k) => {
    for (const p of sweepPoints(s, cost, k * 1000)) all.push(p);
  });
  return all;
}

/** The best threshold over the whole corpus and its raw score. */
export function optimizeThreshold(series: ScoredSeries[], cost: CostMatrix): ThresholdScore {
  let best: ThresholdScore = { threshold: 1.1, score: -Infinity };
  for (const t of scoreByThreshold(pooled(series, cost), cost)) if (t.score > best.score) best = t;
  return best;
}

/** Scores a corpus for one profile, normalised by the null (all zero) and perfect (window labels) detectors. */
export function scoreProfile(series: ScoredSeries[], cost: CostMatrix): ProfileResult {
  const best = optimizeThreshold(series, cost);
  const nullRaw = optimizeThreshold(series.map((s) => ({ ...s, scores: s.scores.map(() => 0) })), cost).score;
  const perfectRaw = optimizeThreshold(series.map(perfectDetector), cost).score;
  return {
    threshold: best.threshold,
    raw: best.score,
    nullRaw,
    perfectRaw,
    normalized: (100 * (best.score - nullRaw)) / (perfectRaw - nullRaw),
  };
}

/** A detector that knows the labels: 1 inside windows, 0 elsewhere. */
export function perfectDetector(s: ScoredSeries): ScoredSeries {
  const scores = s.timestamps.map((t) => (s.windows.some(([a, b]) => t >= a && t <= b) ? 1 : 0));
  return { ...s, scores };
}
