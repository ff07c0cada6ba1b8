// The learned outcome model as plain JSON (weights), and its prediction without tfjs, so the
// hot scoring path stays synchronous and dependency-free; training lives in learner.ts.

export interface CalibrationBin {
  bin: number;
  predicted: number;
  observed: number;
  n: number;
}

export interface LearnerMetrics {
  auc: number;
  brier: number;
  calibration: CalibrationBin[];
  /** Held-out samples the metrics were measured on. */
  n: number;
}

export interface LearnerModel {
  name: 'health-learner';
  version: string;
  kind: 'logistic';
  featureNames: string[];
  weights: number[];
  bias: number;
  metrics: LearnerMetrics;
  /** Labels the model was trained on (train split). */
  trainedOn: number;
}

/** Probability of a bad outcome (churn, escalation) for a feature vector; null when the model does not fit it. */
export function predictRisk(model: LearnerModel, features: readonly number[]): number | null {
  if (model.weights.length !== features.length) return null;
  let z = model.bias;
  for (let i = 0; i < features.length; i++) z += model.weights[i]! * features[i]!;
  return 1 / (1 + Math.exp(-z));
}
