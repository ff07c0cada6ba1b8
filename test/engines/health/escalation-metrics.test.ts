import { describe, expect, it } from 'vitest';
import { EscalationMetrics } from '../../../src/engines/health/escalation-metrics.js';
import type { VigilEvent } from '../../../src/events/types.js';
import { T0 } from './helpers.js';

const MIN = 60_000;
let n = 0;
const e = (type: VigilEvent['type'], min: number, ticketId: string, extra: Partial<VigilEvent> = {}): VigilEvent => ({
  id: `m${++n}`, type, occurredAt: T0 + min * MIN, accountId: extra.accountId ?? 'a1', ticketId, ...extra,
});

function script(): VigilEvent[] {
  return [
    // t1: AI resolves it.
    e('ticket.created', 0, 't1', { category: 'billing' }),
    e('ticket.message', 1, 't1', { author: 'ai', text: 'x' }),
    e('ticket.resolved', 2, 't1'),
    // t2: escalated, a human answers after 10 min and resolves at the first contact; CSAT 2.
    e('ticket.created', 0, 't2', { category: 'access' }),
    e('ticket.escalated', 5, 't2'),
    e('ticket.message', 15, 't2', { author: 'agent', text: 'fixed' }),
    e('ticket.resolved', 20, 't2', { author: 'agent' }),
    e('ticket.csat', 30, 't2', { csat: 2 }),
    // t3: escalated, human after 30 min, resolved, then reopened: a re-escalation, not first-contact.
    e('ticket.created', 0, 't3', { category: 'access', accountId: 'a2' }),
    e('ticket.escalated', 10, 't3', { accountId: 'a2' }),
    e('ticket.message', 40, 't3', { author: 'agent', text: 'try this', accountId: 'a2' }),
    e('ticket.resolved', 50, 't3', { author: 'agent', accountId: 'a2' }),
    e('ticket.reopened', 90, 't3', { accountId: 'a2' }),
    e('ticket.csat', 95, 't3', { csat: 4, accountId: 'a2' }),
    // t4: still open with the AI.
    e('ticket.created', 0, 't4', { category: 'billing' }),
  ];
}

describe('escalation metrics', () => {
  it('computes the weekly review numbers overall, per category and per account', () => {
    const m = new EscalationMetrics();
    for (const ev of script()) m.add(ev);
    const s = m.summary();
    expect(s.overall).toEqual({
      tickets: 4,
      escalationRate: 0.5,
      aiResolutionRate: 0.25,
      reEscalationRate: 0.5,
      csatAtHandoff: 3,
      medianTimeToHumanMs: 20 * MIN,
      firstContactResolutionRate: 0.5,
    });
    expect(s.byCategory['access']!.escalationRate).toBe(1);
    expect(s.byCategory['billing']!.aiResolutionRate).toBe(0.5);
    expect(s.byAccount.map((a) => a.accountId)).toEqual(['a1', 'a2']);
    expect(s.byAccount[1]!.reEscalationRate).toBe(1);
  });

  it('takes back an AI resolution when the ticket is escalated afterwards', () => {
    const m = new EscalationMetrics();
    m.add(e('ticket.created', 0, 'x'));
    m.add(e('ticket.resolved', 1, 'x'));
    expect(m.summary().overall.aiResolutionRate).toBe(1);
    m.add(e('ticket.escalated', 2, 'x'));
    expect(m.summary().overall.aiResolutionRate).toBe(0);
    expect(m.summary().overall.escalationRate).toBe(1);
  });

  it('restores from JSON and carries on counting identically', () => {
    const events = script();
    const a = new EscalationMetrics();
    const half = Math.floor(events.length / 2);
    for (const ev of events.slice(0, half)) a.add(ev);
    const b = EscalationMetrics.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    for (const ev of events.slice(half)) {
      a.add(ev);
      b.add(ev);
    }
    expect(b.summary()).toEqual(a.summary());
  });

  it('snapshots a ticket changed since the previous snapshot as it is now (rows of unchanged tickets are reused)', () => {
    const events = script();
    const live = new EscalationMetrics();
    for (let i = 0; i < events.length; i++) {
      live.add(events[i]!);
      // a snapshot after every event: a stale row would lose this event in the restored copy
      const restored = EscalationMetrics.fromJSON(JSON.parse(JSON.stringify(live.toJSON())));
      const ahead = new EscalationMetrics();
      for (const ev of events.slice(0, i + 1)) ahead.add(ev);
      for (const ev of events.slice(i + 1)) {
        restored.add(ev);
        ahead.add(ev);
      }
      expect(restored.summary()).toEqual(ahead.summary());
    }
  });

  it('restores a snapshot of the older form (tickets as an array of objects)', () => {
    const events = script();
    const half = Math.floor(events.length / 2);
    const a = new EscalationMetrics();
    for (const ev of events.slice(0, half)) a.add(ev);
    const json = JSON.parse(JSON.stringify(a.toJSON())) as { tickets: string };
    const rows = JSON.parse(json.tickets) as Array<[string, string, number, number, number, number, number]>;
    const older = {
      ...json,
      tickets: rows.map(([k, category, escalatedAt, humanAt, agentMessages, flags, lastAt]) => ({
        k,
        t: { account: k.split('\u0000')[0], category, escalatedAt, humanAt, agentMessages, resolved: (flags & 1) !== 0, humanResolved: (flags & 2) !== 0, fcr: (flags & 4) !== 0, reEscalated: (flags & 8) !== 0, lastAt },
      })),
    };
    const b = EscalationMetrics.fromJSON(older as never);
    for (const ev of events.slice(half)) {
      a.add(ev);
      b.add(ev);
    }
    expect(b.summary()).toEqual(a.summary());
    expect(b.toJSON()).toEqual(a.toJSON());
  });
});
