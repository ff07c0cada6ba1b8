// Which history month documents (one per account and month, days d01..d31) cover the N days up to
// a day, and which of each month's days fall inside: worked out once per end day, not per answer.
import { dayOf } from '../pipeline/findings-writer.js';

/** A history month's day fields (d01..d31) and what they add to the month's YYYY-MM: made once, not per answer. */
export const DAY_FIELDS: ReadonlyArray<{ field: string; suffix: string }> = Array.from({ length: 31 }, (_, i) => {
  const dd = String(i + 1).padStart(2, '0');
  return { field: `d${dd}`, suffix: `-${dd}` };
});

const DAY_MS = 86_400_000;

export interface HistoryWindow {
  /** The months (YYYY-MM) to read, oldest first. */
  months: readonly string[];
  firstDay: string;
  endDay: string;
  firstMonth: string;
  endMonth: string;
  /** Day of the month of firstDay and of endDay (1..31). */
  firstDate: number;
  endDate: number;
}

/** The months (YYYY-MM) covering the `days` days up to `endDay`, oldest first. */
function monthsBack(endDay: string, days: number): string[] {
  const end = new Date(endDay + 'T00:00:00Z');
  const start = new Date(end.getTime() - days * DAY_MS);
  const out: string[] = [];
  for (let y = start.getUTCFullYear(), m = start.getUTCMonth(); y < end.getUTCFullYear() || (y === end.getUTCFullYear() && m <= end.getUTCMonth()); m === 11 ? ((m = 0), y++) : m++) {
    out.push(`${y}-${String(m + 1).padStart(2, '0')}`);
  }
  return out;
}

/**
 * Windows kept: one an end day. The answers of one moment end on a few days (each account's last
 * scoring), so a few dozen cover them; past that the oldest go (a long-lived daemon moves on).
 */
const WINDOWS_KEPT = 64;

/**
 * The windows of `days` days by their end day, made once each: the months and bounds would
 * otherwise be worked out again (dates, strings) for every answer.
 */
export class HistoryWindows {
  private readonly byDay = new Map<number, HistoryWindow>();

  constructor(private readonly days: number) {}

  /** The window of the days up to the day of `endMs` (UTC). */
  endingAt(endMs: number): HistoryWindow {
    const dayIndex = Math.floor(endMs / DAY_MS);
    const known = this.byDay.get(dayIndex);
    if (known) return known;
    const endDay = dayOf(endMs);
    const firstDay = dayOf(endMs - (this.days - 1) * DAY_MS);
    const window: HistoryWindow = {
      months: monthsBack(endDay, this.days),
      firstDay,
      endDay,
      firstMonth: firstDay.slice(0, 7),
      endMonth: endDay.slice(0, 7),
      firstDate: Number(firstDay.slice(8)),
      endDate: Number(endDay.slice(8)),
    };
    if (this.byDay.size >= WINDOWS_KEPT) this.byDay.delete(this.byDay.keys().next().value!);
    this.byDay.set(dayIndex, window);
    return window;
  }
}

/** The first day index (0-based) of month `month` (YYYY-MM) inside the window: 0 for a month in the middle, none (31) before it. */
export function firstDayIndex(w: HistoryWindow, month: string): number {
  return month === w.firstMonth ? w.firstDate - 1 : month < w.firstDay ? DAY_FIELDS.length : 0;
}

/** The day index past the last one of month `month` inside the window: 31 for a month in the middle, 0 after it. */
export function endDayIndex(w: HistoryWindow, month: string): number {
  return month === w.endMonth ? w.endDate : month > w.endDay ? 0 : DAY_FIELDS.length;
}

/** History month documents as read, or put back in month order when a store answered in another order than asked. */
export function inMonthOrder<T extends { month: string }>(docs: readonly T[]): readonly T[] {
  for (let i = 1; i < docs.length; i++) if (docs[i - 1]!.month > docs[i]!.month) return [...docs].sort((a, b) => a.month.localeCompare(b.month));
  return docs;
}
