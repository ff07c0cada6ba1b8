// A memo of per-word analysis keyed by a span of the message itself: the scanner hashes the span as
// it reads it, so a known word costs no substring allocation and no string hashing (the hot path).

/** FNV-1a step over one UTF-16 code unit; the scanner folds a word's lower-cased units through it. */
export function hashStep(h: number, code: number): number {
  return Math.imul(h ^ code, 16777619);
}
export const HASH_SEED = 2166136261 | 0;

export class WordTable<V> {
  private keys: Array<string | undefined>;
  private values: Array<V | undefined>;
  private hashes: Int32Array;
  private mask: number;
  private count = 0;

  /** @param maxEntries entries kept before the table empties itself (a bound on memory, not on correctness) */
  constructor(private readonly maxEntries: number) {
    // load factor at most one half keeps probe runs short
    let cap = 16;
    while (cap < maxEntries * 2) cap *= 2;
    this.keys = new Array<string | undefined>(cap);
    this.values = new Array<V | undefined>(cap);
    this.hashes = new Int32Array(cap);
    this.mask = cap - 1;
  }

  /** The value stored for text[start, start + length) (already lower-cased), given its hash. */
  get(text: string, start: number, length: number, hash: number): V | undefined {
    let idx = hash & this.mask;
    for (;;) {
      const key = this.keys[idx];
      if (key === undefined) return undefined;
      if (this.hashes[idx] === hash && key.length === length && text.startsWith(key, start)) return this.values[idx];
      idx = (idx + 1) & this.mask;
    }
  }

  set(key: string, hash: number, value: V): void {
    if (this.maxEntries === 0) return;
    if (this.count >= this.maxEntries) this.clear();
    let idx = hash & this.mask;
    while (this.keys[idx] !== undefined) {
      if (this.hashes[idx] === hash && this.keys[idx] === key) {
        this.values[idx] = value;
        return;
      }
      idx = (idx + 1) & this.mask;
    }
    this.keys[idx] = key;
    this.values[idx] = value;
    this.hashes[idx] = hash;
    this.count++;
  }

  clear(): void {
    this.keys.fill(undefined);
    this.values.fill(undefined);
    this.count = 0;
  }
}
