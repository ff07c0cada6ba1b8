// An account's daily counts (sentiment, tickets, escalations, CSAT, AI loops) over a sliding window
// of days: numbers in one typed array while the pipeline runs, base-36 cell strings when stored.

/** The series, in their stored (and summed) order. */
export const SERIES = ['sentSum', 'sentN', 'tickets', 'escalations', 'reEscalations', 'loops', 'csatSum', 'csatN'] as const;
export type BucketKey = (typeof SERIES)[number];
export const SERIES_INDEX = Object.fromEntries(SERIES.map((k, i) => [k, i])) as Record<BucketKey, number>;

/** A day's sentiment sum is kept as round(10 * sum) + SENT_OFFSET in two base-36 digits (sums of +-64). */
export const SENT_OFFSET = 648;
export const SENT_SCALE = 10;

/**
 * Cell width per series: two base-36 digits (up to 1295 a day) where a big account can exceed 35
 * a day; one digit where the risk saturates far below 35 a day anyway.
 */
const WIDTH: Record<BucketKey, 1 | 2> = { sentSum: 2, sentN: 2, tickets: 2, escalations: 1, reEscalations: 1, loops: 1, csatSum: 2, csatN: 2 };
const WIDTHS = SERIES.map((k) => WIDTH[k]);
/** The largest value one or two base-36 digits hold. */
const CELL_MAX: Record<1 | 2, number> = { 1: 35, 2: 1295 };
/** The raw cell a day starts with: zero, which for sentiment sums is the offset. */
const EMPTY_RAW = SERIES.map((k) => (k === 'sentSum' ? SENT_OFFSET : 0));

/** Every one- and two-digit cell, padded: encoding picks one rather than formatting a number. */
const CELLS: Record<1 | 2, string[]> = {
  1: Array.from({ length: CELL_MAX[1] + 1 }, (_, v) => v.toString(36)),
  2: Array.from({ length: CELL_MAX[2] + 1 }, (_, v) => v.toString(36).padStart(2, '0')),
};

/** The cells of the series being encoded (reused: encoding is synchronous). */
const PIECES: string[] = [];

/** What happened to a series since the window sums last read it (see `changes`). */
export const UNCHANGED = 0;
export const NEWEST_ONLY = 1;
export const CHANGED = 2;

/** The window sums an account's scoring last computed, kept with its buckets (see windowSums in account-state). */
export interface SumsMemo {
  off: number;
  len: number;
  all: number;
  rd: number;
  md: number;
  v: Float64Array;
}

/**
 * The buckets of one account, oldest day first. Each series reads and writes as its stored string
 * (`buckets.cells('tickets')`, ...), built only when asked for: the pipeline changes a cell at nearly every
 * event and reads the window sums at every scoring, and doing both on strings made a new string
 * per change and decoded it again per read, a good share of the pipeline's main thread.
 */
export class DailyBuckets {
  /** Days in the window. */
  readonly days: number;
  /** Raw cells (as stored: sentiment sums offset), series after series in SERIES order. */
  readonly raw: Uint16Array;
  /**
   * Per series, what changed since the window sums last read it: UNCHANGED, NEWEST_ONLY (only the
   * newest day of a count series, by `newestDelta`) or CHANGED. A count series bumped on its newest
   * day moves each window sum by the same whole number, so its sums are updated, not summed again.
   */
  readonly changes: Uint8Array;
  readonly newestDelta: Float64Array;
  /** The window sums as last computed (null before the first scoring). */
  sums: SumsMemo | null = null;
  /** Each series' string as last built or set (undefined: a cell changed since). */
  private readonly text: Array<string | undefined>;

  constructor(days: number) {
    this.days = days;
    this.raw = new Uint16Array(SERIES.length * days);
    for (let s = 0; s < SERIES.length; s++) this.raw.fill(EMPTY_RAW[s]!, s * days, (s + 1) * days);
    this.changes = new Uint8Array(SERIES.length).fill(CHANGED);
    this.newestDelta = new Float64Array(SERIES.length);
    this.text = SERIES.map(() => undefined);
  }

  /** Buckets from their stored strings (the window is as long as they are). */
  static fromStrings(stored: Record<BucketKey, string>): DailyBuckets {
    const b = new DailyBuckets(stored.tickets.length / WIDTH.tickets);
    for (let s = 0; s < SERIES.length; s++) b.setSeries(s, stored[SERIES[s]!]);
    return b;
  }

  /** Series `key` as its stored cell string, built when first asked for after a change. */
  cells(key: BucketKey): string {
    return this.series(SERIES_INDEX[key]);
  }

  /** Replaces series `key` with a stored cell string of this window's length (RangeError otherwise). */
  setCells(key: BucketKey, cells: string): void {
    this.setSeries(SERIES_INDEX[key], cells);
  }

  /** The stored form: each series as its cell string, in SERIES order. */
  toJSON(): Record<BucketKey, string> {
    const out = {} as Record<BucketKey, string>;
    for (let k = 0; k < SERIES.length; k++) out[SERIES[k]!] = this.series(k);
    return out;
  }

  /** Raw cell `idx` (0 = oldest day) of series `s`. */
  get(s: number, idx: number): number {
    return this.raw[s * this.days + idx]!;
  }

  /** Sets raw cell `idx` of series `s` to `value`, rounded and clamped to what its cell holds; returns the change. */
  put(s: number, idx: number, value: number): number {
    const at = s * this.days + idx;
    const before = this.raw[at]!;
    const v = Math.max(0, Math.min(CELL_MAX[WIDTHS[s]!], Math.round(value)));
    this.raw[at] = v;
    this.text[s] = undefined;
    // sentiment sums are fractions: summed afresh rather than moved (the same sum, bit for bit)
    const was = this.changes[s]!;
    if (s === SERIES_INDEX.sentSum || idx !== this.days - 1 || was === CHANGED) this.changes[s] = CHANGED;
    else {
      this.newestDelta[s] = was === UNCHANGED ? v - before : this.newestDelta[s]! + (v - before);
      this.changes[s] = NEWEST_ONLY;
    }
    return v - before;
  }

  /** Moves the window `by` days on: the oldest days drop out, empty ones come in as the newest. */
  shift(by: number): void {
    const days = this.days;
    for (let s = 0; s < SERIES.length; s++) {
      const start = s * days;
      const end = start + days;
      if (by < days) this.raw.copyWithin(start, start + by, end);
      this.raw.fill(EMPTY_RAW[s]!, Math.max(start, end - by), end);
      this.text[s] = undefined;
      this.changes[s] = CHANGED;
    }
  }

  private series(s: number): string {
    let t = this.text[s];
    if (t === undefined) {
      const cells = CELLS[WIDTHS[s]!];
      const start = s * this.days;
      PIECES.length = this.days;
      for (let i = 0; i < this.days; i++) PIECES[i] = cells[this.raw[start + i]!]!;
      // one flat string (a loop of += would leave a chain of string pieces)
      t = PIECES.join('');
      this.text[s] = t;
    }
    return t;
  }

  private setSeries(s: number, cells: string): void {
    const w = WIDTHS[s]!;
    if (cells.length !== this.days * w) throw new RangeError(`${SERIES[s]}: expected ${this.days * w} characters of cells, got ${cells.length}`);
    const start = s * this.days;
    for (let i = 0; i < this.days; i++) {
      const c0 = cells.charCodeAt(i * w);
      const d0 = c0 <= 57 ? c0 - 48 : c0 - 87;
      if (w === 1) this.raw[start + i] = d0;
      else {
        const c1 = cells.charCodeAt(i * w + 1);
        this.raw[start + i] = d0 * 36 + (c1 <= 57 ? c1 - 48 : c1 - 87);
      }
    }
    this.text[s] = cells;
    this.changes[s] = CHANGED;
  }
}
