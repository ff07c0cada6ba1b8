// The outbox's memory of recent alerts per group and thread, so threading, budgets, cooldowns and
// coalescing are decided without reading the whole alerts collection (FerretDB scans it per query).
import type { AlertDoc, AlertStatus } from './alert-types.js';

/** What the outbox decides with; `status` is as last seen: the store may be further on (see below). */
export interface IndexedAlert {
  readonly id: string;
  readonly kind: AlertDoc['kind'];
  readonly groupKey: string;
  readonly threadRoot: string | null;
  readonly createdAt: number;
  readonly band: string | null;
  status: AlertStatus;
  releaseAt: number | null;
  coalesced: number;
  /** Insertion order: breaks ties in event time the way the store's natural order does. */
  readonly seq: number;
}

interface Group {
  entries: IndexedAlert[];
  /** Entries created before this (event time) may have been forgotten; a query reaching below it asks the store. */
  forgottenBelow: number;
  newest: number;
}

/**
 * Statuses an alert can never leave. Everything else may still move on in the store without the
 * index seeing it (the sender claims, posts, fails and puts back), but only in one direction:
 * pending <-> sending -> sent | failed, held -> released, pending -> superseded. So an alert the
 * index holds as live (pending, sending, sent) or as cooling an account down is at most *more*
 * often so than in the store: a decision that finds nothing in the index is final, and a hit is
 * checked against the store before it counts.
 */
const FINAL: ReadonlySet<AlertStatus> = new Set(['sent', 'failed', 'released', 'suppressed', 'superseded']);

export function isFinal(status: AlertStatus): boolean {
  return FINAL.has(status);
}

export function isIncidentKind(kind: string): boolean {
  return kind.startsWith('incident.');
}

export class AlertIndex {
  private readonly groups = new Map<string, Group>();
  /** Root of each thread key: that of its first alert that was not suppressed (by enqueue time). */
  private readonly threads = new Map<string, { root: string; enqueuedAt: number }>();
  /** Alerts over their group's budget waiting for a later alert's event time (releaseAt set). */
  private readonly waiting = new Set<IndexedAlert>();
  /** Every alert id, forgotten ones too: a dedupe key seen again is refused without asking the store. */
  private readonly ids = new Set<string>();
  private seq = 0;

  /**
   * @param keepMs how far back in event time, from a group's newest alert, its alerts are kept: the
   *   longest window any decision looks back over. Older ones are forgotten unless they may still be
   *   folded into a newer update (pending follow-ups) or released (waiting for a budget slot).
   */
  constructor(private readonly keepMs: number) {}

  /** An index of everything in `docs` (the whole collection, in any order). */
  static build(docs: AlertDoc[], keepMs: number): AlertIndex {
    const index = new AlertIndex(keepMs);
    // enqueue order, as the store would have seen them arrive
    const sorted = [...docs].sort((a, b) => a.enqueuedAt - b.enqueuedAt);
    for (const d of sorted) index.add(d);
    index.forgetOld();
    return index;
  }

  add(d: Pick<AlertDoc, '_id' | 'kind' | 'groupKey' | 'threadKey' | 'threadRoot' | 'createdAt' | 'enqueuedAt' | 'band' | 'status' | 'releaseAt' | 'coalesced'>): IndexedAlert {
    const e: IndexedAlert = {
      id: d._id,
      kind: d.kind,
      groupKey: d.groupKey,
      threadRoot: d.threadRoot,
      createdAt: d.createdAt,
      band: d.band,
      status: d.status,
      releaseAt: d.releaseAt,
      coalesced: d.coalesced,
      seq: this.seq++,
    };
    this.ids.add(d._id);
    let g = this.groups.get(d.groupKey);
    if (!g) {
      g = { entries: [], forgottenBelow: -Infinity, newest: -Infinity };
      this.groups.set(d.groupKey, g);
    }
    g.entries.push(e);
    g.newest = Math.max(g.newest, d.createdAt);
    if (d.threadKey && d.status !== 'suppressed') {
      const t = this.threads.get(d.threadKey);
      if (!t || d.enqueuedAt < t.enqueuedAt) this.threads.set(d.threadKey, { root: d.threadRoot ?? d._id, enqueuedAt: d.enqueuedAt });
    }
    if (d.releaseAt !== null && !isFinal(d.status)) this.waiting.add(e);
    return e;
  }

  /** True when an alert with this id was stored. */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** The root of the thread `threadKey` (first non-suppressed alert's root, or that alert), if any. */
  threadRoot(threadKey: string): string | null {
    return this.threads.get(threadKey)?.root ?? null;
  }

  /** True when the index holds every alert of the group created at or after `since`. */
  covers(groupKey: string, since: number): boolean {
    const g = this.groups.get(groupKey);
    return !g || since >= g.forgottenBelow;
  }

  /** Alerts of the group matching `pick`, in event time order (ties: insertion order). */
  select(groupKey: string, pick: (e: IndexedAlert) => boolean): IndexedAlert[] {
    const g = this.groups.get(groupKey);
    if (!g) return [];
    return g.entries.filter(pick).sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq);
  }

  /** Alerts waiting for a budget slot whose slot opens at or before `eventTime`. */
  releasable(eventTime: number): IndexedAlert[] {
    const out: IndexedAlert[] = [];
    for (const e of this.waiting) if (e.releaseAt !== null && e.releaseAt <= eventTime) out.push(e);
    return out;
  }

  /** Records what the store said (or what this process wrote) about an alert. */
  observe(e: IndexedAlert, d: Pick<AlertDoc, 'status' | 'releaseAt' | 'coalesced'>): void {
    e.status = d.status;
    e.releaseAt = d.releaseAt;
    e.coalesced = d.coalesced;
    if (e.releaseAt === null || isFinal(e.status)) this.waiting.delete(e);
  }

  /** Forgets an alert the store no longer has (deleted by hand: the outbox never deletes). */
  drop(e: IndexedAlert): void {
    this.ids.delete(e.id);
    this.waiting.delete(e);
    const g = this.groups.get(e.groupKey);
    if (g) g.entries = g.entries.filter((x) => x !== e);
  }

  /** Forgets the group's alerts that no decision can reach any more; call after adding to it. */
  forgetOld(groupKey?: string): void {
    const groups = groupKey === undefined ? [...this.groups.values()] : [this.groups.get(groupKey)].filter((g): g is Group => g !== undefined);
    for (const g of groups) {
      const cutoff = g.newest - this.keepMs;
      const forget = (e: IndexedAlert) => e.createdAt < cutoff && !this.mayStillChange(e);
      if (!g.entries.some(forget)) continue;
      g.entries = g.entries.filter((e) => !forget(e));
      g.forgottenBelow = Math.max(g.forgottenBelow, cutoff);
    }
  }

  /** Kept past the window: a follow-up that a newer update may still replace, or one waiting for release. */
  private mayStillChange(e: IndexedAlert): boolean {
    if (this.waiting.has(e)) return true;
    return isIncidentKind(e.kind) && e.threadRoot !== null && !isFinal(e.status);
  }
}
