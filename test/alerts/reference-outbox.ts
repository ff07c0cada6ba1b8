// The outbox's decisions as they were before it kept an index: every one a query of the alerts
// collection. The differential test holds the indexed outbox to exactly these outcomes.
import type { Store } from '../../src/store/repository.js';
import type { AlertsConfig } from '../../src/alerts/config.js';
import type { AlertDoc, AlertInput, AlertStatus, Band } from '../../src/alerts/alert-types.js';
import { quietHoursEnd, route } from '../../src/alerts/routing.js';
import { newAlertDoc } from '../../src/alerts/outbox.js';
import { isIncidentKind as isIncident } from '../../src/alerts/alert-index.js';

/** Statuses that stand for a message that was or will be posted. */
const LIVE: AlertStatus[] = ['pending', 'sending', 'sent'];
const BAND_RANK: Record<Band, number> = { healthy: 0, watch: 1, 'at-risk': 2, critical: 3 };

export class ReferenceOutbox {
  private readonly alerts;

  constructor(
    store: Store,
    private readonly cfg: AlertsConfig,
    private readonly clock: () => number,
  ) {
    this.alerts = store.collection<AlertDoc>('alerts');
  }

  /** Stores the alert; false when an alert with this dedupe key exists already. */
  async enqueue(alert: AlertInput): Promise<boolean> {
    if (!alert.dedupeKey) throw new TypeError('alert.dedupeKey: required');
    if (await this.alerts.get(alert.dedupeKey)) return false;
    const now = this.clock();
    const r = route(alert, this.cfg, now);
    const doc = newAlertDoc(alert, r, now, this.cfg.redaction.ips);

    if (!r) {
      doc.status = 'suppressed';
      doc.reason = 'below the routing threshold (severity or band)';
    } else {
      await this.thread(doc);
      if (doc.kind === 'account.alert') await this.accountCooldown(doc);
      if (doc.status === 'pending' && r.hold) {
        doc.status = 'held';
        doc.holdUntil = quietHoursEnd(this.cfg.quietHours, now);
      }
    }

    const { inserted } = await this.alerts.insertNew([doc]);
    if (inserted.length === 0) return false;
    await this.releaseByEventTime(alert.createdAt, now);
    if (doc.status === 'pending' && doc.threadRoot && isIncident(doc.kind)) await this.coalesce(doc);
    return true;
  }

  /** Finds the thread root: the first alert of the thread key, or the recent incident of the same error cluster. */
  private async thread(doc: AlertDoc): Promise<void> {
    if (doc.threadKey) {
      const first = await this.alerts.find({ threadKey: doc.threadKey, status: { $ne: 'suppressed' } }, { sort: [['enqueuedAt', 1]], limit: 1 });
      if (first[0]) doc.threadRoot = first[0].threadRoot ?? first[0]._id;
    }
    if (!doc.threadRoot && doc.kind === 'incident.opened' && this.cfg.cooldown.reopenThreadMs > 0) {
      const recent = await this.alerts.find(
        { groupKey: doc.groupKey, kind: 'incident.opened', createdAt: { $gte: doc.createdAt - this.cfg.cooldown.reopenThreadMs }, status: { $ne: 'suppressed' } },
        { sort: [['createdAt', -1]], limit: 1 },
      );
      const prev = recent[0];
      if (prev) {
        doc.threadRoot = prev.threadRoot ?? prev._id;
        doc.reopen = true;
      }
    }
    if (!doc.threadRoot || !isIncident(doc.kind)) return;
    // message budget of the group, counted in event time so a replay decides the same way
    const window = this.cfg.cooldown.groupWindowMs;
    const used = await this.alerts.find(
      { groupKey: doc.groupKey, status: { $in: LIVE }, createdAt: { $gt: doc.createdAt - window } },
      { sort: [['createdAt', 1]] },
    );
    if (used.length >= this.cfg.cooldown.maxMessagesPerGroup) {
      const oldest = used[0]!;
      // wall time for a live daemon; in a replay, later alerts release it by event time (below)
      doc.releaseAt = oldest.createdAt + window;
      doc.nextAttemptAt = this.clock() + Math.max(0, doc.releaseAt - doc.createdAt);
      doc.reason = `message budget of ${doc.groupKey} used (${used.length} in ${Math.round(window / 60_000)} min): waits, newer updates replace it`;
    }
  }

  /** Deferred follow-ups whose budget slot has opened by the event time of this alert are due now. */
  private async releaseByEventTime(eventTime: number, now: number): Promise<void> {
    const ready = await this.alerts.find({ status: 'pending', releaseAt: { $lte: eventTime } });
    for (const d of ready) await this.alerts.update(d._id, { releaseAt: null, nextAttemptAt: Math.min(d.nextAttemptAt, now) }, { where: { status: 'pending' } });
  }

  /** An account alert that repeats the same or a milder band within the cooldown is not sent. */
  private async accountCooldown(doc: AlertDoc): Promise<void> {
    const since = doc.createdAt - this.cfg.cooldown.accountRepeatMs;
    const recent = await this.alerts.find(
      { groupKey: doc.groupKey, kind: 'account.alert', createdAt: { $gte: since }, status: { $in: ['pending', 'sending', 'sent', 'held', 'released'] } },
      { sort: [['createdAt', -1]], limit: 1 },
    );
    const prev = recent[0];
    if (!prev) return;
    const was = BAND_RANK[(prev.band as Band) ?? 'healthy'] ?? 0;
    const now = BAND_RANK[(doc.band as Band) ?? 'healthy'] ?? 0;
    if (now <= was) {
      doc.status = 'suppressed';
      doc.reason = `cooldown: ${prev._id} already reported ${prev.band} for this account`;
    }
  }

  /**
   * Older unsent follow-ups of the same incident group are replaced by the newest one, which keeps
   * its own schedule (its budget check is the fresher one). Alerts already tried once are left
   * alone: they may have reached Slack.
   */
  private async coalesce(doc: AlertDoc): Promise<void> {
    const older = await this.alerts.find({ groupKey: doc.groupKey, status: 'pending', claimId: null, attempts: 0, createdAt: { $lte: doc.createdAt } });
    let folded = 0;
    for (const o of older) {
      // roots start threads and are never replaced; only follow-ups fold
      if (o._id === doc._id || o.threadRoot === null) continue;
      const ok = await this.alerts.update(
        o._id,
        { status: 'superseded', supersededBy: doc._id, reason: 'a newer update of the same incident replaced it' },
        { where: { status: 'pending', claimId: null, attempts: 0 } },
      );
      if (ok) folded += 1 + o.coalesced;
    }
    if (folded > 0) await this.alerts.update(doc._id, { coalesced: folded }, { where: { status: 'pending' } });
  }

}
