// Where an alert goes and who is mentioned: channels by kind, severity and band thresholds,
// per-tier overrides, and quiet hours that hold non-critical alerts. Pure (time comes in).
import type { AlertsConfig } from './config.js';
import type { AccountAlertPayload, AlertInput, Severity } from './alert-types.js';

export interface Route {
  channel: string;
  /** Slack mention markup to put in front of the message, e.g. "<@U024BE7LH>". */
  mention?: string;
  /** Quiet hours and not critical: keep it for the summary at the end of quiet hours. */
  hold?: boolean;
}

const SEVERITY_RANK: Record<Severity, number> = { sev1: 1, sev2: 2, sev3: 3 };

/** Slack markup for a mention setting: a user id, a user group id, or a special like "!here". */
export function mentionMarkup(target: string): string {
  const t = target.trim();
  if (t === '') return '';
  if (t.startsWith('<')) return t;
  if (t.startsWith('!')) return `<${t}>`;
  if (/^S[A-Z0-9]+$/.test(t)) return `<!subteam^${t}>`;
  return `<@${t.replace(/^@/, '')}>`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localMinutes(timezone: string, nowMs: number): number {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, f);
  }
  let hour = 0;
  let minute = 0;
  for (const part of f.formatToParts(nowMs)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
}

function parseHhmm(s: string): number {
  const [h, m] = s.split(':');
  return Number(h) * 60 + Number(m);
}

type QuietHours = AlertsConfig['quietHours'];

export function inQuietHours(q: QuietHours, nowMs: number): boolean {
  if (!q.enabled) return false;
  const now = localMinutes(q.timezone, nowMs);
  const start = parseHhmm(q.start);
  const end = parseHhmm(q.end);
  if (start === end) return false;
  // a window that crosses midnight (22:00-08:00) is the common case
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/** The first instant at or after `nowMs` when quiet hours are over (nowMs itself when not in them). */
export function quietHoursEnd(q: QuietHours, nowMs: number): number {
  if (!inQuietHours(q, nowMs)) return nowMs;
  const minuteStart = nowMs - (nowMs % 60_000);
  const now = localMinutes(q.timezone, nowMs);
  const delta = (parseHhmm(q.end) - now + 1440) % 1440;
  let at = minuteStart + delta * 60_000;
  // a daylight-saving change inside the window shifts local time by up to an hour
  for (let i = 0; i < 4 && inQuietHours(q, at); i++) at += 30 * 60_000;
  return at;
}

function isCritical(alert: AlertInput, cfg: AlertsConfig): boolean {
  const q = cfg.quietHours;
  if (alert.kind.startsWith('incident.')) return q.passSeverities.includes(alert.severity ?? 'sev3');
  if (alert.kind === 'account.alert') {
    const band = alert.band ?? (alert.payload as AccountAlertPayload).band;
    return (q.passBands as string[]).includes(band);
  }
  // the digest and the weekly report are scheduled for working hours already
  return true;
}

/** Routes one alert; null means "not worth a message" under the configured thresholds. */
export function route(alert: AlertInput, cfg: AlertsConfig, nowMs: number): Route | null {
  const r = cfg.routing;
  let channel: string;
  const mentions: string[] = [];
  if (alert.kind.startsWith('incident.')) {
    if (SEVERITY_RANK[alert.severity ?? 'sev3'] > SEVERITY_RANK[r.minIncidentSeverity]) return null;
    channel = r.engineeringChannel;
    const o = r.tierOverrides.find((t) => t.tier === alert.tier && t.kinds.includes('incident'));
    if (o) {
      if (o.channel) channel = o.channel;
      if (o.mention) mentions.push(mentionMarkup(o.mention));
    }
  } else if (alert.kind === 'account.alert') {
    const p = alert.payload as AccountAlertPayload;
    const band = alert.band ?? p.band;
    if (!(r.accountBands as string[]).includes(band)) return null;
    channel = r.supportChannel;
    const tier = alert.tier ?? p.tier;
    const o = r.tierOverrides.find((t) => t.tier === tier && t.kinds.includes('account'));
    if (o) {
      if (o.channel) channel = o.channel;
      if (o.mentionOwner && p.owner?.slackUserId) mentions.push(mentionMarkup(p.owner.slackUserId));
      if (o.mention) mentions.push(mentionMarkup(o.mention));
    }
  } else {
    channel = r.supportChannel;
  }
  const out: Route = { channel };
  if (mentions.length > 0) out.mention = mentions.join(' ');
  if (inQuietHours(cfg.quietHours, nowMs) && !isCritical(alert, cfg)) out.hold = true;
  return out;
}
