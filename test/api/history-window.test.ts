// HistoryWindows: the month documents and day indexes of a window cover exactly the last N calendar
// days (month, year and leap-day boundaries included), and a window is made once per end day.
import { describe, expect, it } from 'vitest';
import { DAY_FIELDS, HistoryWindows, endDayIndex, firstDayIndex } from '../../src/api/history-window.js';

const DAY_MS = 86_400_000;

/** The days the window's months and bounds select, as YYYY-MM-DD, oldest first. */
function selectedDays(windows: HistoryWindows, endMs: number): string[] {
  const w = windows.endingAt(endMs);
  const out: string[] = [];
  for (const month of w.months) {
    const to = endDayIndex(w, month);
    // every day index of the month, whether or not the month has it (a document would not)
    for (let i = firstDayIndex(w, month); i < to; i++) {
      const day = month + DAY_FIELDS[i]!.suffix;
      if (!Number.isNaN(Date.parse(day + 'T00:00:00Z')) && new Date(day + 'T00:00:00Z').toISOString().startsWith(day)) out.push(day);
    }
  }
  return out;
}

describe('HistoryWindows', () => {
  it('selects exactly the last N calendar days, across month, year and leap-day boundaries', () => {
    for (const days of [30, 90]) {
      const windows = new HistoryWindows(days);
      for (let end = Date.UTC(2023, 10, 1); end < Date.UTC(2025, 2, 15); end += 3 * DAY_MS + 3_600_000) {
        const expected = Array.from({ length: days }, (_, k) => new Date(end - (days - 1 - k) * DAY_MS).toISOString().slice(0, 10));
        expect(selectedDays(windows, end), new Date(end).toISOString()).toEqual(expected);
      }
    }
  });

  it('makes a window once for every time of one day, and another for the next day', () => {
    const windows = new HistoryWindows(90);
    const day = Date.UTC(2026, 10, 20);
    const w = windows.endingAt(day);
    expect(windows.endingAt(day + DAY_MS - 1)).toBe(w);
    expect(windows.endingAt(day + DAY_MS)).not.toBe(w);
    expect(windows.endingAt(day + DAY_MS).endDay).toBe('2026-11-21');
  });
});
