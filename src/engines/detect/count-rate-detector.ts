// Event counts in event-time buckets, scored by the series detector as each bucket closes
// (an account's ticket rate for health; late events into closed buckets are refused, not miscounted).
import { detectConfig, type DetectConfig } from './config.js';
import { SeriesDetector, type SeriesDetectorState } from './series-detector.js';

export interface CountRateOptions {
  bucketMs: number;
  detector?: Partial<DetectConfig>;
  /** Most empty buckets replayed after a silent spell before the rest are skipped as a gap. */
  maxCatchUpBuckets?: number;
}

export interface ClosedBucket {
  bucketStart: number;
  count: number;
  expected: number;
  score: number;
}

export interface CountRateState {
  b: number;
  c?: number;
  o: Partial<DetectConfig>;
  /** Start of the first bucket not yet closed (null before the first event). */
  u: number | null;
  /** Open buckets: start and count, flattened pairs. */
  p: number[];
  lc: number;
  ls: number;
  d: SeriesDetectorState;
}

// A day of hourly buckets, or a week of 10-minute ones: longer silences are a gap for the detector.
const DEFAULT_MAX_CATCH_UP = 1008;

// A rate is read as a state at any time (health asks "is it abnormal now?"), so the running-quantile
// bar and the report-once hold, which mute repeats in an alarm stream, are off unless the caller sets them.
const RATE_DEFAULTS: Partial<DetectConfig> = { surpriseQuantile: 0, holdPoints: 0 };

/**
 * The detector configuration for these overrides, parsed once: every account has a rate detector,
 * and validating the whole configuration took about 100 us, as long as a thousand of its updates.
 * The parsed object is only read. Callers pass a handful of distinct overrides; the memo is bounded anyway.
 */
const parsedConfigs = new Map<string, DetectConfig>();
const MAX_PARSED_CONFIGS = 32;

function rateDetectorConfig(overrides: Partial<DetectConfig>): DetectConfig {
  const key = JSON.stringify(overrides);
  let cfg = parsedConfigs.get(key);
  if (!cfg) {
    if (parsedConfigs.size >= MAX_PARSED_CONFIGS) parsedConfigs.clear();
    cfg = Object.freeze(detectConfig.parse({ ...RATE_DEFAULTS, ...overrides }));
    parsedConfigs.set(key, cfg);
  }
  return cfg;
}

const NONE_CLOSED: readonly ClosedBucket[] = Object.freeze([]);

export class CountRateDetector {
  private readonly bucketMs: number;
  private readonly overrides: Partial<DetectConfig>;
  private readonly maxCatchUp: number;
  private detector: SeriesDetector;
  private closedUntil: number | null = null;
  private readonly open = new Map<number, number>();
  private lastCount = 0;
  private lastScore = 0;

  constructor(cfg: CountRateOptions) {
    if (!(cfg.bucketMs > 0)) throw new RangeError(`bucketMs must be positive, got ${cfg.bucketMs}`);
    this.bucketMs = cfg.bucketMs;
    this.overrides = cfg.detector ?? {};
    this.maxCatchUp = cfg.maxCatchUpBuckets ?? DEFAULT_MAX_CATCH_UP;
    this.detector = new SeriesDetector(rateDetectorConfig(this.overrides));
  }

  private bucketOf(atMs: number): number {
    return Math.floor(atMs / this.bucketMs) * this.bucketMs;
  }

  /** Counts `n` events at event time `atMs`; false (and not counted) when its bucket is already closed. */
  add(atMs: number, n = 1): boolean {
    if (!Number.isFinite(atMs)) return false;
    const b = this.bucketOf(atMs);
    if (this.closedUntil !== null && b < this.closedUntil) return false;
    this.open.set(b, (this.open.get(b) ?? 0) + n);
    return true;
  }

  /** Closes every bucket whose end is at or before the watermark (empty ones count 0), oldest first. */
  advance(watermarkMs: number): readonly ClosedBucket[] {
    const end = this.bucketOf(watermarkMs); // buckets starting before this have ended by the watermark
    if (this.closedUntil === null) {
      if (this.open.size === 0) return NONE_CLOSED;
      this.closedUntil = Math.min(...this.open.keys());
    }
    // the common call (every account at every scoring): nothing closes, and nothing is allocated
    if (end <= this.closedUntil) return NONE_CLOSED;
    const out: ClosedBucket[] = [];
    let b = this.closedUntil;
    let replayedEmpty = 0;
    while (b < end) {
      const count = this.open.get(b) ?? 0;
      if (count === 0 && replayedEmpty >= this.maxCatchUp) {
        // A long silence: jump to the next bucket with events (or the end) instead of replaying zeros.
        let next = end;
        for (const k of this.open.keys()) if (k > b && k < next) next = k;
        b = next;
        replayedEmpty = 0;
        continue;
      }
      replayedEmpty = count === 0 ? replayedEmpty + 1 : 0;
      this.open.delete(b);
      const score = this.detector.update(b, count);
      out.push({ bucketStart: b, count, expected: Math.max(0, this.detector.lastExpected), score });
      this.lastCount = count;
      this.lastScore = score;
      b += this.bucketMs;
    }
    this.closedUntil = end;
    return out;
  }

  /** The latest closed bucket: its count, its score and the expected count of the next one. */
  current(): { expected: number; lastCount: number; score: number } {
    return { expected: Math.max(0, this.detector.lastExpected), lastCount: this.lastCount, score: this.lastScore };
  }

  toJSON(): CountRateState {
    const p: number[] = [];
    for (const [k, v] of [...this.open.entries()].sort((a, b) => a[0] - b[0])) p.push(k, v);
    return {
      b: this.bucketMs,
      ...(this.maxCatchUp !== DEFAULT_MAX_CATCH_UP ? { c: this.maxCatchUp } : {}),
      o: this.overrides,
      u: this.closedUntil,
      p,
      lc: this.lastCount,
      ls: Number(this.lastScore.toPrecision(6)),
      d: this.detector.toJSON(),
    };
  }

  static fromJSON(json: CountRateState): CountRateDetector {
    const r = new CountRateDetector({ bucketMs: json.b, detector: json.o, ...(json.c !== undefined ? { maxCatchUpBuckets: json.c } : {}) });
    r.closedUntil = json.u;
    for (let i = 0; i + 1 < json.p.length; i += 2) r.open.set(json.p[i]!, json.p[i + 1]!);
    r.lastCount = json.lc;
    r.lastScore = json.ls;
    r.detector = SeriesDetector.fromJSON(json.d, rateDetectorConfig(json.o));
    return r;
  }
}
