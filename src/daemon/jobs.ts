// The daemon's schedules: window ticks, hourly health refresh, daily outreach digest, nightly
// learner retraining (behind the deploy gate), and the weekly escalation review report.
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/schema.js';
import type { Store } from '../store/repository.js';
import type { Scheduler } from '../jobs/scheduler.js';
import type { Processor } from '../pipeline/processor.js';
import type { Outbox } from '../alerts/outbox.js';
import type { DigestItem, EscalationMetricsPayload } from '../alerts/alert-types.js';
import { dayOf, type OutreachDoc } from '../pipeline/findings-writer.js';
import { rankOutreach } from '../engines/health/outreach.js';
import { trainLearner, shouldDeploy, NotEnoughLabelsError, type LearnerModel, type TrainSample } from '../engines/health/learner.js';
import type { OutcomeLabel } from '../engines/health/outreach.js';
import { saveLearner } from './learner-store.js';

export interface JobDeps {
  processor: () => Processor | null;
  store: Store;
  outbox: Outbox;
  logger: Logger;
  clock: () => number;
  currentLearner: () => LearnerModel | undefined;
  onLearner: (m: LearnerModel) => void;
}

/** Most accounts listed in one digest message; the rest are counted. */
const DIGEST_ITEMS = 15;
const WEEK_MS = 7 * 86_400_000;

export async function sendOutreachDigest(config: VigilConfig, d: JobDeps): Promise<boolean> {
  const open = await d.store.collection<OutreachDoc>('outreach').find({ status: { $in: ['new', 'contacted'] } });
  if (open.length === 0) return false;
  const ranked = rankOutreach(open);
  const now = d.clock();
  const day = dayOf(now);
  const base = config.server.publicUrl;
  const items: DigestItem[] = ranked.slice(0, DIGEST_ITEMS).map((e) => ({
    accountId: e.accountId,
    name: e.name,
    tier: e.tier ?? 'starter',
    priority: e.priority,
    score: e.score,
    band: e.band,
    reasons: e.reasons.slice(0, 3),
    owner: e.owner,
    action: e.action,
    link: `${base}/#/account/${encodeURIComponent(e.accountId)}`,
  }));
  return d.outbox.enqueue({ dedupeKey: `digest:${day}`, kind: 'digest.outreach', createdAt: now, payload: { day, items, total: ranked.length, link: `${base}/#/outreach` } });
}

export async function retrainLearner(config: VigilConfig, d: JobDeps): Promise<{ deployed: boolean; reason: string }> {
  const labels = await d.store.collection<OutcomeLabel & { _id: string }>('labels').find({});
  const samples: TrainSample[] = labels.filter((l) => Array.isArray(l.features) && l.features.length > 0).map((l) => ({ features: l.features, label: l.label }));
  try {
    const current = d.currentLearner();
    const now = d.clock();
    const { model, metrics, currentMetrics } = await trainLearner(samples, config.health, now % 2_147_483_647, { current, version: `v${now}` });
    const decision = shouldDeploy(currentMetrics, metrics, config.health.learner);
    await saveLearner(d.store, model, decision.deploy, decision.reason, now);
    d.logger.info({ version: model.version, auc: metrics.auc, brier: metrics.brier, deploy: decision.deploy, reason: decision.reason }, 'health learner retrained');
    if (decision.deploy) d.onLearner(model);
    return { deployed: decision.deploy, reason: decision.reason };
  } catch (err) {
    if (err instanceof NotEnoughLabelsError) {
      d.logger.info({ labels: samples.length }, 'health learner: not enough labels yet; keeping the configured weights');
      return { deployed: false, reason: err.message };
    }
    throw err;
  }
}

export async function sendWeeklyReview(d: JobDeps, config: VigilConfig): Promise<boolean> {
  const doc = await d.store.collection<{ _id: string; summary: { overall: EscalationMetricsPayload } }>('kv').get('escalation');
  if (!doc) return false;
  const now = d.clock();
  const prev = await d.store.collection<{ _id: string; metrics: EscalationMetricsPayload }>('kv').get('escalation:lastWeek');
  const m = doc.summary.overall;
  const highlights: string[] = [];
  if (prev) {
    const diff = m.escalationRate - prev.metrics.escalationRate;
    if (Math.abs(diff) >= 0.01) highlights.push(`Escalation rate ${diff > 0 ? 'rose' : 'fell'} by ${(Math.abs(diff) * 100).toFixed(1)} points.`);
  }
  const ok = await d.outbox.enqueue({
    dedupeKey: `weekly:${dayOf(now)}`,
    kind: 'report.weekly',
    createdAt: now,
    payload: { fromDay: dayOf(now - WEEK_MS), toDay: dayOf(now), metrics: m, previous: prev?.metrics ?? null, highlights, link: `${config.server.publicUrl}/#/escalation` },
  });
  await d.store.collection<{ _id: string; metrics: EscalationMetricsPayload }>('kv').put({ _id: 'escalation:lastWeek', metrics: m });
  return ok;
}

export function registerJobs(scheduler: Scheduler, config: VigilConfig, d: JobDeps): void {
  const s = config.schedules;
  scheduler.add('tick', s.tick, async () => {
    await d.processor()?.tickIdle(config.pipeline.idleAdvanceMs);
  });
  scheduler.add('healthRefresh', s.healthRefresh, async () => {
    const n = (await d.processor()?.refreshAll()) ?? 0;
    d.logger.info({ accounts: n }, 'health refreshed');
  });
  scheduler.add('outreachDigest', s.outreachDigest, async () => {
    await sendOutreachDigest(config, d);
  });
  scheduler.add('retrain', s.retrain, async () => {
    await retrainLearner(config, d);
  });
  scheduler.add('weeklyReview', s.weeklyReview, async () => {
    await sendWeeklyReview(d, config);
  });
}
