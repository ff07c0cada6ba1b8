import { describe, it, expect } from 'vitest';
import { NgramTable, bigramKey } from '../../../src/engines/sentiment/ngram-table.js';
import { mulberry32 } from '../../../src/engines/mulberry32.js';

describe('NgramTable', () => {
  it('answers every learned bigram with its weight (as float32) and 0 for the others', () => {
    const rand = mulberry32(9);
    const ref = new Map<number, number>();
    while (ref.size < 5000) ref.set(bigramKey((rand() * 2 ** 32) | 0, (rand() * 2 ** 32) | 0), rand() - 0.5);
    const table = new NgramTable([...ref]);
    expect(table.size).toBe(5000);
    for (const [k, v] of ref) expect(table.get(k)).toBe(Math.fround(v));
    for (let i = 0; i < 20_000; i++) {
      const k = bigramKey((rand() * 2 ** 32) | 0, (rand() * 2 ** 32) | 0);
      expect(table.get(k)).toBe(ref.has(k) ? Math.fround(ref.get(k)!) : 0);
    }
  });

  it('a bigram key depends on the order of the words and is never the empty mark 0', () => {
    expect(bigramKey(1, 2)).not.toBe(bigramKey(2, 1));
    const rand = mulberry32(3);
    for (let i = 0; i < 10_000; i++) expect(bigramKey((rand() * 2 ** 32) | 0, (rand() * 2 ** 32) | 0)).not.toBe(0);
  });

  it('an empty table answers 0', () => {
    expect(new NgramTable([]).get(bigramKey(4, 5))).toBe(0);
  });
});
