import { describe, it, expect } from 'vitest';
import { sentimentConfig } from '../../../src/engines/sentiment/config.js';
import { SentimentAnalyzer } from '../../../src/engines/sentiment/analyzer.js';
import { loadSentimentModel } from '../../../src/engines/sentiment/model-file.js';

const cfg = sentimentConfig.parse({});
// both the lexicon-only defaults and the shipped trained weights must honour the rules
const analyzers: Array<[string, SentimentAnalyzer]> = [
  ['lexicon defaults', new SentimentAnalyzer(cfg)],
  ['shipped model', new SentimentAnalyzer(cfg, loadSentimentModel())],
];

describe.each(analyzers)('SentimentAnalyzer (%s)', (_name, an) => {
  const score = (t: string): number => an.analyze(t).score;

  it('returns a compound in [-1, 1] and the VADER label convention', () => {
    for (const t of ['I love this, it is wonderful', 'This is awful and broken', 'The invoice is attached']) {
      const r = an.analyze(t);
      expect(r.score).toBeGreaterThanOrEqual(-1);
      expect(r.score).toBeLessThanOrEqual(1);
      const expected = r.score >= cfg.neutralBand ? 'positive' : r.score <= -cfg.neutralBand ? 'negative' : 'neutral';
      expect(r.label).toBe(expected);
    }
    expect(an.analyze('I love this, it is wonderful').label).toBe('positive');
    expect(an.analyze('This is awful and broken').label).toBe('negative');
  });

  it('negation flips polarity within its scope', () => {
    expect(score('The update is good')).toBeGreaterThan(0);
    expect(score('The update is not good')).toBeLessThan(0);
    expect(score("The update isn't good")).toBeLessThan(0);
    expect(score('The update is not bad')).toBeGreaterThan(score('The update is bad'));
    // the scope ends at the clause: "great" after the comma is not negated
    expect(score('Not sure why, but the fix is great')).toBeGreaterThan(0);
  });

  it('intensifiers raise and dampeners lower the strength', () => {
    expect(score('The support was extremely helpful')).toBeGreaterThan(score('The support was helpful'));
    expect(score('The support was slightly helpful')).toBeLessThan(score('The support was helpful'));
    expect(score('This is really bad')).toBeLessThan(score('This is bad'));
  });

  it('the clause after "but" outweighs the one before', () => {
    expect(score('The app is great but the sync is terrible')).toBeLessThan(0);
    expect(score('The sync is terrible but the app is great')).toBeGreaterThan(0);
    expect(score('Although the price is good, the product is terrible')).toBeLessThan(score('The price is good, the product is terrible'));
  });

  it('capitals and exclamation marks add emphasis', () => {
    expect(score('This is AWFUL')).toBeLessThan(score('This is awful'));
    expect(score('This is great!!!')).toBeGreaterThan(score('This is great'));
    expect(score('This is awful!!!')).toBeLessThan(score('This is awful'));
  });

  it('reads graded and elongated forms the lexicons lack as their base word', () => {
    expect(score('the saddest day')).toBeLessThan(0);
    expect(score('the nicest people')).toBeGreaterThan(0);
    expect(score('the funniest thing')).toBeGreaterThan(0);
    expect(score('this is sooooo goooood')).toBeGreaterThan(0);
  });

  it('reads emoticons and emoji', () => {
    expect(score('thanks :)')).toBeGreaterThan(score('thanks'));
    expect(score('the update :(')).toBeLessThan(0);
    expect(score('ok :(')).toBeLessThan(score('ok'));
    expect(score('😍')).toBeGreaterThan(0);
    expect(score('😡😡')).toBeLessThan(0);
    expect(score('the update :(((')).toBeLessThan(0);
  });

  it('reads HTML character references as the characters they stand for', () => {
    // feeds and web forms deliver "<3" as "&lt;3" and "&" as "&amp;"
    expect(an.analyze('see you soon &lt;3')).toEqual(an.analyze('see you soon <3'));
    expect(score('see you soon &lt;3')).toBeGreaterThan(score('see you soon'));
    expect(an.analyze('the update &gt;:(')).toEqual(an.analyze('the update >:('));
    expect(an.analyze('Tom &amp; Jerry are great')).toEqual(an.analyze('Tom & Jerry are great'));
    // decoded once: a doubly escaped reference is the text of a reference, and what follows it is still read
    expect(an.analyze('you&amp;#39;d be awful &lt;3')).toEqual(an.analyze('you& #39;d be awful <3'));
    expect(score('no &amp;amp; awful awful')).toBeLessThan(0);
    // a reference inside a word is read with the word: "don&#39;t" is the negator "don't"
    expect(an.analyze("I don&#39;t like it!! &lt;3")).toEqual(an.analyze("I don't like it!! <3"));
    expect(an.analyze("NOT GREAT!!! don&#39;t BUY &amp; run")).toEqual(an.analyze("NOT GREAT!!! don't BUY & run"));
    // a link skipped before the first reference keeps its text
    expect(an.analyze('see http://x.io/?a=1&amp;b=2 &lt;3 thanks')).toEqual(an.analyze('see http://x.io/?a=1&b=2 <3 thanks'));
  });

  it('finds support-domain cues and flags frustration', () => {
    const r = an.analyze('Still not working. This is the third time I ask, unacceptable. I want a refund or I will cancel.');
    expect(r.cues).toEqual(expect.arrayContaining(['still not working', 'third time', 'unacceptable', 'refund', 'cancel']));
    expect(r.frustration).toBe(true);
    expect(r.label).toBe('negative');
    expect(an.analyze('We will escalate this to our lawyer').frustration).toBe(true);
    // asking for a person is giving up on the AI assistant; "human" elsewhere is not a cue
    expect(an.analyze('Get me a human.').cues).toEqual(['get me a human']);
    expect(an.analyze('I need to talk to a real person about this').frustration).toBe(true);
    expect(an.analyze('That was human error on our side, all sorted now').frustration).toBe(false);
    const calm = an.analyze('Thanks, the export works now and the team was very helpful');
    expect(calm.frustration).toBe(false);
    expect(calm.cues).toEqual([]);
    // a domain cue makes an otherwise neutral request lean negative
    expect(score('Please refund my last invoice')).toBeLessThan(score('Please send my last invoice'));
  });

  it('explains the score with its top contributing words', () => {
    const r = an.analyze('The dashboard is beautiful but the export is painfully slow and broken');
    expect(r.top.length).toBeGreaterThan(0);
    expect(r.top.length).toBeLessThanOrEqual(cfg.topWords);
    const words = r.top.map((t) => t.word);
    expect(words).toContain('broken');
    for (let i = 1; i < r.top.length; i++) expect(Math.abs(r.top[i - 1]!.weight)).toBeGreaterThanOrEqual(Math.abs(r.top[i]!.weight));
    const broken = r.top.find((t) => t.word === 'broken')!;
    expect(broken.weight).toBeLessThan(0);
  });

  it('never throws on odd input', () => {
    const empty = an.analyze('');
    expect(empty).toEqual({ score: 0, label: 'neutral', frustration: false, cues: [], top: [] });
    expect(an.analyze('   \n\t ').label).toBe('neutral');
    const huge = 'terrible service '.repeat(70_000); // about 1.2 MB
    const r = an.analyze(huge);
    expect(Number.isFinite(r.score)).toBe(true);
    expect(r.label).toBe('negative');
    for (const t of ['Ça ne marche pas du tout, je suis très déçu', 'これは最悪です', 'Это ужасно', '🙂🙂🙂', '👍', '\u0000\uFFFF\uD800', '!!!???', ':)', '@someone http://x.y/z']) {
      const res = an.analyze(t);
      expect(Number.isFinite(res.score)).toBe(true);
      expect(['negative', 'neutral', 'positive']).toContain(res.label);
    }
    expect(score('🙂🙂🙂')).toBeGreaterThan(0);
    expect(an.analyze(undefined as unknown as string).label).toBe('neutral');
  });

  it('scores only the configured prefix of a long message', () => {
    const short = new SentimentAnalyzer(sentimentConfig.parse({ maxChars: 20 }));
    expect(short.analyze('the product is fine. '.padEnd(40, ' ') + 'awful awful awful').score).toBeGreaterThanOrEqual(0);
  });

  it('gives the same result for the same text, whatever came before', () => {
    const a = an.analyze('Not great, not terrible :/');
    an.analyze('AMAZING!!! ' + 'x '.repeat(5000));
    expect(an.analyze('Not great, not terrible :/')).toEqual(a);
  });
});

describe('SentimentAnalyzer base forms', () => {
  const plain = new SentimentAnalyzer(cfg);
  const extractWord = (t: string): { word: string; stem: string } => plain.extract(t).tokens[0]!;

  it('a graded form is read as its base only when a lexicon rates that exact base word', () => {
    expect(extractWord('saddest').word).toBe('sad');
    expect(extractWord('happier').word).toBe('happy');
    expect(extractWord('nicest').word).toBe('nice');
    // nouns in -er and -est keep their own form: "player" is not "play", "interest" not "inter"
    for (const w of ['player', 'dinner', 'charger', 'twitter', 'interest', 'request']) expect(extractWord(w).word).toBe(w);
  });

  it('an elongated word or a laugh that no lexicon rates is read as its squeezed or shortest spelling', () => {
    expect(extractWord('yaaaay').word).toBe('yay');
    expect(extractWord('yayyyyy').word).toBe('yay');
    expect(extractWord('ughhhh').word).toBe('ugh');
    expect(extractWord('ahahah').word).toBe('haha');
    // a rated form is left alone, and digits are not letters
    expect(extractWord('goooood').word).toBe('good');
    expect(extractWord('1000').word).toBe('1000');
    // "sooo" is the intensifier "so": it raises the next word rather than being scored itself
    expect(plain.extract('sooo good').tokens.map((t) => t.word)).toEqual(['good']);
    expect(plain.extract('sooo good').tokens[0]!.factor).toBeGreaterThan(plain.extract('good').tokens[0]!.factor);
    const off = new SentimentAnalyzer(sentimentConfig.parse({ normalizeUnrated: false }));
    expect(off.extract('yaaaay').tokens[0]!.word).toBe('yaaaay');
  });

  it('the n-gram sequence lists every token in order, clause and sentence ends included, with negation', () => {
    const seq = plain.extract('not very good, really. ok').sequence;
    expect(seq.map((t) => t.word)).toEqual(['not', 'very', 'good', ',', 'really', '.', 'ok']);
    expect(seq.map((t) => t.boundary)).toEqual([false, false, false, true, false, true, false]);
    expect(seq.find((t) => t.word === 'good')!.negated).toBe(true);
    expect(seq.find((t) => t.word === 'ok')!.negated).toBe(false);
  });

  it('a word scored right after another in the same clause carries that word\'s stem, for word-pair corrections', () => {
    const tokens = plain.extract('a piece of junk. really not bad').tokens;
    expect(tokens.map((t) => t.prevStem)).toEqual([null, 'a', plain.extract('piece').tokens[0]!.stem, 'of', null]);
  });
});

describe('SentimentAnalyzer word cache', () => {
  it('a tiny cache that keeps emptying itself gives the same results as a large one', () => {
    const model = loadSentimentModel();
    const big = new SentimentAnalyzer(cfg, model);
    const tiny = new SentimentAnalyzer(sentimentConfig.parse({ cacheSize: 3 }), model);
    const none = new SentimentAnalyzer(sentimentConfig.parse({ cacheSize: 0 }), model);
    const texts = ['The NEW release is great but support is slow', 'I HATE waiting. Still not working!!', 'Great, great, GREAT :)', 'İstanbul office says the service is bad'];
    for (let round = 0; round < 2; round++) {
      for (const t of texts) {
        expect(tiny.analyze(t)).toEqual(big.analyze(t));
        expect(none.analyze(t)).toEqual(big.analyze(t));
      }
    }
  });

  it('matching is case-insensitive apart from the emphasis of capitals', () => {
    const an = new SentimentAnalyzer(cfg, loadSentimentModel());
    expect(an.analyze('Terrible Service').score).toBeCloseTo(an.analyze('terrible service').score, 10);
  });
});
