// Delivers the outbox: claims due alerts with a conditional update (one daemon per alert), posts
// them in their thread, retries with backoff and jitter, honours Retry-After, never posts twice.
// It works from the alerts it knows to be open (read whole now and then, told of new ones in process).
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
import { listenForAlerts } from './alert-feed.js';
import { AlertArchive } from './alert-archive.js';

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

/** Statuses in which an alert may still need the sender. */
const OPEN: ReadonlySet<AlertDoc['status']> = new Set(['pending', 'held', 'sending']);

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
  /** Both alert collections: thread roots may be archived; finished alerts are moved there. */
  private readonly all: AlertArchive;
  private lastPrune = 0;
  private lastArchive = -Infinity;
  private readonly transport: AlertTransport;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly metrics: AlertMetrics | null;
  /** Slack said 429: nothing is posted before this wall time. */
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  /**
   * Open alerts (pending, held, sending) as last seen: read whole from the store at the first pass,
   * after start() and every staleClaimMs (what another process stored or changed is seen within the
   * time a dead daemon's claim takes to recover anyway), and kept current from this process's writes
   * in between. Each is read again before anything is done with it. On a store only this process
   * can open (the embedded one), every write passes through here, so the whole read is done once:
   * with thousands of open alerts it is one copy of all of them, tens of ms of stalled event loop.
   */
  private readonly open = new Map<string, AlertDoc>();
  private readAllAt = -Infinity;
  private readonly rereadAll: boolean;
  /** Wall time this process last posted (or tried to) in each channel: the loop's pace (delivery.channelIntervalMs). */
  private readonly lastPost = new Map<string, number>();

  constructor(
    store: Store,
    private readonly cfg: AlertsConfig,
    private readonly deps: AlertSenderDeps,
  ) {
    this.alerts = store.collection<AlertDoc>('alerts');
    this.rereadAll = store.durable;
    this.kv = store.collection<ClaimDoc>('kv');
    this.all = new AlertArchive(store);
    this.transport = deps.transport ?? createTransport(cfg, deps);
    this.clock = deps.clock ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.metrics = alertMetrics(deps.registry);
    listenForAlerts(store, (doc) => this.track(doc));
  }

  /** Records an alert as last written or read. */
  private track(doc: AlertDoc): void {
    if (OPEN.has(doc.status)) this.open.set(doc._id, doc);
    else this.open.delete(doc._id);
  }

  /** The known open alerts matching `pick`, read again: those that still match, as stored now. */
  private async reread(pick: (d: AlertDoc) => boolean, order?: (a: AlertDoc, b: AlertDoc) => number, limit = Infinity): Promise<AlertDoc[]> {
    const out: AlertDoc[] = [];
    let candidates = [...this.open.values()].filter(pick);
    if (order) candidates.sort(order);
    // most candidates are still what they were: read as many as are still needed, in one getMany
    while (candidates.length > 0 && out.length < limit) {
      const batch = candidates.slice(0, Math.max(1, Math.min(limit - out.length, candidates.length)));
      candidates = candidates.slice(batch.length);
      const fresh = new Map((await this.alerts.getMany(batch.map((d) => d._id))).map((d) => [d._id, d]));
      for (const d of batch) {
        const now = fresh.get(d._id);
        if (!now) {
          this.open.delete(d._id);
          continue;
        }
        this.track(now);
        if (pick(now)) out.push(now);
      }
      if (order) {
        // a re-read alert may have moved (a later nextAttemptAt): the rest keep their order
        out.sort(order);
      }
    }
    return out.slice(0, limit);
  }

  get transportName(): AlertTransport['name'] {
    return this.transport.name;
  }

  /**
   * One pass: release held alerts, recover dead claims, deliver what is due. `paced` (the loop of
   * start()): at most one post per channel per delivery.channelIntervalMs, Slack's pace, so a
   * backlog neither runs into rate limits nor crowds the store with claims; an explicit pass
   * (a flush) delivers up to batchSize at once.
   */
  async runOnce(opts: { paced?: boolean } = {}): Promise<RunResult> {
    const result: RunResult = { sent: 0, failed: 0, held: 0 };
    const now = this.clock();
    if (this.readAllAt === -Infinity || (this.rereadAll && now - this.readAllAt >= this.cfg.delivery.staleClaimMs)) await this.readAll(now);
    await this.releaseHeld(now);
    await this.recoverStale(now);
    await this.pruneClaims(now);
    // housekeeping of the background loop: a flush (or a test's pass) leaves the collections as they are
    if (opts.paced && now - this.lastArchive >= this.cfg.archive.intervalMs) {
      this.lastArchive = now;
      const moved = await this.all.move(now - this.cfg.archive.afterMs);
      if (moved > 0) this.deps.logger?.debug({ moved }, 'finished alerts moved to the archive');
    }
    if (now >= this.pausedUntil) {
      const isDue = (d: AlertDoc) => d.status === 'pending' && d.nextAttemptAt <= now;
      const order = (a: AlertDoc, b: AlertDoc) => a.nextAttemptAt - b.nextAttemptAt || a.enqueuedAt - b.enqueuedAt;
      const interval = opts.paced ? this.cfg.delivery.channelIntervalMs : 0;
      let pick = isDue;
      if (interval > 0) {
        // the first due alert of each channel whose last post is at least the interval ago
        const first = new Map<string, string>();
        for (const d of [...this.open.values()].filter(isDue).sort(order)) {
          if (!first.has(d.channel) && (this.lastPost.get(d.channel) ?? -Infinity) + interval <= now) first.set(d.channel, d._id);
        }
        const chosen = new Set(first.values());
        pick = (d) => chosen.has(d._id) && isDue(d);
      }
      const due = await this.reread(pick, order, this.cfg.delivery.batchSize);
      // thread roots first, so a follow-up due in the same pass finds its root already posted
      due.sort((a, b) => Number(a.threadRoot !== null) - Number(b.threadRoot !== null));
      for (const doc of due) {
        if (this.stopped || this.clock() < this.pausedUntil) break;
        const outcome = await this.deliver(doc);
        result[outcome]++;
      }
    }
    if (this.metrics) {
      let pending = 0;
      for (const d of this.open.values()) if (d.status !== 'held') pending++;
      this.metrics.pending.set(pending);
    }
    return result;
  }

  /** Reads every open alert from the store (one pass over the collection). */
  private async readAll(now: number): Promise<void> {
    const docs = await this.alerts.find({ status: { $in: [...OPEN] } });
    this.open.clear();
    for (const d of docs) this.open.set(d._id, d);
    this.readAllAt = now;
  }

  /** Alerts held for quiet hours go out, once they are over, as one summary per channel. */
  private async releaseHeld(now: number): Promise<void> {
    const ready = await this.reread((d) => d.status === 'held' && d.holdUntil !== null && d.holdUntil <= now, (a, b) => a.enqueuedAt - b.enqueuedAt);
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
      const { inserted } = await this.alerts.insertNew([summary]);
      if (inserted.length > 0) this.track(summary);
      for (const d of docs) if (await this.alerts.update(d._id, { status: 'released', releasedInto: id }, { where: { status: 'held' } })) this.open.delete(d._id);
    }
  }

  /** A claim older than staleClaimMs belongs to a daemon that died mid-send: put it back, to be checked. */
  private async recoverStale(now: number): Promise<void> {
    const stale = await this.reread((d) => d.status === 'sending' && d.claimedAt !== null && d.claimedAt < now - this.cfg.delivery.staleClaimMs);
    for (const d of stale) {
      const set = { status: 'pending', claimId: null, claimedBy: null, uncertain: true, nextAttemptAt: now, error: `claim of ${d.claimedBy} expired mid-send` } as const;
      const ok = await this.alerts.update(d._id, set, { where: { status: 'sending', claimId: d.claimId } });
      if (ok) {
        this.track({ ...d, ...set });
        this.deps.logger?.warn({ alert: d._id, claimedBy: d.claimedBy }, 'recovered an alert whose sender died mid-send; checking Slack before posting');
      }
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
  private async claim(doc: AlertDoc, threadTs: string | null): Promise<string | null> {
    const n = doc.claims + 1;
    const claimId = `alert-claim:${doc._id}#${n}`;
    const now = this.clock();
    const { inserted } = await this.kv.insertNew([{ _id: claimId, kind: CLAIM_KIND, alert: doc._id, by: this.deps.instanceId, at: now }]);
    if (inserted.length === 0) return null;
    // the thread goes with the claim: one write (a conditional update reads much of the collection on FerretDB)
    const set = { status: 'sending', claimId, claimedBy: this.deps.instanceId, claimedAt: now, threadTs } as const;
    const ok = await this.alerts.update(doc._id, set, { where: { status: 'pending', claims: doc.claims }, inc: { attempts: 1, claims: 1 } });
    if (!ok) return null;
    this.track({ ...doc, ...set, attempts: doc.attempts + 1, claims: n });
    return claimId;
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
      const root = await this.all.get(doc.threadRoot);
      // a root held for quiet hours is not waited for: this reply was routed as critical
      if (root && (root.status === 'pending' || root.status === 'sending')) {
        const rootDue = root.status === 'pending' ? root.nextAttemptAt : 0;
        const nextAttemptAt = Math.max(this.clock() + this.cfg.delivery.pollMs, rootDue);
        if (await this.alerts.update(doc._id, { nextAttemptAt }, { where: { status: 'pending', claims: doc.claims } })) this.track({ ...doc, nextAttemptAt });
        return 'held';
      }
      if (root && root.status === 'sent' && root.ts) {
        threadTs = root.threadTs ?? root.ts;
        channel = root.postedChannel ?? root.channel;
      }
    }

    const claimId = await this.claim(doc, threadTs ?? null);
    // another daemon took it (or a newer update superseded it) between find and claim
    if (!claimId) {
      // tried again from what the store says now, not from what this sender last saw
      const now = await this.alerts.get(doc._id);
      if (now) this.track(now);
      else this.open.delete(doc._id);
      return 'held';
    }
    const attempts = doc.attempts + 1;
    const mine = { status: 'sending', claimId } as const;
    const putBack = async (set: Partial<AlertDoc>, inc?: Record<string, number>) => {
      const back = { status: 'pending', claimId: null, claimedBy: null, ...set } as const;
      if (await this.alerts.update(doc._id, back, { where: mine, ...(inc ? { inc } : {}) })) this.track({ ...doc, ...back, attempts: attempts + (inc?.attempts ?? 0), claims: doc.claims + 1 });
    };

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
      this.lastPost.set(doc.channel, this.clock());
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
      this.open.delete(doc._id);
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
        this.open.delete(doc._id);
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
    // what happened while this daemon was not sending (another was) is read at the first pass
    this.readAllAt = -Infinity;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce({ paced: true })
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
