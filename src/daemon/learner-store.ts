// Keeps the health learner's versions in the store: the deployed one is loaded at activation;
// every candidate is saved with its held-out metrics and the gate's decision, deployed or not.
import type { Logger } from 'pino';
import type { Store } from '../store/repository.js';
import type { LearnerModel, LearnerMetrics } from '../engines/health/learner.js';

export interface ModelDoc {
  _id: string;
  name: string;
  version: string;
  createdAt: number;
  deployed: boolean;
  decision: string;
  metrics: LearnerMetrics;
  /** The model as JSON text (one string field keeps it portable across MongoDB and FerretDB). */
  model: string;
}

export const LEARNER_NAME = 'health-learner';

export async function loadLearner(store: Store, logger: Logger): Promise<LearnerModel | undefined> {
  const docs = await store.collection<ModelDoc>('models').find({ name: LEARNER_NAME, deployed: true }, { sort: [['createdAt', -1]], limit: 1 });
  const doc = docs[0];
  if (!doc) return undefined;
  logger.info({ version: doc.version, auc: doc.metrics.auc }, 'health learner loaded');
  return JSON.parse(doc.model) as LearnerModel;
}

export async function saveLearner(store: Store, model: LearnerModel, deployed: boolean, decision: string, now: number): Promise<void> {
  const coll = store.collection<ModelDoc>('models');
  if (deployed) {
    for (const d of await coll.find({ name: LEARNER_NAME, deployed: true })) await coll.update(d._id, { deployed: false });
  }
  await coll.put({ _id: `${LEARNER_NAME}:${model.version}:${now}`, name: LEARNER_NAME, version: model.version, createdAt: now, deployed, decision, metrics: model.metrics, model: JSON.stringify(model) });
}
