// The learned output stage: maps a message's raw lexicon sum and a few message-level aggregates to
// the compound score with a calibration line plus boosted regression trees (trained by bench/sentiment).
import { z } from 'zod';

/**
 * What the trees see of a message, in this order. The first MONOTONE_FEATURES can only raise the score
 * as they grow (the trainer enforces it), so the rules keep their direction: more praise, an
 * intensifier, "!" or capitals on a positive message never lower its score.
 */
export const CALIBRATION_FEATURES = [
  'raw', // the learned linear sum before squashing (lexicons, rules, corrections, emphasis)
  'afinnPos', // summed positive AFINN valence after the rules (factor, negation)
  'afinnNeg', // summed negative AFINN valence after the rules
  'afinnMax', // strongest positive AFINN word
  'afinnMin', // strongest negative AFINN word
  'emoji', // summed emoticon/emoji valence
  'exclaimSigned', // "!" count (capped) in the direction of the raw sum
  'capsSigned', // ALL-CAPS words in the direction of the raw sum
  'capsShareSigned', // their share of the words, in the direction of the raw sum
  'learnedPos', // summed positive word (and support-domain cue) contributions of the linear layer
  'learnedNeg', // summed negative word contributions of the linear layer
  'senticon', // summed ML-Senticon polarity after the rules
  'pattern', // summed Pattern polarity after the rules
  'learnedMax', // strongest positive word contribution of the linear layer (raters follow the strongest word)
  'learnedMin', // strongest negative word contribution of the linear layer
  'ngram', // the word uni/bigram ridge estimate of rating / 4 (no rules; catches what the lexicons miss, e.g. "yay", "not bad")
  'positiveWords', // AFINN-positive words after the rules
  'negativeWords', // AFINN-negative words after the rules
  'words', // words with letters
  'question', // "?" count when more than one (capped)
  'negated', // tokens inside a negation scope
] as const;
export const FEATURE_COUNT = CALIBRATION_FEATURES.length;
export const MONOTONE_FEATURES = 16;

/** Running per-message aggregates; the analyzer and the trainer both fill one, so they agree exactly. */
export class CalibrationFeatures {
  readonly values = new Float64Array(FEATURE_COUNT);
  private pos = 0;
  private neg = 0;
  private max = 0;
  private min = 0;
  private emoji = 0;
  private posCount = 0;
  private negCount = 0;
  private negated = 0;
  private learnedPos = 0;
  private learnedNeg = 0;
  private senticon = 0;
  private pattern = 0;
  private learnedMax = 0;
  private learnedMin = 0;

  reset(): void {
    this.pos = this.neg = this.max = this.min = this.emoji = 0;
    this.learnedMax = this.learnedMin = 0;
    this.learnedPos = this.learnedNeg = this.senticon = this.pattern = 0;
    this.posCount = this.negCount = this.negated = 0;
  }

  /** One scored token: lexicon values (AFINN scaled to [-1, 1]), rule factor, negation and its linear-layer contribution. */
  token(afinn: number, senticon: number, pattern: number, emoji: number, factor: number, negated: boolean, negationScale: number, contribution: number): void {
    const m = factor * (negated ? negationScale : 1);
    const v = afinn * m;
    this.senticon += senticon * m;
    this.pattern += pattern * m;
    this.contribution(contribution);
    if (v > 0) {
      this.pos += v;
      this.posCount++;
      if (v > this.max) this.max = v;
    } else if (v < 0) {
      this.neg += v;
      this.negCount++;
      if (v < this.min) this.min = v;
    }
    this.emoji += emoji * factor;
    if (negated) this.negated++;
  }

  /** A scored unit's contribution to the linear sum (a token's, or a support-domain cue's). */
  contribution(c: number): void {
    if (c > 0) {
      this.learnedPos += c;
      if (c > this.learnedMax) this.learnedMax = c;
    } else {
      this.learnedNeg += c;
      if (c < this.learnedMin) this.learnedMin = c;
    }
  }

  /** Completes the vector with the message-level counts; returns `values`. */
  finish(raw: number, exclaim: number, question: number, capsWords: number, letterWords: number, ngram: number): Float64Array {
    const sign = raw > 0 ? 1 : raw < 0 ? -1 : 0;
    const v = this.values;
    v[0] = raw;
    v[1] = this.pos;
    v[2] = this.neg;
    v[3] = this.max;
    v[4] = this.min;
    v[5] = this.emoji;
    v[6] = sign * exclaim;
    v[7] = sign * capsWords;
    v[8] = (sign * capsWords) / (letterWords + 1);
    v[9] = this.learnedPos;
    v[10] = this.learnedNeg;
    v[11] = this.senticon;
    v[12] = this.pattern;
    v[13] = this.learnedMax;
    v[14] = this.learnedMin;
    v[15] = ngram;
    v[16] = this.posCount;
    v[17] = this.negCount;
    v[18] = letterWords;
    v[19] = question;
    v[20] = this.negated;
    return v;
  }
}

/** One regression tree, flat: node i splits on `feature[i]` at `threshold[i]` (left when <=), or is a leaf when feature[i] < 0. */
export const treeSchema = z.strictObject({
  feature: z.array(z.number().int()),
  threshold: z.array(z.number()),
  left: z.array(z.number().int()),
  right: z.array(z.number().int()),
  value: z.array(z.number()),
});
export type Tree = z.infer<typeof treeSchema>;

/**
 * A small network beside the trees: `hidden` softsign units over the standardized features, summed with
 * non-negative output weights. Input weights of the monotone features are non-negative too (the trainer
 * projects them), so like the trees it never lowers the score when one of those features grows.
 */
export const networkSchema = z.strictObject({
  /** per feature: mean and 1 / standard deviation of the training rows */
  mean: z.array(z.number()),
  invScale: z.array(z.number()),
  /** hidden x features, row by row */
  weights: z.array(z.number()),
  bias: z.array(z.number()),
  out: z.array(z.number()),
  outBias: z.number(),
  /** its share of the estimate: estimate = (1 - share) * (line + trees) + share * network */
  share: z.number().min(0).max(1),
});
export type Network = z.infer<typeof networkSchema>;

export const calibratorSchema = z.strictObject({
  features: z.array(z.string()),
  /** the strictly increasing part: scale * x / sqrt(x^2 + alpha) + offset of the raw sum */
  scale: z.number().positive(),
  offset: z.number(),
  alpha: z.number().positive(),
  trees: z.array(treeSchema),
  network: networkSchema.optional(),
  /** the sum (an estimate of rating / 4) times this is the compound: chosen by the trainer so VADER's
   * +/-0.05 labels fit the raters' classes, since the estimate itself hugs zero more than a compound */
  stretch: z.number().positive(),
});
export type Calibrator = z.infer<typeof calibratorSchema>;

/** The network's estimate for one feature vector (the plain walk, for training and checks). */
export function networkValue(n: Network, x: Float64Array): number {
  const F = n.mean.length;
  let s = n.outBias;
  for (let j = 0; j < n.bias.length; j++) {
    let z = n.bias[j]!;
    for (let f = 0; f < F; f++) z += n.weights[j * F + f]! * (x[f]! - n.mean[f]!) * n.invScale[f]!;
    s += n.out[j]! * (z / (1 + Math.abs(z)));
  }
  return s;
}

export function treeValue(t: Tree, x: Float64Array): number {
  let i = 0;
  for (;;) {
    const f = t.feature[i]!;
    if (f < 0) return t.value[i]!;
    i = x[f]! <= t.threshold[i]! ? t.left[i]! : t.right[i]!;
  }
}

/**
 * A calibrator laid out for the hot path: every tree padded to a complete tree of the deepest tree's
 * depth (a shallow leaf becomes splits that always go left, its value copied to every leaf below), so
 * a walk is `depth` compare-and-index steps in typed arrays, the comparison added as 0 or 1 rather than
 * branched on (a branch per node mispredicts about half the time).
 */
export class CompiledCalibrator {
  private readonly depth: number;
  private readonly inner: number;
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly leaves: Float64Array;
  private readonly trees: number;
  private readonly scale: number;
  private readonly offset: number;
  private readonly alpha: number;
  private readonly stretch: number;
  /** the network with the standardization folded into its input weights and biases */
  private readonly netWeights: Float64Array;
  private readonly netBias: Float64Array;
  private readonly netOut: Float64Array;
  private readonly netOutBias: number;
  private readonly treeShare: number;
  private readonly netShare: number;

  constructor(c: Calibrator) {
    const net = c.network;
    const F = net?.mean.length ?? 0;
    const H = net?.bias.length ?? 0;
    this.netWeights = new Float64Array(H * F);
    this.netBias = new Float64Array(H);
    this.netOut = Float64Array.from(net?.out ?? []);
    this.netOutBias = net?.outBias ?? 0;
    this.netShare = net?.share ?? 0;
    this.treeShare = 1 - this.netShare;
    for (let j = 0; j < H; j++) {
      let b = net!.bias[j]!;
      for (let f = 0; f < F; f++) {
        const w = net!.weights[j * F + f]! * net!.invScale[f]!;
        this.netWeights[j * F + f] = w;
        b -= w * net!.mean[f]!;
      }
      this.netBias[j] = b;
    }
    const depthOf = (t: Tree, i: number): number => (t.feature[i]! < 0 ? 0 : 1 + Math.max(depthOf(t, t.left[i]!), depthOf(t, t.right[i]!)));
    this.depth = c.trees.reduce((d, t) => Math.max(d, depthOf(t, 0)), 0);
    this.inner = (1 << this.depth) - 1;
    const leafCount = 1 << this.depth;
    this.trees = c.trees.length;
    this.feature = new Int32Array(this.trees * Math.max(1, this.inner));
    this.threshold = new Float64Array(this.trees * Math.max(1, this.inner)).fill(Infinity);
    this.leaves = new Float64Array(this.trees * leafCount);
    c.trees.forEach((t, k) => {
      const fill = (node: number, pos: number, level: number): void => {
        if (level === this.depth) {
          this.leaves[k * leafCount + pos - this.inner] = t.value[node]!;
          return;
        }
        const at = k * this.inner + pos;
        if (t.feature[node]! < 0) {
          // a leaf above the full depth: always left (x > Infinity is false); both subtrees carry its value
          this.feature[at] = 0;
          this.threshold[at] = Infinity;
          fill(node, 2 * pos + 1, level + 1);
          fill(node, 2 * pos + 2, level + 1);
          return;
        }
        this.feature[at] = t.feature[node]!;
        this.threshold[at] = t.threshold[node]!;
        fill(t.left[node]!, 2 * pos + 1, level + 1);
        fill(t.right[node]!, 2 * pos + 2, level + 1);
      };
      fill(0, 0, 0);
    });
    this.scale = c.scale;
    this.offset = c.offset;
    this.alpha = c.alpha;
    this.stretch = c.stretch;
  }

  /** The calibrated compound for one feature vector, clamped to [-1, 1]. */
  score(x: Float64Array): number {
    const raw = x[0]!;
    let s = this.offset + (this.scale * raw) / Math.sqrt(raw * raw + this.alpha);
    const { feature, threshold, leaves, depth, inner } = this;
    const leafCount = inner + 1;
    for (let k = 0, base = 0; k < this.trees; k++, base += inner) {
      let pos = 0;
      for (let d = 0; d < depth; d++) {
        const at = base + pos;
        pos = 2 * pos + 1 + ((x[feature[at]!]! > threshold[at]!) as unknown as number);
      }
      s += leaves[k * leafCount + pos - inner]!;
    }
    const H = this.netBias.length;
    if (H > 0) {
      const w = this.netWeights;
      const F = w.length / H;
      let net = this.netOutBias;
      for (let j = 0, at = 0; j < H; j++) {
        let z = this.netBias[j]!;
        for (let f = 0; f < F; f++, at++) z += w[at]! * x[f]!;
        net += this.netOut[j]! * (z / (1 + (z < 0 ? -z : z)));
      }
      s = this.treeShare * s + this.netShare * net;
    }
    s *= this.stretch;
    return s > 1 ? 1 : s < -1 ? -1 : Number.isFinite(s) ? s : 0;
  }
}

/** The calibrated compound, clamped to [-1, 1] (the plain-object walk, for training and checks). */
export function calibrate(c: Calibrator, x: Float64Array): number {
  const raw = x[0]!;
  let s = c.offset + (c.scale * raw) / Math.sqrt(raw * raw + c.alpha);
  for (const t of c.trees) s += treeValue(t, x);
  if (c.network !== undefined) s = (1 - c.network.share) * s + c.network.share * networkValue(c.network, x);
  s *= c.stretch;
  return s > 1 ? 1 : s < -1 ? -1 : Number.isFinite(s) ? s : 0;
}

/** A file's calibrator must describe the features this code computes, in the same order. */
export function calibratorMatches(c: Calibrator): boolean {
  const n = c.network;
  const netOk = n === undefined || (n.mean.length === FEATURE_COUNT && n.invScale.length === FEATURE_COUNT && n.out.length === n.bias.length && n.weights.length === n.bias.length * FEATURE_COUNT);
  return netOk && c.features.length === FEATURE_COUNT && c.features.every((f, i) => f === CALIBRATION_FEATURES[i]) && c.trees.every((t) => t.feature.every((f) => f < FEATURE_COUNT));
}
