// Per-account health state, kept in event time: daily buckets of sentiment, tickets, escalations,
// CSAT and AI loops, a smoothed sentiment level, a ticket-rate baseline and open incident exposure.
import type { VigilEvent } from '../../events/types.js';
import { CountRateDetector } from '../detect/count-rate-detector.js';
import { defaultHealthConfig, type HealthConfig } from './config.js';
import { DailyBuckets, NEWEST_ONLY, UNCHANGED, SENT_OFFSET, SENT_SCALE, SERIES, SERIES_INDEX, type BucketKey } from './daily-buckets.js';
import { ticketHash, TrackedTickets, type TrackedTicket } from './tracked-tickets.js';

export { DailyBuckets, type BucketKey } from './daily-buckets.js';
export { readTickets, TrackedTickets, type TrackedTicket } from './tracked-tickets.js';

const DEFAULTS = defaultHealthConfig();

export const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** Ticket flags, one bit each, so a tracked ticket is three small numbers. */
export const TICKET_ESCALATED = 1;
export const TICKET_HUMAN_RESOLVED = 2;
export const TICKET_RESOLVED = 4;
export const TICKET_LOOP_COUNTED = 8;
export const TICKET_HUMAN_TOUCHED = 16;

export interface AccountState {
  accountId: string;
  /** Epoch day number of the newest bucket (-1 before the first event). */
  day: number;
  /** Daily buckets, oldest first; the last one is the day `day` (see DailyBuckets). */
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
  /** Recent tickets, stored as one string (see TrackedTickets). */
  tickets: TrackedTickets;
  /** Open incidents hitting the account: id -> since (epoch ms). */
  incidents: Record<string, number>;
  /** Ticket-rate detector over daily buckets (serializes through its own toJSON). */
  rate: CountRateDetector;
  /** Detector readings cached at the last advance, so scoring never touches the detector. */
  rateExpected: number;
  rateScore: number;
}

/** Days in the bucket window of a state. */
export function windowLength(state: AccountState): number {
  return state.buckets.days;
}

export function newAccountState(accountId: string, cfg?: Pick<HealthConfig, 'windowDays' | 'ticketDetectorBucketMs'>): AccountState {
  const days = cfg?.windowDays ?? DEFAULTS.windowDays;
  return {
    accountId,
    day: -1,
    buckets: new DailyBuckets(days),
    sentS: 0,
    sentW: 0,
    sentAt: 0,
    lastContactAt: 0,
    lastEventAt: 0,
    firstEventAt: 0,
    tickets: new TrackedTickets(),
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
  const tickets: unknown = s.tickets;
  restored.tickets = TrackedTickets.fromString(typeof tickets === 'string' ? tickets : tickets instanceof TrackedTickets ? tickets.toString() : '');
  const buckets: unknown = s.buckets;
  const stored = buckets instanceof DailyBuckets ? buckets.toJSON() : (buckets as Partial<Record<BucketKey, unknown>> | undefined);
  if (!stored || typeof stored.sentSum !== 'string') {
    restored.buckets = new DailyBuckets(DEFAULTS.windowDays);
    restored.day = -1;
  } else restored.buckets = DailyBuckets.fromStrings(stored as Record<BucketKey, string>);
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
  state.buckets.shift(by);
  state.day = day;
}

/** Index of `day` in the buckets, or -1 when the day is outside the window. */
export function bucketIndex(state: AccountState, day: number): number {
  const len = windowLength(state);
  const idx = len - 1 - (state.day - day);
  return idx >= 0 && idx < len && state.day >= 0 ? idx : -1;
}

/** Adds `by` to series `s` on the day of `at` (sentiment sums: `by` is a sentiment, stored in tenths). */
function bump(state: AccountState, s: number, at: number, by = 1): void {
  const day = Math.floor(at / DAY_MS);
  if (day > state.day) shiftTo(state, day);
  const idx = bucketIndex(state, day);
  if (idx < 0) return; // older than the window: too late to count
  const b = state.buckets;
  b.put(s, idx, b.get(s, idx) + (s === S_SENT_SUM ? by * SENT_SCALE : by));
}

/** Series indices of the buckets applyEvent bumps. */
const S_SENT_SUM = SERIES_INDEX.sentSum;
const S_SENT_N = SERIES_INDEX.sentN;
const S_TICKETS = SERIES_INDEX.tickets;
const S_ESCALATIONS = SERIES_INDEX.escalations;
const S_RE_ESCALATIONS = SERIES_INDEX.reEscalations;
const S_LOOPS = SERIES_INDEX.loops;
const S_CSAT_SUM = SERIES_INDEX.csatSum;
const S_CSAT_N = SERIES_INDEX.csatN;

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function ticketOf(tickets: TrackedTickets, ticketId: string | undefined, atMs: number, cfg: HealthConfig): TrackedTicket | undefined {
  if (!ticketId) return undefined;
  const h = ticketHash(ticketId);
  const at = Math.floor(atMs / MINUTE_MS);
  let t = tickets.find(h);
  if (!t) {
    const list = tickets.list;
    t = { i: h.toString(36), h, a: 0, f: 0, t: at, p: undefined };
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
  const tickets = ev.ticketId ? state.tickets : undefined;
  const ticket = tickets ? ticketOf(tickets, ev.ticketId, at, cfg) : undefined;
  switch (ev.type) {
    case 'ticket.created':
      bump(state, S_TICKETS, at);
      state.rate.add(at, 1);
      if (at > state.lastContactAt) state.lastContactAt = at;
      break;
    case 'ticket.message':
      if (ev.author === 'customer') {
        if (at > state.lastContactAt) state.lastContactAt = at;
        if (typeof derived.sentiment === 'number' && Number.isFinite(derived.sentiment)) {
          const x = messageSentiment(derived.sentiment, derived.frustration, cfg);
          addSentiment(state, x, at, cfg);
          bump(state, S_SENT_SUM, at, x);
          bump(state, S_SENT_N, at);
        }
      } else if (ticket && ev.author === 'ai') {
        ticket.a += 1;
        const open = (ticket.f & (TICKET_ESCALATED | TICKET_RESOLVED)) === 0;
        if (open && ticket.a >= cfg.aiLoopTurns && (ticket.f & TICKET_LOOP_COUNTED) === 0) {
          ticket.f |= TICKET_LOOP_COUNTED;
          bump(state, S_LOOPS, at);
        }
      } else if (ticket && ev.author === 'agent') {
        ticket.f |= TICKET_HUMAN_TOUCHED;
        ticket.a = 0;
      }
      break;
    case 'ticket.escalated':
      bump(state, S_ESCALATIONS, at);
      if (ticket) {
        // Escalated again after a human had resolved it: the fix did not hold.
        if (ticket.f & TICKET_HUMAN_RESOLVED) bump(state, S_RE_ESCALATIONS, at);
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
        if (ticket.f & TICKET_HUMAN_RESOLVED) bump(state, S_RE_ESCALATIONS, at);
        ticket.f &= ~(TICKET_RESOLVED | TICKET_HUMAN_RESOLVED);
      }
      if (at > state.lastContactAt) state.lastContactAt = at;
      break;
    case 'ticket.csat':
      if (typeof ev.csat === 'number' && Number.isFinite(ev.csat)) {
        bump(state, S_CSAT_SUM, at, ev.csat);
        bump(state, S_CSAT_N, at);
      }
      break;
    case 'error.reported':
      break;
  }
  // the event may have changed its ticket (or the list): encoded again when the state is stored
  if (tickets) tickets.changed(ticket);
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
  // the detector's readings move only when a bucket closes (a day, by default), and most scorings
  // close none: read again only then, or when this state object has not read them yet (a restore)
  const closed = state.rate.advance(watermarkMs).length > 0;
  if (!closed && rateRead.has(state)) return;
  const cur = state.rate.current();
  state.rateExpected = finiteOr(cur.expected, 0);
  state.rateScore = finiteOr(cur.score, 0);
  rateRead.add(state);
}

/** States whose rate readings were set by advanceTo from their detector (only advanceTo advances it). */
const rateRead = new WeakSet<AccountState>();

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
  const raw = state.buckets.get(SERIES_INDEX[key], idx);
  return key === 'sentSum' ? (raw - SENT_OFFSET) / SENT_SCALE : raw;
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

/** Where each series' windows start in a WindowSums row: `sums.v[ROW.tickets + W_RECENT]`. */
export const ROW: Readonly<Record<BucketKey, number>> = Object.freeze(Object.fromEntries(SERIES.map((k, i) => [k, i * W_COUNT])) as Record<BucketKey, number>);

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
 *
 * An account is scored at every evaluation period it is active in, and most of its series
 * (escalations, CSAT, loops...) have not changed since: their sums as last computed (kept with the
 * buckets) are reused, and a count series bumped only on its newest day has that day's change
 * added; a series changed otherwise is summed afresh, the same way, so a reused row is the very
 * number a fresh pass would give.
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
  const raw = b.raw;
  const len = b.days;
  const all = Math.min(cfg.windowDays, len, CUMULATIVE.length);
  const off = nowDay - state.day; // age in days of the newest bucket
  const rd = cfg.recentDays;
  const md = cfg.escalationWindowDays;
  const c = CUMULATIVE;
  let memo = b.sums;
  const reusable = memo !== null && memo.off === off && memo.len === len && memo.all === all && memo.rd === rd && memo.md === md;
  if (memo === null) {
    memo = { off, len, all, rd, md, v: new Float64Array(SERIES.length * W_COUNT) };
    b.sums = memo;
  } else if (!reusable) {
    memo.off = off;
    memo.len = len;
    memo.all = all;
    memo.rd = rd;
    memo.md = md;
  }
  // the memo's row is brought up to date series by series, then copied out whole
  const row = memo.v;
  const changes = b.changes;
  for (let s = 0; s < SERIES.length; s++) {
    const base = s * W_COUNT;
    const change = changes[s]!;
    changes[s] = UNCHANGED;
    if (reusable && change === UNCHANGED) continue;
    if (reusable && change === NEWEST_ONLY) {
      // counts are whole numbers: the moved windows are exactly the sums a fresh pass gives
      addAtAge(row, base, off, b.newestDelta[s]!, all, rd, md);
      continue;
    }
    const sent = s === S_SENT_SUM;
    const start = s * len;
    let run = 0;
    let age = 0;
    // Days after the newest bucket hold nothing yet.
    for (; age < off && age < all; age++) c[age] = 0;
    // Walk from the newest bucket back in time.
    for (let i = len - 1 - Math.max(0, age - off); i >= 0 && age < all; i--, age++) {
      const x = sent ? (raw[start + i]! - SENT_OFFSET) / SENT_SCALE : raw[start + i]!;
      run += x;
      c[age] = run;
    }
    for (; age < all; age++) c[age] = run;
    row[base + W_TODAY] = upTo(1, all);
    row[base + W_RECENT] = upTo(rd, all);
    row[base + W_PREV] = upTo(2 * rd, all) - upTo(rd, all);
    row[base + W_MID] = upTo(md, all);
    row[base + W_ALL] = upTo(all, all);
    row[base + W_HALF_MONTH] = upTo(MONTH_DAYS / 2, all);
    row[base + W_MONTH] = upTo(MONTH_DAYS, all);
  }
  v.set(row);
  return out;
}
