// Escalation metrics the support team reviews weekly, computed from the events: escalation rate,
// AI resolution rate, re-escalations, CSAT at handoff, time to a human, first-contact resolution.
import type { VigilEvent } from '../../events/types.js';

/** The numbers for one scope (overall, a category, an account); shape of the API's EscalationMetrics. */
export interface EscalationSummary {
  tickets: number;
  escalationRate: number;
  aiResolutionRate: number;
  reEscalationRate: number;
  csatAtHandoff: number | null;
  medianTimeToHumanMs: number | null;
  firstContactResolutionRate: number | null;
}

/** Additive counters of one scope, plus a bounded sample of time-to-human for the median. */
interface Counters {
  tickets: number;
  escalated: number;
  aiResolved: number;
  reEscalated: number;
  handoffCsatSum: number;
  handoffCsatN: number;
  humanResolved: number;
  firstContactResolved: number;
  tth: number[];
}

/** What is remembered of a ticket while it can still change the counters. */
interface TicketTrack {
  account: string;
  category: string;
  escalatedAt: number;
  humanAt: number;
  agentMessages: number;
  resolved: boolean;
  humanResolved: boolean;
  /** Counted in firstContactResolved (undone if the ticket comes back). */
  fcr: boolean;
  reEscalated: boolean;
  lastAt: number;
  /**
   * The ticket's snapshot row as of its last change (undefined: changed since): most tracked
   * tickets are long closed, and re-encoding all of them at every checkpoint was most of the
   * snapshot's cost. A field, not a WeakMap entry: every event of a ticket clears it.
   */
  row: string | undefined;
}

export interface EscalationMetricsOptions {
  /** Tickets tracked at once; the quietest are forgotten beyond this (bounds memory). */
  maxTrackedTickets: number;
  /** Time-to-human samples kept per scope for the median (the most recent). */
  maxSamples: number;
  /** Accounts listed in `byAccount`, most escalated first. */
  topAccounts: number;
  /** Agent messages up to which a resolution after escalation counts as first-contact. */
  fcrMaxAgentMessages: number;
}

export const DEFAULT_ESCALATION_METRICS_OPTIONS: EscalationMetricsOptions = {
  // 200k open tickets is far above a busy team's backlog; each costs ~200 bytes.
  maxTrackedTickets: 200_000,
  // 500 samples give a median within a few percent.
  maxSamples: 500,
  // A weekly review looks at a screenful of accounts.
  topAccounts: 20,
  // One human reply that resolves the ticket: the definition support teams use.
  fcrMaxAgentMessages: 1,
};

const UNCATEGORIZED = 'uncategorized';
/** Separates the account from the ticket id in a ticket's key. */
const KEY_SEP = '\u0000';

/** A tracked ticket in the snapshot: key, category, escalatedAt, humanAt, agentMessages, flags, lastAt (and the account when the key does not start with it). */
type TicketRow = [string, string, number, number, number, number, number, string?];
const F_RESOLVED = 1;
const F_HUMAN_RESOLVED = 2;
const F_FCR = 4;
const F_RE_ESCALATED = 8;

function ticketRow(k: string, t: TicketTrack): string {
  const flags = (t.resolved ? F_RESOLVED : 0) | (t.humanResolved ? F_HUMAN_RESOLVED : 0) | (t.fcr ? F_FCR : 0) | (t.reEscalated ? F_RE_ESCALATED : 0);
  const row: TicketRow = [k, t.category, t.escalatedAt, t.humanAt, t.agentMessages, flags, t.lastAt];
  if (!k.startsWith(t.account + KEY_SEP) || t.account.includes(KEY_SEP)) row.push(t.account);
  return JSON.stringify(row);
}

function fromRow(r: TicketRow): TicketTrack {
  const [k, category, escalatedAt, humanAt, agentMessages, flags, lastAt, account] = r;
  return {
    account: account ?? k.slice(0, k.indexOf(KEY_SEP)),
    category,
    escalatedAt,
    humanAt,
    agentMessages,
    resolved: (flags & F_RESOLVED) !== 0,
    humanResolved: (flags & F_HUMAN_RESOLVED) !== 0,
    fcr: (flags & F_FCR) !== 0,
    reEscalated: (flags & F_RE_ESCALATED) !== 0,
    lastAt,
    row: undefined,
  };
}

/** Snapshot form. `tickets` is one JSON text of rows (older snapshots: an array of objects). */
export interface EscalationMetricsJSON {
  overall: Counters;
  byCat: Array<{ k: string; c: Counters }>;
  byAcc: Array<{ k: string; c: Counters }>;
  tickets: string | Array<{ k: string; t: TicketTrack }>;
  opts: EscalationMetricsOptions;
}

function newCounters(): Counters {
  return { tickets: 0, escalated: 0, aiResolved: 0, reEscalated: 0, handoffCsatSum: 0, handoffCsatN: 0, humanResolved: 0, firstContactResolved: 0, tth: [] };
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : 0);

function summarize(c: Counters): EscalationSummary {
  return {
    tickets: c.tickets,
    escalationRate: ratio(c.escalated, c.tickets),
    aiResolutionRate: ratio(c.aiResolved, c.tickets),
    reEscalationRate: ratio(c.reEscalated, c.escalated),
    csatAtHandoff: c.handoffCsatN > 0 ? Math.round((c.handoffCsatSum / c.handoffCsatN) * 100) / 100 : null,
    medianTimeToHumanMs: median(c.tth),
    firstContactResolutionRate: c.humanResolved > 0 ? ratio(c.firstContactResolved, c.humanResolved) : null,
  };
}

export class EscalationMetrics {
  private overall = newCounters();
  private byCat = new Map<string, Counters>();
  private byAcc = new Map<string, Counters>();
  private tickets = new Map<string, TicketTrack>();

  constructor(private readonly opts: EscalationMetricsOptions = DEFAULT_ESCALATION_METRICS_OPTIONS) {}

  private scopes(t: TicketTrack): Counters[] {
    let cat = this.byCat.get(t.category);
    if (!cat) this.byCat.set(t.category, (cat = newCounters()));
    let acc = this.byAcc.get(t.account);
    if (!acc) this.byAcc.set(t.account, (acc = newCounters()));
    return [this.overall, cat, acc];
  }

  private track(ev: VigilEvent): TicketTrack | undefined {
    if (!ev.ticketId) return undefined;
    const key = `${ev.accountId}${KEY_SEP}${ev.ticketId}`;
    let t = this.tickets.get(key);
    if (!t) {
      t = {
        account: ev.accountId,
        category: ev.category ?? UNCATEGORIZED,
        escalatedAt: 0,
        humanAt: 0,
        agentMessages: 0,
        resolved: false,
        humanResolved: false,
        fcr: false,
        reEscalated: false,
        lastAt: ev.occurredAt,
        row: undefined,
      };
      this.tickets.set(key, t);
      for (const c of this.scopes(t)) c.tickets += 1;
      if (this.tickets.size > this.opts.maxTrackedTickets) {
        // Maps iterate in insertion order: the first key is the oldest ticket.
        const first = this.tickets.keys().next().value;
        if (first !== undefined) this.tickets.delete(first);
      }
    }
    if (ev.occurredAt > t.lastAt) t.lastAt = ev.occurredAt;
    // any event of the ticket may change it below
    t.row = undefined;
    return t;
  }

  /** Folds one event in. Events of one ticket are expected in time order (the pipeline's order). */
  add(ev: VigilEvent): void {
    const t = this.track(ev);
    if (!t) return;
    // The scopes exist from the ticket's first event on (track counts it in them); looked up only
    // by the events that change a counter, not by every message.
    switch (ev.type) {
      case 'ticket.escalated':
        if (t.escalatedAt === 0) {
          t.escalatedAt = ev.occurredAt;
          for (const c of this.scopes(t)) c.escalated += 1;
          if (t.resolved && !t.humanResolved) for (const c of this.scopes(t)) c.aiResolved -= 1;
        } else if (t.humanResolved && !t.reEscalated) {
          t.reEscalated = true;
          for (const c of this.scopes(t)) c.reEscalated += 1;
        }
        if (t.fcr) {
          t.fcr = false;
          for (const c of this.scopes(t)) c.firstContactResolved -= 1;
        }
        t.resolved = false;
        break;
      case 'ticket.message':
        if (ev.author === 'agent') {
          t.agentMessages += 1;
          if (t.escalatedAt > 0 && t.humanAt === 0) {
            t.humanAt = ev.occurredAt;
            const ms = Math.max(0, ev.occurredAt - t.escalatedAt);
            for (const c of this.scopes(t)) {
              c.tth.push(ms);
              if (c.tth.length > this.opts.maxSamples) c.tth.shift();
            }
          }
        }
        break;
      case 'ticket.resolved':
        if (t.resolved) break;
        t.resolved = true;
        if (t.escalatedAt > 0) {
          if (!t.humanResolved) {
            t.humanResolved = true;
            for (const c of this.scopes(t)) c.humanResolved += 1;
          }
          if (t.agentMessages <= this.opts.fcrMaxAgentMessages && !t.reEscalated) {
            t.fcr = true;
            for (const c of this.scopes(t)) c.firstContactResolved += 1;
          }
        } else {
          for (const c of this.scopes(t)) c.aiResolved += 1;
        }
        break;
      case 'ticket.reopened':
        if (t.humanResolved && !t.reEscalated) {
          t.reEscalated = true;
          for (const c of this.scopes(t)) c.reEscalated += 1;
        }
        if (t.fcr) {
          t.fcr = false;
          for (const c of this.scopes(t)) c.firstContactResolved -= 1;
        }
        if (t.resolved && t.escalatedAt === 0) for (const c of this.scopes(t)) c.aiResolved -= 1;
        t.resolved = false;
        break;
      case 'ticket.csat':
        if (t.escalatedAt > 0 && typeof ev.csat === 'number' && Number.isFinite(ev.csat)) {
          for (const c of this.scopes(t)) {
            c.handoffCsatSum += ev.csat;
            c.handoffCsatN += 1;
          }
        }
        break;
      default:
        break;
    }
  }

  summary(topN = this.opts.topAccounts): {
    overall: EscalationSummary;
    byCategory: Record<string, EscalationSummary>;
    byAccount: Array<{ accountId: string } & EscalationSummary>;
  } {
    const byCategory: Record<string, EscalationSummary> = {};
    for (const [k, c] of [...this.byCat.entries()].sort((a, b) => b[1].tickets - a[1].tickets)) byCategory[k] = summarize(c);
    const byAccount = [...this.byAcc.entries()]
      .sort((a, b) => b[1].escalated - a[1].escalated || b[1].tickets - a[1].tickets || (a[0] < b[0] ? -1 : 1))
      .slice(0, topN)
      .map(([accountId, c]) => ({ accountId, ...summarize(c) }));
    return { overall: summarize(this.overall), byCategory, byAccount };
  }

  toJSON(): EscalationMetricsJSON {
    const rows: string[] = [];
    for (const [k, t] of this.tickets) {
      rows.push((t.row ??= ticketRow(k, t)));
    }
    return {
      overall: this.overall,
      byCat: [...this.byCat.entries()].map(([k, c]) => ({ k, c })),
      byAcc: [...this.byAcc.entries()].map(([k, c]) => ({ k, c })),
      // tickets in insertion order (the eviction order), as one text: rows are reused between snapshots
      tickets: `[${rows.join(',')}]`,
      opts: this.opts,
    };
  }

  static fromJSON(json: EscalationMetricsJSON | string): EscalationMetrics {
    const j = typeof json === 'string' ? (JSON.parse(json) as EscalationMetricsJSON) : json;
    const m = new EscalationMetrics(j.opts);
    m.overall = j.overall;
    m.byCat = new Map(j.byCat.map((x) => [x.k, x.c]));
    m.byAcc = new Map(j.byAcc.map((x) => [x.k, x.c]));
    m.tickets =
      typeof j.tickets === 'string'
        ? new Map((JSON.parse(j.tickets) as TicketRow[]).map((r) => [r[0], fromRow(r)]))
        : new Map(j.tickets.map((x) => [x.k, x.t]));
    return m;
  }
}
