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

/** The lexicons as plain tables (word or stem -> [afinn, senticon, pattern]) for shipping in a model file. */
export interface LexiconTables {
  words: Record<string, [number, number, number]>;
  stems: Record<string, [number, number, number]>;
}

let loaded: NaturalLexicons | undefined;
let porterStem: ((w: string) => string) | undefined;
const fromTables = new WeakMap<LexiconTables, NaturalLexicons>();

/** natural's Porter stemmer alone: cheap to load, unlike the lexicon files. */
export function naturalStemmer(): (word: string) => string {
  if (!porterStem) {
    const porter = createRequire(import.meta.url)('natural/lib/natural/stemmers/porter_stemmer.js') as { stem: (w: string) => string };
    porterStem = (w) => porter.stem(w);
  }
  return porterStem;
}

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
  const stem = naturalStemmer();
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

function toTable(keys: Iterable<string>, a: ReadonlyMap<string, number>, s: ReadonlyMap<string, number>, p: ReadonlyMap<string, number>): Record<string, [number, number, number]> {
  const round = (x: number): number => Math.round(x * 1e6) / 1e6;
  const out: Record<string, [number, number, number]> = {};
  for (const k of keys) if (k !== '__proto__') out[k] = [round(a.get(k) ?? 0), round(s.get(k) ?? 0), round(p.get(k) ?? 0)];
  return out;
}

/** Flattens the loaded lexicons (and their stem fallbacks) so a model file can carry them. */
export function lexiconTables(lex: NaturalLexicons): LexiconTables {
  const words = new Set([...lex.afinn.keys(), ...lex.senticon.keys(), ...lex.pattern.keys()]);
  const stems = new Set([...lex.afinnByStem.keys(), ...lex.senticonByStem.keys(), ...lex.patternByStem.keys()]);
  return { words: toTable(words, lex.afinn, lex.senticon, lex.pattern), stems: toTable(stems, lex.afinnByStem, lex.senticonByStem, lex.patternByStem) };
}

/** The lexicons rebuilt from shipped tables: no lexicon files to parse and nothing to stem at start-up. */
export function lexiconsFromTables(tables: LexiconTables): NaturalLexicons {
  const cached = fromTables.get(tables);
  if (cached) return cached;
  const pick = (rec: Record<string, [number, number, number]>, idx: number): Map<string, number> => {
    const m = new Map<string, number>();
    for (const k in rec) {
      const v = rec[k]![idx]!;
      if (v !== 0) m.set(k, v);
    }
    return m;
  };
  const lex: NaturalLexicons = {
    afinn: pick(tables.words, 0),
    senticon: pick(tables.words, 1),
    pattern: pick(tables.words, 2),
    afinnByStem: pick(tables.stems, 0),
    senticonByStem: pick(tables.stems, 1),
    patternByStem: pick(tables.stems, 2),
    stem: naturalStemmer(),
  };
  fromTables.set(tables, lex);
  return lex;
}
