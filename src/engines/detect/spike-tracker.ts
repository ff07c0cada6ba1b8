// Cross-account spikes of one error cluster: per-cluster event-time buckets of events and accounts,
// scored at bucket close; incidents open, grow and resolve (with hysteresis) as the watermark moves.
import type { DetectConfig, SpikesConfig } from './config.js';
import { SeriesDetector, type SeriesDetectorState } from './series-detector.js';
import { countTailProbability } from './count-tail.js';

export type Severity = 'sev1' | 'sev2' | 'sev3';

export interface SpikeFinding {
  kind: 'opened' | 'grew' | 'resolved';
  /** Deterministic: cluster id and onset bucket start. */
  incidentId: string;
  clusterId: string;
  /** Event time of the finding (end of the bucket that decided it). */
  at: number;
  severity: Severity;
  /** Events of the cluster in the deciding bucket. */
  count: number;
  /** Expected events per bucket before the incident. */
  baseline: number;
  /** The larger of the bucket's and the trailing window's rate ratios (window: spikes that trickle in). */
  ratio: number;
  /** Accounts hit since the incident opened, most events first. */
  accounts: Array<{ accountId: string; count: number }>;
  /** Recent buckets, oldest first. */
  series: Array<{ t: number; count: number; baseline: number }>;
}

export interface IncidentView {
  incidentId: string;
  clusterId: string;
  openedAt: number;
  severity: Severity;
  lastCount: number;
  peakCount: number;
  baseline: number;
  peakRatio: number;
  accountsAffected: number;
  weightedAccounts: number;
  quietBuckets: number;
}

export interface SpikeEvent {
  clusterId: string;
  accountId: string;
  at: number;
  /** Importance of the account (1 = ordinary, e.g. 3 for enterprise). */
  weight: number;
}

interface AccountTally {
  count: number;
  weight: number;
}

/**
 * Somewhere else to close a quiet cluster's empty buckets ahead of need (another thread). The
 * detector's updates are a pure function of its state and the bucket times, so a result taken
 * from there is the one this tracker would have computed; one that comes too late is not used.
 */
export interface EmptyBucketOffload {
  /**
   * Asks for detectors to be advanced through empty buckets: for each request, the detector's
   * exact state (SeriesDetector.exactStateInto) is at `index * stateLength` of `states`, and its
   * buckets are from[index], from[index] + bucketMs, ... up to before to[index].
   */
  send(batch: OffloadBatch): void;
  /** Batches answered since the last call: the same batch, `states` holding the detectors after their buckets. */
  receive(): OffloadBatch[];
}

export interface OffloadBatch {
  /** Request ids, one per detector. */
  ids: Float64Array;
  from: Float64Array;
  to: Float64Array;
  states: Float64Array;
  stateLength: number;
  bucketMs: number;
}

/** A batch's buffers, to hand it to another thread and back without a copy (a transfer list). */
export function offloadBuffers(batch: OffloadBatch): ArrayBuffer[] {
  return [batch.ids.buffer, batch.from.buffer, batch.to.buffer, batch.states.buffer] as ArrayBuffer[];
}

/**
 * What whoever takes an OffloadBatch does with it: each detector, set from its state, closes its
 * empty buckets as SpikeTracker would, and its state is written back in place. `det` is scratch
 * (any detector of the same configuration).
 */
export function closeOffloadedBuckets(batch: OffloadBatch, det: SeriesDetector): void {
  for (let k = 0; k < batch.ids.length; k++) {
    const at = k * batch.stateLength;
    det.setExactState(batch.states, at);
    for (let b = batch.from[k]!; b < batch.to[k]!; b += batch.bucketMs) det.update(b, 0);
    det.exactStateInto(batch.states, at);
  }
}

/**
 * Fewest owed empty buckets worth sending away (the hand-over costs about as much as tens of
 * updates), and the event time between two batches in buckets (a message costs tens of microseconds).
 */
const MIN_OFFLOAD_BUCKETS = 60;
/** Requests sent away and unanswered beyond which no more are sent (bounds what is remembered of them). */
const MAX_OFFLOADS_OUTSTANDING = 10_000;

interface Incident {
  id: string;
  onset: number;
  /** Expected events per bucket at onset (floored). */
  baseline: number;
  /** Expected events per trailing window at onset (floored). */
  windowBaseline: number;
  severity: Severity;
  peakCount: number;
  peakRatio: number;
  lastCount: number;
  reportedCount: number;
  reportedAccounts: number;
  quiet: number;
  accounts: Map<string, AccountTally>;
}

interface ClusterTrack {
  det: SeriesDetector;
  /** Request id of empty buckets sent away (0: none): its answer is used if the cluster is still where it was. */
  offloaded: number;
  /** Start of this cluster's first bucket not yet closed (null until its first close). */
  next: number | null;
  lastActive: number;
  cooldownUntil: number;
  pending: Map<number, { count: number; accounts: Map<string, AccountTally> }>;
  /** Recent closed buckets with events or inside an incident (zero buckets are implied). */
  recent: Array<{ t: number; count: number; baseline: number }>;
  /** Closed buckets with events inside the trailing window. */
  window: Array<{ t: number; count: number; accounts: Map<string, AccountTally> }>;
  incident: Incident | null;
  /** Long-run mean count per bucket (exponentially weighted, zeros included) and its bucket. */
  rate: number;
  rateAt: number | null;
  /** Buckets the rate has seen, for the start-up bias correction. */
  rateN: number;
  /** Events ever closed, and the first bucket with one: the plain mean for a young cluster. */
  total: number;
  first: number | null;
}

/** Above this share of all errors, the rest is too small a reference for a cluster's expected count. */
const MAX_REFERENCE_SHARE = 0.5;
/** Buckets of history before the window that make a cluster's plain mean worth using (ten minutes). */
const MIN_HISTORY_BUCKETS = 10;
const SEVERITY_RANK: Record<Severity, number> = { sev3: 0, sev2: 1, sev1: 2 };
const KIND_ORDER = { resolved: 0, opened: 1, grew: 2 } as const;

export class SpikeTracker {
  private readonly clusters = new Map<string, ClusterTrack>();
  private closedUntil: number | null = null;
  private readonly detectorCfg: DetectConfig;
  private readonly rateAlpha: number;
  /** Decay of the long-run rate over one bucket (the common step; Math.pow(x, 1) is x exactly). */
  private readonly rateKeep1: number;
  /** Error events per bucket over all clusters, for the buckets of the trailing window. */
  private readonly globalCounts = new Map<number, number>();
  private globalRate = 0;
  private globalRateAt: number | null = null;
  private offload: EmptyBucketOffload | null = null;
  /** Requests sent away and not answered yet: the cluster and the buckets each covers. */
  private readonly offloads = new Map<number, { clusterId: string; from: number; to: number }>();
  private nextOffloadId = 1;
  /** Event time of the last batch sent away. */
  private lastOffloadAt = -Infinity;
  /** Batches and requests sent away, and the requests whose answer was used (the rest came too late). */
  readonly offloadCounts = { batches: 0, sent: 0, used: 0 };

  constructor(private readonly cfg: SpikesConfig) {
    this.detectorCfg = cfg.detector;
    this.rateAlpha = 1 - Math.pow(0.5, 1 / cfg.rateHalfLifeBuckets);
    this.rateKeep1 = 1 - this.rateAlpha;
  }

  /** Lets quiet clusters' empty buckets be closed elsewhere ahead of need (same results; see EmptyBucketOffload). */
  useOffload(offload: EmptyBucketOffload | null): void {
    this.offload = offload;
  }

  private bucketOf(at: number): number {
    return Math.floor(at / this.cfg.bucketMs) * this.cfg.bucketMs;
  }

  private track(clusterId: string): ClusterTrack {
    let c = this.clusters.get(clusterId);
    if (!c) {
      c = { det: new SeriesDetector(this.detectorCfg), offloaded: 0, next: null, lastActive: -Infinity, cooldownUntil: -Infinity, pending: new Map(), recent: [], window: [], incident: null, rate: 0, rateAt: null, rateN: 0, total: 0, first: null };
      this.clusters.set(clusterId, c);
    }
    return c;
  }

  /** Counts one event of a cluster; false (not counted) when its bucket has already closed. */
  observe(e: SpikeEvent): boolean {
    if (!Number.isFinite(e.at)) return false;
    const b = this.bucketOf(e.at);
    if (this.closedUntil !== null && b < this.closedUntil) return false;
    const c = this.track(e.clusterId);
    let p = c.pending.get(b);
    if (!p) {
      p = { count: 0, accounts: new Map() };
      c.pending.set(b, p);
    }
    p.count++;
    this.globalCounts.set(b, (this.globalCounts.get(b) ?? 0) + 1);
    const w = Number.isFinite(e.weight) && e.weight > 0 ? e.weight : 1;
    const a = p.accounts.get(e.accountId);
    // Max, not last: the weight must not depend on arrival order.
    if (a) {
      a.count++;
      if (w > a.weight) a.weight = w;
    } else p.accounts.set(e.accountId, { count: 1, weight: w });
    if (b > c.lastActive) c.lastActive = b;
    return true;
  }

  /**
   * The long-run mean of all error events per bucket, bucket by bucket up to `end`. A cluster's
   * share of it, times the current all-cluster count, is its expected count now: every cluster
   * rises in office hours together, so the share is steady where the raw rate is not.
   */
  private advanceGlobal(end: number): void {
    const B = this.cfg.bucketMs;
    let b = this.globalRateAt === null ? this.closedUntil! : this.globalRateAt + B;
    if (end - b > this.cfg.maxCatchUpBuckets * B) {
      this.globalRate *= Math.pow(1 - this.rateAlpha, Math.round((end - b) / B));
      b = end;
    }
    for (; b < end; b += B) {
      this.globalRate = this.globalRate * (1 - this.rateAlpha) + this.rateAlpha * (this.globalCounts.get(b) ?? 0);
      this.globalRateAt = b;
    }
  }

  /** All clusters' events in the window ending with bucket `b`. */
  private globalWindow(b: number): number {
    const from = b - this.cfg.windowBuckets * this.cfg.bucketMs;
    let n = 0;
    // forEach, not for-of over entries: no [key, value] array per entry on a per-bucket path
    this.globalCounts.forEach((k, t) => {
      if (t <= b && t > from) n += k;
    });
    return n;
  }

  /** Closes every bucket that ended at or before the watermark and returns what changed, in event-time order. */
  advance(watermarkMs: number): SpikeFinding[] {
    const end = this.bucketOf(watermarkMs);
    if (this.closedUntil === null) {
      let first = Infinity;
      for (const c of this.clusters.values()) for (const b of c.pending.keys()) if (b < first) first = b;
      if (first === Infinity) return [];
      this.closedUntil = first;
    }
    if (end <= this.closedUntil) return [];
    const findings: SpikeFinding[] = [];
    this.adoptOffloaded();
    this.advanceGlobal(end);
    // A cluster with nothing pending and no incident only closes empty buckets, which depend on its
    // own state alone: they are closed when next needed (its next event, a snapshot, a merge), in
    // one run, instead of a few buckets of every cluster at each call (the watermark moves every few
    // minutes). A call longer than maxCatchUpBuckets may skip buckets, so it defers nothing; and a
    // cluster owing that many is closed now, so no later call owes more than a day of one cluster's
    // buckets (after a long silence, the days closed one call at a time each pay their share).
    const span = this.cfg.maxCatchUpBuckets * this.cfg.bucketMs;
    const defer = end - this.closedUntil <= span;
    const owedFrom = this.closedUntil - span;
    // forEach, not for-of over entries: no [id, cluster] array per cluster at every call
    let away: string[] | null = null;
    const minAway = MIN_OFFLOAD_BUCKETS * this.cfg.bucketMs;
    // a batch goes out at most once per that many buckets of event time: a message has a fixed cost
    const sendAway = this.offload !== null && end - this.lastOffloadAt >= minAway;
    this.clusters.forEach((c, id) => {
      if (defer && c.pending.size === 0 && !c.incident && c.next !== null && c.next > owedFrom) {
        // owing enough, and nothing sent yet: another thread may close them before they are needed
        if (sendAway && c.offloaded === 0 && end - c.next >= minAway) (away ??= []).push(id);
        return;
      }
      this.catchUp(id, c);
      this.closeCluster(id, c, end, findings);
    });
    this.closedUntil = end;
    if (away) {
      this.sendOffloaded(away, end);
      this.lastOffloadAt = end;
    }
    const keepFrom = end - this.cfg.windowBuckets * this.cfg.bucketMs;
    for (const b of this.globalCounts.keys()) if (b < keepFrom) this.globalCounts.delete(b);
    this.evict();
    findings.sort((a, b) => a.at - b.at || (a.clusterId < b.clusterId ? -1 : a.clusterId > b.clusterId ? 1 : 0) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
    return findings;
  }

  /**
   * Closes the empty buckets a quiet cluster was left owing by advance(): the same updates in the
   * same order as closing them call by call (no call it skipped was long enough to skip a bucket).
   */
  private catchUp(id: string, c: ClusterTrack): void {
    const until = this.closedUntil;
    if (c.next === null || until === null || c.next >= until) return;
    // closed here after all: an answer still to come is for buckets already closed
    c.offloaded = 0;
    const B = this.cfg.bucketMs;
    // an empty bucket outside an incident yields no finding
    const none: SpikeFinding[] = [];
    for (let b = c.next; b < until; b += B) this.closeBucket(id, c, b, 0, undefined, none);
    c.next = until;
  }

  private closeCluster(id: string, c: ClusterTrack, end: number, out: SpikeFinding[]): void {
    const B = this.cfg.bucketMs;
    if (c.next === null) {
      let first = Infinity;
      for (const b of c.pending.keys()) if (b < first) first = b;
      if (first === Infinity) return;
      c.next = first;
    }
    let b = c.next;
    let emptyRun = 0;
    while (b < end) {
      // most clusters have nothing pending in most buckets: skip the map lookup
      const p = c.pending.size > 0 ? c.pending.get(b) : undefined;
      if (!p && emptyRun >= this.cfg.maxCatchUpBuckets && !c.incident) {
        // A long silence: skip to the next bucket with events; the detector sees it as a gap.
        let nextB = end;
        for (const k of c.pending.keys()) if (k > b && k < nextB) nextB = k;
        b = nextB;
        emptyRun = 0;
        continue;
      }
      emptyRun = p ? 0 : emptyRun + 1;
      if (p) c.pending.delete(b);
      this.closeBucket(id, c, b, p?.count ?? 0, p?.accounts, out);
      b += B;
    }
    c.next = b;
  }

  /**
   * Sends the detectors of quiet clusters away to be advanced through the empty buckets they owe
   * (up to `end`), in one batch; the answers are taken in by the next advance() that finds them in.
   */
  private sendOffloaded(ids: string[], end: number): void {
    // so many unanswered: whatever answers has stopped (its results were never needed)
    if (this.offloads.size > MAX_OFFLOADS_OUTSTANDING) return;
    const B = this.cfg.bucketMs;
    const stateLength = SeriesDetector.exactStateLength(this.detectorCfg);
    const batch: OffloadBatch = { ids: new Float64Array(ids.length), from: new Float64Array(ids.length), to: new Float64Array(ids.length), states: new Float64Array(ids.length * stateLength), stateLength, bucketMs: B };
    for (let k = 0; k < ids.length; k++) {
      const c = this.clusters.get(ids[k]!)!;
      const id = this.nextOffloadId++;
      c.offloaded = id;
      this.offloads.set(id, { clusterId: ids[k]!, from: c.next!, to: end });
      batch.ids[k] = id;
      batch.from[k] = c.next!;
      batch.to[k] = end;
      c.det.exactStateInto(batch.states, k * stateLength);
    }
    this.offloadCounts.batches++;
    this.offloadCounts.sent += ids.length;
    this.offload!.send(batch);
  }

  /**
   * Takes in the answers that are in: a cluster still owing exactly the buckets it sent away takes
   * the detector state that comes back and closes those buckets' own bookkeeping here, as if it had
   * closed them itself; any other answer is dropped (the cluster closed them meanwhile).
   */
  private adoptOffloaded(): void {
    if (!this.offload) return;
    for (const batch of this.offload.receive()) {
      for (let k = 0; k < batch.ids.length; k++) {
        const id = batch.ids[k]!;
        const req = this.offloads.get(id);
        if (!req) continue;
        this.offloads.delete(id);
        const c = this.clusters.get(req.clusterId);
        if (!c || c.offloaded !== id || c.next !== req.from || c.incident || c.pending.size > 0) continue;
        c.det.setExactState(batch.states, k * batch.stateLength);
        for (let b = req.from; b < req.to; b += batch.bucketMs) this.closeEmpty(c, b);
        c.next = req.to;
        c.offloaded = 0;
        this.offloadCounts.used++;
      }
    }
  }

  /** What closing an empty bucket outside an incident does besides the detector's update. */
  private closeEmpty(c: ClusterTrack, b: number): void {
    this.advanceRate(c, b, 0);
    this.trim(c, b);
  }

  /**
   * The long-run mean moved on to bucket `b`, which had `count` events. The detector's level
   * follows the typical bucket, which is 0 for a sparse cluster; this mean keeps an error that many
   * accounts report now and then from looking new.
   */
  private advanceRate(c: ClusterTrack, b: number, count: number): void {
    const steps = c.rateAt === null ? 1 : Math.max(1, Math.round((b - c.rateAt) / this.cfg.bucketMs));
    const keep = steps === 1 ? this.rateKeep1 : Math.pow(1 - this.rateAlpha, steps);
    c.rate = c.rate * keep + this.rateAlpha * count;
    c.rateN += steps;
    c.rateAt = b;
  }

  /** Drops the recent buckets and the window entries that closing bucket `b` leaves behind. */
  private trim(c: ClusterTrack, b: number): void {
    const B = this.cfg.bucketMs;
    const horizon = b - this.cfg.seriesBuckets * B;
    while (c.recent.length > 0 && c.recent[0]!.t <= horizon) c.recent.shift();
    const windowStart = b - (this.cfg.windowBuckets - 1) * B;
    while (c.window.length > 0 && c.window[0]!.t < windowStart) c.window.shift();
  }

  private closeBucket(id: string, c: ClusterTrack, b: number, count: number, accounts: Map<string, AccountTally> | undefined, out: SpikeFinding[]): void {
    const cfg = this.cfg;
    const B = cfg.bucketMs;
    c.det.update(b, count);
    // An empty bucket outside an incident can neither open nor change one (the common case: every
    // cluster closes a bucket every minute, most of them empty): the rate and the trims only.
    if (count === 0 && !c.incident) {
      this.closeEmpty(c, b);
      return;
    }
    this.advanceRate(c, b, count);
    if (count > 0) {
      c.total += count;
      if (c.first === null) c.first = b;
    }
    // no start-up bias correction: a new cluster's prior rate is 0, which is what makes it new
    const baseline = Math.max(0, c.det.lastExpected, c.rate);
    if (count > 0 || c.incident) {
      c.recent.push({ t: b, count, baseline: round3(baseline) });
    }
    // Trailing window (this bucket included): an outage that trickles in over tens of minutes
    // never puts three accounts in one bucket, but does within the window.
    if (accounts && count > 0) c.window.push({ t: b, count, accounts });
    // the bucket just added is newer than anything trimmed
    this.trim(c, b);
    let winCount = 0;
    for (const w of c.window) winCount += w.count;
    const bucketBase = Math.max(baseline, cfg.baselineFloor / cfg.windowBuckets);
    const windowBase = Math.max(baseline * cfg.windowBuckets, cfg.baselineFloor);
    const ratio = Math.max(count / bucketBase, winCount / windowBase);
    const at = b + B;
    const inc = c.incident;
    if (!inc) {
      const needRatio = cfg.minRatio * (b < c.cooldownUntil ? 2 : 1);
      // Opening needs the ratio and enough events in the window whatever the accounts: most
      // non-empty buckets stop here, before the window's accounts are gathered into a map.
      if (!(ratio >= needRatio) || winCount < cfg.minWindowCount) return;
      const win = { count: winCount, accounts: windowAccounts(c.window) };
      // The number of distinct accounts in the window must be improbable as chance under the
      // cluster's own rate (as if every event came from another account): one loud account plus a
      // few routine reports is not an outage, many accounts at once is.
      // Both time scales count: five accounts in one minute, or a dozen over the hour. The
      // expectation is the larger of the cluster's own and its share of all errors right now.
      const inBucket = accounts?.size ?? 0;
      // The other clusters' count scales the expectation (not the cluster's own, which holds the
      // spike); a cluster that is most of all errors has no such reference and keeps its own rate.
      const share = this.globalRate > 0 ? c.rate / this.globalRate : 0;
      const others = share > 0 && share < MAX_REFERENCE_SHARE ? this.globalWindow(b) - win.count : 0;
      // A young cluster's slow average has not warmed up: its plain mean before the window (given
      // a few minutes of history) says whether it is steady traffic or a brand-new burst.
      const before = c.first === null ? 0 : (b - (cfg.windowBuckets - 1) * B - c.first) / B;
      const history = before >= MIN_HISTORY_BUCKETS ? ((c.total - win.count) / before) * cfg.windowBuckets : 0;
      const winExpected = Math.max(windowBase, history, (share / (1 - share)) * others);
      const significant =
        countTailProbability(win.accounts.size, winExpected, winExpected) <= cfg.maxChanceProbability ||
        countTailProbability(inBucket, bucketBase, bucketBase) <= cfg.maxChanceProbability;
      // Improbably many accounts at once is enough on its own (with the count, ratio and window
      // count checked above); the detector's bucket score speaks for the count alone, which a
      // trickle across many accounts never makes surprising per bucket.
      if (!significant || !this.enoughAccounts(win.accounts)) return;
      // Spread, not one loud account: without the busiest account of the window, the other accounts
      // must still be enough and still show a rise.
      let busiestId = '';
      let busiest = -1;
      for (const [k, a] of win.accounts) if (a.count > busiest || (a.count === busiest && k < busiestId)) [busiestId, busiest] = [k, a.count];
      const rest = new Map(win.accounts);
      rest.delete(busiestId);
      if (rest.size < cfg.minDistinctAccounts || !this.enoughAccounts(rest) || (win.count - busiest) / windowBase < cfg.spreadRatio) return;
      const opened: Incident = {
        id: `${id}@${b}`,
        onset: b,
        baseline: bucketBase,
        windowBaseline: windowBase,
        severity: 'sev3',
        peakCount: count,
        peakRatio: ratio,
        lastCount: count,
        reportedCount: win.count,
        reportedAccounts: win.accounts.size,
        quiet: 0,
        accounts: new Map(),
      };
      mergeAccounts(opened.accounts, win.accounts);
      opened.severity = this.severityOf(opened);
      c.incident = opened;
      out.push(this.finding('opened', id, c, opened, at, count, ratio));
      return;
    }
    if (accounts) mergeAccounts(inc.accounts, accounts);
    inc.lastCount = count;
    const incRatio = Math.max(count / inc.baseline, winCount / inc.windowBaseline);
    if (count > inc.peakCount) inc.peakCount = count;
    if (incRatio > inc.peakRatio) inc.peakRatio = incRatio;
    inc.quiet = winCount >= cfg.quietRatio * inc.windowBaseline ? 0 : inc.quiet + 1;
    if (inc.quiet >= cfg.quietBuckets) {
      out.push(this.finding('resolved', id, c, inc, at, count, incRatio));
      c.incident = null;
      c.cooldownUntil = b + cfg.cooldownBuckets * B;
      return;
    }
    const severity = this.severityOf(inc);
    const worse = SEVERITY_RANK[severity] > SEVERITY_RANK[inc.severity];
    if (worse) inc.severity = severity;
    if (worse || winCount >= cfg.growthFactor * inc.reportedCount || inc.accounts.size >= cfg.growthFactor * inc.reportedAccounts) {
      inc.reportedCount = Math.max(inc.reportedCount, winCount);
      inc.reportedAccounts = Math.max(inc.reportedAccounts, inc.accounts.size);
      out.push(this.finding('grew', id, c, inc, at, count, incRatio));
    }
  }

  private enoughAccounts(accounts: Map<string, AccountTally>): boolean {
    if (accounts.size >= this.cfg.minAccounts) return true;
    if (accounts.size < this.cfg.minDistinctAccounts) return false;
    let weighted = 0;
    for (const a of accounts.values()) weighted += a.weight;
    return weighted >= this.cfg.minAccounts;
  }

  private severityOf(inc: Incident): Severity {
    const cfg = this.cfg;
    let weighted = 0;
    for (const a of inc.accounts.values()) weighted += a.weight;
    let s: Severity = 'sev3';
    if (weighted >= cfg.sev1WeightedAccounts || (inc.peakRatio >= cfg.sev1Ratio && weighted >= cfg.sev2WeightedAccounts)) s = 'sev1';
    else if (weighted >= cfg.sev2WeightedAccounts || inc.peakRatio >= cfg.sev2Ratio) s = 'sev2';
    // Severity never drops while the incident is open: the peak is what people need to know.
    return SEVERITY_RANK[s] >= SEVERITY_RANK[inc.severity] ? s : inc.severity;
  }

  private finding(kind: SpikeFinding['kind'], clusterId: string, c: ClusterTrack, inc: Incident, at: number, count: number, ratio: number): SpikeFinding {
    const cfg = this.cfg;
    const accounts = [...inc.accounts.entries()]
      .map(([accountId, a]) => ({ accountId, count: a.count }))
      .sort((x, y) => y.count - x.count || (x.accountId < y.accountId ? -1 : x.accountId > y.accountId ? 1 : 0))
      .slice(0, cfg.maxAccountsListed);
    // Fill the implied zero buckets so the series is one point per bucket.
    const series: SpikeFinding['series'] = [];
    const last = at - cfg.bucketMs;
    const first = last - (cfg.seriesBuckets - 1) * cfg.bucketMs;
    let j = 0;
    let base = c.recent.length > 0 ? c.recent[0]!.baseline : round3(inc.baseline);
    for (let t = first; t <= last; t += cfg.bucketMs) {
      while (j < c.recent.length && c.recent[j]!.t < t) j++;
      const r = c.recent[j];
      if (r && r.t === t) {
        base = r.baseline;
        series.push({ t, count: r.count, baseline: r.baseline });
      } else series.push({ t, count: 0, baseline: base });
    }
    return {
      kind,
      incidentId: inc.id,
      clusterId,
      at,
      severity: inc.severity,
      count,
      baseline: round3(inc.baseline),
      ratio: round3(ratio),
      accounts,
      series,
    };
  }

  /** Drops the least recently active clusters without an open incident beyond maxClusters. */
  private evict(): void {
    const excess = this.clusters.size - this.cfg.maxClusters;
    if (excess <= 0) return;
    const idle = [...this.clusters.entries()]
      .filter(([, c]) => !c.incident && c.pending.size === 0)
      .sort((a, b) => a[1].lastActive - b[1].lastActive || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [id] of idle.slice(0, excess)) this.clusters.delete(id);
  }

  /** Open incidents, oldest first. */
  open(): IncidentView[] {
    const views: IncidentView[] = [];
    for (const [clusterId, c] of this.clusters) {
      const inc = c.incident;
      if (!inc) continue;
      let weighted = 0;
      for (const a of inc.accounts.values()) weighted += a.weight;
      views.push({
        incidentId: inc.id,
        clusterId,
        openedAt: inc.onset + this.cfg.bucketMs,
        severity: inc.severity,
        lastCount: inc.lastCount,
        peakCount: inc.peakCount,
        baseline: round3(inc.baseline),
        peakRatio: round3(inc.peakRatio),
        accountsAffected: inc.accounts.size,
        weightedAccounts: weighted,
        quietBuckets: inc.quiet,
      });
    }
    return views.sort((a, b) => a.openedAt - b.openedAt || (a.clusterId < b.clusterId ? -1 : 1));
  }

  /** Folds cluster `from` into `to` after a cluster merge: pending counts add up, one incident survives. */
  remap(fromClusterId: string, toClusterId: string): void {
    if (fromClusterId === toClusterId) return;
    const from = this.clusters.get(fromClusterId);
    if (!from) return;
    this.catchUp(fromClusterId, from);
    const into = this.clusters.get(toClusterId);
    if (into) this.catchUp(toClusterId, into);
    this.clusters.delete(fromClusterId);
    const to = this.clusters.get(toClusterId);
    if (!to) {
      this.clusters.set(toClusterId, from);
      return;
    }
    for (const [b, p] of from.pending) {
      const q = to.pending.get(b);
      if (!q) to.pending.set(b, p);
      else {
        q.count += p.count;
        mergeAccounts(q.accounts, p.accounts);
      }
    }
    to.next = to.next ?? from.next;
    to.lastActive = Math.max(to.lastActive, from.lastActive);
    to.window = [...to.window, ...from.window].sort((x, y) => x.t - y.t);
    if (from.incident && !to.incident) to.incident = from.incident;
    else if (from.incident && to.incident) mergeAccounts(to.incident.accounts, from.incident.accounts);
  }

  snapshot(): string {
    this.adoptOffloaded();
    for (const [id, c] of this.clusters) this.catchUp(id, c);
    const clusters = [...this.clusters.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([id, c]) => ({
        id,
        d: c.det.toJSON(),
        n: c.next,
        la: Number.isFinite(c.lastActive) ? c.lastActive : null,
        cd: Number.isFinite(c.cooldownUntil) ? c.cooldownUntil : null,
        p: [...c.pending.entries()].map(([b, p]) => ({ b, c: p.count, a: tallies(p.accounts) })),
        r: c.recent.map((r) => [r.t, r.count, r.baseline]),
        w: c.window.map((w) => ({ b: w.t, c: w.count, a: tallies(w.accounts) })),
        i: c.incident
          ? { ...c.incident, accounts: tallies(c.incident.accounts) }
          : null,
        rt: [c.rate, c.rateAt, c.rateN, c.total, c.first],
      }));
    return JSON.stringify({ v: 1, u: this.closedUntil, clusters, g: [this.globalRate, this.globalRateAt, [...this.globalCounts.entries()].sort((a, b) => a[0] - b[0])] });
  }

  static restore(s: string, cfg: SpikesConfig): SpikeTracker {
    const t = new SpikeTracker(cfg);
    const data = JSON.parse(s) as SnapshotData;
    if (data.v !== 1) throw new Error(`spike tracker snapshot version ${String(data.v)} is not supported`);
    t.closedUntil = data.u;
    if (data.g) {
      t.globalRate = data.g[0];
      t.globalRateAt = data.g[1];
      for (const [b, k] of data.g[2]) t.globalCounts.set(b, k);
    }
    for (const c of data.clusters) {
      t.clusters.set(c.id, {
        det: SeriesDetector.fromJSON(c.d, t.detectorCfg),
        offloaded: 0,
        next: c.n,
        lastActive: c.la ?? -Infinity,
        cooldownUntil: c.cd ?? -Infinity,
        pending: new Map(c.p.map((p) => [p.b, { count: p.c, accounts: untallies(p.a) }])),
        recent: c.r.map(([tt, count, baseline]) => ({ t: tt, count, baseline })),
        window: c.w.map((w) => ({ t: w.b, count: w.c, accounts: untallies(w.a) })),
        incident: c.i ? { ...c.i, accounts: untallies(c.i.accounts) } : null,
        rate: c.rt?.[0] ?? 0,
        rateAt: c.rt?.[1] ?? null,
        rateN: c.rt?.[2] ?? 0,
        total: c.rt?.[3] ?? 0,
        first: c.rt?.[4] ?? null,
      });
    }
    return t;
  }
}

type TallyList = Array<[string, number, number]>;

interface SnapshotData {
  v: number;
  u: number | null;
  /** All-cluster long-run rate, its bucket, and the recent per-bucket counts. */
  g?: [number, number | null, Array<[number, number]>];
  clusters: Array<{
    id: string;
    d: SeriesDetectorState;
    n: number | null;
    la: number | null;
    cd: number | null;
    p: Array<{ b: number; c: number; a: TallyList }>;
    r: Array<[number, number, number]>;
    w: Array<{ b: number; c: number; a: TallyList }>;
    i: (Omit<Incident, 'accounts'> & { accounts: TallyList }) | null;
    /** Long-run rate, its bucket and buckets seen. */
    rt?: [number, number | null, number, number, number | null];
  }>;
}

function tallies(m: Map<string, AccountTally>): TallyList {
  return [...m.entries()].map(([k, v]) => [k, v.count, v.weight]);
}

function untallies(list: TallyList): Map<string, AccountTally> {
  return new Map(list.map(([k, count, weight]) => [k, { count, weight }]));
}

function mergeAccounts(into: Map<string, AccountTally>, from: Map<string, AccountTally>): void {
  for (const [k, v] of from) {
    const a = into.get(k);
    if (a) {
      a.count += v.count;
      if (v.weight > a.weight) a.weight = v.weight;
    } else into.set(k, { count: v.count, weight: v.weight });
  }
}

function windowAccounts(window: Array<{ accounts: Map<string, AccountTally> }>): Map<string, AccountTally> {
  const accounts = new Map<string, AccountTally>();
  for (const w of window) mergeAccounts(accounts, w.accounts);
  return accounts;
}

function round3(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : 0;
}
