import { describe, it, expect } from 'vitest';
import { PairTable } from '../../../src/engines/sentiment/pair-table.js';
import { mulberry32 } from '../../../src/engines/mulberry32.js';

describe('PairTable', () => {
  it('answers every pair as a Map of the same pairs would, 0 for the unlearned ones', () => {
    const rand = mulberry32(5);
    const stride = 700;
    const ref = new Map<number, number>();
    const pairs: Array<[number, number, number]> = [];
    while (pairs.length < 3000) {
      const a = Math.floor(rand() * stride);
      const b = Math.floor(rand() * stride);
      if (ref.has(a * stride + b)) continue;
      const v = rand() - 0.5;
      ref.set(a * stride + b, v);
      pairs.push([a, b, v]);
    }
    const table = new PairTable(pairs, stride);
    for (const [a, b, v] of pairs) expect(table.get(a, b)).toBe(v);
    for (let i = 0; i < 20_000; i++) {
      const a = Math.floor(rand() * stride);
      const b = Math.floor(rand() * stride);
      expect(table.get(a, b)).toBe(ref.get(a * stride + b) ?? 0);
    }
  });

  it('an empty table answers 0', () => {
    expect(new PairTable([], 0).get(0, 0)).toBe(0);
  });

  it('refuses more stems than 31-bit keys can hold', () => {
    expect(() => new PairTable([], 50_000)).toThrow(/too many/);
  });
});
