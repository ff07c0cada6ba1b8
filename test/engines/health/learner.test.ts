import { describe, expect, it } from 'vitest';
import { advanceTo, applyEvent, newAccountState } from '../../../src/engines/health/account-state.js';
import { scoreAccount } from '../../../src/engines/health/health-score.js';
import { auc, NotEnoughLabelsError, shouldDeploy, trainLearner, type TrainSample } from '../../../src/engines/health/learner.js';
import { applyOutcome, decideOutreach, rankOutreach, type OutreachEntry } from '../../../src/engines/health/outreach.js';
import { cfg, DAY, ev, T0 } from './helpers.js';

/** Deterministic pseudo-random numbers for building data sets. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 4294967296);
}

function dataset(n: number, seed: number, noise = 0.1): TrainSample[] {
  const r = lcg(seed);
  return Array.from({ length: n }, () => {
    const f = Array.from({ length: 8 }, () => Math.round(r() * 100) / 100);
    const y = f[0]! + f[2]! + (r() - 0.5) * noise > 1 ? 1 : 0;
    return { features: f, label: y as 0 | 1 };
  });
}

describe('learner', () => {
  it('learns from labels, measures on a held-out split and repeats for a seed', async () => {
    const c = cfg();
    const samples = dataset(300, 7);
    const a = await trainLearner(samples, c, 42);
    const b = await trainLearner(samples, c, 42);
    expect(a.model.weights).toEqual(b.model.weights);
    expect(a.metrics.auc).toBeGreaterThan(0.85);
    expect(a.metrics.n).toBe(Math.round(samples.filter((s) => s.label === 0).length * c.learner.holdoutShare) + Math.round(samples.filter((s) => s.label === 1).length * c.learner.holdoutShare));
    expect(a.metrics.calibration).toHaveLength(c.learner.calibrationBins);
    expect(a.model.weights[0]!).toBeGreaterThan(Math.abs(a.model.weights[5]!));
    expect(JSON.parse(JSON.stringify(a.model))).toEqual(a.model);
  });

  it('refuses to train below the configured number of labels', async () => {
    const c = cfg();
    await expect(trainLearner(dataset(c.learner.minLabels - 1, 1), c, 1)).rejects.toBeInstanceOf(NotEnoughLabelsError);
  });

  it('never deploys a candidate that is worse than the current model', async () => {
    const r = lcg(3);
    for (let k = 0; k < 500; k++) {
      const cur = { auc: r(), brier: r() * 0.3, calibration: [], n: 50 };
      const cand = { auc: r(), brier: r() * 0.3, calibration: [], n: 50 };
      const d = shouldDeploy(cur, cand);
      if (cand.auc <= cur.auc || cand.brier > cur.brier + cfg().learner.maxBrierLoss) expect(d.deploy).toBe(false);
      expect(d.reason.length).toBeGreaterThan(0);
    }
    // End to end: a model trained on shuffled labels loses to the good one on the same split.
    const c = cfg();
    const samples = dataset(300, 11);
    const good = await trainLearner(samples, c, 5);
    const labels = samples.map((s) => s.label).reverse();
    const shuffled = samples.map((s, i) => ({ features: s.features, label: labels[i]! }));
    const bad = await trainLearner(shuffled.map((s, i) => (i % 2 ? s : samples[i]!)), c, 5, { current: good.model });
    expect(bad.currentMetrics).toBeDefined();
    expect(shouldDeploy(bad.currentMetrics, bad.metrics).deploy).toBe(false);
    expect(shouldDeploy(undefined, good.metrics, c.learner).deploy).toBe(true);
  });

  it('computes AUC by ranks', () => {
    expect(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(auc([0.5, 0.5], [0, 1])).toBe(0.5);
  });

  it('lets recorded outcomes change the later ranking', async () => {
    const c = cfg();
    const now = T0 + 30 * DAY;
    // A: the AI keeps looping on its tickets. B: a dip in tone. Rules alone rank B first.
    const a = newAccountState('A', c);
    const b = newAccountState('B', c);
    for (let d = 0; d < 30; d++) {
      for (const s of [a, b]) {
        applyEvent(s, ev('ticket.created', d + 0.3, { accountId: s.accountId, ticketId: `${s.accountId}${d}` }), {}, c);
        const tone = s === b && d >= 23 ? -0.6 : 0.3;
        applyEvent(s, ev('ticket.message', d + 0.31, { accountId: s.accountId, ticketId: `${s.accountId}${d}`, author: 'customer', text: 'm' }), { sentiment: tone }, c);
      }
      if (d >= 20) for (let k = 0; k < c.aiLoopTurns; k++) applyEvent(a, ev('ticket.message', d + 0.4 + k * 0.01, { accountId: 'A', ticketId: `A${d}`, author: 'ai', text: 'again' }), {}, c);
      advanceTo(a, T0 + (d + 1) * DAY, c);
      advanceTo(b, T0 + (d + 1) * DAY, c);
    }
    const lowBar = { ...c, outreach: { ...c.outreach, openBelowScore: 100 } };
    const entries = (learner?: Awaited<ReturnType<typeof trainLearner>>['model']) =>
      [a, b].map((s) => decideOutreach(undefined, scoreAccount(s, undefined, now, c, learner), undefined, now, lowBar).entry!);
    const before = rankOutreach(entries());
    expect(before.map((e) => e.accountId)).toEqual(['B', 'A']);
    // Outcomes recorded on past entries like these: loop-heavy accounts churned, tone dips were false alarms.
    const r = lcg(9);
    const labels = [];
    const [ea, eb] = entries();
    for (let k = 0; k < 80; k++) {
      const base: OutreachEntry = k % 2 ? ea! : eb!;
      const jittered = { ...base, features: base.features.map((f) => Math.max(0, Math.min(1, f + (r() - 0.5) * 0.2))) };
      labels.push(applyOutcome(jittered, { status: 'resolved', outcome: k % 2 ? 'churned' : 'false_alarm' }, now).label!);
    }
    const trained = await trainLearner(labels.map((l) => ({ features: l.features, label: l.label })), c, 1);
    expect(shouldDeploy(undefined, trained.metrics, c.learner).deploy).toBe(true);
    const after = rankOutreach(entries(trained.model));
    expect(after.map((e) => e.accountId)).toEqual(['A', 'B']);
  });
});
