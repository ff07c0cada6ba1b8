import { describe, expect, it } from 'vitest';
import { CHANGED, DailyBuckets, NEWEST_ONLY, SENT_OFFSET, SERIES, SERIES_INDEX, UNCHANGED } from '../../../src/engines/health/daily-buckets.js';

const DAYS = 5;
const TICKETS = SERIES_INDEX.tickets;

/** Stored strings of a window with tickets 1..5 and one escalation on the last day. */
function stored(): Record<(typeof SERIES)[number], string> {
  const b = new DailyBuckets(DAYS).toJSON();
  return { ...b, tickets: '0102030405', escalations: '00001' };
}

describe('daily buckets', () => {
  it('stores each series as the cell string it was read from, in series order', () => {
    const strings = stored();
    const b = DailyBuckets.fromStrings(strings);
    expect(b.days).toBe(DAYS);
    expect(JSON.stringify(b)).toBe(JSON.stringify(strings));
    expect(Object.keys(b.toJSON())).toEqual([...SERIES]);
    expect(b.get(TICKETS, 4)).toBe(5);
    // an empty sentiment day is the offset, which is what a zero sum is stored as
    expect(b.get(SERIES_INDEX.sentSum, 0)).toBe(SENT_OFFSET);
  });

  it('rewrites a series string after a cell changes, rounding and clamping to what a cell holds', () => {
    const b = DailyBuckets.fromStrings(stored());
    b.put(TICKETS, 0, 36.4);
    expect(b.cells('tickets')).toBe('1002030405');
    b.put(TICKETS, 1, -3);
    expect(b.cells('tickets')).toBe('1000030405');
    b.put(SERIES_INDEX.loops, 4, 99);
    expect(b.cells('loops')).toBe('0000z');
    expect(DailyBuckets.fromStrings(b.toJSON()).toJSON()).toEqual(b.toJSON());
  });

  it('shifts the window as the strings did: oldest days out, empty days in', () => {
    const b = DailyBuckets.fromStrings(stored());
    b.shift(2);
    expect(b.cells('tickets')).toBe('0304050000');
    expect(b.cells('escalations')).toBe('00100');
    expect(b.cells('sentSum')).toBe(new DailyBuckets(DAYS).cells('sentSum'));
    b.shift(DAYS + 3);
    expect(b.cells('tickets')).toBe('0000000000');
  });

  it('records what changed since the sums last read a series', () => {
    const b = DailyBuckets.fromStrings(stored());
    b.changes.fill(UNCHANGED);
    b.put(TICKETS, DAYS - 1, 7);
    b.put(TICKETS, DAYS - 1, 9);
    expect(b.changes[TICKETS]).toBe(NEWEST_ONLY);
    expect(b.newestDelta[TICKETS]).toBe(4);
    b.put(TICKETS, 0, 2);
    expect(b.changes[TICKETS]).toBe(CHANGED);
    // sentiment sums are fractions: any change has them summed afresh
    b.put(SERIES_INDEX.sentSum, DAYS - 1, SENT_OFFSET + 5);
    expect(b.changes[SERIES_INDEX.sentSum]).toBe(CHANGED);
    b.changes.fill(UNCHANGED);
    b.setCells('tickets', '0101010101');
    expect(b.changes[TICKETS]).toBe(CHANGED);
  });

  it('refuses a series string of another window length', () => {
    const b = new DailyBuckets(DAYS);
    expect(() => {
      b.setCells('tickets', '0101');
    }).toThrow(RangeError);
  });
});
