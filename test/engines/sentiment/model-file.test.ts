import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sentimentConfig } from '../../../src/engines/sentiment/config.js';
import { loadSentimentModel, createSentimentAnalyzer, SentimentModelError, SHIPPED_MODEL_RELATIVE } from '../../../src/engines/sentiment/model-file.js';
import { SentimentAnalyzer } from '../../../src/engines/sentiment/analyzer.js';

describe('loadSentimentModel', () => {
  it('loads the shipped weights from the package, with lexicon tables and out-of-sample figures', () => {
    expect(existsSync(SHIPPED_MODEL_RELATIVE)).toBe(true);
    const model = loadSentimentModel();
    expect(model).toBeDefined();
    expect(model!.format).toBe('vigil-sentiment/1');
    expect(Object.keys(model!.residual).length).toBeGreaterThan(100);
    expect(model!.lexicon).toBeDefined();
    expect(model!.meta.outOfSample).toBeDefined();
  });

  it('works offline: fetch is never called', () => {
    const original = globalThis.fetch;
    let calls = 0;
    globalThis.fetch = (() => {
      calls++;
      throw new Error('no network in this test');
    }) as typeof fetch;
    try {
      const an = createSentimentAnalyzer(sentimentConfig.parse({}));
      expect(an.analyze('works great').label).toBe('positive');
    } finally {
      globalThis.fetch = original;
    }
    expect(calls).toBe(0);
  });

  it('the trained weights change scores relative to the lexicon defaults', () => {
    const cfg = sentimentConfig.parse({});
    const trained = new SentimentAnalyzer(cfg, loadSentimentModel());
    const plain = new SentimentAnalyzer(cfg);
    const texts = ['the camera is great', 'not worth the money', 'I hope it works'];
    expect(texts.some((t) => trained.analyze(t).score !== plain.analyze(t).score)).toBe(true);
  });

  it('support topic words get no learned lean of their own, as stems, word forms or in pairs', () => {
    const model = loadSentimentModel()!;
    for (const w of ['support', 'ticket', 'tickets', 'agent', 'agents', 'service', 'customer']) {
      expect(model.wordResidual?.[w]).toBeUndefined();
    }
    for (const st of ['support', 'ticket', 'agent', 'servic', 'custom']) {
      expect(model.residual[st]).toBeUndefined();
      expect(Object.keys(model.pairResidual ?? {}).some((p) => p.split(' ').includes(st))).toBe(false);
    }
  });

  it('a malformed file is a clear error naming the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sentiment-'));
    const bad = join(dir, 'model.json');
    writeFileSync(bad, JSON.stringify({ format: 'vigil-sentiment/1', weights: { afinn: 'x' } }));
    expect(() => loadSentimentModel(bad)).toThrow(SentimentModelError);
    expect(() => loadSentimentModel(bad)).toThrow(/model\.json/);
    writeFileSync(bad, '{not json');
    expect(() => loadSentimentModel(bad)).toThrow(SentimentModelError);
  });

  it('a model file round-trips: an explicit path loads the same weights as the shipped one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sentiment-'));
    const copy = join(dir, 'copy.json');
    writeFileSync(copy, readFileSync(SHIPPED_MODEL_RELATIVE));
    expect(loadSentimentModel(copy)!.weights).toEqual(loadSentimentModel()!.weights);
  });
});
