// Block Kit rendering of every alert kind, with a complete plain-text version used as the Slack
// fallback and by the console sink. Pure: the payload and the config in, the message out.
import type { AlertsConfig } from './config.js';
import { redact } from './redact.js';
import type {
  AccountAlertPayload,
  AlertKind,
  DigestPayload,
  EscalationMetricsPayload,
  HeldDigestPayload,
  IncidentPayload,
  InternalAlertKind,
  Severity,
  WeeklyReportPayload,
} from './alert-types.js';

interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

/** The subset of Block Kit Vigil uses (assignable to @slack/web-api's Block). */
export type SlackBlock =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' }
  | { type: 'actions'; elements: Array<{ type: 'button'; text: TextObject; url: string; action_id: string }> };

export interface RenderedMessage {
  /** Plain text, complete: the notification and screen-reader fallback, and what the console prints. */
  text: string;
  blocks: SlackBlock[];
}

/** What rendering needs of an outbox document. */
export interface RenderInput {
  kind: AlertKind | InternalAlertKind;
  payload: unknown;
  severity?: Severity | null;
  mention?: string | null;
  /** A new incident of a cluster that had one recently: posted in the old thread. */
  reopen?: boolean;
  /** Updates of the same group folded into this one by the cooldown. */
  coalesced?: number;
  /** A follow-up posted outside its thread (the root was never posted): says what it is about. */
  standalone?: boolean;
}

// Slack's documented limits (header 150 chars, section text 3000, field 2000, 50 blocks)
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const BLOCKS_MAX = 50;

function cut(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}

/** Escapes the three characters Slack treats as markup in text. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function inCode(s: string): string {
  // a ``` inside would end the code block early
  return escapeMrkdwn(s.replace(/```/g, "'''"));
}

const header = (text: string): SlackBlock => ({ type: 'header', text: { type: 'plain_text', text: cut(text, HEADER_MAX), emoji: true } });
const section = (text: string): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text: cut(text, SECTION_MAX) } });
const fields = (items: string[]): SlackBlock => ({ type: 'section', fields: items.slice(0, 10).map((t) => ({ type: 'mrkdwn' as const, text: cut(t, FIELD_MAX) })) });
const context = (text: string): SlackBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(text, SECTION_MAX) }] });

function buttons(links: Array<[label: string, url: string | undefined, id: string]>): SlackBlock[] {
  const els = links
    .filter(([, url]) => typeof url === 'string' && /^https?:\/\//.test(url))
    .map(([label, url, id]) => ({ type: 'button' as const, text: { type: 'plain_text' as const, text: label }, url: url!, action_id: id }));
  return els.length > 0 ? [{ type: 'actions', elements: els }] : [];
}

function fmtNumber(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return Math.abs(n) >= 100 || Number.isInteger(n) ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

function fmtRatio(r: number): string {
  return Number.isFinite(r) && r > 0 ? `${r >= 10 ? Math.round(r) : r.toFixed(1)}×` : 'new';
}

function fmtPct(x: number | null): string {
  return x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`;
}

function isoMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** Slack shows this in the reader's own time zone; the fallback is UTC. */
function slackDate(ms: number): string {
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${isoMinute(ms)}>`;
}

function fmtDuration(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
}

function withMention(mention: string | null | undefined, text: string): string {
  return mention ? `${mention} ${text}` : text;
}

/** Slack mention markup shown as readable text in the plain version. */
function plainMention(mention: string | null | undefined): string {
  return (mention ?? '').replace(/<@([^>|]+)>/g, '@$1').replace(/<!subteam\^([^>|]+)>/g, '@$1').replace(/<!([^>|]+)>/g, '@$1');
}

function samplesOf(p: IncidentPayload, cfg: AlertsConfig): string[] {
  const r = cfg.redaction;
  return (p.samples ?? []).slice(0, r.maxSamples).map((s) => cut(redact(s, { ips: r.ips }).replace(/\s+/g, ' ').trim(), r.maxSampleChars));
}

function renderIncident(kind: AlertKind, p: IncidentPayload, input: RenderInput, cfg: AlertsConfig): RenderedMessage {
  const sev = (input.severity ?? 'sev3').toUpperCase();
  const template = redact(p.template, { ips: cfg.redaction.ips });
  const top = p.topAccounts.slice(0, cfg.topAccounts);
  const topLines = top.map((a) => `• ${escapeMrkdwn(a.name)} (${a.tier}) — ${fmtNumber(a.count)}`);
  const topPlain = top.map((a) => `  - ${a.name} (${a.tier}): ${fmtNumber(a.count)}`);
  const more = p.accountsAffected > top.length ? p.accountsAffected - top.length : 0;
  const samples = samplesOf(p, cfg);
  const coalesced = input.coalesced ? ` (${input.coalesced} earlier update${input.coalesced === 1 ? '' : 's'} folded in)` : '';
  const countLine = `${fmtNumber(p.count)} events vs baseline ${fmtNumber(p.baseline)} (${fmtRatio(p.ratio)})`;
  const blocks: SlackBlock[] = [];
  const plain: string[] = [];
  let title: string;

  if (kind === 'incident.opened') {
    title = input.reopen
      ? `:repeat: [${sev}] Re-opened: the same error is spiking again across ${p.accountsAffected} accounts`
      : `:rotating_light: [${sev}] Error spike across ${p.accountsAffected} accounts`;
    blocks.push(header(title));
    if (input.mention) blocks.push(section(input.mention));
    blocks.push(section(`*Error template*\n\`\`\`${inCode(template)}\`\`\``));
    blocks.push(fields([`*Count*\n${countLine}`, `*Accounts affected*\n${fmtNumber(p.accountsAffected)}`, `*First seen*\n${slackDate(p.firstSeen)}`, `*Severity*\n${sev}`]));
    plain.push(title.replace(/^:[a-z_]+: /, ''), `Error template: ${template}`, `Count: ${countLine}`, `Accounts affected: ${p.accountsAffected}`, `First seen: ${isoMinute(p.firstSeen)}`);
  } else if (kind === 'incident.grew') {
    title = `:chart_with_upwards_trend: [${sev}] Still growing: ${countLine}, ${p.accountsAffected} accounts${coalesced}`;
    blocks.push(section(`*${escapeMrkdwn(title)}*`));
    plain.push(title.replace(/^:[a-z_]+: /, ''));
  } else {
    const took = p.resolvedAt !== undefined ? ` after ${fmtDuration(p.resolvedAt - p.firstSeen)}` : '';
    title = `:white_check_mark: Resolved${took}: back to baseline (peak ${fmtNumber(p.count)} events, ${p.accountsAffected} accounts)${coalesced}`;
    blocks.push(section(`*${escapeMrkdwn(title)}*`));
    plain.push(title.replace(/^:[a-z_]+: /, ''));
  }
  if (kind !== 'incident.opened' && input.standalone) {
    // no thread to read the template in: repeat it
    blocks.push(section(`*Error template*\n\`\`\`${inCode(template)}\`\`\``));
    plain.push(`Error template: ${template}`);
  }
  if (kind !== 'incident.resolved' && top.length > 0) {
    blocks.push(section(`*Top accounts*\n${topLines.join('\n')}${more ? `\n_and ${more} more_` : ''}`));
    plain.push('Top accounts:', ...topPlain, ...(more ? [`  and ${more} more`] : []));
  }
  if (kind === 'incident.opened' && samples.length > 0) {
    blocks.push(section(`*Samples (redacted)*\n${samples.map((s) => `\`\`\`${inCode(s)}\`\`\``).join('\n')}`));
    plain.push('Samples (redacted):', ...samples.map((s) => `  > ${s}`));
  }
  blocks.push(...buttons([['Open in dashboard', p.links?.dashboard, 'open_dashboard'], ['Incident API', p.links?.api, 'open_api']]));
  blocks.push(context(`incident \`${escapeMrkdwn(p.incidentId)}\` · cluster \`${escapeMrkdwn(p.clusterId)}\` · Vigil`));
  const links = [p.links?.dashboard, p.links?.api].filter(Boolean) as string[];
  if (links.length) plain.push(`Links: ${links.join(' ')}`);
  const mention = plainMention(input.mention);
  return { text: withMention(mention, plain.join('\n')), blocks };
}

function renderAccount(p: AccountAlertPayload, input: RenderInput): RenderedMessage {
  const title = `${p.band === 'critical' ? ':red_circle:' : ':warning:'} ${p.name} is ${p.band} (${p.tier})`;
  const change =
    p.previousScore === null
      ? `Health score ${fmtNumber(p.score)} (${p.band})`
      : `Health score ${fmtNumber(p.previousScore)} → ${fmtNumber(p.score)} (${p.previousBand ?? '?'} → ${p.band})`;
  const owner = p.owner ? (p.owner.slackUserId ? `<@${p.owner.slackUserId}>` : escapeMrkdwn(p.owner.name)) : '_no owner_';
  const ownerPlain = p.owner ? (p.owner.slackUserId ? `${p.owner.name} (@${p.owner.slackUserId})` : p.owner.name) : 'no owner';
  const blocks: SlackBlock[] = [header(title)];
  if (input.mention) blocks.push(section(input.mention));
  blocks.push(section(`*${change}*`));
  if (p.topReasons.length) blocks.push(section(`*Why*\n${p.topReasons.map((r) => `• ${escapeMrkdwn(r)}`).join('\n')}`));
  blocks.push(fields([`*Owner*\n${owner}`, `*Suggested action*\n${escapeMrkdwn(p.suggestedAction)}`]));
  blocks.push(...buttons([['Open account', p.link, 'open_account']]));
  blocks.push(context(`account \`${escapeMrkdwn(p.accountId)}\` · Vigil`));
  const plain = [
    title.replace(/^:[a-z_]+: /, ''),
    change,
    ...(p.topReasons.length ? ['Why:', ...p.topReasons.map((r) => `  - ${r}`)] : []),
    `Owner: ${ownerPlain}`,
    `Suggested action: ${p.suggestedAction}`,
    ...(p.link ? [`Link: ${p.link}`] : []),
  ];
  return { text: withMention(plainMention(input.mention), plain.join('\n')), blocks };
}

function renderDigest(p: DigestPayload, cfg: AlertsConfig): RenderedMessage {
  const items = p.items.slice(0, Math.min(cfg.digestItems, BLOCKS_MAX - 4));
  const title = `:clipboard: Proactive outreach for ${p.day}: ${p.total} account${p.total === 1 ? '' : 's'} to contact`;
  const blocks: SlackBlock[] = [header(title)];
  const plain: string[] = [title.replace(/^:[a-z_]+: /, '')];
  if (items.length === 0) {
    blocks.push(section('Nobody needs a call today.'));
    plain.push('Nobody needs a call today.');
  }
  items.forEach((it, i) => {
    const owner = it.owner ? (it.owner.slackUserId ? `<@${it.owner.slackUserId}>` : escapeMrkdwn(it.owner.name)) : '_no owner_';
    const name = it.link ? `<${it.link}|${escapeMrkdwn(it.name)}>` : escapeMrkdwn(it.name);
    blocks.push(
      section(
        `*${i + 1}. ${name}* (${it.tier}) — score ${fmtNumber(it.score)}, ${it.band}, priority ${fmtNumber(it.priority)}\n` +
          it.reasons.slice(0, 3).map((r) => `• ${escapeMrkdwn(r)}`).join('\n') +
          `\n*Action:* ${escapeMrkdwn(it.action)} · *Owner:* ${owner}`,
      ),
    );
    plain.push(
      `${i + 1}. ${it.name} (${it.tier}): score ${fmtNumber(it.score)}, ${it.band}, priority ${fmtNumber(it.priority)}`,
      ...it.reasons.slice(0, 3).map((r) => `   - ${r}`),
      `   Action: ${it.action.replace(/\.$/, '')}. Owner: ${it.owner?.name ?? 'none'}`,
    );
  });
  if (p.total > items.length) {
    blocks.push(context(`${p.total - items.length} more on the outreach list`));
    plain.push(`${p.total - items.length} more on the outreach list`);
  }
  blocks.push(...buttons([['Open outreach list', p.link, 'open_outreach']]));
  if (p.link) plain.push(`Link: ${p.link}`);
  return { text: plain.join('\n'), blocks };
}

function metricLines(m: EscalationMetricsPayload, prev: EscalationMetricsPayload | null): Array<[string, string]> {
  const delta = (a: number | null, b: number | null | undefined): string =>
    a === null || b === null || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) ? '' : ` (${a - b >= 0 ? '+' : ''}${((a - b) * 100).toFixed(1)} pt)`;
  return [
    ['Tickets', `${fmtNumber(m.tickets)}${prev ? ` (was ${fmtNumber(prev.tickets)})` : ''}`],
    ['Escalation rate', fmtPct(m.escalationRate) + delta(m.escalationRate, prev?.escalationRate)],
    ['AI resolution rate', fmtPct(m.aiResolutionRate) + delta(m.aiResolutionRate, prev?.aiResolutionRate)],
    ['Re-escalation rate', fmtPct(m.reEscalationRate) + delta(m.reEscalationRate, prev?.reEscalationRate)],
    ['CSAT at hand-off', m.csatAtHandoff === null ? 'n/a' : m.csatAtHandoff.toFixed(2)],
    ['Median time to human', m.medianTimeToHumanMs === null ? 'n/a' : fmtDuration(m.medianTimeToHumanMs)],
    ['First-contact resolution', fmtPct(m.firstContactResolutionRate) + delta(m.firstContactResolutionRate, prev?.firstContactResolutionRate)],
  ];
}

function renderWeekly(p: WeeklyReportPayload): RenderedMessage {
  const title = `:bar_chart: Weekly escalation review, ${p.fromDay} to ${p.toDay}`;
  const lines = metricLines(p.metrics, p.previous);
  const blocks: SlackBlock[] = [header(title), fields(lines.map(([k, v]) => `*${k}*\n${v}`))];
  if (p.highlights.length) blocks.push(section(p.highlights.map((h) => `• ${escapeMrkdwn(h)}`).join('\n')));
  blocks.push(...buttons([['Open dashboard', p.link, 'open_dashboard']]));
  const plain = [title.replace(/^:[a-z_]+: /, ''), ...lines.map(([k, v]) => `${k}: ${v}`), ...p.highlights.map((h) => `- ${h}`), ...(p.link ? [`Link: ${p.link}`] : [])];
  return { text: plain.join('\n'), blocks };
}

function renderHeld(p: HeldDigestPayload): RenderedMessage {
  const title = `:crescent_moon: ${p.lines.length} alert${p.lines.length === 1 ? '' : 's'} held during quiet hours`;
  const shown = p.lines.slice(0, 40);
  const blocks: SlackBlock[] = [header(title), section(shown.map((l) => `• ${escapeMrkdwn(l)}`).join('\n'))];
  if (p.lines.length > shown.length) blocks.push(context(`${p.lines.length - shown.length} more in the dashboard`));
  blocks.push(context(`held from ${slackDate(p.from)} to ${slackDate(p.until)}`));
  return { text: [title.replace(/^:[a-z_]+: /, ''), ...p.lines.map((l) => `- ${l}`)].join('\n'), blocks };
}

/** Renders an alert as Block Kit with its plain-text version. */
export function renderAlert(input: RenderInput, cfg: AlertsConfig): RenderedMessage {
  switch (input.kind) {
    case 'incident.opened':
    case 'incident.grew':
    case 'incident.resolved':
      return renderIncident(input.kind, input.payload as IncidentPayload, input, cfg);
    case 'account.alert':
      return renderAccount(input.payload as AccountAlertPayload, input);
    case 'digest.outreach':
      return renderDigest(input.payload as DigestPayload, cfg);
    case 'report.weekly':
      return renderWeekly(input.payload as WeeklyReportPayload);
    case 'digest.held':
      return renderHeld(input.payload as HeldDigestPayload);
  }
}

/** One line that stands for an alert in the quiet-hours summary. */
export function summaryLine(input: RenderInput): string {
  switch (input.kind) {
    case 'incident.opened':
    case 'incident.grew':
    case 'incident.resolved': {
      const p = input.payload as IncidentPayload;
      const what = input.kind === 'incident.opened' ? 'opened' : input.kind === 'incident.grew' ? 'grew' : 'resolved';
      return `Incident ${what} (${(input.severity ?? 'sev3').toUpperCase()}): ${cut(p.template, 120)}: ${fmtNumber(p.count)} events, ${p.accountsAffected} accounts`;
    }
    case 'account.alert': {
      const p = input.payload as AccountAlertPayload;
      return `${p.name} (${p.tier}) is ${p.band}: score ${fmtNumber(p.score)}${p.topReasons[0] ? `; ${p.topReasons[0]}` : ''}`;
    }
    case 'digest.outreach':
      return `Outreach digest for ${(input.payload as DigestPayload).day}`;
    case 'report.weekly':
      return `Weekly escalation review ${(input.payload as WeeklyReportPayload).fromDay} to ${(input.payload as WeeklyReportPayload).toDay}`;
    case 'digest.held':
      return `${(input.payload as HeldDigestPayload).lines.length} held alerts`;
  }
}
