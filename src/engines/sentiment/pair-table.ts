// The learned word-pair corrections as a flat open-addressing table over integer stem ids: the scorer
// asks it once per pair of adjacent words, and a miss must cost a multiply and one array load.

export class PairTable {
  private readonly keys: Int32Array;
  private readonly values: Float64Array;
  private readonly mask: number;
  private readonly shift: number;
  /** number of distinct stem ids (first ids times stride plus second id is the pair's key) */
  readonly stride: number;

  /** @param pairs [first id, second id, value], ids in [0, stride) */
  constructor(pairs: ReadonlyArray<readonly [number, number, number]>, stride: number) {
    this.stride = stride;
    if (stride * stride >= 2 ** 31) throw new Error(`pair table: ${stride} stems is too many for 31-bit pair keys`);
    // load factor at most one quarter: most lookups are misses, and a miss ends at the first empty slot
    let bits = 4;
    while (1 << bits < pairs.length * 4) bits++;
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    this.keys = new Int32Array(1 << bits).fill(-1);
    this.values = new Float64Array(1 << bits);
    for (const [a, b, v] of pairs) {
      const key = a * stride + b;
      let i = this.slot(key);
      while (this.keys[i] !== -1 && this.keys[i] !== key) i = (i + 1) & this.mask;
      this.keys[i] = key;
      this.values[i] = v;
    }
  }

  private slot(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  /** The correction of the pair (first, second), 0 when none was learned. */
  get(first: number, second: number): number {
    const key = first * this.stride + second;
    let i = this.slot(key);
    for (;;) {
      const k = this.keys[i]!;
      if (k === key) return this.values[i]!;
      if (k === -1) return 0;
      i = (i + 1) & this.mask;
    }
  }
}
