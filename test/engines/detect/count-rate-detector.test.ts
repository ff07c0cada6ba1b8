import { describe, expect, it } from 'vitest';
import { CountRateDetector } from '../../../src/engines/detect/count-rate-detector.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

describe('CountRateDetector', () => {
  it('closes buckets at the watermark, with empty buckets as 0, and refuses late events', () => {
    const d = new CountRateDetector({ bucketMs: HOUR });
    expect(d.add(T0 + 10)).toBe(true);
    expect(d.add(T0 + 20, 2)).toBe(true);
    expect(d.add(T0 + 2 * HOUR + 5)).toBe(true);
    expect(d.advance(T0 + HOUR - 1)).toEqual([]);
    const closed = d.advance(T0 + 3 * HOUR);
    expect(closed.map((c) => [c.bucketStart, c.count])).toEqual([
      [T0, 3],
      [T0 + HOUR, 0],
      [T0 + 2 * HOUR, 1],
    ]);
    expect(d.add(T0 + 2 * HOUR + 10)).toBe(false);
    expect(d.current().lastCount).toBe(1);
  });

  it('scores a burst of tickets far above the account\'s usual rate', () => {
    const d = new CountRateDetector({ bucketMs: HOUR });
    for (let h = 0; h < 500; h++) if (h % 3 === 0) d.add(T0 + h * HOUR + 1);
    const usual = d.advance(T0 + 500 * HOUR);
    for (let k = 0; k < 12; k++) d.add(T0 + 500 * HOUR + k);
    const [burst] = d.advance(T0 + 501 * HOUR);
    expect(burst!.count).toBe(12);
    expect(burst!.expected).toBeLessThan(2);
    expect(burst!.score).toBeGreaterThan(0.5);
    expect(burst!.score).toBeGreaterThan(Math.max(...usual.slice(100).map((c) => c.score)));
    expect(d.current().score).toBe(burst!.score);
  });

  it('keeps its state under 1 KB and round-trips it', () => {
    const d = new CountRateDetector({ bucketMs: HOUR });
    for (let h = 0; h < 2000; h++) for (let k = 0; k < (h % 24 < 8 ? 0 : 3); k++) d.add(T0 + h * HOUR + k);
    d.advance(T0 + 1999 * HOUR);
    const json = JSON.stringify(d.toJSON());
    expect(json.length).toBeLessThanOrEqual(1024);
    const r = CountRateDetector.fromJSON(JSON.parse(json));
    expect(r.toJSON()).toEqual(d.toJSON());
    expect(r.add(T0 + 1998 * HOUR)).toBe(false);
    const a = d.advance(T0 + 2000 * HOUR);
    const b = r.advance(T0 + 2000 * HOUR);
    expect(b.map((c) => c.count)).toEqual(a.map((c) => c.count));
    expect(Math.abs(b[0]!.score - a[0]!.score)).toBeLessThan(1e-3);
  });
});
