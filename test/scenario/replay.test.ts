import { describe, expect, it } from 'vitest';
import { defaultHealthConfig } from '../../src/engines/health/config.js';
import { SentimentAnalyzer } from '../../src/engines/sentiment/analyzer.js';
import { sentimentConfig } from '../../src/engines/sentiment/config.js';
import { generateScenario } from '../../src/scenario/generate.js';
import { replayScenario } from '../../src/scenario/replay.js';

describe('scenario replay through the health engine', () => {
  it('flags most souring accounts days ahead while leaving healthy ones alone', () => {
    const sc = generateScenario({ seed: 31, accounts: 150, days: 42, startMs: Date.UTC(2026, 4, 4) });
    const analyzer = new SentimentAnalyzer(sentimentConfig.parse(undefined));
    const r = replayScenario(sc, defaultHealthConfig(), (t) => analyzer.analyze(t).score);
    const early = r.souring.filter((s) => s.early).length;
    expect(r.souring.length).toBeGreaterThan(5);
    expect(early / r.souring.length).toBeGreaterThanOrEqual(0.8);
    expect(r.falseAlarmRate).toBeLessThanOrEqual(0.1);
  });
});
