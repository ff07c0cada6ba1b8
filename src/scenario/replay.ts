// Replays a generated scenario through the health engine in event time and measures it against
// the scenario's truth: lead time per souring account and the share of healthy accounts flagged.
import type { VigilEvent } from '../events/types.js';
import { advanceTo, applyEvent, newAccountState, setIncidentExposure, type AccountState } from '../engines/health/account-state.js';
import type { HealthConfig } from '../engines/health/config.js';
import { scoreAccount, type Band } from '../engines/health/health-score.js';
import type { LearnerModel } from '../engines/health/learner-model.js';
import type { Scenario } from './generate.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface ReplayOptions {
  /** How often every account is rescored (the daemon refreshes hourly; coarser is enough here). */
  checkEveryMs: number;
  /** Checks before this many days from the start are not judged: baselines are still forming. */
  warmupDays: number;
  /** Lead time that counts as early enough. */
  minLeadMs: number;
  /** When the spike detector would have opened the incident, and how long it stays open. */
  incidentOpenDelayMs: number;
  incidentOpenForMs: number;
  learner?: LearnerModel;
  /** Called at every check with each account's score result (to collect training samples). */
  onCheck?: (accountId: string, atMs: number, features: number[], band: Band, score: number) => void;
}

export const DEFAULT_REPLAY_OPTIONS: ReplayOptions = {
  checkEveryMs: 6 * HOUR,
  warmupDays: 10,
  minLeadMs: 3 * DAY,
  // A cross-account spike is seen within the hour; the incident is resolved about a day later.
  incidentOpenDelayMs: HOUR,
  incidentOpenForMs: DAY,
};

export interface SouringResult {
  accountId: string;
  kind: 'churn' | 'escalation';
  eventAt: number;
  /** Event time minus the first check (from the start of the slide) at which the account was at-risk or critical; 0 if never. */
  leadMs: number;
  early: boolean;
  /** Event time minus the start of the flagged stretch that runs up to the event (stricter: no flicker allowed). */
  continuousLeadMs: number;
}

export interface ReplayResult {
  souring: SouringResult[];
  healthyTotal: number;
  healthyFlagged: string[];
  noisyFlagged: string[];
  falseAlarmRate: number;
  states: Map<string, AccountState>;
  checks: number;
}

const flagged = (b: Band) => b === 'at-risk' || b === 'critical';

export function replayScenario(
  scenario: Scenario,
  cfg: HealthConfig,
  sentimentOf: (text: string) => number,
  options: Partial<ReplayOptions> = {},
): ReplayResult {
  const opts = { ...DEFAULT_REPLAY_OPTIONS, ...options };
  const { events, truth, accounts } = scenario;
  const accountById = new Map(accounts.map((a) => [a.accountId, a]));
  const states = new Map<string, AccountState>();
  for (const a of accounts) states.set(a.accountId, newAccountState(a.accountId, cfg));
  const start = events.length ? Math.floor(events[0]!.occurredAt / DAY) * DAY : 0;
  const end = events.length ? events[events.length - 1]!.occurredAt + 1 : 0;
  const judgeFrom = start + opts.warmupDays * DAY;
  const eventAt = new Map(truth.souring.map((s) => [s.accountId, s.eventAt]));
  const slideFrom = new Map(truth.souring.map((s) => [s.accountId, s.souringFrom]));
  const firstFlag = new Map<string, number>();
  const stretchStart = new Map<string, number | null>();
  const leadAtEvent = new Map<string, number>();
  const everFlagged = new Set<string>();
  const incidentOpen = truth.spike.startMs + opts.incidentOpenDelayMs;
  const incidentClose = truth.spike.endMs + opts.incidentOpenForMs;
  let incidentState: 'before' | 'open' | 'closed' = 'before';
  let checks = 0;

  const check = (at: number) => {
    checks++;
    if (incidentState === 'before' && at >= incidentOpen) {
      for (const id of truth.spike.accountIds) setIncidentExposure(states.get(id)!, 'spike-1', true, incidentOpen);
      incidentState = 'open';
    }
    if (incidentState === 'open' && at >= incidentClose) {
      for (const id of truth.spike.accountIds) setIncidentExposure(states.get(id)!, 'spike-1', false, incidentClose);
      incidentState = 'closed';
    }
    for (const [id, state] of states) {
      const due = eventAt.get(id);
      if (due !== undefined && at > due) continue; // after the event the story is told
      advanceTo(state, at, cfg);
      const h = scoreAccount(state, accountById.get(id), at, cfg, opts.learner);
      opts.onCheck?.(id, at, h.features, h.band, h.score);
      const isFlagged = flagged(h.band);
      if (at >= judgeFrom && isFlagged) everFlagged.add(id);
      if (isFlagged && due !== undefined && at >= slideFrom.get(id)! && !firstFlag.has(id)) firstFlag.set(id, at);
      if (isFlagged) {
        if ((stretchStart.get(id) ?? null) === null) stretchStart.set(id, at);
      } else stretchStart.set(id, null);
      if (due !== undefined && at <= due && at + opts.checkEveryMs > due) {
        const from = stretchStart.get(id) ?? null;
        leadAtEvent.set(id, from === null ? 0 : due - from);
      }
    }
  };

  let nextCheck = start + opts.checkEveryMs;
  const sentimentCache = new Map<string, number>();
  for (const ev of events as VigilEvent[]) {
    while (ev.occurredAt >= nextCheck) {
      check(nextCheck);
      nextCheck += opts.checkEveryMs;
    }
    const state = states.get(ev.accountId);
    if (!state) continue;
    let sentiment: number | undefined;
    if (ev.type === 'ticket.message' && ev.author === 'customer' && ev.text) {
      sentiment = sentimentCache.get(ev.text);
      if (sentiment === undefined) {
        sentiment = sentimentOf(ev.text);
        sentimentCache.set(ev.text, sentiment);
      }
    }
    applyEvent(state, ev, sentiment === undefined ? {} : { sentiment }, cfg);
  }
  while (nextCheck <= end + opts.checkEveryMs) {
    check(nextCheck);
    nextCheck += opts.checkEveryMs;
  }

  const souring: SouringResult[] = truth.souring.map((s) => {
    const first = firstFlag.get(s.accountId);
    const leadMs = first === undefined ? 0 : s.eventAt - first;
    const continuousLeadMs = leadAtEvent.get(s.accountId) ?? 0;
    return { accountId: s.accountId, kind: s.kind, eventAt: s.eventAt, leadMs, early: leadMs >= opts.minLeadMs, continuousLeadMs };
  });
  const healthyFlagged = truth.healthy.filter((id) => everFlagged.has(id));
  const noisyFlagged = truth.noisyHealthy.filter((id) => everFlagged.has(id));
  const healthyTotal = truth.healthy.length + truth.noisyHealthy.length;
  return {
    souring,
    healthyTotal,
    healthyFlagged,
    noisyFlagged,
    falseAlarmRate: healthyTotal ? (healthyFlagged.length + noisyFlagged.length) / healthyTotal : 0,
    states,
    checks,
  };
}
