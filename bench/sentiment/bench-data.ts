// Reads the rated sentiment sets (id TAB mean rating in [-4, 4] TAB text) and groups items the way
// cross-validation must split them: Amazon sentences by their review, tweets one by one.
import { readFileSync } from 'node:fs';

export interface RatedText {
  id: string;
  /** the review an Amazon sentence belongs to; the id itself for a tweet */
  group: string;
  rating: number;
  text: string;
}

export const BENCH_DIR = new URL('../../../../shared/bench-data/sentiment', import.meta.url).pathname;
export const BENCH_SETS = ['tweets', 'amazon_reviews'] as const;

export function readRated(path: string): RatedText[] {
  const out: RatedText[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    const a = line.indexOf('\t');
    const b = line.indexOf('\t', a + 1);
    if (a < 0 || b < 0) continue;
    const id = line.slice(0, a);
    const us = id.indexOf('_');
    out.push({ id, group: us > 0 ? id.slice(0, us) : id, rating: Number(line.slice(a + 1, b)), text: line.slice(b + 1) });
  }
  return out;
}

export function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]! - ma;
    const y = b[i]! - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/** Macro-F1 over negative/neutral/positive: truth beyond +/-0.5 of the rating, prediction beyond +/-0.05. */
export function macroF1(ratings: readonly number[], scores: readonly number[]): number {
  const cls = (v: number, t: number): number => (v > t ? 2 : v < -t ? 0 : 1);
  const tp = [0, 0, 0];
  const fp = [0, 0, 0];
  const fn = [0, 0, 0];
  for (let i = 0; i < ratings.length; i++) {
    const t = cls(ratings[i]!, 0.5);
    const s = scores[i]!;
    const p = s >= 0.05 ? 2 : s <= -0.05 ? 0 : 1; // VADER labels: inclusive at the band
    if (t === p) tp[t]!++;
    else {
      fp[p]!++;
      fn[t]!++;
    }
  }
  let f = 0;
  for (let c = 0; c < 3; c++) {
    const d = 2 * tp[c]! + fp[c]! + fn[c]!;
    f += d === 0 ? 0 : (2 * tp[c]!) / d;
  }
  return f / 3;
}
