import { describe, expect, it } from 'vitest';
import { readTickets, ticketHash, TrackedTickets } from '../../../src/engines/health/tracked-tickets.js';

describe('tracked tickets', () => {
  it('is stored as its encoded string, rebuilt after a change', () => {
    const t = TrackedTickets.fromString('abc.1.2.3;xyz.0.a.b');
    expect(JSON.stringify({ tickets: t })).toBe('{"tickets":"abc.1.2.3;xyz.0.a.b"}');
    const x = t.list[1]!;
    x.a = 40;
    t.changed(x);
    expect(t.toString()).toBe('abc.1.2.3;xyz.14.a.b');
    expect(readTickets(t.toString())).toEqual(t.list.map((e) => ({ ...e, p: undefined })));
  });

  it('finds a ticket by the hash of its id, the same hash its key is written from', () => {
    const h = ticketHash('9b2f0c1e-ticket');
    const t = TrackedTickets.fromString(`${h.toString(36)}.0.0.0`);
    expect(t.find(h)).toBe(t.list[0]);
    expect(t.find(ticketHash('another'))).toBeUndefined();
    expect(new TrackedTickets().toString()).toBe('');
  });
});
