// Tail probabilities of event counts (Poisson, or negative binomial when counts are overdispersed).
// Sparse counts are far from normal: 3 events when 0.2 are expected is rare, which a z-score misjudges.

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

// Summation stops once a term adds less than this share of the tail: far below any score resolution.
const TERM_EPS = 1e-10;
// Bound on summed terms: tails of counts far from the mean converge in a handful of terms.
const MAX_TERMS = 2000;

/**
 * Two-sided tail probability of observing `x` events when `mean` are expected with `variance`
 * (>= mean; equal means Poisson): 2 * min(P(X <= x), P(X >= x)), capped at 1.
 */
export function countTailProbability(x: number, mean: number, variance: number): number {
  const k = Math.max(0, Math.round(x));
  const mu = Math.max(mean, 1e-6);
  const overdispersed = variance > mu * 1.01;
  // Negative binomial with size r and success share q; r -> infinity is Poisson.
  const r = overdispersed ? (mu * mu) / (variance - mu) : 0;
  const q = overdispersed ? mu / (mu + r) : 0;
  const logPmf = (j: number): number =>
    overdispersed
      ? logGamma(j + r) - logGamma(r) - logGamma(j + 1) + r * Math.log1p(-q) + j * Math.log(q)
      : j * Math.log(mu) - mu - logGamma(j + 1);
  // Ratio pmf(j+1)/pmf(j): lets the tail be summed from pmf(k) without more log-gammas.
  const ratioUp = (j: number): number => (overdispersed ? ((j + r) * q) / (j + 1) : mu / (j + 1));
  const pk = Math.exp(logPmf(k));
  let tail = pk;
  let term = pk;
  if (k >= mu) {
    // Upper tail P(X >= k): above the mean the terms shrink, so a few suffice.
    for (let j = k, i = 0; i < MAX_TERMS; j++, i++) {
      term *= ratioUp(j);
      tail += term;
      if (term < tail * TERM_EPS) break;
    }
  } else {
    // Lower tail P(X <= k), summed downwards from k.
    for (let j = k; j > 0 && k - j < MAX_TERMS; j--) {
      term /= ratioUp(j - 1);
      tail += term;
      if (term < tail * TERM_EPS) break;
    }
  }
  const p = 2 * tail;
  return p > 1 ? 1 : p;
}
