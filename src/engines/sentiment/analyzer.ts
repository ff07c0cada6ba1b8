// Scores one customer message: a compound sentiment in [-1, 1] from natural's lexicons (weighted by
// the learned layer), composed with negation, emphasis, contrast, emoji and support-domain cues, then calibrated.
import type { SentimentConfig } from './config.js';
import { naturalLexicons, lexiconsFromTables, type NaturalLexicons } from './natural-lexicons.js';
import { defaultSentimentModel, type SentimentModel } from './sentiment-model.js';
import { NEGATORS, INTENSIFIERS, DAMPENERS, CONTRAST_MARKERS, CONCESSIVE_MARKERS } from './modifier-words.js';
import { EMOTICONS, EMOJI } from './emoticons.js';
import { DOMAIN_CUES } from './domain-cues.js';
import { WordTable, hashStep, HASH_SEED } from './word-table.js';
import { CalibrationFeatures, CompiledCalibrator, calibratorMatches } from './calibrator.js';
import { PairTable } from './pair-table.js';
import { NgramTable, bigramKey, bigramLead, bigramJoin } from './ngram-table.js';
import { decodeHtmlEntities, htmlEntityAt } from './html-entities.js';

export type SentimentLabel = 'negative' | 'neutral' | 'positive';

export interface SentimentResult {
  /** compound score in [-1, 1] */
  score: number;
  label: SentimentLabel;
  frustration: boolean;
  /** support-domain cues found, as their phrases */
  cues: string[];
  /** the words that moved the score most, with their signed contribution before squashing */
  top: Array<{ word: string; weight: number }>;
}

/** One scored token as the learned layer sees it: lexicon values and the rule factors around it. */
export interface ExtractedToken {
  stem: string;
  /** the lower-cased form looked up (an elongated or graded word as its base form) */
  word: string;
  /** stem of the word scored right before this one in the same clause, with no modifier between; null when none */
  prevStem: string | null;
  afinn: number;
  senticon: number;
  pattern: number;
  emoji: number;
  factor: number;
  negated: boolean;
}

/** One token of the message in order, scored or not (modifiers, clause and sentence ends), as the n-gram estimate reads it. */
export interface SequenceToken {
  /** the lower-cased form looked up; "." and "," for sentence and clause ends */
  word: string;
  stem: string;
  negated: boolean;
  /** a sentence or clause end: part of bigrams, no weight of its own */
  boundary: boolean;
}

/** What the trainer needs from a message: its tokens and the message-level emphasis counts. */
export interface ExtractedMessage {
  tokens: ExtractedToken[];
  /** every token in order, for the word uni/bigram estimate */
  sequence: SequenceToken[];
  domain: number;
  /** each matched cue's valence, in order: the calibrator reads a cue as one more scored unit */
  cueValences: number[];
  exclaim: number;
  question: number;
  hasWords: boolean;
  /** ALL-CAPS words and words with letters, for the calibrator's emphasis features */
  capsWords: number;
  letterWords: number;
}

const enum Kind {
  Word,
  Negator,
  Intensifier,
  Dampener,
  DampenerBeforeOf,
  Contrast,
  Concessive,
  ClauseEnd,
  SentenceEnd,
}

interface CueRef {
  rest: readonly string[];
  phrase: string;
  valence: number;
  strength: number;
}

interface TokenInfo {
  kind: Kind;
  word: string;
  /** hash of `word`: the top-word merge compares integers, not strings (a collision only merges two explanations) */
  wordKey: number;
  stem: string;
  afinn: number;
  senticon: number;
  pattern: number;
  emoji: number;
  /** weighted lexicon valence plus the stem's learned correction */
  valence: number;
  /** valence inside a negation scope */
  negValence: number;
  /** index of the stem among those with learned word-pair corrections, or -1 */
  pairId: number;
  /** bit (id & 31) set for the pair ids that follow this stem in some learned pair: a clear bit skips the
   * pair table (a random read in a table larger than the core's cache) for most adjacent words */
  pairMask: number;
  /** the n-gram estimate's weight of this word form, and inside a negation scope */
  gram: number;
  gramNeg: number;
  /** bigramLead(wordKey): the part of a bigram key this word gives as the first word */
  gramLead: number;
  cues: CueRef[] | null;
}

// boundaries carry the key of their word: the n-gram estimate reads "good ." and ". but" as bigrams
const CLAUSE_END: TokenInfo = { kind: Kind.ClauseEnd, word: ',', wordKey: keyOf(','), stem: ',', afinn: 0, senticon: 0, pattern: 0, emoji: 0, valence: 0, negValence: 0, pairId: -1, pairMask: 0, gram: 0, gramNeg: 0, gramLead: bigramLead(keyOf(',')), cues: null };
const SENTENCE_END: TokenInfo = { kind: Kind.SentenceEnd, word: '.', wordKey: keyOf('.'), stem: '.', afinn: 0, senticon: 0, pattern: 0, emoji: 0, valence: 0, negValence: 0, pairId: -1, pairMask: 0, gram: 0, gramNeg: 0, gramLead: bigramLead(keyOf('.')), cues: null };

const EMOTICON_MAP = new Map<string, number>(EMOTICONS.map(([k, v]) => [k, v]));
const EMOJI_MAP = new Map<number, number>(EMOJI.map(([k, v]) => [k, v]));
const EMOTICON_FIRST = new Set<number>(EMOTICONS.map(([k]) => k.charCodeAt(0)));
const EMOTICON_MAX_LEN = Math.max(...EMOTICONS.map(([k]) => k.length));
const NEGATOR_SET = new Set(NEGATORS);
const INTENSIFIER_SET = new Set(INTENSIFIERS);
const DAMPENER_SET = new Set(DAMPENERS);
const DAMPENER_BEFORE_OF = new Set(['kind', 'sort']);
const CONTRAST_SET = new Set(CONTRAST_MARKERS);
const CONCESSIVE_SET = new Set(CONCESSIVE_MARKERS);
const TRIPLE_LETTERS = /(.)\1{2,}/g;

function isWordChar(c: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 39 || c === 95;
  if (c === 0x2019) return true; // typographic apostrophe inside "don’t"
  // letters of other scripts; the symbol blocks below are emoji or punctuation
  return c >= 0xc0 && c < 0x2000 && c !== 0xd7 && c !== 0xf7;
}

/** ASCII word characters by kind (0: not a word character), as isWordChar and the case tests would say */
const ASCII_OTHER_WORD = 1;
const ASCII_UPPER = 2;
const ASCII_LOWER = 3;
const ASCII_CLASS = Uint8Array.from({ length: 128 }, (_, c) => (c >= 65 && c <= 90 ? ASCII_UPPER : c >= 97 && c <= 122 ? ASCII_LOWER : isWordChar(c) ? ASCII_OTHER_WORD : 0));

function isEmojiCode(cp: number): boolean {
  return (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0x2600 && cp <= 0x27bf) || (cp >= 0x2b00 && cp <= 0x2bff) || (cp >= 0x2190 && cp <= 0x21ff);
}

function isSpace(c: number): boolean {
  return c <= 32 || c === 0xa0 || (c >= 0x2000 && c <= 0x200b) || c === 0x3000;
}

/** The hash the scanner computes for a lower-cased word (its word-table and n-gram key). */
export function keyOf(word: string): number {
  let h = HASH_SEED;
  for (let i = 0; i < word.length; i++) h = hashStep(h, word.charCodeAt(i));
  return h;
}

function hasLexiconValence(info: TokenInfo): boolean {
  return info.afinn !== 0 || info.senticon !== 0 || info.pattern !== 0 || info.emoji !== 0;
}

/** What a lower-cased word does in the rules (a modifier, a marker) or a plain word. */
function kindOf(word: string): Kind {
  const bare = word.indexOf("'") >= 0 ? word.replace(/'/g, '') : word;
  if (NEGATOR_SET.has(bare) || word.endsWith("n't")) return Kind.Negator;
  if (CONTRAST_SET.has(bare)) return Kind.Contrast;
  if (CONCESSIVE_SET.has(bare)) return Kind.Concessive;
  if (INTENSIFIER_SET.has(bare)) return Kind.Intensifier;
  if (DAMPENER_BEFORE_OF.has(bare)) return Kind.DampenerBeforeOf;
  if (DAMPENER_SET.has(bare)) return Kind.Dampener;
  return Kind.Word;
}

/** whether a token can take an intensifier: a sentiment word or another modifier ("so very good") */
function modifiable(next: TokenInfo): boolean {
  return next.kind === Kind.Word ? hasLexiconValence(next) : next.kind === Kind.Intensifier || next.kind === Kind.Dampener || next.kind === Kind.Negator;
}

function compoundOf(x: number, alpha: number): number {
  const s = x / Math.sqrt(x * x + alpha);
  if (!Number.isFinite(s)) return x > 0 ? 1 : x < 0 ? -1 : 0;
  return s > 1 ? 1 : s < -1 ? -1 : s;
}

/** topWords' per-call stamp wraps here, within Int32 */
const STAMP_LIMIT = 0x7fffffff;
const DOUBLED_END = /([b-df-hj-np-tv-z])\1$/;

/** Elongated "sooo goood" squeezed to a doubled, then a single letter. */
function squeezed(word: string): string[] {
  const elongated = TRIPLE_LETTERS.test(word);
  TRIPLE_LETTERS.lastIndex = 0;
  return elongated ? [word.replace(TRIPLE_LETTERS, '$1$1'), word.replace(TRIPLE_LETTERS, '$1')] : [];
}

const TRIPLE_LATIN = /([a-z])\1{2,}/g;
const LAUGHTER = /^(?:a?(?:ha){2,}h?|(?:he){2,}h?|lo+l(?:ol)*z?)$/;

/**
 * The form an unrated word is read as when no lexicon rates it either: an elongation squeezed to single
 * letters ("yaaay", "yayyyy" and "ughhhh" are the "yay" and "ugh" that the learned layer has seen), a
 * laugh to its shortest common spelling ("hahaha", "hahah" as "haha", "loool" as "lol"); else the word.
 */
function normalForm(word: string): string {
  if (LAUGHTER.test(word)) return word.charCodeAt(0) === 108 ? 'lol' : word.includes('e') ? 'hehe' : 'haha';
  // letters only: "1000" is a number, not an elongated "10"
  const elongated = TRIPLE_LATIN.test(word);
  TRIPLE_LATIN.lastIndex = 0;
  return elongated ? word.replace(TRIPLE_LATIN, '$1') : word;
}

/**
 * Base forms of a graded adjective, most likely first: -iest/-ier to -y ("funniest"), -est with a
 * doubled final consonant undone ("saddest") or an "e" restored ("nicest"). Other -er forms are
 * left alone: most are nouns ("player", "dinner", "charger").
 */
function gradedBases(w: string): string[] {
  if (w.length > 5 && w.endsWith('iest')) return [w.slice(0, -4) + 'y'];
  if (w.length > 4 && w.endsWith('ier')) return [w.slice(0, -3) + 'y'];
  if (w.length > 5 && w.endsWith('est')) {
    const b = w.slice(0, -3);
    return [DOUBLED_END.test(b) ? b.slice(0, -1) : b, b + 'e'];
  }
  return [];
}

export class SentimentAnalyzer {
  private readonly cfg: SentimentConfig;
  private readonly model: SentimentModel;
  private readonly lex: NaturalLexicons;
  private readonly words: WordTable<TokenInfo>;
  private readonly cache = new Map<string, TokenInfo>();
  private readonly stemCache = new Map<string, string>();
  private readonly cuesByFirstStem = new Map<string, CueRef[]>();
  // Maps, not the model's plain objects: a stem like "constructor" must not find Object.prototype
  private readonly residual: Map<string, number>;
  private readonly negatedResidual: Map<string, number>;
  private readonly wordResidual: Map<string, number>;
  /** ids of the stems in learned word pairs ("piec of", "of junk"), and the pairs' corrections by those ids */
  private readonly pairIds = new Map<string, number>();
  private readonly pairMasks = new Map<string, number>();
  private readonly pairs: PairTable;
  /** the n-gram estimate: per-word weights (folded into each word's info), bigrams by key; null without one */
  private readonly gramWords: Map<string, number>;
  private readonly gramNegated: Map<string, number>;
  private readonly bigrams: NgramTable | null;
  private readonly gramBias: number;
  // scratch buffers reused across calls: the hot path allocates little
  private infos: TokenInfo[] = [];
  private caps = new Uint8Array(256);
  private factor = new Float64Array(256);
  private negated = new Uint8Array(256);
  private contrib = new Float64Array(256);
  private readonly picked: Int32Array;
  // topWords' table of this message's words: key, stamp of the call that filled the slot, best occurrence, summed contribution
  private slotKey = new Int32Array(0);
  private slotStampOf = new Int32Array(0);
  private slotBest = new Int32Array(0);
  private slotSum = new Float64Array(0);
  private wordSlots = new Int32Array(0);
  private slotStamp = 0;
  private readonly calibrator: CompiledCalibrator | null;
  private readonly features = new CalibrationFeatures();
  private tokenCount = 0;
  private exclaim = 0;
  private question = 0;
  private capsWords = 0;
  private letterWords = 0;

  constructor(cfg: SentimentConfig, model?: SentimentModel) {
    this.cfg = cfg;
    this.model = model ?? defaultSentimentModel(cfg);
    this.words = new WordTable<TokenInfo>(cfg.cacheSize);
    this.picked = new Int32Array(cfg.topWords);
    this.lex = this.model.lexicon ? lexiconsFromTables(this.model.lexicon) : naturalLexicons();
    this.residual = new Map(Object.entries(this.model.residual));
    const cal = this.model.calibrator;
    if (cal !== undefined && !calibratorMatches(cal)) throw new Error('sentiment model: its calibrator was trained on other features than this analyzer computes; retrain with bench/sentiment/train.ts');
    this.calibrator = cal !== undefined ? new CompiledCalibrator(cal) : null;
    this.negatedResidual = new Map(Object.entries(this.model.negatedResidual));
    this.wordResidual = new Map(Object.entries(this.model.wordResidual ?? {}));
    const pairEntries = Object.entries(this.model.pairResidual ?? {}).map(([k, v]) => [k.split(' '), v] as const);
    for (const [ab] of pairEntries) for (const st of ab) if (!this.pairIds.has(st)) this.pairIds.set(st, this.pairIds.size);
    for (const [[a, b]] of pairEntries) this.pairMasks.set(a!, (this.pairMasks.get(a!) ?? 0) | (1 << (this.pairIds.get(b!)! & 31)));
    const ngrams = this.model.ngrams;
    this.gramWords = new Map(Object.entries(ngrams?.words ?? {}));
    this.gramNegated = new Map(Object.entries(ngrams?.negated ?? {}));
    this.gramBias = ngrams?.bias ?? 0;
    this.bigrams = ngrams === undefined ? null : new NgramTable(Object.entries(ngrams.bigrams).map(([k, v]) => {
      const sp = k.indexOf(' ');
      return [bigramKey(keyOf(k.slice(0, sp)), keyOf(k.slice(sp + 1))), v] as const;
    }));
    this.pairs = new PairTable(pairEntries.map(([[a, b], v]) => [this.pairIds.get(a!)!, this.pairIds.get(b!)!, v] as const), this.pairIds.size);
    for (const cue of DOMAIN_CUES) {
      const words = cue.phrase.split(' ').map((w) => this.stemOf(w.replace(/\u2019/g, "'")));
      const ref: CueRef = { rest: words.slice(1), phrase: cue.phrase, valence: cue.valence, strength: cue.strength };
      const list = this.cuesByFirstStem.get(words[0]!) ?? [];
      list.push(ref);
      list.sort((a, b) => b.rest.length - a.rest.length);
      this.cuesByFirstStem.set(words[0]!, list);
    }
  }

  private stemOf(word: string): string {
    let s = this.stemCache.get(word);
    if (s === undefined) {
      s = this.lex.stem(word);
      this.stemCache.set(word, s);
    }
    return s;
  }

  private lookup(source: ReadonlyMap<string, number>, stems: ReadonlyMap<string, number>, word: string, stem: string): number {
    return source.get(word) ?? stems.get(stem) ?? 0;
  }

  /** Builds what the analyzer knows about one lower-cased word form; memoized by the caller. */
  private describe(rawWord: string): TokenInfo {
    let word = rawWord.indexOf('\u2019') >= 0 ? rawWord.replace(/\u2019/g, "'") : rawWord;
    if (word.charCodeAt(0) === 39 || word.charCodeAt(word.length - 1) === 39) word = word.replace(/^'+|'+$/g, '');
    let kind = kindOf(word);
    let lookupWord = word;
    let stem = this.stemOf(word);
    let afinn = this.lookup(this.lex.afinn, this.lex.afinnByStem, word, stem);
    let senticon = this.lookup(this.lex.senticon, this.lex.senticonByStem, word, stem);
    let pattern = this.lookup(this.lex.pattern, this.lex.patternByStem, word, stem);
    if (afinn === 0 && senticon === 0 && pattern === 0 && word.length > 3) {
      // a form the lexicons lack: an elongation is read as the first squeezed spelling some lexicon
      // rates (by word or stem); a graded form only as a base AFINN or the Pattern adjectives list
      // by that exact word (Porter leaves -est forms alone, and "-est" nouns must not match by stem)
      const lex = this.lex;
      let found: string | undefined;
      for (const candidate of squeezed(word)) {
        const cStem = this.stemOf(candidate);
        const a = this.lookup(lex.afinn, lex.afinnByStem, candidate, cStem);
        const s = this.lookup(lex.senticon, lex.senticonByStem, candidate, cStem);
        const p = this.lookup(lex.pattern, lex.patternByStem, candidate, cStem);
        if (a !== 0 || s !== 0 || p !== 0) {
          found = candidate;
          break;
        }
      }
      if (found === undefined) for (const candidate of gradedBases(word)) if (lex.afinn.has(candidate) || lex.pattern.has(candidate)) {
        found = candidate;
        break;
      }
      if (found === undefined && this.cfg.normalizeUnrated) {
        const normal = normalForm(word);
        if (normal !== word) found = normal;
      }
      if (found !== undefined) {
        lookupWord = found;
        // "sooo" is the intensifier "so", "nooo" the negator
        if (kind === Kind.Word) kind = kindOf(found);
        stem = this.stemOf(found);
        afinn = this.lookup(lex.afinn, lex.afinnByStem, found, stem);
        senticon = this.lookup(lex.senticon, lex.senticonByStem, found, stem);
        pattern = this.lookup(lex.pattern, lex.patternByStem, found, stem);
      }
    }
    const info: TokenInfo = {
      kind,
      word: lookupWord,
      wordKey: keyOf(lookupWord),
      stem,
      afinn: afinn / 5,
      senticon,
      pattern,
      emoji: EMOTICON_MAP.get(word) ?? 0,
      valence: 0,
      negValence: 0,
      pairId: this.pairIds.get(stem) ?? -1,
      pairMask: this.pairMasks.get(stem) ?? 0,
      gram: this.gramWords.get(lookupWord) ?? 0,
      gramNeg: this.gramNegated.get(lookupWord) ?? 0,
      gramLead: bigramLead(keyOf(lookupWord)),
      cues: this.cuesByFirstStem.get(stem) ?? null,
    };
    this.weigh(info);
    return info;
  }

  private weigh(info: TokenInfo): void {
    const w = this.model.weights;
    const r = this.residual.get(info.stem);
    const rn = this.negatedResidual.get(info.stem);
    const rw = this.wordResidual.get(info.word);
    const others = info.afinn !== 0 ? w.senticon * info.senticon + w.pattern * info.pattern : w.senticonAlone * info.senticon + w.patternAlone * info.pattern;
    const levels = this.model.afinnLevels;
    const level = levels !== undefined && info.afinn !== 0 ? levels[Math.round(info.afinn * 5) + 5]! : 0;
    info.valence = w.afinn * info.afinn + others + w.emoji * info.emoji + (r ?? 0) + (rw ?? 0) + level;
    info.negValence = this.cfg.negationScale * info.valence + (rn ?? 0);
  }

  private symbolInfo(key: string, valence: number): TokenInfo {
    let info = this.cache.get(key);
    if (info === undefined) {
      info = { kind: Kind.Word, word: key, wordKey: keyOf(key), stem: key, afinn: 0, senticon: 0, pattern: 0, emoji: valence, valence: 0, negValence: 0, pairId: this.pairIds.get(key) ?? -1, pairMask: this.pairMasks.get(key) ?? 0, gram: this.gramWords.get(key) ?? 0, gramNeg: this.gramNegated.get(key) ?? 0, gramLead: bigramLead(keyOf(key)), cues: null };
      this.weigh(info);
      this.remember(key, info);
    }
    return info;
  }

  private remember(key: string, info: TokenInfo): void {
    if (this.cache.size >= this.cfg.cacheSize) this.cache.clear();
    if (this.stemCache.size >= this.cfg.cacheSize) this.stemCache.clear();
    if (this.cfg.cacheSize > 0) this.cache.set(key, info);
  }

  private push(info: TokenInfo, caps: boolean): void {
    const n = this.tokenCount;
    if (n === this.caps.length) {
      const grow = n * 2;
      const caps2 = new Uint8Array(grow);
      caps2.set(this.caps);
      this.caps = caps2;
      this.factor = new Float64Array(grow);
      this.negated = new Uint8Array(grow);
      this.contrib = new Float64Array(grow);
    }
    this.infos[n] = info;
    this.caps[n] = caps ? 1 : 0;
    this.tokenCount = n + 1;
  }

  /** Splits the text into word, emoticon, emoji and boundary tokens, counting emphasis marks. */
  private scan(input: string): void {
    let text = input.length > this.cfg.maxChars ? input.slice(0, this.cfg.maxChars) : input;
    let lowerAll = text.toLowerCase();
    let lower = lowerAll.length === text.length ? lowerAll : null;
    // HTML references ("&lt;3" is the emoticon "<3") are decoded when the scan meets the first one, and
    // the scan goes on in the decoded text from the start of that space-separated chunk (before it the
    // text is the same); decoded once, as a page would show it ("&amp;lt;" stays the text "&lt;").
    // Decoding every message first cost the hot path a few percent for the few that have any
    let decoded = false;
    let chunkAt = 0;
    let chunkTokens = 0;
    let chunkExclaim = 0;
    let chunkQuestion = 0;
    let chunkCaps = 0;
    let chunkLetters = 0;
    this.tokenCount = 0;
    this.exclaim = 0;
    this.question = 0;
    this.capsWords = 0;
    this.letterWords = 0;
    let len = text.length;
    let i = 0;
    while (i < len) {
      const c = text.charCodeAt(i);
      if (isSpace(c)) {
        if (c === 10 || c === 13) this.boundary(true);
        i++;
        continue;
      }
      const chunkStart = i === 0 || isSpace(text.charCodeAt(i - 1));
      if (chunkStart && !decoded) {
        // where a reference met in this chunk restarts the scan ("don&#39;t" is one word)
        chunkAt = i;
        chunkTokens = this.tokenCount;
        chunkExclaim = this.exclaim;
        chunkQuestion = this.question;
        chunkCaps = this.capsWords;
        chunkLetters = this.letterWords;
      }
      const wordChar = isWordChar(c);
      // emoticons start with punctuation; the few with letters ("xD", "T_T") are read as words
      if (chunkStart && !wordChar && EMOTICON_FIRST.has(c)) {
        const consumed = this.tryEmoticon(lower ?? lowerAll, i, len);
        if (consumed > 0) {
          i += consumed;
          continue;
        }
      }
      if (wordChar) {
        const src = lower ?? lowerAll;
        let h = hashStep(HASH_SEED, src.charCodeAt(i));
        let j = i + 1;
        let upper = c >= 65 && c <= 90 ? 1 : 0;
        let lowerCount = c >= 97 && c <= 122 ? 1 : 0;
        while (j < len) {
          const d = text.charCodeAt(j);
          let lc = d;
          if (d < 128) {
            // one table load instead of the range tests: this loop is most of the scan
            const cls = ASCII_CLASS[d]!;
            if (cls === 0) break;
            if (cls === ASCII_UPPER) {
              upper++;
              lc = d + 32;
            } else if (cls === ASCII_LOWER) lowerCount++;
          } else {
            if (!isWordChar(d)) break;
            lc = src.charCodeAt(j);
          }
          h = hashStep(h, lc);
          j++;
        }
        // links and @handles say nothing about sentiment
        if (chunkStart && j - i >= 4 && j < len && text.charCodeAt(j) === 58 && src.startsWith('http', i)) {
          while (j < len && !isSpace(text.charCodeAt(j))) j++;
          i = j;
          continue;
        }
        let info: TokenInfo | undefined;
        if (lower !== null) {
          info = this.words.get(lower, i, j - i, h);
          if (info === undefined) {
            const word = lower.slice(i, j);
            info = this.describe(word);
            this.words.set(word, h, info);
          }
        } else {
          // lower-casing changed the length (rare scripts): look up by the word itself
          const word = text.slice(i, j).toLowerCase();
          info = this.cache.get(word);
          if (info === undefined) {
            info = this.describe(word);
            this.remember(word, info);
          }
        }
        if (upper + lowerCount > 0) this.letterWords++;
        const isCaps = upper >= 2 && lowerCount === 0;
        if (isCaps) this.capsWords++;
        this.push(info, isCaps);
        i = j;
        continue;
      }
      if (c === 64) {
        while (i < len && !isSpace(text.charCodeAt(i))) i++;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdbff) {
        const cp = text.codePointAt(i) ?? c;
        const v = EMOJI_MAP.get(cp);
        if (v !== undefined) this.push(this.symbolInfo(String.fromCodePoint(cp), v), false);
        i += 2;
        continue;
      }
      if (isEmojiCode(c)) {
        const v = EMOJI_MAP.get(c);
        if (v !== undefined) this.push(this.symbolInfo(String.fromCharCode(c), v), false);
        i++;
        continue;
      }
      switch (c) {
        case 33: // !
          this.exclaim++;
          this.boundary(true);
          break;
        case 63: // ?
          this.question++;
          this.boundary(true);
          break;
        case 46: // .
          this.boundary(true);
          break;
        case 44: case 59: case 58: case 40: case 41: case 45: case 0x2014: case 0x2013:
          this.boundary(false);
          break;
        case 38: // &
          if (!decoded && htmlEntityAt(text, i)) {
            // decoded from this chunk on (a link skipped before it keeps its text), read again from the chunk's start
            decoded = true;
            text = text.slice(0, chunkAt) + decodeHtmlEntities(text.slice(chunkAt));
            lowerAll = text.toLowerCase();
            lower = lowerAll.length === text.length ? lowerAll : null;
            len = text.length;
            i = chunkAt;
            this.tokenCount = chunkTokens;
            this.exclaim = chunkExclaim;
            this.question = chunkQuestion;
            this.capsWords = chunkCaps;
            this.letterWords = chunkLetters;
            continue;
          }
          break;
        default:
          break;
      }
      i++;
    }
  }

  private boundary(sentence: boolean): void {
    const n = this.tokenCount;
    if (n === 0) return;
    const last = this.infos[n - 1]!;
    if (last === SENTENCE_END) return;
    if (last === CLAUSE_END) {
      if (sentence) this.infos[n - 1] = SENTENCE_END;
      return;
    }
    this.push(sentence ? SENTENCE_END : CLAUSE_END, false);
  }

  /** Matches an emoticon starting a chunk, allowing its last character repeated (":(((", ":DDD"). */
  private tryEmoticon(lower: string, i: number, len: number): number {
    for (let l = Math.min(EMOTICON_MAX_LEN, len - i); l >= 2; l--) {
      const key = lower.slice(i, i + l);
      const v = EMOTICON_MAP.get(key);
      if (v === undefined) continue;
      let end = i + l;
      const last = lower.charCodeAt(end - 1);
      while (end < len && lower.charCodeAt(end) === last) end++;
      if (end < len) {
        const next = lower.charCodeAt(end);
        if (!isSpace(next) && next !== 46 && next !== 44 && next !== 33 && next !== 63) continue;
      }
      this.push(this.symbolInfo(key, v), false);
      return end - i;
    }
    return 0;
  }

  /** Sets factor[i] and negated[i] for every token from the rules around it. */
  private applyRules(): void {
    const cfg = this.cfg;
    const n = this.tokenCount;
    const infos = this.infos;
    const capsFactor = this.capsWords > 0 && this.capsWords < this.letterWords ? 1 + cfg.capsEmphasis : 1;
    let negLeft = 0;
    let modLeft = 0;
    let modFactor = 1;
    let sentenceStart = 0;
    let afterContrast = false;
    let concessive = false;
    for (let i = 0; i < n; i++) {
      const info = infos[i]!;
      this.negated[i] = 0;
      this.factor[i] = 0;
      let kind = info.kind;
      // a modifier with its own valence that modifies no sentiment word is just a word ("damn it")
      if (kind === Kind.DampenerBeforeOf) kind = i + 1 < n && infos[i + 1]!.word === 'of' ? Kind.Dampener : Kind.Word;
      else if ((kind === Kind.Intensifier || kind === Kind.Dampener) && hasLexiconValence(info) && !(i + 1 < n && modifiable(infos[i + 1]!))) kind = Kind.Word;
      switch (kind) {
        case Kind.SentenceEnd:
          sentenceStart = i + 1;
          afterContrast = false;
          concessive = false;
          negLeft = 0;
          modLeft = 0;
          continue;
        case Kind.ClauseEnd:
          concessive = false;
          negLeft = 0;
          modLeft = 0;
          continue;
        case Kind.Negator:
          negLeft = cfg.negationScope;
          continue;
        case Kind.Intensifier:
          modFactor = 1 + cfg.boosterScale;
          modLeft = cfg.modifierReach;
          continue;
        case Kind.Dampener:
          modFactor = 1 - cfg.dampenerScale;
          modLeft = cfg.modifierReach;
          continue;
        case Kind.Contrast:
          for (let j = sentenceStart; j < i; j++) this.factor[j] *= cfg.contrastBefore;
          afterContrast = true;
          negLeft = 0;
          continue;
        case Kind.Concessive:
          concessive = true;
          continue;
        default:
          break;
      }
      let f = 1;
      if (modLeft > 0) {
        f *= modFactor;
        modLeft--;
      }
      if (this.caps[i] === 1) f *= capsFactor;
      if (afterContrast) f *= cfg.contrastAfter;
      if (concessive) f *= cfg.concessiveWeight;
      this.factor[i] = f;
      // an emoticon or emoji states the writer's feeling outright: a negator before it does not flip it
      // ("still no cheque :("), and it closes the negation's scope like a clause end
      if (info.emoji !== 0) negLeft = 0;
      else if (negLeft > 0) {
        this.negated[i] = 1;
        negLeft--;
      }
    }
  }

  /** Cues found, their summed strength, and their valence credited to the cue's first token. */
  private matchCues(cuesOut: string[] | null, feats: CalibrationFeatures | null, valences: number[] | null): { strength: number; valence: number } {
    let strength = 0;
    let valence = 0;
    const n = this.tokenCount;
    for (let i = 0; i < n; i++) {
      const list = this.infos[i]!.cues;
      if (list === null) continue;
      // lists are longest phrase first: "still not working" wins over "not working" inside it
      for (const cue of list) {
        let ok = i + cue.rest.length < n;
        for (let k = 0; ok && k < cue.rest.length; k++) ok = this.infos[i + 1 + k]!.stem === cue.rest[k];
        if (!ok) continue;
        strength += cue.strength;
        valence += cue.valence;
        this.contrib[i] += this.model.weights.domain * cue.valence;
        feats?.contribution(this.model.weights.domain * cue.valence);
        valences?.push(cue.valence);
        if (cuesOut !== null && !cuesOut.includes(cue.phrase)) cuesOut.push(cue.phrase);
        i += cue.rest.length;
        break;
      }
    }
    return { strength, valence };
  }

  analyze(text: string): SentimentResult {
    if (typeof text !== 'string' || text.length === 0) return { score: 0, label: 'neutral', frustration: false, cues: [], top: [] };
    this.scan(text);
    this.applyRules();
    const n = this.tokenCount;
    const infos = this.infos;
    let raw = 0;
    let words = 0;
    const cal = this.calibrator;
    const feats = this.features;
    if (cal !== null) feats.reset();
    const ns = this.cfg.negationScale;
    const pairs = this.pairs;
    const bigrams = this.bigrams;
    let gram = this.gramBias;
    let lead = 0;
    let prev: TokenInfo | null = null;
    for (let i = 0; i < n; i++) {
      const info = infos[i]!;
      const f = this.factor[i]!;
      if (bigrams !== null) {
        gram += this.negated[i] === 1 ? info.gramNeg : info.gram;
        if (i > 0) gram += bigrams.get(bigramJoin(lead, info.wordKey));
        lead = info.gramLead;
      }
      let c = 0;
      if (f !== 0) {
        words++;
        const neg = this.negated[i] === 1;
        c = f * (neg ? info.negValence : info.valence);
        if (prev !== null && (prev.pairMask & (1 << (info.pairId & 31))) !== 0 && info.pairId >= 0) c += f * pairs.get(prev.pairId, info.pairId);
        if (cal !== null) feats.token(info.afinn, info.senticon, info.pattern, info.emoji, f, neg, ns, c);
        prev = info;
      } else prev = null;
      this.contrib[i] = c;
    }
    const cues: string[] = [];
    const cueMatch = this.matchCues(cues, cal !== null ? feats : null, null);
    for (let i = 0; i < n; i++) raw += this.contrib[i]!;
    const w = this.model.weights;
    if (words > 0) raw += w.bias;
    raw += this.emphasis(raw);
    // a message with nothing scored (blank, only links or symbols) is neutral: the calibrator's prior is for words
    const score = words === 0 ? 0 : cal !== null ? cal.score(feats.finish(raw, this.cappedExclaim(), this.cappedQuestion(), this.capsWords, this.letterWords, gram)) : compoundOf(raw, this.cfg.normalizationAlpha);
    const band = this.cfg.neutralBand;
    const label: SentimentLabel = score >= band ? 'positive' : score <= -band ? 'negative' : 'neutral';
    const emphatic = this.exclaim > 0 || (this.capsWords > 0 && this.capsWords < this.letterWords);
    const frustration =
      cueMatch.strength >= this.cfg.frustrationCueStrength ||
      (cueMatch.strength > 0 && score <= this.cfg.frustrationScore) ||
      (emphatic && score <= this.cfg.frustrationStrongNegative);
    return { score, label, frustration, cues, top: this.topWords() };
  }

  private cappedExclaim(): number {
    return Math.min(this.exclaim, this.cfg.exclaimCap);
  }

  private cappedQuestion(): number {
    return this.question > 1 ? Math.min(this.question, this.cfg.questionCap) : 0;
  }

  private emphasis(raw: number): number {
    if (raw === 0) return 0;
    const w = this.model.weights;
    const add = w.exclaim * this.cappedExclaim() + w.question * this.cappedQuestion();
    return raw > 0 ? add : -add;
  }

  /**
   * The k words that moved the score most. Ranked by their strongest single occurrence (the earlier
   * one on a tie), reported with their occurrences of at least topMinWeight summed. One pass groups
   * the occurrences by word key in a small open-addressing table stamped per call (nothing to clear),
   * then the k strongest words are picked by insertion; only the k reported objects are allocated.
   */
  private topWords(): Array<{ word: string; weight: number }> {
    const k = this.cfg.topWords;
    if (k === 0) return [];
    const n = this.tokenCount;
    const min = this.cfg.topMinWeight;
    const contrib = this.contrib;
    const infos = this.infos;
    if (this.slotKey.length < 2 * n) this.growSlots(2 * n);
    if (this.slotStamp === STAMP_LIMIT) {
      this.slotStampOf.fill(0);
      this.slotStamp = 0;
    }
    const stamp = ++this.slotStamp;
    const slotKey = this.slotKey;
    const slotStampOf = this.slotStampOf;
    const slotBest = this.slotBest;
    const slotSum = this.slotSum;
    const mask = slotKey.length - 1;
    const words = this.wordSlots;
    let d = 0;
    for (let i = 0; i < n; i++) {
      const c = contrib[i]!;
      const mag = c < 0 ? -c : c;
      if (mag < min) continue;
      const key = infos[i]!.wordKey;
      let s = Math.imul(key, 0x9e3779b1) & mask;
      while (slotStampOf[s] === stamp && slotKey[s] !== key) s = (s + 1) & mask;
      if (slotStampOf[s] !== stamp) {
        slotStampOf[s] = stamp;
        slotKey[s] = key;
        slotBest[s] = i;
        slotSum[s] = c;
        words[d++] = s;
      } else {
        slotSum[s]! += c;
        const b = contrib[slotBest[s]!]!;
        if (mag > (b < 0 ? -b : b)) slotBest[s] = i;
      }
    }
    // the k strongest words by their best occurrence; ties keep the earlier best occurrence first
    const picked = this.picked;
    let m = 0;
    for (let w = 0; w < d; w++) {
      const s = words[w]!;
      const bi = slotBest[s]!;
      const bc = contrib[bi]!;
      const mag = bc < 0 ? -bc : bc;
      let pos = m;
      while (pos > 0) {
        const ps = picked[pos - 1]!;
        const pc = contrib[slotBest[ps]!]!;
        const pm = pc < 0 ? -pc : pc;
        if (pm > mag || (pm === mag && slotBest[ps]! < bi)) break;
        pos--;
      }
      if (pos >= k) continue;
      for (let e = m < k ? m : k - 1; e > pos; e--) picked[e] = picked[e - 1]!;
      picked[pos] = s;
      if (m < k) m++;
    }
    // summing occurrences can reorder the list; it is at most k long
    const out: Array<{ word: string; weight: number }> = [];
    for (let e = 0; e < m; e++) {
      const s = picked[e]!;
      const weight = slotSum[s]!;
      let pos = out.length;
      while (pos > 0 && Math.abs(out[pos - 1]!.weight) < Math.abs(weight)) pos--;
      out.splice(pos, 0, { word: infos[slotBest[s]!]!.word, weight });
    }
    return out;
  }

  private growSlots(atLeast: number): void {
    let size = 64;
    while (size < atLeast) size *= 2;
    this.slotKey = new Int32Array(size);
    this.slotStampOf = new Int32Array(size);
    this.slotBest = new Int32Array(size);
    this.slotSum = new Float64Array(size);
    this.wordSlots = new Int32Array(size);
    this.slotStamp = 0;
  }

  /** The tokens and rule factors of a message, for training the learned layer on the same rules. */
  extract(text: string): ExtractedMessage {
    const tokens: ExtractedToken[] = [];
    const sequence: SequenceToken[] = [];
    if (typeof text !== 'string' || text.length === 0) return { tokens, sequence, domain: 0, cueValences: [], exclaim: 0, question: 0, hasWords: false, capsWords: 0, letterWords: 0 };
    this.scan(text);
    this.applyRules();
    let hasWords = false;
    for (let i = 0; i < this.tokenCount; i++) {
      const f = this.factor[i]!;
      const at = this.infos[i]!;
      sequence.push({ word: at.word, stem: at.stem, negated: this.negated[i] === 1, boundary: at === CLAUSE_END || at === SENTENCE_END });
      if (f === 0) continue;
      hasWords = true;
      const info = this.infos[i]!;
      const prevStem = i > 0 && this.factor[i - 1] !== 0 ? this.infos[i - 1]!.stem : null;
      tokens.push({ stem: info.stem, word: info.word, prevStem, afinn: info.afinn, senticon: info.senticon, pattern: info.pattern, emoji: info.emoji, factor: f, negated: this.negated[i] === 1 });
      this.contrib[i] = 0;
    }
    const cueValences: number[] = [];
    const cue = this.matchCues(null, null, cueValences);
    return {
      tokens,
      sequence,
      domain: cue.valence,
      cueValences,
      exclaim: this.cappedExclaim(),
      question: this.cappedQuestion(),
      hasWords,
      capsWords: this.capsWords,
      letterWords: this.letterWords,
    };
  }
}
