import { describe, expect, it } from 'vitest';
import { countTailProbability, logGamma } from '../../../src/engines/detect/count-tail.js';

describe('count tails', () => {
  it('computes ln Γ at known points', () => {
    expect(logGamma(1)).toBeCloseTo(0, 9);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 9);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 9);
    expect(logGamma(100.5)).toBeCloseTo(361.4355404677, 6);
  });

  it('matches Poisson tails computed by hand', () => {
    // P(X >= 3 | 0.5) = 1 - e^-0.5 (1 + 0.5 + 0.125)
    const upper = 1 - Math.exp(-0.5) * (1 + 0.5 + 0.125);
    expect(countTailProbability(3, 0.5, 0.5)).toBeCloseTo(2 * upper, 10);
    // P(X <= 0 | 20) = e^-20
    expect(countTailProbability(0, 20, 20)).toBeCloseTo(2 * Math.exp(-20), 15);
    expect(countTailProbability(20, 20, 20)).toBe(1);
  });

  it('is less alarmed by the same count when counts are overdispersed', () => {
    expect(countTailProbability(12, 3, 12)).toBeGreaterThan(countTailProbability(12, 3, 3) * 10);
  });
});
