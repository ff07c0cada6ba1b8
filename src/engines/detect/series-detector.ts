// Causal streaming anomaly detector for one time series: a score in [0,1] per point from robust
// forecasts (level/trend, hour-of-day and day-of-week offsets), value rarity and count tails.
import type { DetectConfig } from './config.js';
import { countTailProbability } from './count-tail.js';

const DAY_MS = 86_400_000;
// A profile residual counts at most this many profile deviations in the short average: one wild point is not a broken day.
const PROFILE_CLIP = 20;
const WEEK_SLOTS = 7;
// Half-width of the histogram range, in slow mean absolute deviations, beyond which values share an overflow bin.
const HIST_RANGE = 5;
// Pseudo-count per bin so an empty bin has a finite (large) surprise.
const HIST_PRIOR = 0.01;
// Surprise-statistic updates are clipped at this many mean deviations (plus a floor in log-surprise).
const SURPRISE_CLIP = 4;
const SURPRISE_CLIP_FLOOR = 0.5;
// Lazy-decay weights are folded back into the counts beyond this size (far from overflow).
const RESCALE_AT = 1e100;
// A gap longer than this many typical steps is a gap, not a reason to extrapolate the trend further.
const MAX_TREND_STEPS = 100;

/** Serialized detector state (JSON-safe, well under 2 KB). */
export interface SeriesDetectorState {
  v: 1;
  n: number;
  t: number;
  dt: number;
  l: number;
  tr: number;
  m: number;
  cv: number;
  run: number;
  sl: number;
  sm: number;
  sd: number;
  m2: number;
  eS: number;
  eN: number;
  day: number[];
  wk: number[];
  h: number[];
  ht: number;
  cnt: number;
  pm: number;
  pd: number;
  ph: number;
  ex: number;
  pk?: number;
  pa?: number;
  al?: number;
  sg?: number[];
  ss?: number;
  dg?: number[];
  vs?: number;
  hi?: number;
  lo?: number;
  pf?: number[];
  pfs?: string;
  pg?: number[];
  pfm?: number;
  pfr?: number;
}

/**
 * learn()'s arguments (x, r, scale, fast, steps, slow, seasonal, hod, dow, floor), passed in one
 * shared array: learn() is too large to inline, and a number passed to a call is boxed (an
 * allocation each, ten a point, every cluster every minute). Updates are synchronous, so one serves all.
 */
const LEARN_ARGS = new Float64Array(10);

/** Scalar fields in an exact state (see exactStateInto), before the arrays. */
const EXACT_SCALARS = 27;

/** Exact powers of ten (every one up to 1e22 is a double exactly). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** Scaled values this close to a rounding tie are left to toPrecision (the product's error is far smaller). */
const TIE_MARGIN = 1e-6;

/**
 * Six significant digits: keeps a snapshot small; restored detectors differ by far less than score
 * resolution. The same number as Number(x.toPrecision(6)), which costs a decimal conversion a value
 * (hundreds a detector, every checkpoint): the six digits come from one product by an exact power of
 * ten, and the quotient of two exact numbers is the double nearest their decimal, as parsing gives.
 * Near a tie, or out of the exact powers' range, it asks toPrecision.
 */
export function round6(x: number): number {
  if (!Number.isFinite(x)) return 0;
  if (x === 0) return 0;
  const a = x < 0 ? -x : x;
  const k = 5 - Math.floor(Math.log10(a));
  if (k >= -22 && k <= 22) {
    const scaled = k >= 0 ? a * POW10[k]! : a / POW10[-k]!;
    const n = Math.round(scaled);
    const frac = scaled - Math.floor(scaled);
    // the scaling is exact to well under TIE_MARGIN; six digits outside [1e5, 1e6) mean log10 missed the exponent
    if (n >= 100_000 && n < 1_000_000 && Math.abs(frac - 0.5) > TIE_MARGIN) {
      const r = k >= 0 ? n / POW10[k]! : n * POW10[-k]!;
      return x < 0 ? -r : r;
    }
  }
  return Number(x.toPrecision(6));
}

export class SeriesDetector {
  private n = 0;
  private lastT = 0;
  private dt = 0;
  private level = 0;
  private trend = 0;
  private mad = 0;
  private countVar = 0;
  private run = 0;
  private seasonLevel = 0;
  private slowMean = 0;
  private slowDev = 0;
  private seasonMad = 0;
  private errSeason = 0;
  private errPlain = 0;
  private readonly day: Float64Array;
  private readonly slotMs: number;
  private readonly week = new Float64Array(WEEK_SLOTS);
  private readonly hist: Float64Array;
  // Histogram counts carry a growing increment weight so decay costs nothing per point; counts
  // are divided by the weight when saved.
  private histWeight = 1;
  private histTotal = 0;
  private isCount = true;
  private readonly pointGate = new Float64Array(3);
  private readonly sustainGate = new Float64Array(3);
  private surpriseShort = 0;
  private readonly driftGate = new Float64Array(3);
  private valueShort = 0;
  private hiRec = 0;
  private readonly profile: Float64Array;
  private readonly profileSeen: Uint8Array;
  private readonly profileGate = new Float64Array(3);
  private profileMad = 0;
  private profileShort = 0;
  private loRec = 0;
  private expected = 0;
  private peak = 0;
  private peakAge = 0;
  private alarmLoad = 0;
  /**
   * A gate's input and result, passed through fields rather than as argument and return value:
   * gate() is too large to inline, and a number crossing a call is boxed (an allocation each, four
   * gates a point, every cluster every minute). Scratch only: not part of the state.
   */
  private gateIn = 0;
  private gateOut = 0;

  constructor(private readonly cfg: DetectConfig) {
    this.hist = new Float64Array(cfg.histBins);
    this.day = new Float64Array(cfg.daySlots);
    this.slotMs = DAY_MS / cfg.daySlots;
    this.profile = new Float64Array(cfg.daySlots);
    this.profileSeen = new Uint8Array(cfg.daySlots);
  }

  /** The forecast the last update was compared with (the series' expected value at that point). */
  get lastExpected(): number {
    return this.expected;
  }

  /** Points seen so far. */
  get points(): number {
    return this.n;
  }

  /** Scores the point against the past only, then learns from it. Non-finite input scores 0 and is not learnt. */
  update(timestampMs: number, value: number): number {
    if (!Number.isFinite(value) || !Number.isFinite(timestampMs)) return 0;
    const c = this.cfg;
    const x = value;
    if (this.n === 0) {
      this.n = 1;
      this.lastT = timestampMs;
      this.level = x;
      this.seasonLevel = x;
      this.slowMean = x;
      // Nothing was expected of the first point: there was no history to expect anything from.
      this.expected = 0;
      this.isCount = Number.isInteger(x) && x >= 0;
      this.hiRec = x;
      this.loRec = x;
      this.addToHistogram(x);
      return 0;
    }
    const gap = timestampMs - this.lastT;
    if (gap > 0) {
      this.dt = this.dt > 0 ? this.dt + 0.1 * (Math.min(gap, 4 * this.dt) - this.dt) : gap;
      this.lastT = timestampMs;
    }
    const steps = gap > 0 && this.dt > 0 ? Math.min(gap / this.dt, MAX_TREND_STEPS) : 1;
    if (this.isCount && !(Number.isInteger(x) && x >= 0)) this.isCount = false;

    // Forecasts from the past only.
    const hod = Math.floor((((timestampMs % DAY_MS) + DAY_MS) % DAY_MS) / this.slotMs);
    const dow = (((Math.floor(timestampMs / DAY_MS) + 3) % WEEK_SLOTS) + WEEK_SLOTS) % WEEK_SLOTS;
    const seasonal = this.day[hod]! + this.week[dow]!;
    const daysSeen = this.dt > 0 ? (this.n * this.dt) / DAY_MS : 0;
    const seasonOn = daysSeen >= c.seasonMinDays && this.errSeason < c.seasonGain * this.errPlain;
    const fast = this.level + this.trend * steps;
    const slow = this.seasonLevel + seasonal;
    const floor = c.scaleFloor * Math.max(this.slowDev, Math.abs(this.slowMean) * 0.05, 1e-9);
    const scale = Math.max(this.mad, floor);
    const r = x - fast;

    // Surprise (nats) of the fast forecast: count tails for sparse counts, else Laplace tails.
    let surprise: number;
    const countMode = this.isCount && fast < c.countMaxMean;
    if (countMode) {
      const mean = Math.max(fast, 0);
      // Upper tail only: for sparse counts a quiet spell is weak evidence, a burst is the news.
      surprise = x <= mean ? 0 : -Math.log(Math.max(countTailProbability(x, mean, Math.max(mean, this.countVar)), 1e-300));
    } else {
      surprise = Math.abs(r) / scale;
    }
    this.expected = seasonOn ? slow : fast;
    // With a learnt daily/weekly shape, a point is odd only if neither forecast explains it (a daily
    // edge surprises the fast forecast, not the seasonal one).
    let sustainedInput = surprise;
    if (seasonOn) {
      const s2 = Math.abs(x - slow) / Math.max(this.seasonMad, floor);
      sustainedInput = s2;
      if (s2 < surprise) surprise = s2;
    }
    const rarity = c.rarityWeight * this.binSurprise(x);
    if (rarity > surprise) surprise = rarity;

    // Self-normalisation: compare log-surprise with the usual level of the series' own history
    // (mean + spread * mean deviation, and a running high quantile), so noisy and clean series share one scale.
    this.surpriseShort += c.sustainAlpha * (sustainedInput - this.surpriseShort);
    this.valueShort = this.n === 1 ? x : this.valueShort + c.driftAlpha * (x - this.valueShort);
    let score = 0;
    if (this.n >= c.warmupPoints) {
      this.gateIn = Math.log1p(surprise);
      this.gate(this.pointGate);
      let excess = this.gateOut;
      if (c.sustainAlpha > 0 && !countMode) {
        this.gateIn = Math.log1p(this.surpriseShort);
        this.gate(this.sustainGate);
        excess = Math.max(excess, this.gateOut);
      }
      // A value beyond the range seen so far: its excess is how far beyond, in widths of that range.
      if (c.recordWeight > 0 && !countMode) {
        const beyond = Math.max(x - this.hiRec, this.loRec - x, 0) / Math.max(this.hiRec - this.loRec, floor);
        excess = Math.max(excess, c.recordWeight * beyond);
      }
      if (c.driftAlpha > 0 && !countMode) {
        const drift = Math.abs(this.valueShort - this.slowMean) / Math.max(this.slowDev, floor);
        this.gateIn = Math.log1p(drift);
        this.gate(this.driftGate);
        excess = Math.max(excess, this.gateOut);
      }
      // Also for counts: a run of residuals against the daily shape is not the normal approximation the
      // point channels avoid for sparse counts, and its gate learns the series' own usual level.
      if (c.profileAlpha > 0 && daysSeen >= c.seasonMinDays) {
        this.gateIn = Math.log1p(this.profileShort);
        this.gate(this.profileGate);
        excess = Math.max(excess, this.gateOut);
      }
      score = 1 - Math.exp(-excess / c.scoreScale);
    }
    // Daily profile: the raw value per hour-of-day slot, blind to levels and shifts, so a day that
    // breaks the usual daily shape shows as a run of large residuals (scored above as a short average).
    if (c.profileAlpha > 0) {
      const p0 = this.profile[hod]!;
      if (this.profileSeen[hod] === 0) {
        this.profile[hod] = x;
        this.profileSeen[hod] = 1;
      } else {
        const pr = Math.abs(x - p0);
        const pm = Math.max(this.profileMad, floor);
        this.profileShort += c.profileShortAlpha * (Math.min(pr / pm, PROFILE_CLIP) - this.profileShort);
        // Early residuals are not clipped: the scale itself is still unknown.
        const early = this.n < c.warmupPoints;
        this.profileMad += this.warm(c.scaleAlpha) * ((early ? pr : Math.min(pr, c.huberK * pm)) - this.profileMad);
        const perHour = this.dt > 0 ? Math.min(1, this.dt / this.slotMs) : 1;
        this.profile[hod] = p0 + c.profileAlpha * perHour * clip(x - p0, c.huberK * pm * 4);
      }
    }

    const args = LEARN_ARGS;
    args[0] = x;
    args[1] = r;
    args[2] = scale;
    args[3] = fast;
    args[4] = steps;
    args[5] = slow;
    args[6] = seasonal;
    args[7] = hod;
    args[8] = dow;
    args[9] = floor;
    this.learn();
    // The record range shrinks slowly towards the slow mean, so a series forgets a long-gone extreme.
    const mid = this.slowMean;
    this.hiRec = Math.max(x, mid + (this.hiRec - mid) * (1 - c.recordDecay));
    this.loRec = Math.min(x, mid - (mid - this.loRec) * (1 - c.recordDecay));
    return this.report(score);
  }

  // NAB-style reporting (only with holdPoints > 0): the report-once hold, then a series that has
  // reported much lately has its scores scaled down, so one corpus-wide threshold treats a spiky
  // series (routine bursts) and a quiet one alike.
  private report(score: number): number {
    const c = this.cfg;
    if (c.holdPoints <= 0) return score;
    const out = this.suppress(score);
    const calibrated = out / (1 + c.alarmLoadGain * this.alarmLoad);
    this.alarmLoad = this.alarmLoad * (1 - c.alarmLoadAlpha) + out;
    return calibrated;
  }

  // Excess of a log-surprise over the usual level of its own history, then learns from it. g holds
  // [mean, mean deviation, running high quantile].
  private gate(g: Float64Array): void {
    const lp = this.gateIn;
    const c = this.cfg;
    if (this.n === c.warmupPoints) g[2] = g[0]! + c.surpriseSpread * g[1]!;
    const usual = Math.max(g[0]! + c.surpriseSpread * g[1]!, g[2]!);
    // The first gated point has no history of its own to be compared with.
    const excess = this.n === c.warmupPoints ? 0 : Math.max(lp - usual, 0);
    // Running high quantile of log-surprise, stepping in units of its spread: a series whose odd
    // points are frequent (spiky loads) raises its own bar.
    const step = c.quantileStep * (g[1]! + SURPRISE_CLIP_FLOOR);
    g[2]! += lp > g[2]! ? step * c.surpriseQuantile : step * (c.surpriseQuantile - 1);
    // Below the mean the bar never binds; the floor keeps it from drifting without end.
    if (g[2]! < g[0]!) g[2] = g[0]!;
    const a = this.warmFrom(c.surpriseLongAlpha, c.warmupPoints);
    // Updates are clipped so one anomaly does not teach the detector that anomalies are usual.
    const dp = clip(lp - g[0]!, SURPRISE_CLIP * g[1]! + SURPRISE_CLIP_FLOOR);
    g[0]! += a * dp;
    g[1]! += a * (Math.abs(dp) - g[1]!);
    this.gateOut = excess;
  }

  // Only the first report of an episode is news, so a score is passed on only when it beats the
  // last reported peak, whose bar fades linearly over holdPoints points. A higher score within
  // episodePoints of the last report belongs to the same episode: it raises the bar, unreported.
  private suppress(score: number): number {
    const h = this.cfg.holdPoints;
    const bar = this.peak * (1 - this.peakAge / h);
    this.peakAge++;
    if (score > bar && score > 0) {
      const sameEpisode = this.peak > 0 && this.peakAge <= this.cfg.episodePoints;
      this.peak = score;
      this.peakAge = 1;
      return sameEpisode ? 0 : score;
    }
    if (this.peakAge >= h) this.peak = 0;
    return 0;
  }

  // Early on, an exponential average is the plain mean of the points so far (1/n weights), so
  // scales start from data rather than from zero.
  private warm(alpha: number): number {
    const a = 1 / (this.n + 1);
    return a > alpha ? a : alpha;
  }

  // Like warm(), counting from the point where the statistic started learning.
  private warmFrom(alpha: number, start: number): number {
    const a = 1 / (this.n - start + 1);
    return a > alpha ? a : alpha;
  }

  /** Learns from the point update() just scored; its arguments are in LEARN_ARGS (see there). */
  private learn(): void {
    const args = LEARN_ARGS;
    const x = args[0]!;
    const r = args[1]!;
    const scale = args[2]!;
    const fast = args[3]!;
    const steps = args[4]!;
    const slow = args[5]!;
    const seasonal = args[6]!;
    const hod = args[7]!;
    const dow = args[8]!;
    const floor = args[9]!;
    const c = this.cfg;
    const limit = c.huberK * scale;
    const big = Math.abs(r) > limit;
    this.run = big ? (Math.sign(r) === Math.sign(this.run) ? this.run + Math.sign(r) : Math.sign(r)) : 0;
    const clipped = r > limit ? limit : r < -limit ? -limit : r;
    if (Math.abs(this.run) >= c.shiftRun) {
      // A sustained shift: the new level is the new normal.
      this.level = x;
      this.trend = 0;
      this.seasonLevel = x - seasonal;
      this.run = 0;
    } else {
      const newLevel = fast + c.levelAlpha * clipped;
      this.trend += c.trendBeta * ((newLevel - this.level) / steps - this.trend);
      this.level = newLevel;
    }
    const aScale = this.warm(c.scaleAlpha);
    // Early residuals are not clipped: the scale itself is still unknown.
    const early = this.n < c.warmupPoints;
    this.mad += aScale * ((early ? Math.abs(r) : Math.min(Math.abs(r), limit)) - this.mad);
    this.countVar += aScale * ((early ? r * r : Math.min(r * r, limit * limit)) - this.countVar);

    // Seasonal forecast: slow level plus hour-of-day and day-of-week offsets.
    const rs = x - slow;
    const sLimit = c.huberK * Math.max(this.seasonMad, floor);
    const sClipped = rs > sLimit ? sLimit : rs < -sLimit ? -sLimit : rs;
    this.errSeason += aScale * ((early ? Math.abs(rs) : Math.min(Math.abs(rs), sLimit)) - this.errSeason);
    const rp = x - this.seasonLevel;
    this.errPlain += aScale * ((early ? Math.abs(rp) : Math.min(Math.abs(rp), 4 * sLimit)) - this.errPlain);
    this.seasonMad += aScale * ((early ? Math.abs(rs) : Math.min(Math.abs(rs), sLimit)) - this.seasonMad);
    this.seasonLevel += this.warm(c.seasonLevelAlpha) * (early ? rs : sClipped);
    const perHour = this.dt > 0 ? Math.min(1, this.dt / this.slotMs) : 1;
    const perDay = this.dt > 0 ? Math.min(1, this.dt / DAY_MS) : 1;
    const slotResidual = x - this.seasonLevel;
    this.day[hod]! += c.seasonAlpha * perHour * (clip(slotResidual - this.week[dow]!, sLimit * 4) - this.day[hod]!);
    this.week[dow]! += c.seasonAlpha * perDay * (clip(slotResidual - this.day[hod]!, sLimit * 4) - this.week[dow]!);

    const d = x - this.slowMean;
    const aSlow = this.warm(c.slowAlpha);
    this.slowMean += aSlow * d;
    this.slowDev += aSlow * (Math.abs(d) - this.slowDev);
    this.addToHistogram(x);
    this.n++;
  }

  private bin(x: number): number {
    const b = this.hist.length;
    const dev = Math.max(this.slowDev, Math.abs(this.slowMean) * 0.01, 1e-9);
    const z = (x - this.slowMean) / dev;
    const inner = b - 2;
    const i = Math.floor(((z + HIST_RANGE) / (2 * HIST_RANGE)) * inner) + 1;
    return i < 0 ? 0 : i >= b ? b - 1 : i;
  }

  private binSurprise(x: number): number {
    const b = this.hist.length;
    const prior = HIST_PRIOR * this.histWeight;
    return -Math.log((this.hist[this.bin(x)]! + prior) / (this.histTotal + prior * b));
  }

  private addToHistogram(x: number): void {
    this.hist[this.bin(x)]! += this.histWeight;
    this.histTotal += this.histWeight;
    this.histWeight /= 1 - this.cfg.histAlpha;
    if (this.histWeight > RESCALE_AT) {
      for (let i = 0; i < this.hist.length; i++) this.hist[i]! /= this.histWeight;
      this.histTotal /= this.histWeight;
      this.histWeight = 1;
    }
  }

  toJSON(): SeriesDetectorState {
    return {
      v: 1,
      n: this.n,
      t: this.lastT,
      dt: round6(this.dt),
      l: round6(this.level),
      tr: round6(this.trend),
      m: round6(this.mad),
      cv: round6(this.countVar),
      run: this.run,
      sl: round6(this.seasonLevel),
      sm: round6(this.slowMean),
      sd: round6(this.slowDev),
      m2: round6(this.seasonMad),
      eS: round6(this.errSeason),
      eN: round6(this.errPlain),
      day: rounded(this.day, 1),
      wk: rounded(this.week, 1),
      h: rounded(this.hist, this.histWeight),
      ht: round6(this.histTotal / this.histWeight),
      cnt: this.isCount ? 1 : 0,
      pm: round6(this.pointGate[0]!),
      pd: round6(this.pointGate[1]!),
      ph: round6(this.pointGate[2]!),
      sg: rounded(this.sustainGate, 1),
      ss: round6(this.surpriseShort),
      dg: rounded(this.driftGate, 1),
      vs: round6(this.valueShort),
      hi: round6(this.hiRec),
      pf: rounded(this.profile, 1),
      pfs: digits(this.profileSeen),
      pg: rounded(this.profileGate, 1),
      pfm: round6(this.profileMad),
      pfr: round6(this.profileShort),
      lo: round6(this.loRec),
      ex: round6(this.expected),
      pk: round6(this.peak),
      pa: this.peakAge,
      al: round6(this.alarmLoad),
    };
  }

  /** The arrays of the state, in the order of an exact state (after EXACT_SCALARS scalars). */
  private exactArrays(): Array<Float64Array | Uint8Array> {
    return [this.week, this.pointGate, this.sustainGate, this.driftGate, this.profileGate, this.hist, this.day, this.profile, this.profileSeen];
  }

  /** Doubles exactStateInto writes for a detector of this configuration. */
  static exactStateLength(cfg: DetectConfig): number {
    return EXACT_SCALARS + WEEK_SLOTS + 4 * 3 + cfg.histBins + 3 * cfg.daySlots;
  }

  /**
   * The whole state, bit for bit, into `out` from `at` (exactStateLength doubles): unlike toJSON,
   * which rounds, a detector set from it goes on exactly as this one would. For handing a detector
   * to another thread and back within one run, not for storing (the layout has no version).
   */
  exactStateInto(out: Float64Array, at: number): void {
    let i = at;
    out[i++] = this.n;
    out[i++] = this.lastT;
    out[i++] = this.dt;
    out[i++] = this.level;
    out[i++] = this.trend;
    out[i++] = this.mad;
    out[i++] = this.countVar;
    out[i++] = this.run;
    out[i++] = this.seasonLevel;
    out[i++] = this.slowMean;
    out[i++] = this.slowDev;
    out[i++] = this.seasonMad;
    out[i++] = this.errSeason;
    out[i++] = this.errPlain;
    out[i++] = this.histWeight;
    out[i++] = this.histTotal;
    out[i++] = this.isCount ? 1 : 0;
    out[i++] = this.surpriseShort;
    out[i++] = this.valueShort;
    out[i++] = this.hiRec;
    out[i++] = this.profileMad;
    out[i++] = this.profileShort;
    out[i++] = this.loRec;
    out[i++] = this.expected;
    out[i++] = this.peak;
    out[i++] = this.peakAge;
    out[i++] = this.alarmLoad;
    for (const a of this.exactArrays()) {
      for (let k = 0; k < a.length; k++) out[i++] = a[k]!;
    }
  }

  /** Sets the whole state from what exactStateInto wrote (same configuration). */
  setExactState(src: Float64Array, at: number): void {
    let i = at;
    this.n = src[i++]!;
    this.lastT = src[i++]!;
    this.dt = src[i++]!;
    this.level = src[i++]!;
    this.trend = src[i++]!;
    this.mad = src[i++]!;
    this.countVar = src[i++]!;
    this.run = src[i++]!;
    this.seasonLevel = src[i++]!;
    this.slowMean = src[i++]!;
    this.slowDev = src[i++]!;
    this.seasonMad = src[i++]!;
    this.errSeason = src[i++]!;
    this.errPlain = src[i++]!;
    this.histWeight = src[i++]!;
    this.histTotal = src[i++]!;
    this.isCount = src[i++] === 1;
    this.surpriseShort = src[i++]!;
    this.valueShort = src[i++]!;
    this.hiRec = src[i++]!;
    this.profileMad = src[i++]!;
    this.profileShort = src[i++]!;
    this.loRec = src[i++]!;
    this.expected = src[i++]!;
    this.peak = src[i++]!;
    this.peakAge = src[i++]!;
    this.alarmLoad = src[i++]!;
    for (const a of this.exactArrays()) {
      for (let k = 0; k < a.length; k++) a[k] = src[i++]!;
    }
  }

  static fromJSON(state: SeriesDetectorState, cfg: DetectConfig): SeriesDetector {
    const d = new SeriesDetector(cfg);
    d.n = state.n;
    d.lastT = state.t;
    d.dt = state.dt;
    d.level = state.l;
    d.trend = state.tr;
    d.mad = state.m;
    d.countVar = state.cv;
    d.run = state.run;
    d.seasonLevel = state.sl;
    d.slowMean = state.sm;
    d.slowDev = state.sd;
    d.seasonMad = state.m2;
    d.errSeason = state.eS;
    d.errPlain = state.eN;
    if (state.day.length === d.day.length) d.day.set(state.day);
    d.week.set(state.wk.slice(0, WEEK_SLOTS));
    // A histogram saved under another bin count cannot be mapped; it is relearnt.
    if (state.h.length === d.hist.length) {
      d.hist.set(state.h);
      d.histTotal = state.ht;
    }
    d.isCount = state.cnt === 1;
    d.pointGate.set([state.pm, state.pd, state.ph]);
    if (state.sg?.length === 3) d.sustainGate.set(state.sg);
    d.surpriseShort = state.ss ?? 0;
    if (state.dg?.length === 3) d.driftGate.set(state.dg);
    d.valueShort = state.vs ?? state.sm;
    d.hiRec = state.hi ?? state.sm;
    d.loRec = state.lo ?? state.sm;
    // A profile saved under another slot count cannot be mapped; it is relearnt.
    if (state.pf?.length === d.profile.length && state.pfs?.length === d.profile.length) {
      d.profile.set(state.pf);
      for (let i = 0; i < state.pfs.length; i++) d.profileSeen[i] = state.pfs[i] === '1' ? 1 : 0;
    }
    if (state.pg?.length === 3) d.profileGate.set(state.pg);
    d.profileMad = state.pfm ?? 0;
    d.profileShort = state.pfr ?? 0;
    d.expected = state.ex;
    d.peak = state.pk ?? 0;
    d.peakAge = state.pa ?? 0;
    d.alarmLoad = state.al ?? 0;
    return d;
  }
}

/**
 * round6 of each value divided by `by`, as a plain array: a loop, not Array.from with a mapping
 * function, which goes through the iterator protocol (a detector is saved at every checkpoint).
 */
function rounded(values: Float64Array, by: number): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = round6(by === 1 ? values[i]! : values[i]! / by);
  return out;
}

/** The flags as a string of digits ("0110..."). */
function digits(flags: Uint8Array): string {
  let s = '';
  for (let i = 0; i < flags.length; i++) s += String(flags[i]);
  return s;
}

function clip(x: number, limit: number): number {
  return x > limit ? limit : x < -limit ? -limit : x;
}
