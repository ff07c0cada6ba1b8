// Learning from outcomes: a seeded logistic model over the health components, trained with tfjs
// on outreach and escalation labels, measured on a held-out split and gated before deployment.
import * as tf from '@tensorflow/tfjs';
import { defaultHealthConfig, type HealthConfig } from './config.js';
import { COMPONENT_NAMES } from './health-score.js';
import { predictRisk, type CalibrationBin, type LearnerMetrics, type LearnerModel } from './learner-model.js';
import { mulberry32 } from '../mulberry32.js';

export type { LearnerMetrics, LearnerModel } from './learner-model.js';

export interface TrainSample {
  features: number[];
  label: 0 | 1;
}

/** Raised when there are fewer labels than the configured minimum; callers keep the current model. */
export class NotEnoughLabelsError extends Error {
  readonly code = 'NOT_ENOUGH_LABELS';
  constructor(readonly have: number, readonly need: number) {
    super(`learner: ${have} labels, ${need} needed before training`);
    this.name = 'NotEnoughLabelsError';
  }
}

/** An escalation outcome as a label: did the account escalate within the horizon after this state? */
export function escalationSample(features: number[], escalated: boolean): TrainSample {
  return { features, label: escalated ? 1 : 0 };
}

/** Small seeded generator (mulberry32): the split and the initial weights repeat for a seed. */
function rng(seed: number): () => number {
  return mulberry32(seed);
}

/** Stratified split: each class contributes the same share to the held-out part. */
export function splitSamples(samples: readonly TrainSample[], holdoutShare: number, seed: number): { train: TrainSample[]; test: TrainSample[] } {
  const rand = rng(seed);
  const train: TrainSample[] = [];
  const test: TrainSample[] = [];
  for (const label of [0, 1] as const) {
    const cls = samples.filter((s) => s.label === label);
    for (let i = cls.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [cls[i], cls[j]] = [cls[j]!, cls[i]!];
    }
    const nTest = Math.round(cls.length * holdoutShare);
    test.push(...cls.slice(0, nTest));
    train.push(...cls.slice(nTest));
  }
  return { train, test };
}

/** Area under the ROC curve by ranks (ties share their rank); 0.5 when a class is missing. */
export function auc(predicted: readonly number[], labels: readonly number[]): number {
  const idx = predicted.map((p, i) => i).sort((a, b) => predicted[a]! - predicted[b]!);
  const ranks = new Array<number>(predicted.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && predicted[idx[j + 1]!] === predicted[idx[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[idx[k]!] = r;
    i = j + 1;
  }
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) {
    pos++;
    rankSum += ranks[i]!;
  }
  const neg = labels.length - pos;
  if (pos === 0 || neg === 0) return 0.5;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function measure(predicted: readonly number[], labels: readonly number[], bins: number): LearnerMetrics {
  const n = labels.length;
  let brier = 0;
  for (let i = 0; i < n; i++) brier += (predicted[i]! - labels[i]!) ** 2;
  const calibration: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    let sp = 0;
    let so = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const bin = Math.min(bins - 1, Math.floor(predicted[i]! * bins));
      if (bin !== b) continue;
      sp += predicted[i]!;
      so += labels[i]!;
      c++;
    }
    calibration.push({ bin: b, predicted: c ? round4(sp / c) : 0, observed: c ? round4(so / c) : 0, n: c });
  }
  return { auc: round4(auc(predicted, labels)), brier: n ? round4(brier / n) : 1, calibration, n };
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * Trains a candidate on the train split and measures it, and the current model when given, on the
 * same held-out split, so `shouldDeploy` compares like with like.
 */
export async function trainLearner(
  samples: ReadonlyArray<TrainSample>,
  cfg: HealthConfig,
  seed: number,
  opts: { current?: LearnerModel; version?: string } = {},
): Promise<{ model: LearnerModel; metrics: LearnerMetrics; currentMetrics?: LearnerMetrics }> {
  const lc = cfg.learner;
  if (samples.length < lc.minLabels) throw new NotEnoughLabelsError(samples.length, lc.minLabels);
  const dims = samples[0]!.features.length;
  const { train, test } = splitSamples(samples, lc.holdoutShare, seed);
  // Whatever backend the process chose (src/models/tf-backend.ts); tfjs falls back to cpu.
  await tf.ready();
  const net = tf.sequential();
  net.add(
    tf.layers.dense({
      units: 1,
      inputShape: [dims],
      activation: 'sigmoid',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      biasInitializer: 'zeros',
      kernelRegularizer: tf.regularizers.l2({ l2: lc.l2 }),
    }),
  );
  net.compile({ optimizer: tf.train.adam(lc.learningRate), loss: 'binaryCrossentropy' });
  const xs = tf.tensor2d(train.map((s) => s.features), [train.length, dims]);
  const ys = tf.tensor2d(train.map((s) => [s.label]), [train.length, 1]);
  await net.fit(xs, ys, { epochs: lc.epochs, batchSize: train.length, shuffle: false, verbose: 0 });
  const [kernel, bias] = net.getWeights();
  const weights = Array.from(await kernel!.data()).map((w) => round4(w));
  const b = round4((await bias!.data())[0]!);
  xs.dispose();
  ys.dispose();
  net.dispose();
  const model: LearnerModel = {
    name: 'health-learner',
    version: opts.version ?? `s${seed}-n${samples.length}`,
    kind: 'logistic',
    featureNames: dims === COMPONENT_NAMES.length ? [...COMPONENT_NAMES] : Array.from({ length: dims }, (_, i) => `f${i}`),
    weights,
    bias: b,
    metrics: { auc: 0, brier: 1, calibration: [], n: 0 },
    trainedOn: train.length,
  };
  const labels = test.map((s) => s.label);
  model.metrics = measure(test.map((s) => predictRisk(model, s.features) ?? 0.5), labels, lc.calibrationBins);
  const current = opts.current;
  const currentMetrics = current
    ? measure(test.map((s) => predictRisk(current, s.features) ?? 0.5), labels, lc.calibrationBins)
    : undefined;
  return { model, metrics: model.metrics, ...(currentMetrics ? { currentMetrics } : {}) };
}

/** The gate: a candidate replaces the current model only if it is better on the same split. */
export function shouldDeploy(
  current: LearnerMetrics | undefined,
  candidate: LearnerMetrics,
  cfg: Pick<HealthConfig['learner'], 'minAuc' | 'minAucGain' | 'maxBrierLoss'> = defaultHealthConfig().learner,
): { deploy: boolean; reason: string } {
  if (candidate.n === 0) return { deploy: false, reason: 'candidate has no held-out samples' };
  if (!current) {
    return candidate.auc >= cfg.minAuc
      ? { deploy: true, reason: `first model: held-out AUC ${candidate.auc} >= ${cfg.minAuc}` }
      : { deploy: false, reason: `first model: held-out AUC ${candidate.auc} < ${cfg.minAuc}; the rules alone stay` };
  }
  if (candidate.auc < current.auc + cfg.minAucGain) {
    return { deploy: false, reason: `AUC ${candidate.auc} does not beat current ${current.auc} by ${cfg.minAucGain}` };
  }
  if (candidate.brier > current.brier + cfg.maxBrierLoss) {
    return { deploy: false, reason: `Brier ${candidate.brier} is worse than current ${current.brier}` };
  }
  return { deploy: true, reason: `AUC ${candidate.auc} beats current ${current.auc}; Brier ${candidate.brier} vs ${current.brier}` };
}
