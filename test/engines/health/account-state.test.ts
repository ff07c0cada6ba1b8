import { describe, expect, it } from 'vitest';
import {
  advanceTo,
  applyEvent,
  messageSentiment,
  newAccountState,
  readTickets,
  restoreAccountState,
  setIncidentExposure,
  sumDays,
  windowSums,
  W_ALL,
  W_RECENT,
  WindowSums,
} from '../../../src/engines/health/account-state.js';
import { cfg, DAY, ev, T0 } from './helpers.js';

const today = (offset: number) => Math.floor((T0 + offset * DAY) / DAY);

describe('account state', () => {
  it('moves sentiment only for customer-written messages', () => {
    const c = cfg();
    const s = newAccountState('acct-1', c);
    applyEvent(s, ev('ticket.message', 0, { ticketId: 't1', author: 'ai', text: 'x' }), { sentiment: -0.9 }, c);
    applyEvent(s, ev('ticket.message', 0, { ticketId: 't1', author: 'agent', text: 'x' }), { sentiment: -0.9 }, c);
    expect(s.sentW).toBe(0);
    applyEvent(s, ev('ticket.message', 0.1, { ticketId: 't1', author: 'customer', text: 'x' }), { sentiment: -0.5 }, c);
    expect(s.sentS / s.sentW).toBeCloseTo(-0.5, 5);
    expect(sumDays(s, 'sentN', today(0), 1)).toBe(1);
  });

  it('counts a message the analyzer flags as frustrated no better than the configured floor', () => {
    const c = cfg();
    expect(messageSentiment(0.2, true, c)).toBe(c.frustratedSentiment);
    expect(messageSentiment(-0.9, true, c)).toBe(-0.9);
    expect(messageSentiment(0.2, false, c)).toBe(0.2);
    expect(messageSentiment(3, undefined, c)).toBe(1);
    const s = newAccountState('acct-1', c);
    applyEvent(s, ev('ticket.message', 0.1, { ticketId: 't1', author: 'customer', text: 'please escalate' }), { sentiment: 0.1, frustration: true }, c);
    expect(s.sentS / s.sentW).toBeCloseTo(c.frustratedSentiment, 5);
  });

  it('counts a re-escalation only when a ticket comes back after a human resolved it', () => {
    const c = cfg();
    const s = newAccountState('acct-1', c);
    applyEvent(s, ev('ticket.created', 0, { ticketId: 'a' }), {}, c);
    applyEvent(s, ev('ticket.resolved', 0.1, { ticketId: 'a', author: 'ai' }), {}, c);
    applyEvent(s, ev('ticket.reopened', 0.2, { ticketId: 'a' }), {}, c);
    expect(sumDays(s, 'reEscalations', today(0), 1)).toBe(0); // the AI had resolved it
    applyEvent(s, ev('ticket.escalated', 0.3, { ticketId: 'a' }), {}, c);
    applyEvent(s, ev('ticket.message', 0.35, { ticketId: 'a', author: 'agent', text: 'fixed' }), {}, c);
    applyEvent(s, ev('ticket.resolved', 0.4, { ticketId: 'a', author: 'agent' }), {}, c);
    applyEvent(s, ev('ticket.reopened', 0.5, { ticketId: 'a' }), {}, c);
    expect(sumDays(s, 'reEscalations', today(0), 1)).toBe(1);
    expect(sumDays(s, 'escalations', today(0), 1)).toBe(1);
  });

  it('counts an AI loop once per ticket after the configured number of AI turns', () => {
    const c = cfg();
    const s = newAccountState('acct-1', c);
    for (let k = 0; k < c.aiLoopTurns + 3; k++) applyEvent(s, ev('ticket.message', 0.01 * k, { ticketId: 'L', author: 'ai', text: 'try again' }), {}, c);
    expect(sumDays(s, 'loops', today(0), 1)).toBe(1);
    for (let k = 0; k < c.aiLoopTurns - 1; k++) applyEvent(s, ev('ticket.message', 0.2, { ticketId: 'M', author: 'ai', text: 'try again' }), {}, c);
    expect(sumDays(s, 'loops', today(0), 1)).toBe(1);
  });

  it('scrolls its daily window in event time and ignores events older than the window', () => {
    const c = cfg();
    const s = newAccountState('acct-1', c);
    applyEvent(s, ev('ticket.created', 0, { ticketId: 'a' }), {}, c);
    applyEvent(s, ev('ticket.created', 10, { ticketId: 'b' }), {}, c);
    expect(windowSums(s, today(10), c).get('tickets', W_ALL)).toBe(2);
    expect(windowSums(s, today(10), c).get('tickets', W_RECENT)).toBe(1);
    advanceTo(s, T0 + (c.windowDays + 5) * DAY, c);
    expect(sumDays(s, 'tickets', today(c.windowDays + 5), c.windowDays)).toBe(1); // day 0 has scrolled out
    applyEvent(s, ev('ticket.created', 1, { ticketId: 'late' }), {}, c);
    expect(sumDays(s, 'tickets', today(c.windowDays + 5), c.windowDays)).toBe(1);
  });

  it('keeps a bounded set of tickets and open incidents', () => {
    const c = cfg();
    const s = newAccountState('acct-1', c);
    for (let k = 0; k < 30; k++) applyEvent(s, ev('ticket.created', k * 0.1, { ticketId: `t-${k}-${'x'.repeat(30)}` }), {}, c);
    expect(readTickets(s.tickets.toString()).length).toBe(c.maxTrackedTickets);
    for (let k = 0; k < 9; k++) setIncidentExposure(s, `inc-${k}`, true, T0 + k, c);
    expect(Object.keys(s.incidents).length).toBe(c.maxTrackedIncidents);
    expect(s.incidents['inc-8']).toBeDefined(); // the newest are kept
    setIncidentExposure(s, 'inc-8', false, T0 + 10, c);
    expect(s.incidents['inc-8']).toBeUndefined();
  });

  it('survives a JSON round trip and stays under 2 KB after a busy month', () => {
    const c = cfg();
    const s = newAccountState('acct-busy', c);
    for (let d = 0; d < 60; d++) {
      for (let k = 0; k < 12; k++) {
        const t = `ticket-${d}-${k}-4f1c2a9e-3b7d-4c55-9d1e-8a6b2c3d4e5f`;
        const day = d + k / 24;
        applyEvent(s, ev('ticket.created', day, { ticketId: t }), {}, c);
        applyEvent(s, ev('ticket.message', day, { ticketId: t, author: 'customer', text: 'x' }), { sentiment: ((d * 7 + k) % 13) / 6.5 - 1 }, c);
        if (k % 3 === 0) applyEvent(s, ev('ticket.escalated', day, { ticketId: t }), {}, c);
        if (k % 4 === 0) applyEvent(s, ev('ticket.csat', day, { ticketId: t, csat: 1 + (k % 5) }), {}, c);
      }
      advanceTo(s, T0 + (d + 1) * DAY, c);
    }
    setIncidentExposure(s, 'incident-7f3a9c', true, T0 + 59 * DAY, c);
    const json = JSON.stringify(s);
    expect(json.length).toBeLessThanOrEqual(2048);
    expect(json).not.toMatch(/NaN|Infinity|null/);
    const back = restoreAccountState(JSON.parse(json));
    expect(JSON.stringify(back)).toBe(json);
    applyEvent(back, ev('ticket.created', 60.5, { ticketId: 'next' }), {}, c);
    applyEvent(s, ev('ticket.created', 60.5, { ticketId: 'next' }), {}, c);
    expect(JSON.stringify(back)).toBe(JSON.stringify(s));
  });

  it('gives the same window sums when they are reused between scorings as when summed afresh', () => {
    const c = cfg();
    let seed = 11;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const types = ['ticket.created', 'ticket.message', 'ticket.escalated', 'ticket.reopened', 'ticket.csat'] as const;
    const narrow = { ...c, recentDays: 3, escalationWindowDays: 10 };
    let compared = 0;
    let reused = 0;
    for (let account = 0; account < 10; account++) {
      const s = newAccountState(`acct-${account}`, c);
      const kept = new WindowSums();
      let t = 0;
      while (t < 70) {
        // bursts and silences: some series change between two readings, most do not
        t += rand() < 0.05 ? rand() * 6 : rand() * 0.2;
        const type = types[Math.floor(rand() * types.length)]!;
        applyEvent(s, ev(type, t, { accountId: s.accountId, ticketId: `t${Math.floor(rand() * 9)}`, author: 'customer', csat: 1 + Math.floor(rand() * 5) }), { sentiment: rand() * 2 - 1 }, c);
        if (rand() < 0.3) {
          const at = T0 + Math.round((t + rand() * 2) * DAY);
          if (rand() < 0.5) advanceTo(s, at, c);
          // a reading at another day or with another configuration must not reuse the last one
          const conf = rand() < 0.2 ? narrow : c;
          const day = Math.floor(at / DAY) + (rand() < 0.2 ? 1 : 0);
          const before = Array.from(kept.v);
          windowSums(s, day, conf, kept);
          if (Array.from(kept.v).some((x, i) => x === before[i])) reused++;
          // a restored copy is a new state object: no cached row, every series summed afresh
          const fresh = windowSums(restoreAccountState(JSON.parse(JSON.stringify(s))), day, conf);
          expect(Array.from(kept.v)).toEqual(Array.from(fresh.v));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(200);
    expect(reused).toBeGreaterThan(0);
  });

  it('sums afresh a series set from outside bump, before or after today is bumped', () => {
    const c = cfg();
    const at = (d: number) => ev('ticket.created', d, { ticketId: `t${d}` });
    for (const setBeforeBump of [true, false]) {
      const s = newAccountState('acct-x', c);
      for (const d of [0, 1, 2, 2.5]) applyEvent(s, at(d), {}, c);
      const day = today(2.5);
      const kept = new WindowSums();
      windowSums(s, day, c, kept);
      // yesterday's count replaced directly (as a restore or a test might), today's bumped as usual
      const w = s.buckets.cells('tickets').length / c.windowDays;
      const edited = () => {
        const cells = s.buckets.cells('tickets');
        s.buckets.setCells('tickets', cells.slice(0, cells.length - 2 * w) + '07'.padStart(w, '0').slice(-w) + cells.slice(cells.length - w));
      };
      if (setBeforeBump) edited();
      applyEvent(s, at(2.6), {}, c);
      if (!setBeforeBump) edited();
      windowSums(s, day, c, kept);
      const fresh = windowSums(restoreAccountState(JSON.parse(JSON.stringify(s))), day, c);
      expect(Array.from(kept.v)).toEqual(Array.from(fresh.v));
      // the replaced day counts: the sums are of the strings as they are now
      expect(kept.get('tickets', W_ALL)).toBe(sumDays(s, 'tickets', day, c.windowDays));
      expect(sumDays(s, 'tickets', day - 1, 1)).toBe(7);
    }
  });

  it('writes the same ticket list whether or not the pieces of unchanged tickets are reused', () => {
    const c = cfg();
    let seed = 21;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const types = ['ticket.created', 'ticket.message', 'ticket.escalated', 'ticket.resolved', 'ticket.reopened'] as const;
    const authors = ['customer', 'ai', 'agent'] as const;
    const kept = newAccountState('acct-1', c);
    let fresh = newAccountState('acct-1', c);
    const encode = (s: typeof kept) => readTickets(s.tickets.toString()).map((x) => `${x.i}.${x.a.toString(36)}.${x.f.toString(36)}.${x.t.toString(36)}`).join(';');
    for (let n = 0; n < 3000; n++) {
      const e = ev(types[Math.floor(rand() * types.length)]!, n / 50, { ticketId: `t${Math.floor(rand() * 14)}`, author: authors[Math.floor(rand() * authors.length)]! });
      applyEvent(kept, e, { sentiment: 0 }, c);
      // a copy restored before every event has no decoded list and no cached pieces
      fresh = restoreAccountState(JSON.parse(JSON.stringify(fresh)));
      applyEvent(fresh, e, { sentiment: 0 }, c);
      expect(kept.tickets.toString()).toBe(fresh.tickets.toString());
      expect(kept.tickets.toString()).toBe(encode(kept));
    }
    expect(readTickets(kept.tickets.toString()).length).toBe(c.maxTrackedTickets);
  });
});
