// Tail probabilities of event counts (Poisson, or negative binomial when counts are overdispersed).
// Sparse counts are far from normal: 3 events when 0.2 are expected is rare, which a z-score misjudges.

// Below this argument ln Γ is shifted up by the recurrence Γ(x+1) = x Γ(x) before Stirling's series,
// which is accurate to ~1e-10 from here on.
const STIRLING_FROM = 8;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0: Stirling's series (with the recurrence for small x); ~1e-10 absolute error. */
export function logGamma(x: number): number {
  let shift = 0;
  let prod = 1;
  while (x + shift < STIRLING_FROM) {
    prod *= x + shift;
    shift++;
  }
  const z = x + shift;
  const inv = 1 / z;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
  return (z - 0.5) * Math.log(z) - z + HALF_LOG_2PI + series - (shift > 0 ? Math.log(prod) : 0);
}

// Summation stops once a term adds less than this share of the tail: far below any score resolution.
const TERM_EPS = 1e-8;
// Bound on summed terms: tails of counts far from the mean converge in a handful of terms.
const MAX_TERMS = 2000;

/**
 * Two-sided tail probability of observing `x` events when `mean` are expected with `variance`
 * (>= mean; equal means Poisson): 2 * min(P(X <= x), P(X >= x)), capped at 1.
 */
export function countTailProbability(x: number, mean: number, variance: number): number {
  const k = Math.max(0, Math.round(x));
  const mu = Math.max(mean, 1e-6);
  // Within one standard deviation of the mean nothing is odd; most points end here, cheaply.
  if ((k - mu) * (k - mu) <= Math.max(variance, mu)) return 1;
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
