// A realistic, seeded support scenario for tests, benchmarks and the demo: accounts of each tier,
// weeks of tickets, accounts that sour before a churn or escalation, noisy healthy ones, one spike.
import type { Account, Tier, VigilEvent } from '../events/types.js';
import { Rng } from './rng.js';
import { agentReply, aiReply, customerFollowup, customerOpening, customerWithError, finalMessage, type Tone } from './texts.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;

export interface ScenarioOptions {
  seed: number;
  accounts: number;
  days: number;
  startMs: number;
}

export interface ScenarioTruth {
  souring: Array<{ accountId: string; eventAt: number; kind: 'churn' | 'escalation'; souringFrom: number }>;
  healthy: string[];
  noisyHealthy: string[];
  spike: { clusterTemplate: string; startMs: number; endMs: number; accountIds: string[] };
}

export interface Scenario {
  accounts: Account[];
  events: VigilEvent[];
  truth: ScenarioTruth;
}

/** The shape of the simulated population, as data: each number is a plausible rate, not a tuning knob. */
export const SCENARIO_SHAPE = {
  tierShare: { enterprise: 0.15, growth: 0.35 } as const, // the rest are starter
  ticketsPerDay: { enterprise: [0.6, 2.2], growth: [0.25, 1.0], starter: [0.07, 0.4] } as const,
  arr: { enterprise: [150_000, 900_000], growth: [30_000, 150_000], starter: [3_000, 30_000] } as const,
  souringShare: 0.08,
  noisyShare: 0.1,
  churnRiskFlagShare: 0.05,
  /** Days over which a souring account slides before its event. */
  souringDays: [14, 21] as const,
  /** Souring accounts file this many times their usual tickets at the end of the slide. */
  souringRateLift: 3,
  /** Souring accounts are active users hitting problems: at least this many tickets a day. */
  souringMinRate: 0.6,
  /**
   * Days before the event at which the slide is at its worst: the churn notice or the executive
   * escalation follows a peak of complaints, it does not come out of the blue.
   */
  peakBeforeEventDays: [2, 5] as const,
  noisyRateLift: [1.8, 3] as const,
  spikeAccountShare: 0.3,
  spikeHours: 3,
  csatResponseRate: 0.35,
  weekendRate: 0.35,
};

const NAME_A = ['North', 'Blue', 'Silver', 'Bright', 'Iron', 'Cedar', 'Harbor', 'Summit', 'Lumen', 'Quartz', 'Red', 'Atlas', 'Pine', 'Nova', 'Orbit', 'Stone', 'Maple', 'Vector', 'Delta', 'Echo'];
const NAME_B = ['wind', 'peak', 'field', 'gate', 'bridge', 'line', 'works', 'stack', 'leaf', 'point', 'river', 'forge', 'light', 'wave'];
const NAME_C = ['Logistics', 'Health', 'Labs', 'Retail', 'Finance', 'Software', 'Media', 'Energy', 'Foods', 'Travel', 'Analytics', 'Robotics', 'Insurance', 'Education'];
const OWNERS = [
  { name: 'Dana Whitfield', slackUserId: 'U01DANAW' },
  { name: 'Luis Romero', slackUserId: 'U01LUISR' },
  { name: 'Mei Tanaka', slackUserId: 'U01MEIT' },
  { name: 'Oskar Lind', slackUserId: 'U01OSKARL' },
  { name: 'Fatima Idris', slackUserId: 'U01FATIMA' },
  { name: 'Grace Okafor', slackUserId: 'U01GRACEO' },
];
const CATEGORIES = ['integrations', 'billing', 'access', 'data', 'performance', 'how-to'];
const SPIKE_TEMPLATE = 'Error 502: upstream timed out (request id <*>)';

type Role = 'healthy' | 'noisy' | 'souring';

interface Plan {
  account: Account;
  role: Role;
  rate: number;
  eventAt: number;
  souringFrom: number;
  peakAt: number;
  kind: 'churn' | 'escalation';
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function generateScenario(opts: ScenarioOptions): Scenario {
  const rng = new Rng(opts.seed);
  const S = SCENARIO_SHAPE;
  const endMs = opts.startMs + opts.days * DAY;
  const events: VigilEvent[] = [];
  let seq = 0;
  const emit = (ev: Omit<VigilEvent, 'id'>) => {
    if (ev.occurredAt >= endMs) return;
    events.push({ id: `s${opts.seed}-e${(seq++).toString(36)}`, ...ev, occurredAt: Math.round(ev.occurredAt) });
  };

  // Accounts and their roles.
  const plans: Plan[] = [];
  const usedNames = new Set<string>();
  const nSouring = Math.max(1, Math.round(opts.accounts * S.souringShare));
  const nNoisy = Math.max(1, Math.round(opts.accounts * S.noisyShare));
  for (let i = 0; i < opts.accounts; i++) {
    const u = rng.next();
    const tier: Tier = u < S.tierShare.enterprise ? 'enterprise' : u < S.tierShare.enterprise + S.tierShare.growth ? 'growth' : 'starter';
    let name = '';
    for (let k = 0; k < 5 && (name === '' || usedNames.has(name)); k++) name = `${rng.pick(NAME_A)}${rng.pick(NAME_B)} ${rng.pick(NAME_C)}`;
    if (usedNames.has(name)) name = `${name} ${i}`;
    usedNames.add(name);
    const [alo, ahi] = S.arr[tier];
    const [rlo, rhi] = S.ticketsPerDay[tier];
    const account: Account = {
      accountId: `acct-${String(i + 1).padStart(4, '0')}`,
      name,
      tier,
      arr: Math.round(rng.range(alo, ahi) / 1000) * 1000,
      renewalDate: isoDay(opts.startMs + rng.int(10, 365) * DAY),
      churnRisk: rng.chance(S.churnRiskFlagShare),
      owner: rng.pick(OWNERS),
    };
    plans.push({ account, role: 'healthy', rate: rng.range(rlo, rhi), eventAt: 0, souringFrom: 0, peakAt: 0, kind: 'churn' });
  }
  // Roles are dealt over a shuffled order so every tier gets some of each.
  const order = plans.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const firstEventDay = Math.min(opts.days - 1, Math.max(S.souringDays[1] + 8, Math.floor(opts.days * 0.5)));
  order.forEach((idx, k) => {
    const plan = plans[idx]!;
    if (k < nSouring) {
      plan.role = 'souring';
      plan.eventAt = Math.round(opts.startMs + rng.range(firstEventDay, opts.days - 0.5) * DAY);
      plan.souringFrom = plan.eventAt - rng.range(S.souringDays[0], S.souringDays[1]) * DAY;
      plan.peakAt = plan.eventAt - rng.range(S.peakBeforeEventDays[0], S.peakBeforeEventDays[1]) * DAY;
      plan.kind = rng.chance(0.5) ? 'churn' : 'escalation';
      plan.rate = Math.max(plan.rate, S.souringMinRate);
    } else if (k < nSouring + nNoisy) {
      plan.role = 'noisy';
      plan.rate *= rng.range(S.noisyRateLift[0], S.noisyRateLift[1]);
    }
  });

  // The shared spike: one bad deploy that hits many accounts within a few hours.
  const spikeDay = rng.int(Math.min(7, opts.days - 1), Math.max(Math.min(7, opts.days - 1), opts.days - 7));
  const spikeStart = opts.startMs + spikeDay * DAY + rng.int(9, 14) * HOUR;
  const spikeEnd = spikeStart + S.spikeHours * HOUR;
  const spikeAccounts = plans.filter(() => rng.chance(S.spikeAccountShare)).map((p) => p.account.accountId);
  const spikeSet = new Set(spikeAccounts);

  for (const plan of plans) {
    const acct = plan.account.accountId;
    let ticketNo = 0;
    // The slide is steep at first and then grinds on (a concave ramp): trouble shows early.
    const souring = (t: number) =>
      plan.role !== 'souring' || t < plan.souringFrom ? 0 : Math.pow(Math.min(1, (t - plan.souringFrom) / (plan.peakAt - plan.souringFrom)), 0.7);
    const toneAt = (t: number): Tone => {
      const s = souring(t);
      const u = rng.next();
      if (plan.role === 'noisy') return u < 0.25 ? 'positive' : u < 0.72 ? 'neutral' : u < 0.97 ? 'negative' : 'angry';
      const pAngry = 0.005 + 0.4 * s;
      const pNeg = 0.05 + 0.5 * s;
      const pPos = Math.max(0.03, 0.35 - 0.5 * s);
      if (u < pAngry) return 'angry';
      if (u < pAngry + pNeg) return 'negative';
      if (u < pAngry + pNeg + pPos) return 'positive';
      return 'neutral';
    };
    const ticket = (t0: number, forced?: { error: string; tone: Tone }) => {
      const ticketId = `${acct}-t${++ticketNo}`;
      const s = souring(t0);
      const tone = forced?.tone ?? toneAt(t0);
      const category = rng.pick(CATEGORIES);
      const base = { accountId: acct, ticketId, category, channel: rng.pick(['email', 'chat', 'web']) };
      let t = t0;
      const opening = forced
        ? { text: customerWithError(rng, tone, forced.error), error: forced.error }
        : customerOpening(rng, tone, rng.chance(0.55));
      emit({ ...base, type: 'ticket.created', occurredAt: t, text: opening.text.split('\n')[0]!.slice(0, 120) });
      t += rng.int(5, 60) * 1000;
      emit({ ...base, type: 'ticket.message', occurredAt: t, author: 'customer', text: opening.text, ...(opening.error ? { error: opening.error } : {}) });
      if (opening.error && rng.chance(0.5)) emit({ accountId: acct, type: 'error.reported', occurredAt: t + 1000, error: opening.error });
      const noisy = plan.role === 'noisy';
      // Noisy accounts are loud (volume, bursts, blunt tone), not worse served than others.
      const pLoop = noisy ? 0.04 : 0.03 + 0.3 * s;
      const pEscalate = noisy ? 0.1 : 0.07 + 0.45 * s + (tone === 'angry' ? 0.3 : 0);
      const looping = rng.chance(pLoop);
      const aiTurns = looping ? rng.int(4, 6) : rng.int(1, 2);
      let negativeTurns = tone === 'negative' || tone === 'angry';
      for (let k = 0; k < aiTurns; k++) {
        t += rng.int(1, 4) * MIN;
        emit({ ...base, type: 'ticket.message', occurredAt: t, author: 'ai', text: aiReply(rng) });
        if (k < aiTurns - 1 || looping) {
          t += rng.int(5, 90) * MIN;
          const followTone: Tone = looping && k >= 2 ? (s > 0.4 ? 'angry' : 'negative') : negativeTurns ? tone : rng.chance(0.7) ? 'neutral' : 'positive';
          emit({ ...base, type: 'ticket.message', occurredAt: t, author: 'customer', text: customerFollowup(rng, followTone) });
          negativeTurns ||= followTone === 'negative' || followTone === 'angry';
        }
      }
      const escalate = looping || rng.chance(pEscalate);
      let csatMean = noisy ? 4.1 : 4.6 - 3 * s;
      if (!escalate) {
        t += rng.int(2, 30) * MIN;
        if (!negativeTurns && !rng.chance(s)) emit({ ...base, type: 'ticket.message', occurredAt: t, author: 'customer', text: customerFollowup(rng, 'positive') });
        emit({ ...base, type: 'ticket.resolved', occurredAt: t + MIN, author: 'ai' });
        t += MIN;
      } else {
        t += rng.int(1, 10) * MIN;
        emit({ ...base, type: 'ticket.escalated', occurredAt: t });
        t += (s > 0.3 ? rng.range(1, 8) * HOUR : rng.range(10, 90) * MIN);
        emit({ ...base, type: 'ticket.message', occurredAt: t, author: 'agent', text: agentReply(rng) });
        t += rng.range(1, 6) * HOUR;
        emit({ ...base, type: 'ticket.resolved', occurredAt: t, author: 'agent' });
        csatMean -= 0.4;
        const pReopen = 0.04 + 0.4 * s;
        if (rng.chance(pReopen)) {
          t += rng.range(4, 30) * HOUR;
          emit({ ...base, type: 'ticket.reopened', occurredAt: t });
          emit({ ...base, type: 'ticket.message', occurredAt: t + MIN, author: 'customer', text: customerFollowup(rng, s > 0.5 ? 'angry' : 'negative') });
          t += rng.range(1, 4) * HOUR;
          emit({ ...base, type: 'ticket.escalated', occurredAt: t });
          t += rng.range(1, 6) * HOUR;
          emit({ ...base, type: 'ticket.message', occurredAt: t, author: 'agent', text: agentReply(rng) });
          t += rng.range(1, 12) * HOUR;
          emit({ ...base, type: 'ticket.resolved', occurredAt: t, author: 'agent' });
          csatMean -= 0.8;
        }
      }
      if (rng.chance(S.csatResponseRate)) {
        const csat = Math.max(1, Math.min(5, Math.round(csatMean + rng.range(-1, 1))));
        emit({ ...base, type: 'ticket.csat', occurredAt: t + rng.range(0.2, 6) * HOUR, csat });
      }
    };

    const stopAt = plan.role === 'souring' && plan.kind === 'churn' ? plan.eventAt : endMs;
    for (let d = 0; d < opts.days; d++) {
      const dayStart = opts.startMs + d * DAY;
      if (dayStart >= stopAt) break;
      const weekday = new Date(dayStart).getUTCDay();
      const weekend = weekday === 0 || weekday === 6;
      const s = souring(dayStart + 12 * HOUR);
      let mean = plan.rate * (weekend ? S.weekendRate : 1) * (1 + (S.souringRateLift - 1) * s);
      if (plan.role === 'noisy' && rng.chance(0.12)) mean *= 3; // bursty: an occasional busy day
      const n = rng.poisson(mean);
      for (let k = 0; k < n; k++) {
        const at = dayStart + rng.range(7, 20) * HOUR;
        if (at < stopAt) ticket(at);
      }
    }
    if (spikeSet.has(acct)) {
      const n = rng.int(1, 2);
      for (let k = 0; k < n; k++) {
        const at = spikeStart + rng.range(0, S.spikeHours) * HOUR;
        if (at < stopAt) ticket(at, { error: `Error 502: upstream timed out (request id ${rng.hex(12)})`, tone: rng.chance(0.6) ? 'neutral' : 'negative' });
      }
    }
    if (plan.role === 'souring' && plan.eventAt < endMs) {
      const ticketId = `${acct}-t${++ticketNo}`;
      const base = { accountId: acct, ticketId, category: 'account', channel: 'email' };
      emit({ ...base, type: 'ticket.created', occurredAt: plan.eventAt, text: plan.kind === 'churn' ? 'Contract renewal' : 'Executive escalation' });
      emit({ ...base, type: 'ticket.message', occurredAt: plan.eventAt + 1000, author: 'customer', text: finalMessage(rng, plan.kind) });
      if (plan.kind === 'escalation') emit({ ...base, type: 'ticket.escalated', occurredAt: plan.eventAt + 2000, tags: ['executive-escalation'] });
    }
  }

  events.sort((a, b) => a.occurredAt - b.occurredAt || (a.id < b.id ? -1 : 1));
  const souringPlans = plans.filter((p) => p.role === 'souring' && p.eventAt < endMs);
  return {
    accounts: plans.map((p) => p.account),
    events,
    truth: {
      souring: souringPlans.map((p) => ({ accountId: p.account.accountId, eventAt: Math.round(p.eventAt), kind: p.kind, souringFrom: Math.round(p.souringFrom) })),
      healthy: plans.filter((p) => p.role === 'healthy').map((p) => p.account.accountId),
      noisyHealthy: plans.filter((p) => p.role === 'noisy').map((p) => p.account.accountId),
      spike: { clusterTemplate: SPIKE_TEMPLATE, startMs: spikeStart, endMs: spikeEnd, accountIds: spikeAccounts },
    },
  };
}
