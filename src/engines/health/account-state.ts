// Per-account health state, kept in event time: daily buckets of sentiment, tickets, escalations,
// CSAT and AI loops, a smoothed sentiment level, a ticket-rate baseline and open incident exposure.
import type { VigilEvent } from '../../events/types.js';
import { CountRateDetector } from '../detect/count-rate-detector.js';
import { defaultHealthConfig, type HealthConfig } from './config.js';

const DEFAULTS = defaultHealthConfig();

export const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** Ticket flags, one bit each, so a tracked ticket is three small numbers. */
export const TICKET_ESCALATED = 1;
export const TICKET_HUMAN_RESOLVED = 2;
export const TICKET_RESOLVED = 4;
export const TICKET_LOOP_COUNTED = 8;
export const TICKET_HUMAN_TOUCHED = 16;

/** A recent ticket: hashed id, AI turns since the last human touch, flags, last event minute. */
export interface TrackedTicket {
  i: string;
  a: number;
  f: number;
  t: number;
  /**
   * Its encoded form as last written (undefined: changed since): the list is written back at every
   * event, which changes one ticket at most, and the others' pieces are reused.
   */
  p?: string;
}

/** Tickets are stored as one string, "key.a.f.t;..." (numbers in base 36): a few bytes each. */
export function readTickets(encoded: string): TrackedTicket[] {
  if (encoded === '') return [];
  return encoded.split(';').map((e) => {
    const [i, a, f, t] = e.split('.');
    return { i: i!, a: parseInt(a!, 36), f: parseInt(f!, 36), t: parseInt(t!, 36), p: undefined };
  });
}

/**
 * The decoded ticket list of each state as of its current `tickets` string: most events carry a
 * ticket id, and decoding the whole list for each was a hot path. A state whose string was set
 * elsewhere (restore, tests) no longer matches and is decoded afresh.
 */
const decoded = new WeakMap<AccountState, { encoded: string; list: TrackedTicket[] }>();

function ticketsOf(state: AccountState): TrackedTicket[] {
  const hit = decoded.get(state);
  if (hit && hit.encoded === state.tickets) return hit.list;
  return readTickets(state.tickets);
}

/** Writes the list back after an event; `changed` is the one ticket the event may have changed. */
function storeTickets(state: AccountState, list: TrackedTicket[], changed: TrackedTicket | undefined): void {
  if (changed) changed.p = undefined;
  state.tickets = writeTickets(list);
  const hit = decoded.get(state);
  if (hit && hit.list === list) hit.encoded = state.tickets;
  else decoded.set(state, { encoded: state.tickets, list });
}

/** The pieces of the list being written (reused: writing is synchronous). */
const PIECES: string[] = [];

function writeTickets(list: TrackedTicket[]): string {
  PIECES.length = list.length;
  for (let k = 0; k < list.length; k++) {
    const x = list[k]!;
    PIECES[k] = x.p ??= `${x.i}.${x.a.toString(36)}.${x.f.toString(36)}.${x.t.toString(36)}`;
  }
  // one flat string (a loop of += would leave a chain of string pieces per event)
  return PIECES.join(';');
}

/**
 * Daily buckets, oldest first; the last bucket is the day `day` (epoch day number). Each series
 * is a string of fixed-width base-36 cells: a quiet day costs one or two characters of state.
 * Sentiment sums are stored in tenths, offset so negative sums fit (see SENT_OFFSET).
 */
export interface DailyBuckets {
  sentSum: string;
  sentN: string;
  tickets: string;
  escalations: string;
  reEscalations: string;
  loops: string;
  csatSum: string;
  csatN: string;
}

export type BucketKey = keyof DailyBuckets;
type CountKey = BucketKey;
/** A day's sentiment sum is kept as round(10 * sum) + SENT_OFFSET in two base-36 digits (sums of +-64). */
const SENT_OFFSET = 648;
const SENT_SCALE = 10;

/**
 * Cell width per series: two base-36 digits (up to 1295 a day) where a big account can exceed 35
 * a day; one digit where the risk saturates far below 35 a day anyway.
 */
const WIDTH: Record<CountKey, 1 | 2> = { sentSum: 2, sentN: 2, tickets: 2, escalations: 1, reEscalations: 1, loops: 1, csatSum: 2, csatN: 2 };
const COUNT_KEYS = Object.keys(WIDTH) as CountKey[];

function cellGet(str: string, idx: number, w: 1 | 2): number {
  const c0 = str.charCodeAt(idx * w);
  const d0 = c0 <= 57 ? c0 - 48 : c0 - 87;
  if (w === 1) return d0;
  const c1 = str.charCodeAt(idx * w + 1);
  return d0 * 36 + (c1 <= 57 ? c1 - 48 : c1 - 87);
}

/** Every one- and two-digit cell, padded: a bump picks one rather than formatting a number. */
const CELLS: Record<1 | 2, string[]> = {
  1: Array.from({ length: 36 }, (_, v) => v.toString(36)),
  2: Array.from({ length: 1296 }, (_, v) => v.toString(36).padStart(2, '0')),
};

function cellPut(str: string, idx: number, w: 1 | 2, value: number): string {
  const max = w === 1 ? 35 : 1295; // the largest one or two base-36 digits hold
  const v = Math.max(0, Math.min(max, Math.round(value)));
  const cell = CELLS[w][v]!;
  return str.slice(0, idx * w) + cell + str.slice((idx + 1) * w);
}

export interface AccountState {
  accountId: string;
  /** Epoch day number of the newest bucket (-1 before the first event). */
  day: number;
  buckets: DailyBuckets;
  /** Time-decayed sentiment sum and weight: level = sentS / sentW. */
  sentS: number;
  sentW: number;
  sentAt: number;
  /** Last customer contact (customer message or new ticket), epoch ms; 0 = never. */
  lastContactAt: number;
  /** Newest event time seen, epoch ms. */
  lastEventAt: number;
  /** Oldest event time seen, epoch ms (0 = none): how much history the account's baseline has. */
  firstEventAt: number;
  /** Recent tickets (see readTickets). */
  tickets: string;
  /** Open incidents hitting the account: id -> since (epoch ms). */
  incidents: Record<string, number>;
  /** Ticket-rate detector over daily buckets (serializes through its own toJSON). */
  rate: CountRateDetector;
  /** Detector readings cached at the last advance, so scoring never touches the detector. */
  rateExpected: number;
  rateScore: number;
}

const ZERO_SENT = SENT_OFFSET.toString(36).padStart(2, '0');

function emptyCells(key: BucketKey, days: number): string {
  return key === 'sentSum' ? ZERO_SENT.repeat(days) : '0'.repeat(days * WIDTH[key]);
}

function emptyBuckets(days: number): DailyBuckets {
  const b = {} as DailyBuckets;
  for (const key of COUNT_KEYS) b[key] = emptyCells(key, days);
  return b;
}

/** Days in the bucket window of a state. */
export function windowLength(state: AccountState): number {
  return state.buckets.tickets.length / WIDTH.tickets;
}

export function newAccountState(accountId: string, cfg?: Pick<HealthConfig, 'windowDays' | 'ticketDetectorBucketMs'>): AccountState {
  const days = cfg?.windowDays ?? DEFAULTS.windowDays;
  return {
    accountId,
    day: -1,
    buckets: emptyBuckets(days),
    sentS: 0,
    sentW: 0,
    sentAt: 0,
    lastContactAt: 0,
    lastEventAt: 0,
    firstEventAt: 0,
    tickets: '',
    incidents: {},
    rate: new CountRateDetector({ bucketMs: cfg?.ticketDetectorBucketMs ?? DEFAULTS.ticketDetectorBucketMs }),
    rateExpected: 0,
    rateScore: 0,
  };
}

/** Rebuilds a state from its JSON form (JSON.parse(JSON.stringify(state))). */
export function restoreAccountState(json: unknown): AccountState {
  const s = (typeof json === 'string' ? JSON.parse(json) : json) as AccountState & { rate: unknown };
  const restored: AccountState = { ...s, firstEventAt: s.firstEventAt ?? 0, rate: CountRateDetector.fromJSON(s.rate as never) };
  // Snapshots written by an older layout (arrays instead of cell strings) restart their buckets
  // rather than misread them; the detector and the smoothed level carry over.
  if (typeof s.tickets !== 'string') restored.tickets = '';
  if (!s.buckets || typeof s.buckets.sentSum !== 'string') {
    restored.buckets = emptyBuckets(DEFAULTS.windowDays);
    restored.day = -1;
  }
  return restored;
}

/** Moves the bucket window so its newest bucket is `day`, zeroing the days that scroll in. */
function shiftTo(state: AccountState, day: number): void {
  if (state.day < 0) {
    state.day = day;
    return;
  }
  const by = day - state.day;
  if (by <= 0) return;
  // every series moves: the next window sums are summed afresh
  sumsCache.get(state)?.edits.fill(EDITED);
  const len = windowLength(state);
  for (const key of COUNT_KEYS) {
    const w = WIDTH[key];
    const str = state.buckets[key];
    state.buckets[key] = by >= len ? emptyCells(key, len) : str.slice(by * w) + emptyCells(key, by);
  }
  state.day = day;
}

/** Index of `day` in the buckets, or -1 when the day is outside the window. */
export function bucketIndex(state: AccountState, day: number): number {
  const len = windowLength(state);
  const idx = len - 1 - (state.day - day);
  return idx >= 0 && idx < len && state.day >= 0 ? idx : -1;
}

function bump(state: AccountState, key: BucketKey, at: number, by = 1): void {
  const day = Math.floor(at / DAY_MS);
  if (day > state.day) shiftTo(state, day);
  const idx = bucketIndex(state, day);
  if (idx < 0) return; // older than the window: too late to count
  const w = WIDTH[key];
  if (key === 'sentSum') {
    state.buckets.sentSum = cellPut(state.buckets.sentSum, idx, w, cellGet(state.buckets.sentSum, idx, w) + by * SENT_SCALE);
    sumsCache.get(state)?.edits.fill(EDITED, SERIES_INDEX.sentSum, SERIES_INDEX.sentSum + 1);
    return;
  }
  const prev = state.buckets[key];
  const before = cellGet(prev, idx, w);
  const next = cellPut(prev, idx, w, before + by);
  state.buckets[key] = next;
  const cache = sumsCache.get(state);
  if (cache) noteCountEdit(cache, SERIES_INDEX[key], idx === windowLength(state) - 1, cellGet(next, idx, w) - before, prev, next);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function ticketOf(list: TrackedTicket[], ticketId: string | undefined, atMs: number, cfg: HealthConfig): TrackedTicket | undefined {
  if (!ticketId) return undefined;
  const key = ticketKey(ticketId);
  const at = Math.floor(atMs / MINUTE_MS);
  let t = list.find((x) => x.i === key);
  if (!t) {
    t = { i: key, a: 0, f: 0, t: at, p: undefined };
    list.push(t);
    if (list.length > cfg.maxTrackedTickets) {
      // Forget the ticket that has been quiet longest: it is the least likely to move again.
      let oldest = 0;
      for (let k = 1; k < list.length; k++) if (list[k]!.t < list[oldest]!.t) oldest = k;
      list.splice(oldest, 1);
    }
  }
  if (at > t.t) t.t = at;
  return t;
}

/**
 * Folds one event into the state (mutates it). Only customer-written text moves sentiment; the
 * caller passes the analyzer's score in `derived`. Time is the event's own `occurredAt`.
 */
export function applyEvent(
  state: AccountState,
  ev: VigilEvent,
  derived: { sentiment?: number; frustration?: boolean },
  cfg: HealthConfig,
): void {
  const at = ev.occurredAt;
  if (at > state.lastEventAt) state.lastEventAt = at;
  if (state.firstEventAt === 0 || at < state.firstEventAt) state.firstEventAt = at;
  const dayOfEvent = Math.floor(at / DAY_MS);
  if (dayOfEvent > state.day) shiftTo(state, dayOfEvent);
  const list = ev.ticketId ? ticketsOf(state) : undefined;
  const ticket = list ? ticketOf(list, ev.ticketId, at, cfg) : undefined;
  switch (ev.type) {
    case 'ticket.created':
      bump(state, 'tickets', at);
      state.rate.add(at, 1);
      if (at > state.lastContactAt) state.lastContactAt = at;
      break;
    case 'ticket.message':
      if (ev.author === 'customer') {
        if (at > state.lastContactAt) state.lastContactAt = at;
        if (typeof derived.sentiment === 'number' && Number.isFinite(derived.sentiment)) {
          const x = messageSentiment(derived.sentiment, derived.frustration, cfg);
          addSentiment(state, x, at, cfg);
          bump(state, 'sentSum', at, x);
          bump(state, 'sentN', at);
        }
      } else if (ticket && ev.author === 'ai') {
        ticket.a += 1;
        const open = (ticket.f & (TICKET_ESCALATED | TICKET_RESOLVED)) === 0;
        if (open && ticket.a >= cfg.aiLoopTurns && (ticket.f & TICKET_LOOP_COUNTED) === 0) {
          ticket.f |= TICKET_LOOP_COUNTED;
          bump(state, 'loops', at);
        }
      } else if (ticket && ev.author === 'agent') {
        ticket.f |= TICKET_HUMAN_TOUCHED;
        ticket.a = 0;
      }
      break;
    case 'ticket.escalated':
      bump(state, 'escalations', at);
      if (ticket) {
        // Escalated again after a human had resolved it: the fix did not hold.
        if (ticket.f & TICKET_HUMAN_RESOLVED) bump(state, 'reEscalations', at);
        ticket.f = (ticket.f | TICKET_ESCALATED | TICKET_HUMAN_TOUCHED) & ~(TICKET_RESOLVED | TICKET_HUMAN_RESOLVED);
        ticket.a = 0;
      }
      break;
    case 'ticket.resolved':
      if (ticket) {
        ticket.f |= TICKET_RESOLVED;
        if (ticket.f & TICKET_HUMAN_TOUCHED || ev.author === 'agent') ticket.f |= TICKET_HUMAN_RESOLVED;
      }
      break;
    case 'ticket.reopened':
      if (ticket) {
        if (ticket.f & TICKET_HUMAN_RESOLVED) bump(state, 'reEscalations', at);
        ticket.f &= ~(TICKET_RESOLVED | TICKET_HUMAN_RESOLVED);
      }
      if (at > state.lastContactAt) state.lastContactAt = at;
      break;
    case 'ticket.csat':
      if (typeof ev.csat === 'number' && Number.isFinite(ev.csat)) {
        bump(state, 'csatSum', at, ev.csat);
        bump(state, 'csatN', at);
      }
      break;
    case 'error.reported':
      break;
  }
  if (list) storeTickets(state, list, ticket);
}

/**
 * The sentiment a customer message counts for: the analyzer's score in [-1, 1], and no better than
 * cfg.frustratedSentiment when the analyzer flagged it frustrated (general lexicons read "escalate
 * this" or "still broken" as near neutral; the support-domain cues behind the flag do not).
 */
export function messageSentiment(score: number, frustration: boolean | undefined, cfg: Pick<HealthConfig, 'frustratedSentiment'>): number {
  const x = Math.max(-1, Math.min(1, score));
  return frustration ? Math.min(x, cfg.frustratedSentiment) : x;
}

function addSentiment(state: AccountState, x: number, at: number, cfg: HealthConfig): void {
  const halfLifeMs = cfg.sentimentHalfLifeDays * DAY_MS;
  if (state.sentW > 0 && at > state.sentAt) {
    const decay = Math.pow(2, -(at - state.sentAt) / halfLifeMs);
    state.sentS *= decay;
    state.sentW *= decay;
  }
  // A late message (before sentAt) is weighted as if it arrived now: slightly too strong, never lost.
  state.sentS = round3(state.sentS + x);
  state.sentW = round3(state.sentW + 1);
  if (at > state.sentAt) state.sentAt = at;
}

/** Marks the account as hit (or no longer hit) by an open incident. */
export function setIncidentExposure(
  state: AccountState,
  incidentId: string,
  open: boolean,
  at: number,
  cfg: Pick<HealthConfig, 'maxTrackedIncidents'> = DEFAULTS,
): void {
  if (!open) {
    delete state.incidents[incidentId];
    return;
  }
  if (state.incidents[incidentId] !== undefined) return;
  state.incidents[incidentId] = at;
  const ids = Object.keys(state.incidents);
  // Keep the newest few: an account hit by more than a handful is at full incident risk anyway.
  const cap = cfg.maxTrackedIncidents;
  if (ids.length > cap) {
    ids.sort((a, b) => state.incidents[a]! - state.incidents[b]!);
    for (const id of ids.slice(0, ids.length - cap)) delete state.incidents[id];
  }
}

/** Closes buckets up to the watermark: the window scrolls and the rate baseline learns. */
export function advanceTo(state: AccountState, watermarkMs: number, cfg: HealthConfig): void {
  void cfg;
  const day = Math.floor(watermarkMs / DAY_MS);
  if (state.day >= 0 && day > state.day) shiftTo(state, day);
  state.rate.advance(watermarkMs);
  const cur = state.rate.current();
  state.rateExpected = finiteOr(cur.expected, 0);
  state.rateScore = finiteOr(cur.score, 0);
}

function finiteOr(x: number, dflt: number): number {
  return Number.isFinite(x) ? round3(x) : dflt;
}

/** Sum of a bucket series over the `days` days ending at `endDay` (inclusive). */
export function sumDays(state: AccountState, key: BucketKey, endDay: number, days: number): number {
  if (state.day < 0) return 0;
  const len = windowLength(state);
  const lo = Math.max(endDay - days + 1, state.day - len + 1);
  const hi = Math.min(endDay, state.day);
  let total = 0;
  for (let d = lo; d <= hi; d++) total += cellValue(state, key, len - 1 - (state.day - d));
  return total;
}

function cellValue(state: AccountState, key: BucketKey, idx: number): number {
  const raw = cellGet(state.buckets[key], idx, WIDTH[key]);
  return key === 'sentSum' ? (raw - SENT_OFFSET) / SENT_SCALE : raw;
}

/** Stable short key of a ticket id (FNV-1a, base 36): ticket ids can be long UUIDs. */
function ticketKey(ticketId: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < ticketId.length; i++) {
    h ^= ticketId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/** Smoothed sentiment level at `nowMs`, with its effective message weight (0 when none). */
export function sentimentLevel(state: AccountState): { level: number; weight: number } {
  if (state.sentW <= 0) return { level: 0, weight: 0 };
  return { level: state.sentS / state.sentW, weight: state.sentW };
}

/** Windows the score reads, as offsets into a `WindowSums` row. */
export const W_TODAY = 0;
export const W_RECENT = 1;
export const W_PREV = 2;
export const W_MID = 3;
export const W_ALL = 4;
/** The last 15 and 30 days: the two halves of the month-long slope. */
export const W_HALF_MONTH = 5;
export const W_MONTH = 6;
const W_COUNT = 7;
export const MONTH_DAYS = 30;
const SERIES: BucketKey[] = ['sentSum', 'sentN', 'tickets', 'escalations', 'reEscalations', 'loops', 'csatSum', 'csatN'];
const SERIES_INDEX = Object.fromEntries(SERIES.map((k, i) => [k, i])) as Record<BucketKey, number>;

/** Sums of every series over the scoring windows, read in one pass over the buckets. */
export class WindowSums {
  readonly v = new Float64Array(SERIES.length * W_COUNT);
  get(key: BucketKey, win: number): number {
    return this.v[SERIES_INDEX[key] * W_COUNT + win]!;
  }
}

/** Cumulative sums by age in days (index 0 = today), reused between calls. */
const CUMULATIVE = new Float64Array(400);

/** The sum of the first `k` days of CUMULATIVE (of `all` filled): 0 for none. */
function upTo(k: number, all: number): number {
  return k <= 0 ? 0 : CUMULATIVE[Math.min(k, all) - 1]!;
}

/**
 * Each state's window sums as last computed, series by series, with the cell string each came
 * from: an account is scored at every evaluation period it is active in, and most of its series
 * (escalations, CSAT, loops...) have not changed since, so their sums are reused rather than
 * decoded again. A series whose string changed is summed afresh, the same way, so a reused row
 * is the very number a fresh pass would give.
 */
interface SumsCache {
  strings: string[];
  off: number;
  len: number;
  all: number;
  rd: number;
  md: number;
  v: Float64Array;
  /**
   * What bump and shiftTo did to each series since its row was summed: UNEDITED, NEWEST_ONLY (only
   * the newest day of a count series changed, by `delta`, last to `latest`) or EDITED. Comparing
   * the strings themselves to find out was most of the cost of a scoring: they differ in the last
   * cell only, after all the others.
   */
  edits: Uint8Array;
  delta: Float64Array;
  latest: string[];
}
const UNEDITED = 0;
const NEWEST_ONLY = 1;
const EDITED = 2;
const sumsCache = new WeakMap<AccountState, SumsCache>();

/** Records a change of count series `s` by bump (the cell of the newest day, or another), from `prev` to `next`. */
function noteCountEdit(cache: SumsCache, s: number, newest: boolean, delta: number, prev: string, next: string): void {
  const was = cache.edits[s]!;
  if (was === EDITED) return;
  // a series set from elsewhere since it was summed (or last bumped): its row is no base to build on
  if (!newest || prev !== (was === UNEDITED ? cache.strings[s] : cache.latest[s])) {
    cache.edits[s] = EDITED;
    return;
  }
  cache.delta[s] = was === UNEDITED ? delta : cache.delta[s]! + delta;
  cache.edits[s] = NEWEST_ONLY;
  cache.latest[s] = next;
}

/** Adds `delta` to each window of a WindowSums row (at `base`) holding the day of age `age`, as upTo counts it. */
function addAtAge(row: Float64Array, base: number, age: number, delta: number, all: number, rd: number, md: number): void {
  // upTo(k) sums the ages below min(k, all)
  if (age < Math.min(1, all)) row[base + W_TODAY] += delta;
  if (age < Math.min(rd, all)) row[base + W_RECENT] += delta;
  if (age >= Math.min(rd, all) && age < Math.min(2 * rd, all)) row[base + W_PREV] += delta;
  if (age < Math.min(md, all)) row[base + W_MID] += delta;
  if (age < all) row[base + W_ALL] += delta;
  if (age < Math.min(MONTH_DAYS / 2, all)) row[base + W_HALF_MONTH] += delta;
  if (age < Math.min(MONTH_DAYS, all)) row[base + W_MONTH] += delta;
}

/**
 * Fills `out` for `nowDay`: today, the recent window, the one before it, the escalation window
 * and the whole window. One pass per series: scoring 100k accounts must stay well under a second.
 */
export function windowSums(
  state: AccountState,
  nowDay: number,
  cfg: Pick<HealthConfig, 'recentDays' | 'escalationWindowDays' | 'windowDays'>,
  out: WindowSums = new WindowSums(),
): WindowSums {
  const v = out.v;
  if (state.day < 0) {
    v.fill(0);
    return out;
  }
  const b = state.buckets;
  const len = windowLength(state);
  const all = Math.min(cfg.windowDays, len, CUMULATIVE.length);
  const off = nowDay - state.day; // age in days of the newest bucket
  const rd = cfg.recentDays;
  const md = cfg.escalationWindowDays;
  const c = CUMULATIVE;
  let cache = sumsCache.get(state);
  const reusable = cache !== undefined && cache.off === off && cache.len === len && cache.all === all && cache.rd === rd && cache.md === md;
  if (!cache) {
    cache = {
      strings: SERIES.map(() => ''),
      off,
      len,
      all,
      rd,
      md,
      v: new Float64Array(SERIES.length * W_COUNT),
      edits: new Uint8Array(SERIES.length).fill(EDITED),
      delta: new Float64Array(SERIES.length),
      latest: SERIES.map(() => ''),
    };
    sumsCache.set(state, cache);
  } else if (!reusable) {
    cache.off = off;
    cache.len = len;
    cache.all = all;
    cache.rd = rd;
    cache.md = md;
  }
  const cached = cache.v;
  for (let s = 0; s < SERIES.length; s++) {
    const key = SERIES[s]!;
    const str = b[key];
    const base = s * W_COUNT;
    const edit = cache.edits[s]!;
    cache.edits[s] = UNEDITED;
    // unedited: the very string summed last (the comparison is of one object with itself) unless
    // something besides bump and shiftTo set it; only the newest day bumped: its last string
    if (reusable && edit === UNEDITED && cache.strings[s] === str) {
      for (let k = 0; k < W_COUNT; k++) v[base + k] = cached[base + k]!;
      continue;
    }
    if (reusable && edit === NEWEST_ONLY && cache.latest[s] === str) {
      // counts are whole numbers: the moved windows are exactly the sums a fresh pass gives
      cache.strings[s] = str;
      addAtAge(cached, base, off, cache.delta[s]!, all, rd, md);
      for (let k = 0; k < W_COUNT; k++) v[base + k] = cached[base + k]!;
      continue;
    }
    cache.strings[s] = str;
    const sent = key === 'sentSum';
    const wide = WIDTH[key] === 2;
    let run = 0;
    let age = 0;
    // Days after the newest bucket hold nothing yet.
    for (; age < off && age < all; age++) c[age] = 0;
    // Walk from the newest bucket back in time, decoding base-36 cells inline (the hot path).
    for (let i = len - 1 - Math.max(0, age - off); i >= 0 && age < all; i--, age++) {
      let x: number;
      if (wide) {
        const c0 = str.charCodeAt(2 * i);
        const c1 = str.charCodeAt(2 * i + 1);
        x = (c0 <= 57 ? c0 - 48 : c0 - 87) * 36 + (c1 <= 57 ? c1 - 48 : c1 - 87);
        if (sent) x = (x - SENT_OFFSET) / SENT_SCALE;
      } else {
        const c0 = str.charCodeAt(i);
        x = c0 <= 57 ? c0 - 48 : c0 - 87;
      }
      run += x;
      c[age] = run;
    }
    for (; age < all; age++) c[age] = run;
    v[base + W_TODAY] = upTo(1, all);
    v[base + W_RECENT] = upTo(rd, all);
    v[base + W_PREV] = upTo(2 * rd, all) - upTo(rd, all);
    v[base + W_MID] = upTo(md, all);
    v[base + W_ALL] = upTo(all, all);
    v[base + W_HALF_MONTH] = upTo(MONTH_DAYS / 2, all);
    v[base + W_MONTH] = upTo(MONTH_DAYS, all);
    for (let k = 0; k < W_COUNT; k++) cached[base + k] = v[base + k]!;
  }
  return out;
}
