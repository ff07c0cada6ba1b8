import { describe, expect, it } from 'vitest';
import { spikesConfig } from '../../../src/engines/detect/config.js';
import { SpikeTracker, closeOffloadedBuckets, type EmptyBucketOffload, type OffloadBatch, type SpikeEvent, type SpikeFinding } from '../../../src/engines/detect/spike-tracker.js';
import { SeriesDetector } from '../../../src/engines/detect/series-detector.js';

const cfg = spikesConfig.parse({});
const B = cfg.bucketMs;
const T0 = Date.UTC(2024, 2, 1);
const LATENESS = 3 * B;

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

/** Background noise on cluster `c1` for `buckets` buckets, then a spike across 6 accounts at `onset`. */
function scenario(seed = 1, onset = 200, spikeBuckets = 8, buckets = 260): SpikeEvent[] {
  const r = rng(seed);
  const events: SpikeEvent[] = [];
  for (let b = 0; b < buckets; b++) {
    if (r() < 0.3) events.push({ clusterId: 'c1', accountId: `acct-${Math.floor(r() * 20)}`, at: T0 + b * B + Math.floor(r() * B), weight: 1 });
    if (b >= onset && b < onset + spikeBuckets) {
      for (let a = 0; a < 6; a++) for (let k = 0; k < 4; k++) events.push({ clusterId: 'c1', accountId: `hit-${a}`, at: T0 + b * B + Math.floor(r() * B), weight: a === 0 ? 3 : 1 });
    }
  }
  return events.sort((x, y) => x.at - y.at);
}

/** Feeds events in the given order, moving the watermark to (latest event time - lateness) as it goes. */
function replay(events: SpikeEvent[], tracker = new SpikeTracker(cfg), endAt?: number): { findings: SpikeFinding[]; tracker: SpikeTracker } {
  const findings: SpikeFinding[] = [];
  let maxAt = -Infinity;
  for (const e of events) {
    expect(tracker.observe(e)).toBe(true);
    maxAt = Math.max(maxAt, e.at);
    findings.push(...tracker.advance(maxAt - LATENESS));
  }
  if (endAt !== undefined) findings.push(...tracker.advance(endAt));
  return { findings, tracker };
}

describe('SpikeTracker', () => {
  it('opens one incident within 2 buckets of a cross-account spike, and resolves it after the quiet period', () => {
    const onset = 200;
    const { findings } = replay(scenario(1, onset), undefined, T0 + 300 * B);
    const opened = findings.filter((f) => f.kind === 'opened');
    expect(opened).toHaveLength(1);
    const f = opened[0]!;
    expect(f.clusterId).toBe('c1');
    expect(f.at - (T0 + onset * B)).toBeLessThanOrEqual(2 * B);
    expect(f.incidentId).toBe(`c1@${T0 + onset * B}`);
    expect(f.accounts.length).toBeGreaterThanOrEqual(cfg.minAccounts);
    expect(f.ratio).toBeGreaterThanOrEqual(cfg.minRatio);
    expect(f.series).toHaveLength(cfg.seriesBuckets);
    const resolved = findings.filter((x) => x.kind === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.incidentId).toBe(f.incidentId);
    expect(resolved[0]!.at).toBeGreaterThan(T0 + (onset + 8 + cfg.quietBuckets - 1) * B);
  });

  it('opens nothing for one noisy account, even a heavily weighted one', () => {
    const r = rng(4);
    const events: SpikeEvent[] = [];
    for (let b = 0; b < 200; b++) {
      if (r() < 0.3) events.push({ clusterId: 'c2', accountId: 'quiet', at: T0 + b * B + 10, weight: 1 });
      if (b >= 150 && b < 170) for (let k = 0; k < 40; k++) events.push({ clusterId: 'c2', accountId: 'noisy', at: T0 + b * B + k * 100, weight: 3 });
    }
    const { findings, tracker } = replay(events.sort((x, y) => x.at - y.at), undefined, T0 + 220 * B);
    expect(findings).toEqual([]);
    expect(tracker.open()).toEqual([]);
  });

  it('counts a brand-new cluster that bursts across accounts', () => {
    const events: SpikeEvent[] = [];
    for (let a = 0; a < 5; a++) for (let k = 0; k < 3; k++) events.push({ clusterId: 'fresh', accountId: `a${a}`, at: T0 + 1000 + a * 50 + k, weight: 1 });
    const t = new SpikeTracker(cfg);
    for (const e of events) t.observe(e);
    const findings = t.advance(T0 + B);
    expect(findings.map((f) => f.kind)).toEqual(['opened']);
    expect(t.open().map((v) => v.clusterId)).toEqual(['fresh']);
  });

  it('opens on a spike that trickles in across accounts, fewer than three per bucket', () => {
    const r = rng(8);
    const events: SpikeEvent[] = [];
    // Background: an old cluster with the odd event; then 18 accounts hit once or twice within two hours.
    // (background about one an hour: a rise to ~9 an hour across 18 new accounts must stand out from chance)
    for (let b = 0; b < 120; b++) if (r() < 0.02) events.push({ clusterId: 'slow', accountId: `bg-${b % 7}`, at: T0 + b * B + 1, weight: 1 });
    for (let a = 0; a < 18; a++) for (let k = 0; k < 1 + (a % 2); k++) events.push({ clusterId: 'slow', accountId: `acct-${a}`, at: T0 + 120 * B + Math.floor(r() * 120 * B), weight: 1 });
    const { findings } = replay(events.sort((x, y) => x.at - y.at), undefined, T0 + 500 * B);
    const opened = findings.filter((f) => f.kind === 'opened');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.at).toBeLessThanOrEqual(T0 + 180 * B);
    expect(findings.filter((f) => f.kind === 'resolved')).toHaveLength(1);
  });

  it('gives the same findings when the same events arrive in another order within the lateness', () => {
    const events = scenario(2);
    const inOrder = replay(events, undefined, T0 + 300 * B).findings;
    const r = rng(99);
    // Each event is delayed by up to the allowed lateness, then delivered in arrival order.
    const shuffled = events
      .map((e) => ({ e, arrival: e.at + Math.floor(r() * LATENESS) }))
      .sort((x, y) => x.arrival - y.arrival)
      .map((x) => x.e);
    expect(shuffled).not.toEqual(events);
    const reordered = replay(shuffled, undefined, T0 + 300 * B).findings;
    expect(inOrder.some((f) => f.kind === 'opened')).toBe(true);
    expect(reordered).toEqual(inOrder);
  });

  it('refuses an event whose bucket has closed', () => {
    const t = new SpikeTracker(cfg);
    expect(t.observe({ clusterId: 'c', accountId: 'a', at: T0 + 5 * B, weight: 1 })).toBe(true);
    t.advance(T0 + 6 * B);
    expect(t.observe({ clusterId: 'c', accountId: 'a', at: T0 + 5 * B + 1, weight: 1 })).toBe(false);
    expect(t.observe({ clusterId: 'c', accountId: 'a', at: T0 + 6 * B, weight: 1 })).toBe(true);
  });

  it('round-trips a snapshot mid-incident and carries on exactly as without it', () => {
    const events = scenario(3);
    const whole = replay(events, undefined, T0 + 300 * B).findings;
    const cut = events.findIndex((e) => e.at >= T0 + 206 * B);
    const first = replay(events.slice(0, cut));
    expect(first.tracker.open()).toHaveLength(1);
    const snap = first.tracker.snapshot();
    const restored = SpikeTracker.restore(snap, cfg);
    expect(restored.snapshot()).toBe(snap);
    const second = replay(events.slice(cut), restored, T0 + 300 * B);
    expect([...first.findings, ...second.findings]).toEqual(whole);
  });

  it('closes a quiet cluster\'s buckets when next needed, with the same outcome as closing them at every call', () => {
    // several clusters, some quiet for days, the watermark moved every five minutes (as the pipeline
    // closes evaluation periods); a snapshot after each call closes every owed bucket at once
    const r = rng(11);
    const events: SpikeEvent[] = [];
    for (let b = 0; b < 5 * 1440; b++) {
      const day = Math.floor(b / 1440);
      for (const [k, id] of ['busy', 'daily', 'rare'].entries()) {
        const active = id === 'busy' || (id === 'daily' && b % 1440 < 90) || (id === 'rare' && (day === 0 || day === 4));
        if (active && r() < 0.4 / (k + 1)) events.push({ clusterId: id, accountId: `acct-${Math.floor(r() * 9)}`, at: T0 + b * B + Math.floor(r() * B), weight: 1 });
      }
      if (b >= 4 * 1440 + 300 && b < 4 * 1440 + 306) for (let a = 0; a < 6; a++) events.push({ clusterId: 'rare', accountId: `hit-${a}`, at: T0 + b * B + 1000 * a, weight: 1 });
    }
    events.sort((x, y) => x.at - y.at);
    const run = (eager: boolean) => {
      const tracker = new SpikeTracker(cfg);
      const findings: SpikeFinding[] = [];
      let next = T0 + 5 * B;
      for (const e of events) {
        for (; next <= e.at - LATENESS; next += 5 * B) {
          findings.push(...tracker.advance(next));
          if (eager) tracker.snapshot();
        }
        tracker.observe(e);
      }
      findings.push(...tracker.advance(next));
      return { findings, snapshot: tracker.snapshot() };
    };
    const deferred = run(false);
    expect(deferred.findings.some((f) => f.clusterId === 'rare' && f.kind === 'opened')).toBe(true);
    expect(deferred).toEqual(run(true));
  });

  it('gives the same findings and state when quiet clusters\' empty buckets are closed elsewhere, whenever the answers come back', () => {
    // clusters quiet for hours at a time, so batches go away; the offload answers after `delay`
    // advance() calls (0: at once; Infinity: never), doing what the worker thread does
    const r = rng(5);
    const events: SpikeEvent[] = [];
    for (let b = 0; b < 3 * 1440; b++) {
      for (const [k, id] of ['busy', 'hourly', 'rare', 'spiky'].entries()) {
        const active = id === 'busy' || (id === 'hourly' && b % 180 < 5) || (id === 'rare' && b % 700 < 3) || (id === 'spiky' && b % 1440 < 30);
        if (active && r() < 0.5 / (k + 1)) events.push({ clusterId: id, accountId: `acct-${Math.floor(r() * 9)}`, at: T0 + b * B + Math.floor(r() * B), weight: 1 });
      }
      if (b >= 2 * 1440 + 600 && b < 2 * 1440 + 606) for (let a = 0; a < 6; a++) events.push({ clusterId: 'rare', accountId: `hit-${a}`, at: T0 + b * B + 1000 * a, weight: 1 });
    }
    events.sort((x, y) => x.at - y.at);
    const elsewhere = (delay: number): EmptyBucketOffload & { calls: number } => {
      const queue: Array<{ batch: OffloadBatch; due: number }> = [];
      const det = new SeriesDetector(cfg.detector);
      return {
        calls: 0,
        send(batch) {
          queue.push({ batch, due: this.calls + delay });
        },
        receive() {
          this.calls++;
          const ready = queue.filter((q) => q.due <= this.calls);
          for (const q of ready) queue.splice(queue.indexOf(q), 1);
          return ready.map(({ batch }) => {
            closeOffloadedBuckets(batch, det);
            return batch;
          });
        },
      };
    };
    const run = (offload: EmptyBucketOffload | null) => {
      const tracker = new SpikeTracker(cfg);
      tracker.useOffload(offload);
      const findings: SpikeFinding[] = [];
      let next = T0 + 5 * B;
      for (const e of events) {
        for (; next <= e.at - LATENESS; next += 5 * B) findings.push(...tracker.advance(next));
        tracker.observe(e);
      }
      findings.push(...tracker.advance(next));
      return { findings, snapshot: tracker.snapshot(), counts: tracker.offloadCounts };
    };
    const here = run(null);
    expect(here.findings.some((f) => f.clusterId === 'rare' && f.kind === 'opened')).toBe(true);
    expect(here.counts.sent).toBe(0);
    for (const delay of [1, 3, 40, Infinity]) {
      const away = run(elsewhere(delay));
      expect(away.findings).toEqual(here.findings);
      expect(away.snapshot).toBe(here.snapshot);
      expect(away.counts.sent).toBeGreaterThan(0);
      // answers in time are used; a late one (the cluster closed those buckets itself) is not
      if (delay === 1) expect(away.counts.used).toBeGreaterThan(away.counts.sent / 2);
      if (delay === Infinity) expect(away.counts.used).toBe(0);
    }
  });

  it('follows a cluster merge: the incident continues under the surviving cluster', () => {
    const t = new SpikeTracker(cfg);
    for (let a = 0; a < 4; a++) for (let k = 0; k < 3; k++) t.observe({ clusterId: 'old', accountId: `a${a}`, at: T0 + a * 100 + k, weight: 1 });
    expect(t.advance(T0 + B).map((f) => f.kind)).toEqual(['opened']);
    t.remap('old', 'new');
    expect(t.open().map((v) => [v.clusterId, v.incidentId])).toEqual([['new', `old@${T0}`]]);
    for (let a = 0; a < 12; a++) for (let k = 0; k < 3; k++) t.observe({ clusterId: 'new', accountId: `b${a}`, at: T0 + B + a * 100 + k, weight: 1 });
    const grew = t.advance(T0 + 2 * B);
    expect(grew.map((f) => [f.kind, f.clusterId])).toEqual([['grew', 'new']]);
  });
});
