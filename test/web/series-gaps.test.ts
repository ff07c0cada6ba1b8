// web/src/charts/series-gaps.ts: missing buckets of an incident's count series read as zero.
import { describe, expect, it } from 'vitest';
import { fillSeries } from '../../web/src/charts/series-gaps.js';

const MIN = 60_000;

describe('fillSeries', () => {
  it('fills missing buckets with zero counts and the last baseline', () => {
    const filled = fillSeries([
      { t: 0, count: 1, baseline: 0.5 },
      { t: MIN, count: 6, baseline: 0.5 },
      { t: 4 * MIN, count: 2, baseline: 0.8 },
    ]);
    expect(filled.map((p) => p.t)).toEqual([0, MIN, 2 * MIN, 3 * MIN, 4 * MIN]);
    expect(filled.map((p) => p.count)).toEqual([1, 6, 0, 0, 2]);
    expect(filled[2]!.baseline).toBe(0.5);
  });

  it('leaves a regular series as it is', () => {
    const series = [0, 1, 2, 3].map((i) => ({ t: i * MIN, count: i, baseline: 1 }));
    expect(fillSeries(series)).toEqual(series);
  });

  it('does not blow a sparse series up past its point budget', () => {
    const series = [
      { t: 0, count: 1, baseline: 0 },
      { t: 1, count: 1, baseline: 0 },
      { t: 10 * 86_400_000, count: 1, baseline: 0 },
    ];
    expect(fillSeries(series)).toHaveLength(3);
  });
});
