import { describe, expect, it } from 'vitest';
import { generateScenario } from '../../src/scenario/generate.js';

const opts = { seed: 7, accounts: 120, days: 35, startMs: Date.UTC(2026, 2, 2) };
const DAY = 86_400_000;

describe('scenario generator', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateScenario(opts);
    const b = generateScenario(opts);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const c = generateScenario({ ...opts, seed: 8 });
    expect(JSON.stringify(c.events.slice(0, 50))).not.toBe(JSON.stringify(a.events.slice(0, 50)));
  });

  it('emits events sorted by time with unique ids, inside the scenario period', () => {
    const { events } = generateScenario(opts);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    for (let i = 1; i < events.length; i++) expect(events[i]!.occurredAt).toBeGreaterThanOrEqual(events[i - 1]!.occurredAt);
    expect(events[0]!.occurredAt).toBeGreaterThanOrEqual(opts.startMs);
    expect(events.at(-1)!.occurredAt).toBeLessThan(opts.startMs + opts.days * DAY);
    for (const e of events) {
      expect(Number.isInteger(e.occurredAt)).toBe(true);
      if (e.type !== 'error.reported') expect(e.ticketId).toBeTruthy();
      if (e.type === 'ticket.csat') expect(e.csat).toBeGreaterThanOrEqual(1);
    }
  });

  it('has accounts of every tier with owners, ARR and renewal dates', () => {
    const { accounts } = generateScenario(opts);
    expect(new Set(accounts.map((a) => a.tier))).toEqual(new Set(['enterprise', 'growth', 'starter']));
    expect(new Set(accounts.map((a) => a.name)).size).toBe(accounts.length);
    for (const a of accounts) {
      expect(a.owner?.name).toBeTruthy();
      expect(a.arr).toBeGreaterThan(0);
      expect(a.renewalDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('writes varied, realistic customer texts carrying real-looking errors', () => {
    const { events } = generateScenario(opts);
    const texts = events.filter((e) => e.author === 'customer').map((e) => e.text!);
    expect(new Set(texts).size).toBeGreaterThan(texts.length * 0.3);
    expect(texts.some((t) => /Error 50\d: .+ \(request id [0-9a-f]{12}\)/.test(t))).toBe(true);
    expect(texts.some((t) => /^\s+at .+:\d+:\d+\)$/m.test(t))).toBe(true);
    expect(texts.some((t) => /HTTP\/1\.1 \d{3} /.test(t))).toBe(true);
    expect(events.some((e) => e.author === 'ai') && events.some((e) => e.author === 'agent')).toBe(true);
  });

  it('tells the truth it claims: souring accounts end in their event, the spike hits many accounts within hours', () => {
    const sc = generateScenario(opts);
    const { souring, healthy, noisyHealthy, spike } = sc.truth;
    expect(souring.length).toBeGreaterThan(0);
    expect(noisyHealthy.length).toBeGreaterThan(0);
    expect(healthy.length + noisyHealthy.length + souring.length).toBe(opts.accounts);
    for (const s of souring) {
      const last = sc.events.filter((e) => e.accountId === s.accountId && e.occurredAt >= s.eventAt);
      expect(last.length).toBeGreaterThan(0);
      if (s.kind === 'escalation') expect(last.some((e) => e.type === 'ticket.escalated' && e.tags?.includes('executive-escalation'))).toBe(true);
    }
    const hits = sc.events.filter((e) => e.occurredAt >= spike.startMs && e.occurredAt <= spike.endMs && e.error?.startsWith('Error 502: upstream timed out'));
    const hitAccounts = new Set(hits.map((e) => e.accountId));
    expect(hitAccounts.size).toBeGreaterThan(opts.accounts * 0.15);
    expect(spike.endMs - spike.startMs).toBeLessThanOrEqual(6 * 3_600_000);
  });
});
