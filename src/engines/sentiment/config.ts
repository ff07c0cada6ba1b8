// Configuration of the sentiment engine: the composition rules around the lexicon (negation,
// emphasis, contrast), the hot-path bounds and the frustration flag. Composed in src/config/schema.ts.
import { z } from 'zod';

export const sentimentConfig = z
  .strictObject({
    maxChars: z.number().int().min(1).default(10_000).describe('Characters of a message that are scored; the rest is ignored. Support messages rarely pass a few thousand, and the bound keeps a pasted 1 MB log from stalling the pipeline.'),
    negationScope: z.number().int().min(0).default(3).describe('Tokens after a negator ("not", "never", "n\'t") whose polarity it flips; three covers "not very good at all" without leaking into the next clause.'),
    negationScale: z.number().min(-1).max(1).default(-0.74).describe('Factor on a negated word: flipped but weaker, since "not good" is less negative than "bad" (the figure VADER measured on human raters).'),
    boosterScale: z.number().min(0).max(2).default(0.3).describe('Extra weight an intensifier ("very", "extremely") gives the next sentiment words: 1 + this factor.'),
    dampenerScale: z.number().min(0).max(1).default(0.3).describe('Weight a dampener ("slightly", "kinda") takes away from the next sentiment words: 1 - this factor.'),
    modifierReach: z.number().int().min(1).default(2).describe('Tokens after an intensifier or dampener it still reaches, so "very very good" and "really not bad" are both covered.'),
    capsEmphasis: z.number().min(0).max(2).default(0.3).describe('Extra weight of an ALL-CAPS word in a message that is not all caps (shouting one word is emphasis; an all-caps message is just style).'),
    contrastBefore: z.number().min(0).max(2).default(0.5).describe('Weight of words before "but"/"however": the clause after a contrast carries the writer\'s point.'),
    contrastAfter: z.number().min(0).max(3).default(1.2).describe('Weight of words after "but"/"however": 1.2 scored best in the nested CV of bench/sentiment/train.ts among 1, 1.2, 1.5 (VADER\'s) and 2 (tweets r 0.886 -> 0.887, Amazon 0.700 -> 0.705 against 1.5).'),
    concessiveWeight: z.number().min(0).max(2).default(0.5).describe('Weight of words inside an "although"/"though"/"even though" clause, which is conceded rather than meant.'),
    exclaimCap: z.number().int().min(0).default(4).describe('Most exclamation marks that add emphasis; past four they stop saying more.'),
    questionCap: z.number().int().min(0).default(3).describe('Most question marks that add emphasis ("why???"); a single "?" adds none.'),
    normalizeUnrated: z.boolean().default(true).describe('Read a word no lexicon rates, elongated ("yaaay", "ughhhh") or a laugh ("hahaha", "loool"), as its squeezed or shortest spelling, so it shares what was learned for "yay", "ugh", "haha" (a form rated as it stands is left alone).'),
    normalizationAlpha: z.number().positive().default(15).describe('Alpha of the compound squash x / sqrt(x^2 + alpha) into [-1, 1]; 15 is VADER\'s, so scores are on the scale people know.'),
    neutralBand: z.number().min(0).max(1).default(0.05).describe('Compound scores within +/- this are labelled neutral (the VADER convention the benchmarks use).'),
    topWords: z.number().int().min(0).max(50).default(5).describe('Contributing words reported per message, for the explanations people read; a handful is enough to explain a score.'),
    topMinWeight: z.number().min(0).default(0.05).describe('Smallest contribution (before squashing) a word needs to be listed in `top`; below it the learned corrections of filler words ("is", "this") are noise to a reader.'),
    cacheSize: z.number().int().min(0).default(100_000).describe('Distinct word forms whose lexicon lookup and stem are memoized; stemming is the slow step, and a support vocabulary fits well within this. When full the cache is emptied.'),
    frustrationCueStrength: z.number().min(0).default(2).describe('Summed strength of support-domain cues (e.g. "lawyer" 2, "again" 1) that flags frustration on its own, whatever the score.'),
    frustrationScore: z.number().min(-1).max(1).default(-0.25).describe('A message with at least one cue and a compound at or below this is flagged as frustrated: a cue in a negative message.'),
    frustrationStrongNegative: z.number().min(-1).max(1).default(-0.45).describe('A message this negative with emphasis (caps or "!") is flagged as frustrated even without a cue. The trained compound estimates the raters\' mean (it rarely passes -0.7); -0.45 is about the most negative 3% of the rated tweets.'),
    defaultWeights: z
      .strictObject({
        afinn: z.number().default(2.5).describe('Weight of AFINN-165 valence (scaled to [-1, 1]) when no trained model is loaded.'),
        senticon: z.number().default(0.5).describe('Weight of ML-Senticon polarity when no trained model is loaded; lower, since it is machine-built and noisier.'),
        pattern: z.number().default(1).describe('Weight of the Pattern adjective polarity when no trained model is loaded.'),
        emoji: z.number().default(2.5).describe('Weight of the emoticon/emoji valence when no trained model is loaded.'),
        exclaim: z.number().default(0.3).describe('Emphasis added per "!" (up to exclaimCap) in the direction of the score when no trained model is loaded.'),
        question: z.number().default(0.15).describe('Emphasis added per "?" past the first (up to questionCap) when no trained model is loaded.'),
      })
      .prefault({})
      .describe('Lexicon weights used when models/sentiment/model.json is absent; the shipped model replaces them with trained ones.'),
    domainCueWeight: z.number().min(0).default(1).describe('Scale of the support-domain cues\' own valence ("unacceptable", "refund"), which general lexicons rate as neutral.'),
    modelPath: z.string().default('').describe('Trained weights to load; empty uses the shipped models/sentiment/model.json, and without that file the default weights above.'),
  })
  .prefault({});
export type SentimentConfig = z.infer<typeof sentimentConfig>;
