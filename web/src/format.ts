// How numbers, money, times and durations read on the dashboard: one place, so every view agrees.
// Missing values show as an en dash rather than 0, so "no data" never looks like a measurement.

export const DASH = '–';

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const twoDecimals = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
const compactMoney = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 });
const dateFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const dateTimeFmt = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});

function missing(v: number | null | undefined): v is null | undefined {
  return v == null || !Number.isFinite(v);
}

export function int(v: number | null | undefined): string {
  return missing(v) ? DASH : intFmt.format(v);
}

export function decimal(v: number | null | undefined, digits: 1 | 2 = 1): string {
  if (missing(v)) return DASH;
  return (digits === 1 ? oneDecimal : twoDecimals).format(v);
}

/** A rate in [0, 1] as a percentage. */
export function percent(v: number | null | undefined): string {
  return missing(v) ? DASH : `${oneDecimal.format(v * 100)}%`;
}

export function money(v: number | null | undefined): string {
  return missing(v) ? DASH : compactMoney.format(v);
}

/** Sentiment compound in [-1, 1], signed so direction reads at a glance. */
export function sentiment(v: number | null | undefined): string {
  if (missing(v)) return DASH;
  return `${v > 0 ? '+' : v < 0 ? '−' : ''}${twoDecimals.format(Math.abs(v))}`;
}

export function date(ms: number | null | undefined): string {
  return missing(ms) ? DASH : dateFmt.format(ms);
}

export function dateTime(ms: number | null | undefined): string {
  return missing(ms) ? DASH : `${dateTimeFmt.format(ms)} UTC`;
}

export function duration(ms: number | null | undefined): string {
  if (missing(ms)) return DASH;
  const minutes = ms / 60_000;
  if (minutes < 1) return `${Math.round(ms / 1000)}s`;
  if (minutes < 60) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${oneDecimal.format(hours)} h`;
  return `${oneDecimal.format(hours / 24)} d`;
}

/** "3 h ago" relative to `now` (the data's own clock, so replays read correctly). */
export function ago(ms: number | null | undefined, now: number): string {
  if (missing(ms)) return DASH;
  const diff = now - ms;
  if (diff < 0) return `in ${duration(-diff)}`;
  if (diff < 60_000) return 'just now';
  return `${duration(diff)} ago`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${int(n)} ${n === 1 ? one : many}`;
}

export function humanize(name: string): string {
  const spaced = name.replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
