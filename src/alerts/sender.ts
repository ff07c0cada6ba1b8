// Delivers the outbox: claims due alerts with a conditional update (one daemon per alert), posts
// them in their thread, retries with backoff and jitter, honours Retry-After, never posts twice.
import type { Registry } from 'prom-client';
import type { Store } from '../store/repository.js';
import type { AlertsConfig } from './config.js';
import type { AlertDoc, HeldDigestPayload } from './alert-types.js';
import type { AlertTransport, PostedMessage } from './alert-transport.js';
import type { AlertLogger } from './alert-logger.js';
import { alertMetrics, type AlertMetrics } from './alert-metrics.js';
import { renderAlert, summaryLine } from './blocks.js';
import { ConsoleSink } from './console-sink.js';
import { DeliveryError } from './delivery-error.js';
import { SlackTransport } from './slack/slack-transport.js';

export interface AlertSenderDeps {
  logger?: AlertLogger;
  registry?: Registry;
  /** Slack Web API base URL (tests); default: alerts.slack.apiUrl, then Slack. */
  slackApiUrl?: string;
  clock?: () => number;
  /** Names this daemon in claims. */
  instanceId: string;
  /** Where the console sink and dry-run print (default stdout). */
  out?: NodeJS.WritableStream;
  /** Uniform [0,1) source for backoff jitter (tests pass a fixed one). */
  random?: () => number;
  /** A ready transport, replacing the choice by configuration. */
  transport?: AlertTransport;
}

/** Marks claim records in the shared kv collection. */
const CLAIM_KIND = 'alert-claim';
// pruning a few times per retention period keeps the kv collection small at the cost of one delete
const CLAIM_PRUNES_PER_RETENTION = 24;

interface ClaimDoc {
  _id: string;
  kind: typeof CLAIM_KIND;
  alert: string;
  by: string;
  at: number;
}

export interface RunResult {
  sent: number;
  failed: number;
  /** Alerts put back for later: backoff, rate limit, waiting for their thread root. */
  held: number;
}

/** Chooses where alerts go: dry-run and no token print; otherwise Slack. */
export function createTransport(cfg: AlertsConfig, deps: Pick<AlertSenderDeps, 'logger' | 'slackApiUrl' | 'out'>): AlertTransport {
  const out = deps.out ?? process.stdout;
  if (cfg.dryRun) return new ConsoleSink(out, { dryRun: true });
  if (!cfg.slack.token) return new ConsoleSink(out);
  return new SlackTransport({
    token: cfg.slack.token,
    apiUrl: deps.slackApiUrl ?? cfg.slack.apiUrl,
    requestTimeoutMs: cfg.slack.requestTimeoutMs,
    historyPages: cfg.delivery.historyPages,
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
}

export class AlertSender {
  private readonly alerts;
  private readonly kv;
  private lastPrune = 0;
  private readonly transport: AlertTransport;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly metrics: AlertMetrics | null;
  /** Slack said 429: nothing is posted before this wall time. */
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    store: Store,
    private readonly cfg: AlertsConfig,
    private readonly deps: AlertSenderDeps,
  ) {
    this.alerts = store.collection<AlertDoc>('alerts');
    this.kv = store.collection<ClaimDoc>('kv');
    this.transport = deps.transport ?? createTransport(cfg, deps);
    this.clock = deps.clock ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.metrics = alertMetrics(deps.registry);
  }

  get transportName(): AlertTransport['name'] {
    return this.transport.name;
  }

  /** One pass: release held alerts, recover dead claims, deliver what is due. */
  async runOnce(): Promise<RunResult> {
    const result: RunResult = { sent: 0, failed: 0, held: 0 };
    const now = this.clock();
    await this.releaseHeld(now);
    await this.recoverStale(now);
    await this.pruneClaims(now);
    if (now >= this.pausedUntil) {
      const due = await this.alerts.find(
        { status: 'pending', nextAttemptAt: { $lte: now } },
        { sort: [['nextAttemptAt', 1], ['enqueuedAt', 1]], limit: this.cfg.delivery.batchSize },
      );
      // thread roots first, so a follow-up due in the same pass finds its root already posted
      due.sort((a, b) => Number(a.threadRoot !== null) - Number(b.threadRoot !== null));
      for (const doc of due) {
        if (this.stopped || this.clock() < this.pausedUntil) break;
        const outcome = await this.deliver(doc);
        result[outcome]++;
      }
    }
    if (this.metrics) this.metrics.pending.set(await this.alerts.count({ status: { $in: ['pending', 'sending'] } }));
    return result;
  }

  /** Alerts held for quiet hours go out, once they are over, as one summary per channel. */
  private async releaseHeld(now: number): Promise<void> {
    const ready = await this.alerts.find({ status: 'held', holdUntil: { $lte: now } }, { sort: [['enqueuedAt', 1]] });
    const groups = new Map<string, AlertDoc[]>();
    for (const d of ready) {
      const key = `held:${d.channel}:${d.holdUntil}`;
      groups.set(key, [...(groups.get(key) ?? []), d]);
    }
    for (const [id, docs] of groups) {
      const payload: HeldDigestPayload = {
        from: Math.min(...docs.map((d) => d.enqueuedAt)),
        until: docs[0]!.holdUntil!,
        lines: docs.map((d) => summaryLine({ kind: d.kind, payload: d.payload, severity: d.severity })),
      };
      const summary: AlertDoc = {
        ...docs[0]!,
        _id: id,
        kind: 'digest.held',
        status: 'pending',
        severity: null,
        tier: null,
        band: null,
        groupKey: 'digest.held',
        threadKey: null,
        threadRoot: null,
        mention: null,
        createdAt: payload.until,
        enqueuedAt: now,
        nextAttemptAt: now,
        holdUntil: null,
        releaseAt: null,
        attempts: 0,
        claims: 0,
        claimId: null,
        reason: null,
        reopen: false,
        coalesced: 0,
        payload,
      };
      // a crash between these writes is repaired by the next pass: the summary id is fixed
      await this.alerts.insertNew([summary]);
      for (const d of docs) await this.alerts.update(d._id, { status: 'released', releasedInto: id }, { where: { status: 'held' } });
    }
  }

  /** A claim older than staleClaimMs belongs to a daemon that died mid-send: put it back, to be checked. */
  private async recoverStale(now: number): Promise<void> {
    const stale = await this.alerts.find({ status: 'sending', claimedAt: { $lt: now - this.cfg.delivery.staleClaimMs } });
    for (const d of stale) {
      const ok = await this.alerts.update(
        d._id,
        { status: 'pending', claimId: null, claimedBy: null, uncertain: true, nextAttemptAt: now, error: `claim of ${d.claimedBy} expired mid-send` },
        { where: { status: 'sending', claimId: d.claimId } },
      );
      if (ok) this.deps.logger?.warn({ alert: d._id, claimedBy: d.claimedBy }, 'recovered an alert whose sender died mid-send; checking Slack before posting');
    }
  }

  private backoffMs(attempts: number): number {
    const d = this.cfg.delivery;
    const base = Math.min(d.backoffMaxMs, d.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(base * (1 - d.jitter + d.jitter * this.random()));
  }

  /**
   * Claims an alert for this daemon. The claim is a kv document with a unique id per claim number:
   * inserting it is atomic on every store (FerretDB applies concurrent conditional updates
   * non-atomically, so a conditional update alone could let two daemons claim the same alert).
   */
  private async claim(doc: AlertDoc): Promise<string | null> {
    const n = doc.claims + 1;
    const claimId = `alert-claim:${doc._id}#${n}`;
    const now = this.clock();
    const { inserted } = await this.kv.insertNew([{ _id: claimId, kind: CLAIM_KIND, alert: doc._id, by: this.deps.instanceId, at: now }]);
    if (inserted.length === 0) return null;
    const ok = await this.alerts.update(
      doc._id,
      { status: 'sending', claimId, claimedBy: this.deps.instanceId, claimedAt: now },
      { where: { status: 'pending', claims: doc.claims }, inc: { attempts: 1, claims: 1 } },
    );
    return ok ? claimId : null;
  }

  /** Claim records older than the retention are of no use to anyone; dropped at most once per interval. */
  private async pruneClaims(now: number): Promise<void> {
    const every = this.cfg.delivery.claimRetentionMs / CLAIM_PRUNES_PER_RETENTION;
    if (now - this.lastPrune < every) return;
    this.lastPrune = now;
    await this.kv.deleteMany({ kind: CLAIM_KIND, at: { $lt: now - this.cfg.delivery.claimRetentionMs } });
  }

  private async deliver(doc: AlertDoc): Promise<keyof RunResult> {
    // threading: replies go under the root's message, in the root's channel; until the root is
    // out, the reply waits (without a claim: nothing is sent)
    let channel = doc.channel;
    let threadTs: string | undefined;
    if (doc.threadRoot) {
      const root = await this.alerts.get(doc.threadRoot);
      // a root held for quiet hours is not waited for: this reply was routed as critical
      if (root && (root.status === 'pending' || root.status === 'sending')) {
        const rootDue = root.status === 'pending' ? root.nextAttemptAt : 0;
        await this.alerts.update(doc._id, { nextAttemptAt: Math.max(this.clock() + this.cfg.delivery.pollMs, rootDue) }, { where: { status: 'pending', claims: doc.claims } });
        return 'held';
      }
      if (root && root.status === 'sent' && root.ts) {
        threadTs = root.threadTs ?? root.ts;
        channel = root.postedChannel ?? root.channel;
      }
    }

    const claimId = await this.claim(doc);
    // another daemon took it (or a newer update superseded it) between find and claim
    if (!claimId) return 'held';
    const attempts = doc.attempts + 1;
    const mine = { status: 'sending', claimId } as const;
    const putBack = (set: Partial<AlertDoc>, inc?: Record<string, number>) =>
      this.alerts.update(doc._id, { status: 'pending', claimId: null, claimedBy: null, ...set }, { where: mine, ...(inc ? { inc } : {}) });

    await this.alerts.update(doc._id, { threadTs: threadTs ?? null }, { where: mine });

    try {
      let posted: PostedMessage | null = null;
      if (doc.uncertain) {
        // the last attempt may have landed: find it before posting again
        posted = await this.transport.findPosted({
          channel,
          ...(threadTs ? { threadTs } : {}),
          dedupeKey: doc._id,
          sinceMs: Math.min(doc.enqueuedAt, doc.claimedAt ?? doc.enqueuedAt) - this.cfg.delivery.recoverySkewMs,
        });
        if (posted) this.deps.logger?.info({ alert: doc._id, ts: posted.ts }, 'alert was already posted before an interruption; recorded, not reposted');
      }
      if (!posted) {
        const standalone = doc.threadRoot !== null && !threadTs;
        const msg = renderAlert({ kind: doc.kind, payload: doc.payload, severity: doc.severity, mention: doc.mention, reopen: doc.reopen, coalesced: doc.coalesced, standalone }, this.cfg);
        posted = await this.transport.post({ channel, text: msg.text, blocks: msg.blocks, dedupeKey: doc._id, ...(threadTs ? { threadTs } : {}) });
      }
      const recorded = await this.alerts.update(
        doc._id,
        { status: 'sent', ts: posted.ts, postedChannel: posted.channel, sentAt: this.clock(), transport: this.transport.name, error: null, uncertain: false },
        { where: mine },
      );
      if (!recorded) this.deps.logger?.warn({ alert: doc._id }, 'alert posted but the claim was lost meanwhile; the recovering daemon will find the post');
      this.metrics?.sent.inc({ kind: doc.kind, transport: this.transport.name });
      return 'sent';
    } catch (err) {
      const e = err instanceof DeliveryError ? err : new DeliveryError('transient', err instanceof Error ? err.message : String(err), true);
      const now = this.clock();
      if (e.code === 'rate_limited') {
        const wait = e.retryAfterMs ?? this.backoffMs(attempts);
        this.pausedUntil = Math.max(this.pausedUntil, now + wait);
        // waiting for a rate limit is not a failed attempt
        await putBack({ nextAttemptAt: now + wait, error: e.message }, { attempts: -1 });
        this.metrics?.retried.inc({ reason: 'rate_limited' });
        this.deps.logger?.warn({ alert: doc._id, retryAfterMs: wait }, 'Slack rate limit: pausing alerts');
        return 'held';
      }
      if (e.code === 'permanent' || attempts >= this.cfg.delivery.maxAttempts) {
        await this.alerts.update(doc._id, { status: 'failed', claimId: null, error: e.message, uncertain: e.uncertain || doc.uncertain }, { where: mine });
        this.metrics?.failed.inc({ kind: doc.kind, reason: e.code === 'permanent' ? 'permanent' : 'attempts' });
        this.deps.logger?.error({ alert: doc._id, attempts, error: e.message }, 'alert delivery failed');
        return 'failed';
      }
      const wait = this.backoffMs(attempts);
      await putBack({ nextAttemptAt: now + wait, error: e.message, uncertain: e.uncertain || doc.uncertain });
      this.metrics?.retried.inc({ reason: e.uncertain ? 'uncertain' : 'transient' });
      this.deps.logger?.warn({ alert: doc._id, attempts, retryInMs: wait, error: e.message }, 'alert delivery will be retried');
      return 'held';
    }
  }

  /** Runs a pass every `intervalMs` until stop(); a failing pass is logged and the next one tries again. */
  start(intervalMs: number = this.cfg.delivery.pollMs): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .catch((err) => this.deps.logger?.error({ err }, 'alert sender pass failed'))
        .finally(() => {
          this.running = null;
          if (!this.stopped) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops the loop and waits for a pass in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running;
  }
}
