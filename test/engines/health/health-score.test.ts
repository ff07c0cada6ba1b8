import { describe, expect, it } from 'vitest';
import type { Account } from '../../../src/events/types.js';
import { advanceTo, applyEvent, newAccountState, setIncidentExposure, type AccountState } from '../../../src/engines/health/account-state.js';
import type { HealthConfig } from '../../../src/engines/health/config.js';
import { bandOf, COMPONENT_NAMES, explainHealth, measureHealth, readHealthInputs, scoreAccount } from '../../../src/engines/health/health-score.js';
import type { LearnerModel } from '../../../src/engines/health/learner-model.js';
import { cfg, DAY, ev, T0 } from './helpers.js';

/** A steady account for 30 days: a ticket every day, pleasant messages, a good CSAT now and then. */
function steady(c: HealthConfig, days = 30): AccountState {
  const s = newAccountState('acct-1', c);
  for (let d = 0; d < days; d++) {
    const t = `s${d}`;
    applyEvent(s, ev('ticket.created', d + 0.4, { ticketId: t }), {}, c);
    applyEvent(s, ev('ticket.message', d + 0.41, { ticketId: t, author: 'customer', text: 'hi' }), { sentiment: 0.3 }, c);
    applyEvent(s, ev('ticket.message', d + 0.42, { ticketId: t, author: 'ai', text: 'hello' }), {}, c);
    applyEvent(s, ev('ticket.resolved', d + 0.43, { ticketId: t, author: 'ai' }), {}, c);
    if (d % 5 === 0) applyEvent(s, ev('ticket.csat', d + 0.5, { ticketId: t, csat: 5 }), {}, c);
    advanceTo(s, T0 + (d + 1) * DAY, c);
  }
  return s;
}

const component = (r: ReturnType<typeof scoreAccount>, name: string) => r.components.find((x) => x.name === name)!;

describe('health score', () => {
  it('scores a steady account healthy, with every component explained and nothing taken off', () => {
    const c = cfg();
    const r = scoreAccount(steady(c), undefined, T0 + 30 * DAY, c);
    expect(r.band).toBe('healthy');
    expect(r.components.map((x) => x.name)).toEqual([...COMPONENT_NAMES]);
    for (const x of r.components) expect(x.sentence.length).toBeGreaterThan(10);
    expect(r.features).toHaveLength(COMPONENT_NAMES.length);
    expect(r.suggestedAction).toBe('No action needed.');
  });

  it('explains a sentiment slide with the numbers a success manager needs', () => {
    const c = cfg();
    const s = steady(c, 23);
    for (let d = 23; d < 30; d++) {
      for (let k = 0; k < 2; k++) {
        const t = `bad${d}${k}`;
        applyEvent(s, ev('ticket.created', d + 0.3 + k * 0.1, { ticketId: t }), {}, c);
        applyEvent(s, ev('ticket.message', d + 0.31 + k * 0.1, { ticketId: t, author: 'customer', text: 'bad' }), { sentiment: -0.4 }, c);
      }
      advanceTo(s, T0 + (d + 1) * DAY, c);
    }
    const r = scoreAccount(s, undefined, T0 + 30 * DAY - 1, c);
    const sent = component(r, 'sentiment');
    expect(sent.sentence).toBe('sentiment fell from its usual +0.30 to \u22120.40 over 7 days across 14 messages');
    expect(sent.contribution).toBeLessThan(-10);
    expect(r.topReasons[0]).toBe(sent.sentence);
    expect(r.trends.sentimentSlope7).toBeCloseTo(-0.7 / 7, 2);
    expect(r.trends.sentimentSlope30!).toBeLessThan(0);
    expect(r.trends.sentimentLevel!).toBeLessThan(0);
    const tickets = component(r, 'ticketRate');
    expect(tickets.sentence).toMatch(/^14 tickets in the last 7 days against a usual 7 \(1\.\d+x\)$/);
    expect(tickets.risk).toBeGreaterThan(0);
    expect(r.score).toBeLessThan(scoreAccount(steady(c), undefined, T0 + 30 * DAY - 1, c).score);
  });

  it('judges a sentiment fall against the account\'s own usual tone and its number of messages', () => {
    const c = cfg();
    /** 15 days at `usual`, a quiet week, then `recent` for the messages of the last days. */
    const account = (usual: number, recent: number, recentMessages: number) => {
      const s = newAccountState('acct-1', c);
      for (let d = 0; d < 15; d++) {
        applyEvent(s, ev('ticket.created', d + 0.4, { ticketId: `u${d}` }), {}, c);
        applyEvent(s, ev('ticket.message', d + 0.41, { ticketId: `u${d}`, author: 'customer', text: 'x' }), { sentiment: usual }, c);
        advanceTo(s, T0 + (d + 1) * DAY, c);
      }
      for (let k = 0; k < recentMessages; k++) {
        applyEvent(s, ev('ticket.created', 21 + k * 0.5, { ticketId: `r${k}` }), {}, c);
        applyEvent(s, ev('ticket.message', 21.01 + k * 0.5, { ticketId: `r${k}`, author: 'customer', text: 'y' }), { sentiment: recent }, c);
      }
      advanceTo(s, T0 + 24 * DAY, c);
      return component(scoreAccount(s, undefined, T0 + 24 * DAY, c), 'sentiment');
    };
    const calm = account(0.5, -0.3, 4);
    const usuallyBlunt = account(-0.1, -0.3, 4);
    expect(calm.risk).toBeGreaterThan(usuallyBlunt.risk);
    expect(calm.sentence).toBe('sentiment fell from its usual +0.50 to \u22120.30 over 7 days across 4 messages');
    // The same fall shown by more messages is surer.
    expect(account(0.5, -0.3, 6).risk).toBeGreaterThan(account(0.5, -0.3, 2).risk);
  });

  it('counts agreeing weak signs for more than the same signs apart (corroboration)', () => {
    const c = cfg();
    const now = T0 + 21 * DAY;
    const withEscalations = (s: AccountState) => {
      for (let k = 0; k < 4; k++) applyEvent(s, ev('ticket.escalated', 20 + k * 0.2, { ticketId: `x${k}` }), {}, c);
      return s;
    };
    const withCsat = (s: AccountState) => {
      for (let k = 0; k < 4; k++) applyEvent(s, ev('ticket.csat', 20 + k * 0.2, { ticketId: `c${k}`, csat: 2 }), {}, c);
      return s;
    };
    const base = scoreAccount(steady(c, 20), undefined, now, c).score;
    const esc = base - scoreAccount(withEscalations(steady(c, 20)), undefined, now, c).score;
    const csat = base - scoreAccount(withCsat(steady(c, 20)), undefined, now, c).score;
    const both = scoreAccount(withCsat(withEscalations(steady(c, 20))), undefined, now, c);
    expect(esc).toBeGreaterThan(0);
    expect(csat).toBeGreaterThan(0);
    expect(base - both.score).toBeGreaterThan(esc + csat + 0.5);
    const none = scoreAccount(withCsat(withEscalations(steady(c, 20))), undefined, now, { ...c, corroboration: 0 });
    expect(base - none.score).toBeCloseTo(esc + csat, 0);
    // Contributions still explain the whole distance from 100.
    const total = both.components.reduce((a, x) => a + x.contribution, 0);
    expect(Math.abs(100 + total - both.score)).toBeLessThan(0.6);
  });

  it('judges escalations in standard deviations of chance: a busy account\'s usual hand-offs add nothing, a quiet account\'s extra ones do', () => {
    const c = cfg();
    /** 31 days of `perDay` tickets, every `escEvery`-th escalated; then `extra` more escalations on day 30. */
    const account = (perDay: number, escEvery: number, extra: number) => {
      const s = newAccountState('acct-1', c);
      let k = 0;
      for (let d = 0; d < 31; d++) {
        for (let j = 0; j < perDay; j++) {
          const t = `t${k++}`;
          applyEvent(s, ev('ticket.created', d + 0.3 + j * 0.01, { ticketId: t }), {}, c);
          applyEvent(s, ev('ticket.message', d + 0.3 + j * 0.01, { ticketId: t, author: 'customer', text: 'x' }), { sentiment: 0.3 }, c);
          if (k % escEvery === 0) applyEvent(s, ev('ticket.escalated', d + 0.31 + j * 0.01, { ticketId: t }), {}, c);
        }
        advanceTo(s, T0 + (d + 1) * DAY - 1, c);
      }
      for (let j = 0; j < extra; j++) applyEvent(s, ev('ticket.escalated', 30.5 + j * 0.01, { ticketId: `x${j}` }), {}, c);
      advanceTo(s, T0 + 31 * DAY - 1, c);
      return component(scoreAccount(s, undefined, T0 + 31 * DAY - 1, c), 'escalations');
    };
    // A busy account handing off its usual 10% adds no risk, and three more in two weeks are within chance for it.
    expect(account(6, 10, 0).risk).toBe(0);
    const busy = account(6, 10, 3);
    // A quiet account (one ticket a day, hardly ever handed off) with the same three extra is surprising.
    const quiet = account(1, 50, 3);
    expect(busy.risk).toBe(0);
    expect(quiet.risk).toBeGreaterThan(0);
    // Surer with more of them.
    expect(account(1, 50, 5).risk).toBeGreaterThan(quiet.risk);
    expect(quiet.sentence).toMatch(/^\d+ escalations to a human in the last 14 days across 14 new tickets \(usually \d+% of tickets, [\d.]+ expected\)$/);
  });

  it('counts a CSAT fall against the account\'s own earlier responses even while the mean is still good', () => {
    const c = cfg();
    /** 30 days; 5s on days 0..14 (`old` of them), then `recent` responses of `score` in the escalation window. */
    const account = (old: number, recent: number, score: number) => {
      const s = steady(c, 30);
      // steady() answers 5 every fifth day; replace nothing, add responses on top.
      for (let k = 0; k < old; k++) applyEvent(s, ev('ticket.csat', 2 + k, { ticketId: `o${k}`, csat: 5 }), {}, c);
      for (let k = 0; k < recent; k++) applyEvent(s, ev('ticket.csat', 20 + k, { ticketId: `r${k}`, csat: score }), {}, c);
      return component(scoreAccount(s, undefined, T0 + 30 * DAY - 1, c), 'csat');
    };
    const falling = account(6, 4, 3);
    expect(falling.value).toBeGreaterThanOrEqual(c.csatGood); // the 45-day mean alone says "fine"
    expect(falling.risk).toBeGreaterThan(0);
    expect(falling.sentence).toMatch(/, down to [\d.]+ over \d+ responses in the last 14 days from 5$/);
    // The same scores as always add nothing; the same fall on fewer responses is less sure.
    expect(account(6, 4, 5).risk).toBe(0);
    expect(account(6, 1, 3).risk).toBeLessThan(falling.risk);
  });

  it('explains escalations, re-escalations, CSAT, AI loops, silence and incidents', () => {
    const c = cfg();
    const s = steady(c, 20);
    for (let k = 0; k < 6; k++) {
      const t = `e${k}`;
      const d = 21 + k;
      applyEvent(s, ev('ticket.created', d, { ticketId: t }), {}, c);
      for (let a = 0; a < c.aiLoopTurns; a++) applyEvent(s, ev('ticket.message', d + 0.01 * a, { ticketId: t, author: 'ai', text: 'again' }), {}, c);
      applyEvent(s, ev('ticket.escalated', d + 0.1, { ticketId: t }), {}, c);
      applyEvent(s, ev('ticket.resolved', d + 0.2, { ticketId: t, author: 'agent' }), {}, c);
      if (k < 3) applyEvent(s, ev('ticket.reopened', d + 0.3, { ticketId: t }), {}, c);
      applyEvent(s, ev('ticket.csat', d + 0.4, { ticketId: t, csat: 1 }), {}, c);
    }
    setIncidentExposure(s, 'inc-1', true, T0 + 26 * DAY);
    advanceTo(s, T0 + 27 * DAY, c);
    const r = scoreAccount(s, undefined, T0 + 27 * DAY, c);
    expect(component(r, 'escalations').sentence).toMatch(/^6 escalations to a human in the last 14 days across 12 new tickets \(usually \d+% of tickets, [\d.]+ expected\)$/);
    expect(component(r, 'escalations').risk).toBe(1);
    expect(component(r, 'reEscalations').sentence).toMatch(/^3 tickets reopened or escalated again after a human resolved them in the last 14 days/);
    expect(component(r, 'csat').sentence).toMatch(/^CSAT [\d.]+ from 10 responses in 45 days, down to 1.6 over 7 responses in the last 14 days from 5$/);
    expect(component(r, 'aiLoops').sentence).toMatch(/^6 tickets where the AI replied 4\+ times/);
    expect(component(r, 'incidents').sentence).toBe('hit by 1 open incident affecting many accounts');
    expect(component(r, 'silence').sentence).toBe('last customer contact 1 day ago');
    const later = scoreAccount(s, undefined, T0 + 60 * DAY, c);
    expect(component(later, 'silence').sentence).toBe('last customer contact 34 days ago');
    expect(component(later, 'silence').risk).toBeGreaterThan(0);
    // Contributions explain the whole distance from 100 (up to rounding).
    const total = r.components.reduce((a, x) => a + x.contribution, 0);
    expect(Math.abs(100 + total - r.score)).toBeLessThan(0.6);
    expect(['at-risk', 'critical']).toContain(r.band);
    expect(r.topReasons.length).toBeLessThanOrEqual(c.maxTopReasons);
  });

  it('bands by the configured thresholds', () => {
    const c = cfg();
    expect(bandOf(c.bands.healthy, c)).toBe('healthy');
    expect(bandOf(c.bands.healthy - 0.1, c)).toBe('watch');
    expect(bandOf(c.bands.watch - 0.1, c)).toBe('at-risk');
    expect(bandOf(c.bands.atRisk - 0.1, c)).toBe('critical');
    const strict = { ...c, bands: { healthy: 99, watch: 98, atRisk: 97 } };
    expect(bandOf(90, strict)).toBe('critical');
  });

  it('raises priority for tier, ARR, renewal and the churn flag without changing health', () => {
    const c = cfg();
    const s = steady(c, 20);
    for (let k = 0; k < 5; k++) applyEvent(s, ev('ticket.escalated', 20 + k * 0.2, { ticketId: `x${k}` }), {}, c);
    const now = T0 + 21 * DAY;
    const starter: Account = { accountId: 'acct-1', name: 'Small', tier: 'starter', arr: 5000 };
    const enterprise: Account = { accountId: 'acct-1', name: 'Big', tier: 'enterprise', arr: 800_000, renewalDate: new Date(now + 10 * DAY).toISOString().slice(0, 10), churnRisk: true };
    const a = scoreAccount(s, starter, now, c);
    const b = scoreAccount(s, enterprise, now, c);
    expect(b.score).toBe(a.score);
    expect(b.priority).toBeGreaterThan(a.priority * 2);
    expect(b.priorityReasons.join(' | ')).toMatch(/enterprise tier.*ARR \$800k.*renews in 10 days.*churn risk/);
  });

  it('blends a deployed learner in as one more explained component', () => {
    const c = cfg();
    const s = steady(c);
    const model: LearnerModel = {
      name: 'health-learner', version: 't1', kind: 'logistic', featureNames: [...COMPONENT_NAMES],
      weights: COMPONENT_NAMES.map(() => 0), bias: 2, metrics: { auc: 0.8, brier: 0.1, calibration: [], n: 50 }, trainedOn: 100,
    };
    const plain = scoreAccount(s, undefined, T0 + 30 * DAY, c);
    const blended = scoreAccount(s, undefined, T0 + 30 * DAY, c, model);
    const learned = blended.components.find((x) => x.name === 'learned')!;
    expect(learned.value).toBeCloseTo(1 / (1 + Math.exp(-2)), 2);
    expect(learned.weight).toBe(c.learner.blend);
    expect(blended.score).toBeLessThan(plain.score);
    expect(learned.sentence).toMatch(/outcome model \(t1, trained on 100 outcomes\) puts the risk .* at 88%/);
  });

  it('measures the same headline numbers as the explained score, and explains the inputs as they were when read', () => {
    const c = cfg();
    // a seeded random walk of events over 40 days, read at random points, sometimes with a learner
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const model: LearnerModel = {
      name: 'health-learner', version: 'test', kind: 'logistic', featureNames: [...COMPONENT_NAMES],
      weights: COMPONENT_NAMES.map((_, i) => 0.5 + i / 4), bias: -2, metrics: { auc: 0.8, brier: 0.1, calibration: [], n: 10 }, trainedOn: 10,
    };
    const types = ['ticket.created', 'ticket.message', 'ticket.escalated', 'ticket.resolved', 'ticket.reopened', 'ticket.csat'] as const;
    const authors = ['customer', 'ai', 'agent'] as const;
    let checked = 0;
    for (let account = 0; account < 20; account++) {
      const s = newAccountState(`acct-${account}`, c);
      let t = 0;
      while (t < 40) {
        t += rand() * rand() * 0.6;
        const type = types[Math.floor(rand() * types.length)]!;
        const author = authors[Math.floor(rand() * authors.length)]!;
        const ticketId = `t${Math.floor(rand() * 12)}`;
        applyEvent(s, ev(type, t, { accountId: s.accountId, ticketId, author, csat: 1 + Math.floor(rand() * 5) }), { sentiment: rand() * 2 - 1, frustration: rand() < 0.2 }, c);
        if (rand() < 0.02) setIncidentExposure(s, `inc-${Math.floor(rand() * 3)}`, rand() < 0.7, T0 + t * DAY);
        if (rand() < 0.1) {
          const at = T0 + Math.round((t + rand() * 0.5) * DAY);
          advanceTo(s, at, c);
          const learner = rand() < 0.3 ? model : undefined;
          const inputs = readHealthInputs(s, at, c);
          const m = measureHealth(inputs, c, learner);
          const full = scoreAccount(s, undefined, at, c, learner);
          expect(m).toEqual({ accountId: full.accountId, score: full.score, band: full.band, sentiment: full.sentiment, ticketsToday: full.ticketsToday });
          // the inputs explain the score as of when they were read, whatever happened to the state since
          applyEvent(s, ev('ticket.escalated', t + 0.01, { accountId: s.accountId, ticketId: 'later' }), {}, c);
          expect(explainHealth(inputs, undefined, c, learner)).toEqual(full);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
