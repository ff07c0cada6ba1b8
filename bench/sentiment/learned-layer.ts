// Fits the sentiment model's learned layer: lexicon-source weights, emphasis terms, AFINN-level, per-stem
// (plain and negated), per-word-form and word-pair corrections, by full-batch Adam on squared error of the compound.
import type { ExtractedMessage, ExtractedToken, SentimentAnalyzer } from '../../src/engines/sentiment/analyzer.js';
import type { SentimentConfig } from '../../src/engines/sentiment/config.js';
import type { SentimentModel } from '../../src/engines/sentiment/sentiment-model.js';
import { CalibrationFeatures, calibrate } from '../../src/engines/sentiment/calibrator.js';

export interface TrainOptions {
  /** L2 penalty on each per-stem correction (per message of mean loss) */
  l2: number;
  /** L2 penalty on stems neither AFINN, Pattern nor the emoji table rates: mostly topic words ("camera", "sync"), whose
   * learned lean would not carry over to other data, so they need stronger evidence */
  l2Unlisted: number;
  /** a stem gets a correction only if it occurs in at least this many training messages */
  minCount: number;
  /** L2 penalty on each word-form correction (on top of its stem's); 0 learns none */
  wordL2: number;
  /** L2 penalty on each word-pair correction; 0 learns none */
  pairL2: number;
  /** a word pair gets a correction only if it occurs in at least this many training messages */
  pairMinCount: number;
  /** learn one correction per AFINN level (-5..5, L2 as the stems'): 0 learns none */
  afinnLevels: number;
  iterations: number;
  learningRate: number;
}

// l2 and minCount chosen by the pooled 5-fold CV of train.ts among l2 in {1e-4, 3e-4, 1e-3}, l2Unlisted in {1e-3, 3e-3} and minCount in {2, 3}
// wordL2 and pair options from the same CV (word forms 1e-3 or 2e-3; pairs at 1e-3 from 2 or 3 messages). Pairs are
// off by default: they lifted the nested CV by about 0.001 on tweets and 0.005 on Amazon, and cost the scorer
// 10-15% of its throughput (a lookup per pair of adjacent words); --pair-l2 1e-3 trains them
export const DEFAULT_TRAIN: TrainOptions = { l2: 1e-4, l2Unlisted: 1e-3, minCount: 2, wordL2: 2e-3, pairL2: 0, pairMinCount: 2, afinnLevels: 1, iterations: 400, learningRate: 0.05 };

/** Topic words of support conversations: every ticket says them, so whatever lean a review or tweet
 * set gives them (Amazon's "tech support" complaints) must not colour a support message. */
export const DOMAIN_NEUTRAL_STEMS: ReadonlySet<string> = new Set(['support', 'help', 'ticket', 'agent', 'account', 'servic', 'custom', 'team', 'order', 'product', 'contact', 'email', 'call', 'phone', 'chat', 'repli', 'respons']);

const GLOBALS = ['afinn', 'senticon', 'pattern', 'emoji', 'domain', 'exclaim', 'question', 'bias', 'senticonAlone', 'patternAlone'] as const;

export interface Sample {
  msg: ExtractedMessage;
  /** rating / 4, in [-1, 1] */
  target: number;
}

export function toSamples(analyzer: SentimentAnalyzer, items: ReadonlyArray<{ text: string; rating: number }>): Sample[] {
  return items.map((it) => ({ msg: analyzer.extract(it.text), target: it.rating / 4 }));
}

export function train(samples: readonly Sample[], cfg: SentimentConfig, init: SentimentModel, opts: TrainOptions): SentimentModel {
  // vocabularies of stems, word forms and word pairs frequent enough to earn a correction
  const df = new Map<string, number>();
  const wdf = new Map<string, number>();
  const pdf = new Map<string, number>();
  const listed = new Set<string>();
  const count = (m: Map<string, number>, keys: Set<string>): void => {
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  };
  for (const s of samples) {
    const seen = new Set<string>();
    const seenWords = new Set<string>();
    const seenPairs = new Set<string>();
    for (const t of s.msg.tokens) {
      seen.add(t.stem);
      seenWords.add(t.word);
      const pair = pairKey(t);
      if (pair !== null) seenPairs.add(pair);
      // ML-Senticon rates most of WordNet, topic words included, so it does not count as a rating here
      if (t.afinn !== 0 || t.pattern !== 0 || t.emoji !== 0) listed.add(t.stem);
    }
    count(df, seen);
    count(wdf, seenWords);
    count(pdf, seenPairs);
  }
  // "__proto__" would not survive as a plain-object key
  const usable = (k: string): boolean => k !== '__proto__' && !k.includes('__proto__');
  const vocab = new Map<string, number>();
  for (const [st, n] of df) if (n >= opts.minCount && usable(st) && !DOMAIN_NEUTRAL_STEMS.has(st)) vocab.set(st, vocab.size);
  const wordVocab = new Map<string, number>();
  // a word form of a support topic stem gets no correction either ("support", "tickets")
  const domainWords = new Set<string>();
  for (const s of samples) for (const t of s.msg.tokens) if (DOMAIN_NEUTRAL_STEMS.has(t.stem)) domainWords.add(t.word);
  if (opts.wordL2 > 0) for (const [w, n] of wdf) if (n >= opts.minCount && usable(w) && !domainWords.has(w)) wordVocab.set(w, wordVocab.size);
  const pairVocab = new Map<string, number>();
  if (opts.pairL2 > 0)
    for (const [pr, n] of pdf) if (n >= opts.pairMinCount && usable(pr) && !pr.split(' ').some((st) => DOMAIN_NEUTRAL_STEMS.has(st))) pairVocab.set(pr, pairVocab.size);
  const V = vocab.size;
  const W = wordVocab.size;
  const B = pairVocab.size;
  const G = GLOBALS.length;
  const WO = G + 2 * V; // offset of the word-form corrections
  const PO = WO + W; // offset of the pair corrections
  const LO = PO + B; // offset of the AFINN level corrections
  const L = opts.afinnLevels > 0 ? AFINN_LEVELS : 0;
  const P = LO + L; // globals, residuals, negated residuals, word forms, pairs, AFINN levels
  const theta = new Float64Array(P);
  const l2 = new Float64Array(P);
  for (const [st, i] of vocab) l2[G + i] = l2[G + V + i] = listed.has(st) ? opts.l2 : opts.l2Unlisted;
  for (let i = 0; i < W; i++) l2[WO + i] = opts.wordL2;
  for (let i = 0; i < B; i++) l2[PO + i] = opts.pairL2;
  for (let i = 0; i < L; i++) l2[LO + i] = opts.l2;
  GLOBALS.forEach((k, i) => (theta[i] = init.weights[k]));
  const m = new Float64Array(P);
  const v = new Float64Array(P);
  const grad = new Float64Array(P);
  const ids = samples.map((s) => Int32Array.from(s.msg.tokens, (t) => vocab.get(t.stem) ?? -1));
  const wids = samples.map((s) => Int32Array.from(s.msg.tokens, (t) => wordVocab.get(t.word) ?? -1));
  const lids = samples.map((s) => Int32Array.from(s.msg.tokens, (t) => (L > 0 ? afinnLevel(t.afinn) : -1)));
  const pids = samples.map((s) => Int32Array.from(s.msg.tokens, (t) => {
    const k = pairKey(t);
    return k === null ? -1 : pairVocab.get(k) ?? -1;
  }));
  const alpha = cfg.normalizationAlpha;
  const ns = cfg.negationScale;
  const N = samples.length;
  const b1 = 0.9;
  const b2 = 0.999;
  for (let it = 1; it <= opts.iterations; it++) {
    grad.fill(0);
    for (let si = 0; si < N; si++) {
      const { msg, target } = samples[si]!;
      const tid = ids[si]!;
      const wid = wids[si]!;
      const pid = pids[si]!;
      const lid = lids[si]!;
      let x = 0;
      for (let k = 0; k < msg.tokens.length; k++) {
        const t = msg.tokens[k]!;
        const r = (tid[k]! >= 0 ? theta[G + tid[k]!]! : 0) + (wid[k]! >= 0 ? theta[WO + wid[k]!]! : 0) + (lid[k]! >= 0 ? theta[LO + lid[k]!]! : 0);
        const alone = t.afinn === 0;
        const base = theta[0]! * t.afinn + (alone ? theta[8]! * t.senticon + theta[9]! * t.pattern : theta[1]! * t.senticon + theta[2]! * t.pattern) + theta[3]! * t.emoji + r;
        x += t.factor * (t.negated ? ns * base + (tid[k]! >= 0 ? theta[G + V + tid[k]!]! : 0) : base);
        if (pid[k]! >= 0) x += t.factor * theta[PO + pid[k]!]!;
      }
      x += theta[4]! * msg.domain;
      if (msg.hasWords) x += theta[7]!;
      const sign = x > 0 ? 1 : x < 0 ? -1 : 0;
      x += sign * (theta[5]! * msg.exclaim + theta[6]! * msg.question);
      const d = Math.sqrt(x * x + alpha);
      const c = x / d;
      const g = (2 * (c - target) * (alpha / (d * d * d))) / N; // dLoss/dx
      for (let k = 0; k < msg.tokens.length; k++) {
        const t = msg.tokens[k]!;
        const gf = g * t.factor * (t.negated ? ns : 1);
        grad[0]! += gf * t.afinn;
        if (t.afinn === 0) {
          grad[8]! += gf * t.senticon;
          grad[9]! += gf * t.pattern;
        } else {
          grad[1]! += gf * t.senticon;
          grad[2]! += gf * t.pattern;
        }
        grad[3]! += gf * t.emoji;
        if (tid[k]! >= 0) {
          grad[G + tid[k]!]! += gf;
          if (t.negated) grad[G + V + tid[k]!]! += g * t.factor;
        }
        if (wid[k]! >= 0) grad[WO + wid[k]!]! += gf;
        if (lid[k]! >= 0) grad[LO + lid[k]!]! += gf;
        if (pid[k]! >= 0) grad[PO + pid[k]!]! += g * t.factor;
      }
      grad[4]! += g * msg.domain;
      grad[5]! += g * sign * msg.exclaim;
      grad[6]! += g * sign * msg.question;
      if (msg.hasWords) grad[7]! += g;
    }
    for (let p = G; p < P; p++) grad[p]! += 2 * l2[p]! * theta[p]!;
    for (let p = 0; p < P; p++) {
      m[p] = b1 * m[p]! + (1 - b1) * grad[p]!;
      v[p] = b2 * v[p]! + (1 - b2) * grad[p]! * grad[p]!;
      const mh = m[p]! / (1 - b1 ** it);
      const vh = v[p]! / (1 - b2 ** it);
      theta[p]! -= (opts.learningRate * mh) / (Math.sqrt(vh) + 1e-8);
    }
  }
  const round = (x: number): number => Math.round(x * 1e5) / 1e5;
  const weights = { ...init.weights };
  GLOBALS.forEach((k, i) => (weights[k] = round(theta[i]!)));
  const collect = (voc: Map<string, number>, offset: number): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [k, i] of voc) {
      const r = round(theta[offset + i]!);
      if (r !== 0) out[k] = r;
    }
    return out;
  };
  return {
    format: 'vigil-sentiment/1',
    weights,
    residual: collect(vocab, G),
    negatedResidual: collect(vocab, G + V),
    wordResidual: collect(wordVocab, WO),
    pairResidual: collect(pairVocab, PO),
    ...(L > 0 ? { afinnLevels: Array.from(theta.subarray(LO, LO + L), round) } : {}),
    meta: {},
  };
}

/** AFINN's integer levels -5..5; 0 (unrated) gets no correction of its own */
export const AFINN_LEVELS = 11;

/** The index of a token's AFINN level (its value scaled to [-1, 1]), or -1 when AFINN does not rate it. */
export function afinnLevel(afinn: number): number {
  return afinn === 0 ? -1 : Math.round(afinn * 5) + 5;
}

/** The key of a token's pair with the word scored before it, or null. */
export function pairKey(t: ExtractedToken): string | null {
  return t.prevStem === null ? null : `${t.prevStem} ${t.stem}`;
}

/** The raw sum before squashing, identical to the analyzer's for the same model; fills `acc` with the calibrator's aggregates when given. */
export function rawScore(model: SentimentModel, cfg: SentimentConfig, msg: ExtractedMessage, acc?: CalibrationFeatures): number {
  const w = model.weights;
  const own = (rec: Record<string, number>, k: string): number => (Object.hasOwn(rec, k) ? rec[k]! : 0);
  const words = model.wordResidual ?? {};
  const pairs = model.pairResidual ?? {};
  let x = 0;
  acc?.reset();
  for (const t of msg.tokens) {
    const others = t.afinn !== 0 ? w.senticon * t.senticon + w.pattern * t.pattern : w.senticonAlone * t.senticon + w.patternAlone * t.pattern;
    const level = model.afinnLevels !== undefined && t.afinn !== 0 ? model.afinnLevels[afinnLevel(t.afinn)]! : 0;
    const base = w.afinn * t.afinn + others + w.emoji * t.emoji + own(model.residual, t.stem) + own(words, t.word) + level;
    const pair = pairKey(t);
    const c = t.factor * ((t.negated ? cfg.negationScale * base + own(model.negatedResidual, t.stem) : base) + (pair === null ? 0 : own(pairs, pair)));
    x += c;
    acc?.token(t.afinn, t.senticon, t.pattern, t.emoji, t.factor, t.negated, cfg.negationScale, c);
  }
  if (acc !== undefined) for (const v of msg.cueValences) acc.contribution(w.domain * v);
  x += w.domain * msg.domain;
  if (msg.hasWords) x += w.bias;
  const sign = x > 0 ? 1 : x < 0 ? -1 : 0;
  x += sign * (w.exclaim * msg.exclaim + w.question * msg.question);
  return x;
}

/** The calibrator's input row for a message under the linear layer of `model` (the analyzer fills the same accumulator). */
export function calibrationRow(model: SentimentModel, cfg: SentimentConfig, msg: ExtractedMessage): Float64Array {
  const acc = new CalibrationFeatures();
  const raw = rawScore(model, cfg, msg, acc);
  return Float64Array.from(acc.finish(raw, msg.exclaim, msg.question, msg.capsWords, msg.letterWords, ngramScore(model, msg)));
}

/** Prediction from extracted features, identical to the analyzer's compound for the same model. */
export function predict(model: SentimentModel, cfg: SentimentConfig, msg: ExtractedMessage): number {
  if (msg.tokens.length === 0) return 0; // as the analyzer: nothing scored is neutral
  if (model.calibrator) return calibrate(model.calibrator, calibrationRow(model, cfg, msg));
  const x = rawScore(model, cfg, msg);
  return x / Math.sqrt(x * x + cfg.normalizationAlpha);
}

export interface NgramOptions {
  /** L2 penalty of the ridge (per message of mean squared error); 0 trains no n-gram estimate */
  l2: number;
  /** a unigram or bigram gets a weight only if it occurs in at least this many training messages */
  minCount: number;
  /** a bigram needs at least this many messages (each one is a table read on the hot path, and one seen once mostly fits noise) */
  bigramMinCount: number;
  iterations: number;
  /** fit the ridge to what the linear layer (trained on the same messages) leaves unexplained, not to the rating */
  residual: boolean;
}

// L2 3e-3 as the earlier stacked ridge (README); fitted to the linear layer's residual, which kept the cross-set
// figures where a ridge on the rating lost 0.004-0.008; bigrams from 3 messages cost a third of the table reads
// of all bigrams at the same nested-CV figures (tweets 0.8965 vs 0.8962, Amazon 0.7196 vs 0.7218)
export const DEFAULT_NGRAMS: NgramOptions = { l2: 3e-3, minCount: 1, bigramMinCount: 3, iterations: 300, residual: true };

/** The n-gram features of a message, as the analyzer reads them: each token's word form (its negated form inside a
 * negation scope) and each pair of adjacent tokens; none that involve a support topic word. */
export function ngramFeatures(msg: ExtractedMessage): Array<{ kind: 'words' | 'negated' | 'bigrams'; key: string }> {
  const out: Array<{ kind: 'words' | 'negated' | 'bigrams'; key: string }> = [];
  const seq = msg.sequence;
  for (let i = 0; i < seq.length; i++) {
    const t = seq[i]!;
    const topic = DOMAIN_NEUTRAL_STEMS.has(t.stem);
    if (!topic && !t.boundary) out.push({ kind: t.negated ? 'negated' : 'words', key: t.word });
    if (i > 0 && !topic && !DOMAIN_NEUTRAL_STEMS.has(seq[i - 1]!.stem)) out.push({ kind: 'bigrams', key: `${seq[i - 1]!.word} ${t.word}` });
  }
  return out;
}

/** A ridge regression of rating / 4 on word unigrams and bigrams (conjugate gradient on the normal equations). */
export function trainNgrams(samples: readonly Sample[], opts: NgramOptions, targets: readonly number[] = samples.map((s) => s.target)): NonNullable<SentimentModel['ngrams']> {
  const feats = samples.map((s) => ngramFeatures(s.msg).map((f) => `${f.kind}\u0000${f.key}`));
  const df = new Map<string, number>();
  for (const fs of feats) for (const f of new Set(fs)) df.set(f, (df.get(f) ?? 0) + 1);
  const vocab = new Map<string, number>();
  for (const [f, n] of df) if (n >= (f.startsWith('bigrams') ? Math.max(opts.minCount, opts.bigramMinCount) : opts.minCount) && !f.includes('__proto__')) vocab.set(f, vocab.size);
  const rows = feats.map((fs) => Int32Array.from(fs.map((f) => vocab.get(f) ?? -1).filter((i) => i >= 0)));
  const N = samples.length;
  const P = vocab.size;
  let bias = 0;
  for (const t of targets) bias += t;
  bias /= N;
  // (X'X / N + l2 I) w = X'(y - bias) / N
  const mul = (w: Float64Array, out: Float64Array): void => {
    out.fill(0);
    for (let i = 0; i < N; i++) {
      const r = rows[i]!;
      let x = 0;
      for (let k = 0; k < r.length; k++) x += w[r[k]!]!;
      x /= N;
      for (let k = 0; k < r.length; k++) out[r[k]!]! += x;
    }
    for (let p = 0; p < P; p++) out[p]! += opts.l2 * w[p]!;
  };
  const b = new Float64Array(P);
  targets.forEach((t, i) => {
    const r = rows[i]!;
    for (let k = 0; k < r.length; k++) b[r[k]!]! += (t - bias) / N;
  });
  const w = new Float64Array(P);
  const res = Float64Array.from(b);
  const dir = Float64Array.from(b);
  const q = new Float64Array(P);
  let rr = 0;
  for (let p = 0; p < P; p++) rr += res[p]! * res[p]!;
  const rr0 = rr;
  for (let it = 0; it < opts.iterations && rr > 1e-20 * rr0; it++) {
    mul(dir, q);
    let dq = 0;
    for (let p = 0; p < P; p++) dq += dir[p]! * q[p]!;
    const a = rr / dq;
    let rrNew = 0;
    for (let p = 0; p < P; p++) {
      w[p]! += a * dir[p]!;
      res[p]! -= a * q[p]!;
      rrNew += res[p]! * res[p]!;
    }
    const beta = rrNew / rr;
    rr = rrNew;
    for (let p = 0; p < P; p++) dir[p] = res[p]! + beta * dir[p]!;
  }
  const round = (x: number): number => Math.round(x * 1e5) / 1e5;
  const out = { bias: round(bias), words: {} as Record<string, number>, negated: {} as Record<string, number>, bigrams: {} as Record<string, number> };
  for (const [f, i] of vocab) {
    const v = round(w[i]!);
    if (v === 0) continue;
    const sep = f.indexOf('\u0000');
    out[f.slice(0, sep) as 'words' | 'negated' | 'bigrams'][f.slice(sep + 1)] = v;
  }
  return out;
}

/** The n-gram estimate of a message, summed in the analyzer's order (bigram weights as its float32 table holds them). */
export function ngramScore(model: SentimentModel, msg: ExtractedMessage): number {
  const g = model.ngrams;
  if (g === undefined) return 0;
  const own = (rec: Record<string, number>, k: string): number => (Object.hasOwn(rec, k) ? rec[k]! : 0);
  let x = g.bias;
  const seq = msg.sequence;
  for (let i = 0; i < seq.length; i++) {
    const t = seq[i]!;
    if (!t.boundary) x += own(t.negated ? g.negated : g.words, t.word);
    if (i > 0) x += Math.fround(own(g.bigrams, `${seq[i - 1]!.word} ${t.word}`));
  }
  return x;
}
