// The English lexicons and Porter stemmer that ship inside `natural` (AFINN-165, ML-Senticon,
// Pattern), loaded once per process through natural's own SentimentAnalyzer vocabularies.
// This is module loading of package data, not I/O on user files; the deep require skips natural's
// index, whose import costs seconds.
import { createRequire } from 'node:module';

export interface NaturalLexicons {
  /** word -> AFINN valence, integer in [-5, 5] */
  afinn: ReadonlyMap<string, number>;
  /** word -> ML-Senticon polarity in [-1, 1] */
  senticon: ReadonlyMap<string, number>;
  /** word -> Pattern polarity in [-1, 1] */
  pattern: ReadonlyMap<string, number>;
  /** stem -> mean value of the lexicon's forms with that stem, for forms the lexicon lacks */
  afinnByStem: ReadonlyMap<string, number>;
  senticonByStem: ReadonlyMap<string, number>;
  patternByStem: ReadonlyMap<string, number>;
  stem: (word: string) => string;
}

interface NaturalVocabularyAnalyzer {
  vocabulary: Record<string, string | number>;
}
type NaturalAnalyzerCtor = new (language: string, stemmer: null, type: string) => NaturalVocabularyAnalyzer;

let loaded: NaturalLexicons | undefined;

function toMap(vocabulary: Record<string, string | number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const word in vocabulary) {
    const value = Number(vocabulary[word]);
    // multi-word entries ("cheer up") never match a single token, and zeros carry nothing
    if (!Number.isFinite(value) || value === 0 || word.includes(' ')) continue;
    out.set(word.toLowerCase(), value);
  }
  return out;
}

function byStem(source: ReadonlyMap<string, number>, stem: (w: string) => string): Map<string, number> {
  const sums = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const [word, value] of source) {
    const s = stem(word);
    sums.set(s, (sums.get(s) ?? 0) + value);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  for (const [s, n] of counts) sums.set(s, sums.get(s)! / n);
  return sums;
}

/** Loaded and stemmed once per process (the stemming of ~28k entries is the slow part). */
export function naturalLexicons(): NaturalLexicons {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const Analyzer = require('natural/lib/natural/sentiment/SentimentAnalyzer.js') as NaturalAnalyzerCtor;
  const porter = require('natural/lib/natural/stemmers/porter_stemmer.js') as { stem: (w: string) => string };
  const stem = (w: string): string => porter.stem(w);
  const afinn = toMap(new Analyzer('English', null, 'afinn').vocabulary);
  const senticon = toMap(new Analyzer('English', null, 'senticon').vocabulary);
  const pattern = toMap(new Analyzer('English', null, 'pattern').vocabulary);
  loaded = {
    afinn,
    senticon,
    pattern,
    afinnByStem: byStem(afinn, stem),
    senticonByStem: byStem(senticon, stem),
    patternByStem: byStem(pattern, stem),
    stem,
  };
  return loaded;
}
