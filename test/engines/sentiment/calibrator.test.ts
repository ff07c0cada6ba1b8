import { describe, it, expect } from 'vitest';
import { sentimentConfig } from '../../../src/engines/sentiment/config.js';
import { SentimentAnalyzer } from '../../../src/engines/sentiment/analyzer.js';
import { loadSentimentModel } from '../../../src/engines/sentiment/model-file.js';
import { CompiledCalibrator, calibrate, calibratorMatches, FEATURE_COUNT, MONOTONE_FEATURES, type Calibrator } from '../../../src/engines/sentiment/calibrator.js';
import { mulberry32 } from '../../../src/engines/mulberry32.js';
import { predict } from '../../../bench/sentiment/learned-layer.js';

const cfg = sentimentConfig.parse({});
const model = loadSentimentModel()!;
const shipped = model.calibrator!;

function randomVector(rand: () => number): Float64Array {
  const v = new Float64Array(FEATURE_COUNT);
  // raw sums and aggregates of a few units either way, counts up to a dozen
  for (let f = 0; f < FEATURE_COUNT; f++) v[f] = f < MONOTONE_FEATURES ? (rand() - 0.5) * 6 : Math.floor(rand() * 12);
  return v;
}

describe('sentiment calibrator', () => {
  it('the shipped model has a calibrator for the features this code computes', () => {
    expect(shipped).toBeDefined();
    expect(calibratorMatches(shipped)).toBe(true);
    expect(shipped.trees.length + (shipped.network?.bias.length ?? 0)).toBeGreaterThan(0);
  });

  it('the compiled (padded, branch-free) walk gives the plain walk\'s score', () => {
    const compiled = new CompiledCalibrator(shipped);
    const rand = mulberry32(7);
    for (let i = 0; i < 2000; i++) {
      const v = randomVector(rand);
      expect(compiled.score(v)).toBeCloseTo(calibrate(shipped, v), 12);
    }
  });

  it('never lowers the score when a monotone feature grows (the rules keep their direction)', () => {
    const compiled = new CompiledCalibrator(shipped);
    const rand = mulberry32(11);
    for (let i = 0; i < 2000; i++) {
      const v = randomVector(rand);
      const f = Math.floor(rand() * MONOTONE_FEATURES);
      const before = compiled.score(v);
      v[f]! += rand() * 2;
      expect(compiled.score(v)).toBeGreaterThanOrEqual(before - 1e-12);
    }
  });

  it('a network beside the trees stays monotone, and the compiled walk gives the plain walk\'s score', () => {
    const rand = mulberry32(13);
    const F = FEATURE_COUNT;
    const H = 6;
    // random weights, projected as the trainer does: non-negative on the monotone inputs and on the outputs
    const weights = Array.from({ length: H * F }, (_, k) => (k % F < MONOTONE_FEATURES ? rand() : rand() - 0.5));
    const network = { mean: Array.from({ length: F }, () => rand() - 0.5), invScale: Array.from({ length: F }, () => 0.5 + rand()), weights, bias: Array.from({ length: H }, () => rand() - 0.5), out: Array.from({ length: H }, () => rand()), outBias: 0.1, share: 0.6 };
    const withNet: Calibrator = { ...shipped, network };
    expect(calibratorMatches(withNet)).toBe(true);
    expect(calibratorMatches({ ...withNet, network: { ...network, out: [1] } })).toBe(false);
    const compiled = new CompiledCalibrator(withNet);
    const treesOnly = new CompiledCalibrator({ ...shipped, network: undefined });
    let differs = 0;
    for (let i = 0; i < 2000; i++) {
      const v = randomVector(rand);
      const s = compiled.score(v);
      expect(s).toBeCloseTo(calibrate(withNet, v), 12);
      if (Math.abs(s - treesOnly.score(v)) > 1e-6) differs++;
      const f = Math.floor(rand() * MONOTONE_FEATURES);
      v[f]! += rand() * 2;
      expect(compiled.score(v)).toBeGreaterThanOrEqual(s - 1e-12);
    }
    expect(differs).toBeGreaterThan(1000);
  });

  it('the n-gram estimate reaches the analyzer as the trainer computes it', () => {
    const ngrams = { bias: 0.01, words: { slow: -0.2, yay: 0.3 }, negated: { good: -0.1 }, bigrams: { 'so slow': -0.15, 'yay .': 0.05, 'not good': -0.07 } };
    const withGrams = { ...model, ngrams };
    const an = new SentimentAnalyzer(cfg, withGrams);
    const texts = ['yay. it works', 'it is so slow', 'not good, so slow', 'the invoice is attached', 'yaaay, so slow'];
    for (const t of texts) expect(predict(withGrams, cfg, an.extract(t))).toBeCloseTo(an.analyze(t).score, 9);
    // the estimate is a monotone input: negative n-grams can only lower the score
    const plain = new SentimentAnalyzer(cfg, { ...model, ngrams: undefined });
    expect(an.analyze('it is so slow').score).toBeLessThan(plain.analyze('it is so slow').score);
  });

  it('a support-domain cue counts among the learned contributions the calibrator reads', () => {
    const an = new SentimentAnalyzer(cfg, model);
    const msg = an.extract('please refund the invoice');
    expect(msg.cueValences.length).toBeGreaterThan(0);
    expect(msg.cueValences[0]!).toBeLessThan(0);
    expect(predict(model, cfg, msg)).toBeCloseTo(an.analyze('please refund the invoice').score, 9);
  });

  it('a calibrator trained on other features is refused with a clear error', () => {
    const other: Calibrator = { ...shipped, features: [...shipped.features].reverse() };
    expect(calibratorMatches(other)).toBe(false);
    expect(() => new SentimentAnalyzer(cfg, { ...model, calibrator: other })).toThrow(/calibrator/);
  });

  it('the trainer predicts exactly what the analyzer scores', () => {
    const an = new SentimentAnalyzer(cfg, model);
    const texts = ['I LOVE this, thanks!!! :)', 'not good, not terrible', 'Still not working. Third time. Unacceptable!', 'the invoice is attached', 'why??? why is it broken again', 'Great, but the sync is painfully slow', 'what a piece of junk, awful awful', 'the saddest, loooongest wait of my life'];
    for (const t of texts) expect(predict(model, cfg, an.extract(t))).toBeCloseTo(an.analyze(t).score, 9);
  });

  it('the shipped model uses word-form and AFINN-level corrections', () => {
    expect(Object.keys(model.wordResidual ?? {}).length).toBeGreaterThan(100);
    expect(model.afinnLevels).toHaveLength(11);
  });

  it('word-pair corrections reach the analyzer as the trainer adds them, only for words scored one after the other', () => {
    const stem = (w: string): string => new SentimentAnalyzer(cfg).extract(w).tokens[0]!.stem;
    const pairResidual = { [`${stem('piece')} of`]: -0.3, [`of ${stem('junk')}`]: -0.5, [`${stem('works')} ${stem('fine')}`]: 0.4 };
    const withPairs = { ...model, pairResidual };
    const an = new SentimentAnalyzer(cfg, withPairs);
    const plain = new SentimentAnalyzer(cfg, { ...model, pairResidual: {} });
    const texts = ['what a piece of junk', 'it works fine now', 'a piece, of, junk', 'it works really fine', 'piece of junk piece of junk'];
    for (const t of texts) expect(predict(withPairs, cfg, an.extract(t))).toBeCloseTo(an.analyze(t).score, 9);
    expect(an.analyze('what a piece of junk').score).toBeLessThan(plain.analyze('what a piece of junk').score);
    expect(an.analyze('it works fine now').score).toBeGreaterThan(plain.analyze('it works fine now').score);
    // a clause end or a modifier between the words breaks the pair
    expect(an.analyze('a piece, of, junk').score).toBeCloseTo(plain.analyze('a piece, of, junk').score, 12);
    expect(an.analyze('it works really fine').score).toBeCloseTo(plain.analyze('it works really fine').score, 12);
  });

  it('a message with nothing to score is neutral at exactly 0', () => {
    const an = new SentimentAnalyzer(cfg, model);
    for (const t of ['   ', '!!!', '@someone http://x.y/z', '…']) expect(an.analyze(t).score).toBe(0);
  });
});
