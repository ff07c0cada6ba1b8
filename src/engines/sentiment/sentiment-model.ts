// The learned layer's weights: how much to trust each lexicon source, the emphasis terms, and
// per-stem corrections learned from rated text. Plain data, validated once when loaded.
import { z } from 'zod';
import type { SentimentConfig } from './config.js';
import { calibratorSchema } from './calibrator.js';

export const sentimentModelSchema = z.strictObject({
  format: z.literal('vigil-sentiment/1'),
  weights: z.strictObject({
    afinn: z.number(),
    senticon: z.number(),
    pattern: z.number(),
    /** ML-Senticon and Pattern for words AFINN lacks: there they are the only evidence */
    senticonAlone: z.number(),
    patternAlone: z.number(),
    emoji: z.number(),
    domain: z.number(),
    exclaim: z.number(),
    question: z.number(),
    bias: z.number(),
  }),
  /** stem -> valence added to every form of that stem */
  residual: z.record(z.string(), z.number()),
  /** stem -> valence added when the stem is inside a negation scope ("not work") */
  negatedResidual: z.record(z.string(), z.number()),
  /** lower-cased word form -> valence added on top of its stem's ("awful" and "aw" share the Porter stem "aw") */
  wordResidual: z.record(z.string(), z.number()).optional(),
  /** "stem stem" of two words scored one after the other in a clause ("piec of", "of junk") -> valence added at the second */
  pairResidual: z.record(z.string(), z.number()).optional(),
  /** valence added to every word AFINN rates, by its AFINN level -5..5 (index level + 5): the lexicon's
   * levels are not equally far apart for raters */
  afinnLevels: z.array(z.number()).length(11).optional(),
  /** natural's lexicons flattened at training time (word or stem -> [AFINN, ML-Senticon, Pattern]), so
   * start-up parses one file instead of loading and stemming natural's; absent: loaded from natural */
  lexicon: z
    .strictObject({
      words: z.record(z.string(), z.tuple([z.number(), z.number(), z.number()])),
      stems: z.record(z.string(), z.tuple([z.number(), z.number(), z.number()])),
    })
    .optional(),
  /** a ridge regression of rating / 4 on the message's word unigrams and adjacent-token bigrams (no lexicon,
   * no rules), one more input of the calibrator: `bias` plus a weight per word form (its `negated` weight
   * inside a negation scope) plus a weight per "word word" bigram; absent: the input is 0 */
  ngrams: z
    .strictObject({
      bias: z.number(),
      words: z.record(z.string(), z.number()),
      negated: z.record(z.string(), z.number()),
      bigrams: z.record(z.string(), z.number()),
    })
    .optional(),
  /** the learned output stage (raw sum and message aggregates -> compound); absent: VADER's fixed squash */
  calibrator: calibratorSchema.optional(),
  /** how it was trained and what it scored out of sample; informative only */
  meta: z.record(z.string(), z.unknown()).default({}),
});
export type SentimentModel = z.infer<typeof sentimentModelSchema>;
export type SentimentWeights = SentimentModel['weights'];

/** The lexicon-only model the analyzer uses when no trained weights are given. */
export function defaultSentimentModel(cfg: SentimentConfig): SentimentModel {
  const d = cfg.defaultWeights;
  return {
    format: 'vigil-sentiment/1',
    weights: { afinn: d.afinn, senticon: d.senticon, pattern: d.pattern, senticonAlone: d.senticon, patternAlone: d.pattern, emoji: d.emoji, domain: cfg.domainCueWeight, exclaim: d.exclaim, question: d.question, bias: 0 },
    residual: {},
    negatedResidual: {},
    meta: { source: 'config defaults' },
  };
}
