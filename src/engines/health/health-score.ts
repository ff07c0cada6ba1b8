// The explained health score: each component's value, weight, points taken off and a sentence a
// success manager can read; priority (tier, ARR, renewal, churn flag) is kept apart from health.
import type { Account } from '../../events/types.js';
import { DAY_MS, MONTH_DAYS, ROW, windowSums, W_HALF_MONTH, W_MONTH, WindowSums, W_ALL, W_MID, W_PREV, W_RECENT, W_TODAY, type AccountState } from './account-state.js';
import type { HealthConfig, HealthWeights } from './config.js';
import { predictRisk, type LearnerModel } from './learner-model.js';

export type Band = 'healthy' | 'watch' | 'at-risk' | 'critical';
export const BANDS: readonly Band[] = ['healthy', 'watch', 'at-risk', 'critical'];

/** The component order is also the learner's feature order. */
export const COMPONENT_NAMES = ['sentiment', 'ticketRate', 'escalations', 'reEscalations', 'csat', 'aiLoops', 'silence', 'incidents'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

export interface HealthComponent {
  name: ComponentName | 'learned';
  /** The measure itself (sentiment level, ticket ratio, count, CSAT mean, days...). */
  value: number;
  weight: number;
  /** Risk in [0,1] this component sees. */
  risk: number;
  /** Points this component takes off the score (<= 0). */
  contribution: number;
  sentence: string;
}

export interface HealthResult {
  accountId: string;
  score: number;
  band: Band;
  components: HealthComponent[];
  priority: number;
  priorityReasons: string[];
  topReasons: string[];
  suggestedAction: string;
  /** Component risks in COMPONENT_NAMES order: the learner's input. */
  features: number[];
  /** Headline series values for the daily history point. */
  sentiment: number | null;
  ticketsToday: number;
  /** Sentiment trend: smoothed level, and slopes (change per day) over 7 and 30 days; null without data. */
  trends: { sentimentLevel: number | null; sentimentSlope7: number | null; sentimentSlope30: number | null };
}

/**
 * Series `row` (see ROW) summed over window `win`: read straight off the row, a lookup by series
 * name being a keyed load and a boxed number per read when not inlined.
 */
const sum = (ws: WindowSums, row: number, win: number): number => ws.v[row + win]!;

/** Change per day between the means of two adjacent windows (`days` long each); null without data on both sides. */
function slope(ws: WindowSums, newWin: number, bothWin: number, days: number): number | null {
  const nNew = sum(ws, ROW.sentN, newWin);
  const nOld = sum(ws, ROW.sentN, bothWin) - nNew;
  if (nNew === 0 || nOld === 0) return null;
  const diff = sum(ws, ROW.sentSum, newWin) / nNew - (sum(ws, ROW.sentSum, bothWin) - sum(ws, ROW.sentSum, newWin)) / nOld;
  return Math.round((diff / days) * 1000) / 1000;
}

/** The 7-day slope: the recent week against the week before. */
function slope7(ws: WindowSums, days: number): number | null {
  const nNew = sum(ws, ROW.sentN, W_RECENT);
  const nOld = sum(ws, ROW.sentN, W_PREV);
  if (nNew === 0 || nOld === 0) return null;
  return Math.round(((sum(ws, ROW.sentSum, W_RECENT) / nNew - sum(ws, ROW.sentSum, W_PREV) / nOld) / days) * 1000) / 1000;
}
/**
 * What a score is computed from, read off an account's state at one evaluation point: the window
 * sums and the few state fields the components use. A score and its explanation are functions of
 * these alone, so the pipeline can score (numbers only) at every evaluation point and write the
 * explained document later from the inputs of the last one, while the state itself has moved on.
 */
export class HealthInputs {
  readonly sums = new WindowSums();
  accountId = '';
  nowMs = 0;
  /** Time-decayed sentiment sum and weight, and when they were last decayed (state.sentS, sentW, sentAt). */
  sentS = 0;
  sentW = 0;
  sentAt = 0;
  lastContactAt = 0;
  firstEventAt = 0;
  rateExpected = 0;
  /** Open incidents hitting the account. */
  incidents = 0;
}

/** Reads the inputs of a score at `nowMs` into `out` (reused between calls when given). */
export function readHealthInputs(state: AccountState, nowMs: number, cfg: HealthConfig, out: HealthInputs = new HealthInputs()): HealthInputs {
  windowSums(state, Math.floor(nowMs / DAY_MS), cfg, out.sums);
  out.accountId = state.accountId;
  out.nowMs = nowMs;
  out.sentS = state.sentS;
  out.sentW = state.sentW;
  out.sentAt = state.sentAt;
  out.lastContactAt = state.lastContactAt;
  out.firstEventAt = state.firstEventAt;
  out.rateExpected = state.rateExpected;
  out.incidents = countKeys(state.incidents);
  return out;
}

/** The number of keys of a small record, without the array Object.keys would build at every scoring. */
function countKeys(record: Record<string, unknown>): number {
  let n = 0;
  for (const key in record) if (Object.hasOwn(record, key)) n++;
  return n;
}

/** Reused between calls: scoring is synchronous, so one buffer serves every account. */
const SCRATCH = new HealthInputs();
const clamp01 = (x: number) => (x <= 0 ? 0 : x >= 1 ? 1 : x);
const r2 = (x: number) => Math.round(x * 100) / 100;
const r1 = (x: number) => Math.round(x * 10) / 10;
const signed = (x: number) => (x >= 0 ? '+' : '\u2212') + Math.abs(x).toFixed(2);
const plural = (n: number, one: string, many = one + 's') => `${n} ${n === 1 ? one : many}`;

/**
 * One component's reading. Filled in place: a scoring fills the same eight objects every time, as
 * an evaluation point scores hundreds of thousands of accounts a day of events and a new object
 * per component was a good share of the pipeline's garbage.
 */
interface Partial {
  readonly name: ComponentName;
  value: number;
  risk: number;
  /** Empty when the caller asked for numbers only (`explain` false). */
  sentence: string;
}

/** Sets a component's reading and returns it. */
function put(out: Partial, value: number, risk: number, sentence: string): Partial {
  out.value = value;
  out.risk = risk;
  out.sentence = sentence;
  return out;
}

/** One reading per component, in COMPONENT_NAMES order, to be filled by componentsOf. */
function newParts(): Partial[] {
  return COMPONENT_NAMES.map((name) => ({ name, value: 0, risk: 0, sentence: '' }));
}

/** The smoothed sentiment level (sentS / sentW; 0 without messages). */
const levelOf = (inp: HealthInputs) => (inp.sentW <= 0 ? 0 : inp.sentS / inp.sentW);

/**
 * How far the mean of the messages in window `win` fell below the account's own messages before
 * it (the rest of the bucket window), in standard errors: how unlikely the fall is as chance for
 * this many messages. NaN without messages on both sides.
 */
function shiftZ(ws: WindowSums, win: number, cfg: HealthConfig): number {
  const nRecent = sum(ws, ROW.sentN, win);
  const nBase = sum(ws, ROW.sentN, W_ALL) - nRecent;
  if (nRecent === 0 || nBase === 0) return NaN;
  const sRecent = sum(ws, ROW.sentSum, win);
  const fall = (sum(ws, ROW.sentSum, W_ALL) - sRecent) / nBase - sRecent / nRecent;
  return fall / (cfg.sentimentMessageSd * Math.sqrt(1 / nRecent + 1 / nBase));
}

function sentimentComponent(inp: HealthInputs, cfg: HealthConfig, explain: boolean, out: Partial): Partial {
  const ws = inp.sums;
  const nowMs = inp.nowMs;
  const rd = cfg.recentDays;
  const nRecent = sum(ws, ROW.sentN, W_RECENT);
  const level = levelOf(inp);
  const weight = inp.sentW <= 0 ? 0 : inp.sentW;
  if (weight <= 0 || sum(ws, ROW.sentN, W_ALL) === 0) {
    return put(out, 0, 0, explain ? `no customer messages in the last ${cfg.windowDays} days` : '');
  }
  // Confidence from the level's own effective message count (decayed to now), so two angry
  // messages from a quiet account do not outweigh a steady history.
  const decayedWeight = weight * Math.pow(2, -Math.max(0, nowMs - inp.sentAt) / (cfg.sentimentHalfLifeDays * DAY_MS));
  const confidence = decayedWeight / (decayedWeight + cfg.sentimentPriorMessages);
  const levelRisk = clamp01((cfg.sentimentNeutral - level) / (cfg.sentimentNeutral - cfg.sentimentFloor)) * confidence;
  // The slide against the account's own past, over a week (fast) and half a month (a slow slide
  // gathers more messages): a noisy account is judged by its own usual tone, a calm one too.
  const zWeek = shiftZ(ws, W_RECENT, cfg);
  const zHalf = shiftZ(ws, W_HALF_MONTH, cfg);
  const useHalf = !(zWeek >= zHalf) && zHalf === zHalf; // NaN-safe: the week unless only the half-month is known or it is surer
  const win = useHalf ? W_HALF_MONTH : W_RECENT;
  const z = useHalf ? zHalf : zWeek === zWeek ? zWeek : 0;
  const shiftRisk = clamp01((z - cfg.sentimentShiftFrom) / (cfg.sentimentShiftFull - cfg.sentimentShiftFrom));
  const risk = clamp01((1 - cfg.sentimentShiftShare) * levelRisk + cfg.sentimentShiftShare * shiftRisk);
  if (!explain) return put(out, r2(level), risk, '');
  const nWin = sum(ws, ROW.sentN, win);
  const nBase = sum(ws, ROW.sentN, W_ALL) - nWin;
  const winMean = nWin > 0 ? sum(ws, ROW.sentSum, win) / nWin : 0;
  const baseMean = nBase > 0 ? (sum(ws, ROW.sentSum, W_ALL) - sum(ws, ROW.sentSum, win)) / nBase : 0;
  let sentence: string;
  if (nWin > 0 && nBase > 0 && Math.abs(baseMean - winMean) >= 0.1) {
    const days = useHalf ? MONTH_DAYS / 2 : rd;
    sentence = `sentiment ${winMean < baseMean ? 'fell' : 'rose'} from its usual ${signed(baseMean)} to ${signed(winMean)} over ${days} days across ${plural(nWin, 'message')}`;
  } else if (nRecent > 0) {
    sentence = `sentiment steady at ${signed(sum(ws, ROW.sentSum, W_RECENT) / nRecent)} over ${rd} days across ${plural(nRecent, 'message')}`;
  } else {
    sentence = `sentiment ${signed(level)} (smoothed), no customer messages in the last ${rd} days`;
  }
  return put(out, r2(level), risk, sentence);
}

function ticketRateComponent(inp: HealthInputs, cfg: HealthConfig, explain: boolean, out: Partial): Partial {
  const ws = inp.sums;
  const nowMs = inp.nowMs;
  const rd = cfg.recentDays;
  const recent = sum(ws, ROW.tickets, W_RECENT);
  // Only days the account has existed count toward its usual rate.
  const nowDay = Math.floor(nowMs / DAY_MS);
  const firstDay = inp.firstEventAt > 0 ? Math.floor(inp.firstEventAt / DAY_MS) : nowDay;
  const priorDays = Math.max(1, Math.min(cfg.windowDays - rd, nowDay - rd - firstDay + 1));
  const priorPerDay = (sum(ws, ROW.tickets, W_ALL) - sum(ws, ROW.tickets, W_RECENT)) / priorDays;
  // With a week or more of history the account's own buckets are the baseline; before that the
  // detector's learned rate stands in (it is biased low on sparse daily counts, so never below).
  const detectorPerDay = inp.rateExpected * (DAY_MS / cfg.ticketDetectorBucketMs);
  const perDay = priorDays >= rd ? priorPerDay : Math.max(priorPerDay, detectorPerDay);
  const usual = perDay * rd;
  const ratio = (recent + cfg.ticketPriorTickets) / (usual + cfg.ticketPriorTickets);
  const risk = clamp01((ratio - 1) / (cfg.ticketRatioFull - 1));
  if (!explain) return put(out, r2(ratio), risk, '');
  const sentence =
    recent === 0 && usual < 0.5
      ? `no tickets in the last ${rd} days`
      : `${plural(recent, 'ticket')} in the last ${rd} days against a usual ${r1(usual)} (${r1(ratio)}x)`;
  return put(out, r2(ratio), risk, sentence);
}

/**
 * What the account usually does per ticket (days before the escalation window, shrunk toward the
 * population rate): noisy accounts are judged against themselves.
 */
function usualPerTicket(ws: WindowSums, row: number, prior: number, cfg: HealthConfig): number {
  const oldCount = sum(ws, row, W_ALL) - sum(ws, row, W_MID);
  const oldTickets = sum(ws, ROW.tickets, W_ALL) - sum(ws, ROW.tickets, W_MID);
  return (oldCount + prior * cfg.baselinePriorTickets) / (oldTickets + cfg.baselinePriorTickets);
}

/** The usual rate per ticket applied to this window's tickets. */
function expectedInWindow(ws: WindowSums, row: number, prior: number, cfg: HealthConfig): number {
  return usualPerTicket(ws, row, prior, cfg) * sum(ws, ROW.tickets, W_MID);
}

/**
 * How far a count stands above what the account's usual rate predicts, in standard deviations of
 * chance (a Poisson count's spread is the square root of its mean, with a pseudo-count so an
 * expectation near zero does not make one event look impossible), mapped to [0, 1] between `from`
 * and `full`: a busy account's extra hand-off is chance, a quiet account's third one is not.
 */
function surpriseRisk(count: number, expected: number, from: number, full: number, cfg: HealthConfig): number {
  const z = (count - expected) / Math.sqrt(expected + cfg.surprisePseudoCount);
  return clamp01((z - from) / (full - from));
}

function escalationComponent(ws: WindowSums, cfg: HealthConfig, explain: boolean, out: Partial): Partial {
  const wd = cfg.escalationWindowDays;
  const esc = sum(ws, ROW.escalations, W_MID);
  const tickets = sum(ws, ROW.tickets, W_MID);
  const rate = usualPerTicket(ws, ROW.escalations, cfg.escalationsPerTicketPrior, cfg);
  const expected = rate * tickets;
  const risk = surpriseRisk(esc, expected, cfg.escalationSurpriseFrom, cfg.escalationSurpriseFull, cfg);
  if (!explain) return put(out, esc, risk, '');
  const sentence = `${plural(esc, 'escalation')} to a human in the last ${wd} days across ${plural(tickets, 'new ticket')} (usually ${Math.round(rate * 100)}% of tickets, ${r1(expected)} expected)`;
  return put(out, esc, risk, sentence);
}

function reEscalationComponent(ws: WindowSums, cfg: HealthConfig, explain: boolean, out: Partial): Partial {
  const wd = cfg.escalationWindowDays;
  const n = sum(ws, ROW.reEscalations, W_MID);
  const expected = expectedInWindow(ws, ROW.reEscalations, cfg.reEscalationsPerTicketPrior, cfg);
  const risk = clamp01((n - expected - cfg.reEscalationAllowance) / cfg.reEscalationsFull);
  if (!explain) return put(out, n, risk, '');
  const sentence =
    n === 0
      ? `no ticket reopened after a human resolved it in the last ${wd} days`
      : `${plural(n, 'ticket')} reopened or escalated again after a human resolved ${n === 1 ? 'it' : 'them'} in the last ${wd} days (${r1(expected)} expected)`;
  return put(out, n, risk, sentence);
}

function csatComponent(ws: WindowSums, cfg: HealthConfig, explain: boolean, out: Partial): Partial {
  const half = cfg.escalationWindowDays;
  const n = sum(ws, ROW.csatN, W_ALL);
  if (n === 0) return put(out, 0, 0, explain ? `no CSAT responses in ${cfg.windowDays} days` : '');
  const mean = sum(ws, ROW.csatSum, W_ALL) / n;
  const confidence = n / (n + cfg.csatPriorResponses);
  const levelRisk = clamp01((cfg.csatGood - mean) / (cfg.csatGood - cfg.csatBad)) * confidence;
  // The fall of the escalation window's responses below the account's earlier ones, in standard
  // errors: the same reading as for sentiment, so an account used to 5s that now gives 3s counts.
  const nRecent = sum(ws, ROW.csatN, W_MID);
  const nOld = n - nRecent;
  let shiftRisk = 0;
  let trend = '';
  if (nRecent > 0 && nOld > 0) {
    const recentMean = sum(ws, ROW.csatSum, W_MID) / nRecent;
    const oldMean = (sum(ws, ROW.csatSum, W_ALL) - sum(ws, ROW.csatSum, W_MID)) / nOld;
    const z = (oldMean - recentMean) / (cfg.csatResponseSd * Math.sqrt(1 / nRecent + 1 / nOld));
    shiftRisk = clamp01((z - cfg.csatShiftFrom) / (cfg.csatShiftFull - cfg.csatShiftFrom));
    if (explain && (Math.abs(recentMean - oldMean) >= 0.5 || shiftRisk > 0)) {
      trend = `, ${recentMean < oldMean ? 'down' : 'up'} to ${r1(recentMean)} over ${plural(nRecent, 'response')} in the last ${half} days from ${r1(oldMean)}`;
    }
  }
  const risk = clamp01((1 - cfg.csatShiftShare) * levelRisk + cfg.csatShiftShare * shiftRisk);
  if (!explain) return put(out, r2(mean), risk, '');
  return put(out, r2(mean), risk, `CSAT ${mean.toFixed(1)} from ${plural(n, 'response')} in ${cfg.windowDays} days${trend}`);
}

function aiLoopComponent(ws: WindowSums, cfg: HealthConfig, explain: boolean, out: Partial): Partial {
  const wd = cfg.escalationWindowDays;
  const n = sum(ws, ROW.loops, W_MID);
  const expected = expectedInWindow(ws, ROW.loops, cfg.loopsPerTicketPrior, cfg);
  const risk = surpriseRisk(n, expected, cfg.aiLoopSurpriseFrom, cfg.aiLoopSurpriseFull, cfg);
  if (!explain) return put(out, n, risk, '');
  const sentence =
    n === 0
      ? `no AI loops in the last ${wd} days`
      : `${plural(n, 'ticket')} where the AI replied ${cfg.aiLoopTurns}+ times without resolving or handing off in the last ${wd} days (${r1(expected)} expected)`;
  return put(out, n, risk, sentence);
}

function silenceComponent(inp: HealthInputs, cfg: HealthConfig, explain: boolean, out: Partial): Partial {
  if (inp.lastContactAt <= 0) return put(out, 0, 0, explain ? 'no customer contact recorded yet' : '');
  const days = Math.max(0, (inp.nowMs - inp.lastContactAt) / DAY_MS);
  const risk = clamp01((days - cfg.silenceDays) / (cfg.silenceFullDays - cfg.silenceDays));
  if (!explain) return put(out, r1(days), risk, '');
  const d = Math.floor(days);
  return put(out, r1(days), risk, d === 0 ? 'last customer contact today' : `last customer contact ${plural(d, 'day')} ago`);
}

function incidentComponent(inp: HealthInputs, cfg: HealthConfig, explain: boolean, out: Partial): Partial {
  const n = inp.incidents;
  const risk = clamp01(n / cfg.incidentsFull);
  if (!explain) return put(out, n, risk, '');
  return put(out, n, risk, n === 0 ? 'not hit by any open incident' : `hit by ${plural(n, 'open incident')} affecting many accounts`);
}

export function bandOf(score: number, cfg: HealthConfig): Band {
  if (score >= cfg.bands.healthy) return 'healthy';
  if (score >= cfg.bands.watch) return 'watch';
  if (score >= cfg.bands.atRisk) return 'at-risk';
  return 'critical';
}

const ACTIONS: Record<ComponentName | 'learned', string> = {
  sentiment: 'Call the main contact: recent messages are frustrated; acknowledge it and agree a plan with dates.',
  ticketRate: 'Review this week\'s tickets with the account and look for one root cause behind them.',
  escalations: 'Have a senior agent own the open escalations and follow up personally.',
  reEscalations: 'Check the fixes that did not hold and confirm the next one with the customer before closing.',
  csat: 'Follow up on the low CSAT responses and ask what would have helped.',
  aiLoops: 'Route this account to a human sooner: the AI is going in circles on its tickets.',
  silence: 'Check in: the account has gone quiet.',
  incidents: 'Tell them about the open incident, its status and the expected fix time.',
  learned: 'Review the account with its owner: past outcomes of similar accounts point to risk.',
};

function priorityOf(score: number, account: Account | undefined, nowMs: number, cfg: HealthConfig): { priority: number; reasons: string[] } {
  const p = cfg.priority;
  const reasons: string[] = [];
  let mult = p.tierStarter;
  if (account) {
    mult = account.tier === 'enterprise' ? p.tierEnterprise : account.tier === 'growth' ? p.tierGrowth : p.tierStarter;
    reasons.push(`${account.tier} tier (x${mult})`);
    if (account.arr && account.arr > 0) {
      const boost = p.arrBoost * Math.min(1, account.arr / p.arrCap);
      mult *= 1 + boost;
      reasons.push(`ARR $${Math.round(account.arr / 1000)}k (x${r2(1 + boost)})`);
    }
    if (account.renewalDate) {
      const renewAt = Date.parse(account.renewalDate);
      const days = (renewAt - nowMs) / DAY_MS;
      if (Number.isFinite(days) && days >= 0 && days <= p.renewalWindowDays) {
        const boost = p.renewalBoost * (1 - days / p.renewalWindowDays);
        mult *= 1 + boost;
        reasons.push(`renews in ${plural(Math.ceil(days), 'day')} (${account.renewalDate}, x${r2(1 + boost)})`);
      }
    }
    if (account.churnRisk) {
      mult *= 1 + p.churnRiskBoost;
      reasons.push(`flagged as a churn risk (x${r2(1 + p.churnRiskBoost)})`);
    }
  }
  return { priority: r1((100 - score) * mult), reasons };
}

/** The headline numbers of a score: what every evaluation point decides alerts, history and outreach on. */
export interface HealthReading {
  accountId: string;
  score: number;
  band: Band;
  /** Today's mean customer sentiment (null without messages) and new tickets: the daily history point. */
  sentiment: number | null;
  ticketsToday: number;
}

/** Fills `parts` (from newParts) with the components' readings at the inputs' time. */
function componentsOf(inp: HealthInputs, cfg: HealthConfig, explain: boolean, parts: Partial[]): Partial[] {
  const ws = inp.sums;
  sentimentComponent(inp, cfg, explain, parts[0]!);
  ticketRateComponent(inp, cfg, explain, parts[1]!);
  escalationComponent(ws, cfg, explain, parts[2]!);
  reEscalationComponent(ws, cfg, explain, parts[3]!);
  csatComponent(ws, cfg, explain, parts[4]!);
  aiLoopComponent(ws, cfg, explain, parts[5]!);
  silenceComponent(inp, cfg, explain, parts[6]!);
  incidentComponent(inp, cfg, explain, parts[7]!);
  return parts;
}

/** What the explanation reads of how the score was combined (filled by combine when asked). */
interface CombineDetail {
  /** Component risks rounded (the learner's input), in component order. */
  features: number[];
  learned: number | null;
  blend: number;
  /** Each component's share of the risk, before the learner's blend. */
  shares: number[];
}

/**
 * The score from the components' risks (and the learner's, when deployed); with `detail`, also
 * what the explanation shows. Without it nothing is allocated unless a learner needs the features.
 */
function combine(parts: Partial[], cfg: HealthConfig, learner: LearnerModel | undefined, detail?: CombineDetail): number {
  const w: HealthWeights = cfg.weights;
  let weightSum = 0;
  for (let i = 0; i < parts.length; i++) weightSum += w[parts[i]!.name];
  if (weightSum <= 0) weightSum = 1;
  const features: number[] | null = detail ? detail.features : learner ? [] : null;
  let top = 0;
  for (let i = 0; i < parts.length; i++) {
    if (features) features.push(r2(parts[i]!.risk));
    if (w[parts[i]!.name] * parts[i]!.risk > w[parts[top]!.name] * parts[top]!.risk) top = i;
  }
  const learned = learner ? predictRisk(learner, features!) : null;
  const blend = learned === null ? 0 : cfg.learner.blend;
  // Risk each component adds: the strongest counts as it is, the others are corroboration and
  // count (1 + corroboration) times, so agreeing weak signs outweigh one loud one.
  let risk = 0;
  for (let i = 0; i < parts.length; i++) {
    const x = parts[i]!;
    const share = ((w[x.name] * x.risk) / weightSum) * (i === top ? 1 : 1 + cfg.corroboration);
    risk += share;
    if (detail) detail.shares.push(share);
  }
  if (detail) {
    detail.learned = learned;
    detail.blend = blend;
  }
  risk = (1 - blend) * risk;
  if (learned !== null) risk += blend * learned;
  return r1(100 * (1 - clamp01(risk)));
}

/** Reused by measureHealth and explainHealth: scoring is synchronous, so one list each serves every account. */
const MEASURE_PARTS = newParts();
const EXPLAIN_PARTS = newParts();

/**
 * The headline numbers of the score at the inputs' time, without the explanation (no sentences,
 * reasons or priority): what an evaluation point needs. Equal to those of `explainHealth` on the
 * same inputs. Written into `out` when given (the pipeline reuses one).
 */
export function measureHealth(inp: HealthInputs, cfg: HealthConfig, learner?: LearnerModel, out?: HealthReading): HealthReading {
  const score = combine(componentsOf(inp, cfg, false, MEASURE_PARTS), cfg, learner);
  const ws = inp.sums;
  const nSent = sum(ws, ROW.sentN, W_TODAY);
  const reading = out ?? { accountId: '', score: 0, band: 'healthy', sentiment: null, ticketsToday: 0 };
  reading.accountId = inp.accountId;
  reading.score = score;
  reading.band = bandOf(score, cfg);
  reading.sentiment = nSent > 0 ? r2(sum(ws, ROW.sentSum, W_TODAY) / nSent) : null;
  reading.ticketsToday = sum(ws, ROW.tickets, W_TODAY);
  return reading;
}

/** The explained score at the inputs' time: components with sentences, top reasons, action, priority, trends. */
export function explainHealth(inp: HealthInputs, account: Account | undefined, cfg: HealthConfig, learner?: LearnerModel): HealthResult {
  const ws = inp.sums;
  const nowMs = inp.nowMs;
  const parts = componentsOf(inp, cfg, true, EXPLAIN_PARTS);
  const detail: CombineDetail = { features: [], learned: null, blend: 0, shares: [] };
  const score = combine(parts, cfg, learner, detail);
  const band = bandOf(score, cfg);
  const { features, learned, blend, shares } = detail;
  const w: HealthWeights = cfg.weights;
  const components: HealthComponent[] = [];
  for (let i = 0; i < parts.length; i++) {
    const x = parts[i]!;
    components.push({ name: x.name, value: x.value, weight: w[x.name], risk: features[i]!, contribution: -r1(100 * (1 - blend) * shares[i]!), sentence: x.sentence });
  }
  if (learned !== null && learner) {
    components.push({
      name: 'learned',
      value: r2(learned),
      weight: blend,
      risk: r2(learned),
      contribution: -r1(100 * blend * learned),
      sentence: `the outcome model (${learner.version}, trained on ${plural(learner.trainedOn, 'outcome')}) puts the risk of churn or escalation at ${Math.round(learned * 100)}%`,
    });
  }
  const ranked = components.filter((c) => -c.contribution >= cfg.reasonMinPoints).sort((a, b) => a.contribution - b.contribution);
  const topReasons = ranked.slice(0, cfg.maxTopReasons).map((c) => c.sentence);
  const suggestedAction = band === 'healthy' || ranked.length === 0 ? 'No action needed.' : ACTIONS[ranked[0]!.name];
  const { priority, reasons } = priorityOf(score, account, nowMs, cfg);
  const nSent = sum(ws, ROW.sentN, W_TODAY);
  return {
    accountId: inp.accountId,
    score,
    band,
    components,
    priority,
    priorityReasons: reasons,
    topReasons,
    suggestedAction,
    features,
    sentiment: nSent > 0 ? r2(sum(ws, ROW.sentSum, W_TODAY) / nSent) : null,
    ticketsToday: sum(ws, ROW.tickets, W_TODAY),
    trends: {
      sentimentLevel: inp.sentW > 0 ? r2(levelOf(inp)) : null,
      sentimentSlope7: slope7(ws, cfg.recentDays),
      sentimentSlope30: slope(ws, W_HALF_MONTH, W_MONTH, MONTH_DAYS / 2),
    },
  };
}

/**
 * Scores one account at `nowMs` from its state (read-only). With a deployed learner, its predicted
 * risk is blended in as one more, explained, component.
 */
export function scoreAccount(
  state: AccountState,
  account: Account | undefined,
  nowMs: number,
  cfg: HealthConfig,
  learner?: LearnerModel,
): HealthResult {
  return explainHealth(readHealthInputs(state, nowMs, cfg, SCRATCH), account, cfg, learner);
}
