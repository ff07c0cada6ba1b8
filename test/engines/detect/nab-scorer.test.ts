// The NAB scorer of bench/nab, checked against the published rules: null and perfect detectors on the
// development corpus, and a small case worked out by hand.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { perfectDetector, probationaryLength, scoreAtThreshold, scoreProfile, type ScoredSeries } from '../../../bench/nab/scorer.js';

const STD = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };
const LOW_FN = { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 };
const MIN = 60_000;
// the shared benchmark data sits beside the checkout (../shared), as on developers' machines and in CI
const NAB = [new URL('../../../../shared/bench-data/nab', import.meta.url).pathname, '/work/shared/bench-data/nab'].find((p) => existsSync(p)) ?? '/work/shared/bench-data/nab';

// 20 points one minute apart; one window over indices 10..14 (width 5); probation = floor(0.15 * 20) = 3 rows.
function handCase(scores: Record<number, number>): ScoredSeries {
  const timestamps = Array.from({ length: 20 }, (_, i) => i * MIN);
  return { name: 'hand', timestamps, scores: timestamps.map((_, i) => scores[i] ?? 0), windows: [[10 * MIN, 14 * MIN]] };
}

describe('NAB scorer', () => {
  it('follows the probationary rule: 15% of the rows, at most 750', () => {
    expect(probationaryLength(20)).toBe(3);
    expect(probationaryLength(4032)).toBe(604);
    expect(probationaryLength(15902)).toBe(750);
  });

  it('scores a hand-worked case', () => {
    // Detection at the window's first point: relative position -1, full credit 1.
    expect(scoreAtThreshold([handCase({ 10: 1 })], STD, 0.5)).toBeCloseTo(1, 10);
    // At index 12: position -(14 - 12 + 1) / 5 = -0.6; credit (2 sigmoid(3) - 1) / (2 sigmoid(5) - 1) = 0.905148 / 0.986614.
    expect(scoreAtThreshold([handCase({ 12: 1 })], STD, 0.5)).toBeCloseTo(0.917428, 5);
    // Two detections in one window: only the earliest (largest) credit counts.
    expect(scoreAtThreshold([handCase({ 12: 1, 13: 1 })], STD, 0.5)).toBeCloseTo(0.917428, 5);
    // Before the first window: a full false positive (-0.11), and the window is missed (-1).
    expect(scoreAtThreshold([handCase({ 5: 1 })], STD, 0.5)).toBeCloseTo(-1.11, 10);
    // Two rows after the window: position 2 / (5 - 1) = 0.5, FP weight (2 sigmoid(-2.5) - 1) * 0.11 = -0.0933112.
    expect(scoreAtThreshold([handCase({ 16: 1 })], STD, 0.5)).toBeCloseTo(-1.0933112, 6);
    // Inside the probationary period: ignored.
    expect(scoreAtThreshold([handCase({ 1: 1 })], STD, 0.5)).toBeCloseTo(-1, 10);
    // A miss costs fnWeight: 2 under reward_low_FN.
    expect(scoreAtThreshold([handCase({})], LOW_FN, 0.5)).toBeCloseTo(-2, 10);
  });

  it('optimises the threshold and normalises null to 0 and perfect to 100', () => {
    // Scores 0.9 at index 12 (TP) and 0.5 at index 5 (FP): the best threshold keeps only the TP.
    const r = scoreProfile([handCase({ 12: 0.9, 5: 0.5 })], STD);
    expect(r.threshold).toBe(0.9);
    expect(r.raw).toBeCloseTo(0.917428, 5);
    // The null detector gets its own best threshold too: here flagging every row (0 >= 0) beats
    // missing the window: +1 (row 10) - 7 * 0.11 (rows 3..9) + 0.11 * sum over rows 15..19 of
    // (2 sigmoid(-5 |14 - i| / 4) - 1) = 1 - 0.77 - 0.11 * 4.339665 = -0.247363.
    expect(r.nullRaw).toBeCloseTo(-0.247363, 5);
    expect(r.perfectRaw).toBeCloseTo(1, 10);
    expect(r.normalized).toBeCloseTo((100 * (0.917428 + 0.247363)) / (1 + 0.247363), 3);
  });

  it.runIf(existsSync(join(NAB, 'files.txt')))('gives the null detector 0 and the perfect detector 100 on the development corpus', () => {
    const files = readFileSync(join(NAB, 'files.txt'), 'utf8').split('\n').filter(Boolean);
    const windows = JSON.parse(readFileSync(join(NAB, 'combined_windows.json'), 'utf8')) as Record<string, Array<[string, string]>>;
    const ts = (s: string): number => Date.parse(`${s.replace(/\.\d+$/, '').replace(' ', 'T')}Z`);
    const series: ScoredSeries[] = files.map((f) => {
      const rows = readFileSync(join(NAB, 'data', f), 'utf8').trim().split('\n').slice(1);
      const timestamps = rows.map((r) => ts(r.split(',')[0]!));
      return { name: f, timestamps, scores: timestamps.map(() => 0), windows: windows[f]!.map(([a, b]) => [ts(a), ts(b)] as [number, number]) };
    });
    for (const cost of [STD, { ...STD, fpWeight: 0.22 }, LOW_FN]) {
      expect(scoreProfile(series, cost).normalized).toBeCloseTo(0, 10);
      expect(scoreProfile(series.map(perfectDetector), cost).normalized).toBeCloseTo(100, 10);
    }
  });
});
