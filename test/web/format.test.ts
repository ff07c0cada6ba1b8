// web/src/format.ts: how numbers, rates, money, sentiment and durations read on the dashboard,
// and that missing or non-finite values never pass for a measurement.
import { describe, expect, it } from 'vitest';
import { DASH, ago, decimal, duration, humanize, int, money, percent, plural, sentiment } from '../../web/src/format.js';

describe('format', () => {
  it('shows an en dash for missing and non-finite values', () => {
    for (const f of [int, percent, money, sentiment, duration]) {
      expect(f(null)).toBe(DASH);
      expect(f(undefined)).toBe(DASH);
      expect(f(Number.NaN)).toBe(DASH);
      expect(f(Number.POSITIVE_INFINITY)).toBe(DASH);
    }
    expect(decimal(null)).toBe(DASH);
  });

  it('formats counts, rates and money', () => {
    expect(int(10_000)).toBe('10,000');
    expect(percent(0.1844)).toBe('18.4%');
    expect(percent(0)).toBe('0.0%');
    expect(money(704_000)).toBe('$704K');
    expect(money(1_250_000)).toBe('$1.3M');
    expect(decimal(2.345, 2)).toBe('2.35');
  });

  it('signs sentiment so its direction reads at a glance', () => {
    expect(sentiment(0.44)).toBe('+0.44');
    expect(sentiment(-0.621)).toBe('−0.62');
    expect(sentiment(0)).toBe('0.00');
  });

  it('picks a unit for durations', () => {
    expect(duration(30_000)).toBe('30s');
    expect(duration(23 * 60_000)).toBe('23 min');
    expect(duration(90 * 60_000)).toBe('1.5 h');
    expect(duration(3 * 86_400_000)).toBe('3.0 d');
    expect(ago(1_000, 1_000 + 2 * 3_600_000)).toBe('2.0 h ago');
    expect(ago(5_000, 1_000)).toBe('in 4s');
  });

  it('humanizes names and pluralizes', () => {
    expect(humanize('ticketRate')).toBe('Ticket rate');
    expect(humanize('at-risk')).toBe('At risk');
    expect(humanize('false_alarm')).toBe('False alarm');
    expect(plural(1, 'account')).toBe('1 account');
    expect(plural(1200, 'account')).toBe('1,200 accounts');
  });
});
