// The learned word-bigram weights of the n-gram estimate, in one flat open-addressing table keyed by a
// 32-bit mix of the two words' hashes: the scorer asks it once per adjacent token pair on the hot path.

/** The first word's part of a bigram key: computed once per word form, kept with the word's other lookups. */
export function bigramLead(first: number): number {
  return Math.imul(first ^ (first >>> 15), 0x2c1b3c6d);
}

/** Key of the bigram from its first word's lead and the second word's hash; never 0 (0 marks an empty slot). */
export function bigramJoin(lead: number, second: number): number {
  const k = (lead + second) | 0;
  const m = Math.imul(k ^ (k >>> 13), 0x297a2d39) ^ (k >>> 16);
  return m === 0 ? 1 : m;
}

/** Key of the bigram (first, second) from the two words' hashes. */
export function bigramKey(first: number, second: number): number {
  return bigramJoin(bigramLead(first), second);
}

export class NgramTable {
  /** interleaved [key, value bits]: a lookup reads one cache line */
  private readonly keys: Int32Array;
  private readonly values: Float32Array;
  private readonly mask: number;
  readonly size: number;

  /** @param entries [bigramKey, weight]; a repeated key keeps the sum (a 32-bit collision merges two bigrams) */
  constructor(entries: ReadonlyArray<readonly [number, number]>) {
    // load factor at most one quarter: most lookups are misses, and a miss ends at the first empty slot
    let slots = 16;
    while (slots < entries.length * 4) slots *= 2;
    const buffer = new ArrayBuffer(slots * 8);
    this.keys = new Int32Array(buffer);
    this.values = new Float32Array(buffer);
    this.mask = slots - 1;
    this.size = entries.length;
    for (const [key, v] of entries) {
      let i = key & this.mask;
      while (this.keys[2 * i] !== 0 && this.keys[2 * i] !== key) i = (i + 1) & this.mask;
      this.keys[2 * i] = key;
      this.values[2 * i + 1] = this.values[2 * i + 1]! + v;
    }
  }

  /** The weight of a bigram key, 0 when none was learned. */
  get(key: number): number {
    let i = key & this.mask;
    for (;;) {
      const k = this.keys[2 * i]!;
      if (k === key) return this.values[2 * i + 1]!;
      if (k === 0) return 0;
      i = (i + 1) & this.mask;
    }
  }
}
