import { describe, expect, it } from 'vitest';
import { detectConfig } from '../../../src/engines/detect/config.js';
import { round6, SeriesDetector } from '../../../src/engines/detect/series-detector.js';

const cfg = detectConfig.parse({});
const STEP = 5 * 60_000;
const T0 = Date.UTC(2024, 0, 1);

// Deterministic pseudo-random noise (no Math.random: results must be reproducible).
function noise(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
}

function run(values: number[], d = new SeriesDetector(cfg)): number[] {
  return values.map((v, i) => d.update(T0 + i * STEP, v));
}

function dailySeries(n: number, seed = 1): number[] {
  const r = noise(seed);
  return Array.from({ length: n }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 2 * r());
}

describe('SeriesDetector', () => {
  it('scores every point in [0, 1]', () => {
    const values = dailySeries(3000);
    values[2000] = 500;
    values[2100] = NaN;
    for (const s of run(values)) {
      expect(Number.isFinite(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
  });

  it('hands over its exact state: a detector set from it goes on bit for bit as the original, where toJSON rounds', () => {
    const values = dailySeries(1500, 3);
    values[700] = 400;
    const a = new SeriesDetector(cfg);
    run(values.slice(0, 1000), a);
    const len = SeriesDetector.exactStateLength(cfg);
    const buf = new Float64Array(len + 5);
    a.exactStateInto(buf, 5);
    const b = new SeriesDetector(cfg);
    b.setExactState(buf, 5);
    const rest = values.slice(1000).map((v, i) => [T0 + (1000 + i) * STEP, v] as const);
    const fromA = rest.map(([t, v]) => a.update(t, v));
    const fromB = rest.map(([t, v]) => b.update(t, v));
    expect(fromB).toEqual(fromA);
    const after = (d: SeriesDetector) => {
      const out = new Float64Array(len);
      d.exactStateInto(out, 0);
      return Array.from(out);
    };
    expect(after(b)).toEqual(after(a));
    // every field is in the exact state: two detectors that saw different points differ in it
    const other = new SeriesDetector(cfg);
    run(values.slice(0, 999), other);
    expect(after(other)).not.toEqual(after(new SeriesDetector(cfg)));
  });

  it('is causal: scores on a prefix equal the full run on that prefix', () => {
    const values = dailySeries(2500, 7);
    values[1200] = 140;
    values.splice(1800, 0, ...Array.from({ length: 50 }, () => 5));
    const full = run(values);
    for (const cut of [1, 100, 1201, 1850, values.length - 1]) {
      expect(run(values.slice(0, cut))).toEqual(full.slice(0, cut));
    }
  });

  it('gives a spike a far higher score than the ordinary points around it', () => {
    const values = dailySeries(3000, 3);
    values[2400] = values[2399]! + 60;
    const scores = run(values);
    const before = Math.max(...scores.slice(1500, 2400));
    expect(scores[2400]).toBeGreaterThan(0.05);
    expect(scores[2400]!).toBeGreaterThan(before * 3);
  });

  it('stops alarming after a level shift once it has adapted', () => {
    const r = noise(11);
    const values = Array.from({ length: 4000 }, (_, i) => (i < 2000 ? 100 : 160) + 3 * r());
    const scores = run(values);
    const atShift = Math.max(...scores.slice(2000, 2010));
    const late = Math.max(...scores.slice(3000));
    expect(atShift).toBeGreaterThan(0.2);
    expect(late).toBeLessThan(atShift / 4);
    expect(late).toBeLessThan(0.1);
  });

  it('scores sparse counts with count statistics: 6 events where 0.2 are usual is odd, 1 is not', () => {
    const r = noise(5);
    const values = Array.from({ length: 1500 }, () => (r() > 0.3 ? 1 : 0));
    // As the rate detectors use it: no running-quantile bar and no reporting layer, so the score is the count's own surprise.
    const rate = detectConfig.parse({ surpriseQuantile: 0, holdPoints: 0 });
    const d = new SeriesDetector(rate);
    run(values, d);
    const snapshot = d.toJSON();
    const one = SeriesDetector.fromJSON(snapshot, rate).update(T0 + 1500 * STEP, 1);
    const six = SeriesDetector.fromJSON(snapshot, rate).update(T0 + 1500 * STEP, 6);
    expect(six).toBeGreaterThan(0.2);
    expect(one).toBeLessThan(0.05);
  });

  it('reports an episode once: a repeat within holdPoints scores 0 unless it is worse, and scores again after', () => {
    const values = dailySeries(3000, 5);
    const at = 2000;
    values[at] = 200;
    values[at + 10] = 200;
    values[at + 20] = 600;
    values[at + cfg.holdPoints + 30] = 600;
    // The hold alone: the alarm-load scaling (tested below) would rank the later reports lower.
    const s = run(values, new SeriesDetector(detectConfig.parse({ alarmLoadGain: 0 })));
    expect(s[at]).toBeGreaterThan(0);
    expect(s[at + 10]).toBe(0);
    expect(s[at + 20]).toBeGreaterThan(s[at]!);
    expect(s[at + cfg.holdPoints + 30]).toBeGreaterThan(0);
    const plain = run(values, new SeriesDetector(detectConfig.parse({ holdPoints: 0 })));
    expect(plain[at + 10]).toBeGreaterThan(0);
  });

  it('treats a higher score right after a report as the same episode: it raises the bar, unreported', () => {
    const values = dailySeries(3000, 5);
    const at = 2000;
    values[at] = 200;
    values[at + 1] = 600;
    values[at + 30] = 350;
    const s = run(values);
    expect(s[at]).toBeGreaterThan(0);
    expect(s[at + 1]).toBe(0);
    const apart = run(values, new SeriesDetector(detectConfig.parse({ episodePoints: 0 })));
    expect(apart[at + 1]).toBeGreaterThan(0);
    // 350 would beat the first report's fading bar, but the bar is the unreported 600's: no news.
    const raw = run(values, new SeriesDetector(detectConfig.parse({ holdPoints: 0 })));
    expect(raw[at + 30]!).toBeGreaterThan(raw[at]! * (1 - 30 / cfg.holdPoints));
    expect(s[at + 30]).toBe(0);
  });

  it('ranks a report lower on a series that has reported much lately (alarm load)', () => {
    const quiet = dailySeries(3000, 13);
    const busy = quiet.slice();
    // Bursts every 300 points up to the test spike: each one is reported once the hold has faded.
    for (let i = 900; i < 2400; i += 300) busy[i] = busy[i]! + 400;
    quiet[2500] = quiet[2500]! + 400;
    busy[2500] = busy[2500]! + 400;
    const q = run(quiet);
    const b = run(busy);
    expect(b.slice(900, 2400).filter((v) => v > 0).length).toBeGreaterThanOrEqual(3);
    expect(q[2500]).toBeGreaterThan(0);
    expect(b[2500]).toBeGreaterThan(0);
    expect(b[2500]!).toBeLessThan(q[2500]! * 0.8);
    const off = detectConfig.parse({ alarmLoadGain: 0 });
    const raw = run(busy, new SeriesDetector(off));
    expect(raw[2500]!).toBeGreaterThan(b[2500]!);
  });

  it('scores a value beyond the range seen so far by how far beyond it is (the record channel)', () => {
    const r = noise(11);
    // Bursts to ~100 are the usual texture (60% of points); 300 has never been seen.
    const values = Array.from({ length: 3000 }, () => (r() > -0.1 ? 100 + 5 * r() : 10 + 2 * r()));
    values[2550] = 300;
    const strong = run(values, new SeriesDetector(detectConfig.parse({ recordWeight: 3 })));
    const off = run(values, new SeriesDetector(detectConfig.parse({ recordWeight: 0 })));
    expect(strong[2550]).toBeGreaterThan(off[2550]! + 0.2);
    // Inside the usual range the channel adds nothing.
    expect(strong.slice(2560, 2600)).toEqual(off.slice(2560, 2600));
  });

  it('serializes to small JSON-safe state and resumes where it left off', () => {
    const values = dailySeries(3000, 9);
    const a = new SeriesDetector(cfg);
    run(values.slice(0, 2000), a);
    const json = JSON.stringify(a.toJSON());
    expect(json.length).toBeLessThanOrEqual(2048);
    expect(json).not.toMatch(/NaN|Infinity|null/);
    const b = SeriesDetector.fromJSON(JSON.parse(json), cfg);
    expect(b.toJSON()).toEqual(a.toJSON());
    values[2500] = 200;
    const rest = values.slice(2000);
    const sa = rest.map((v, i) => a.update(T0 + (2000 + i) * STEP, v));
    const sb = rest.map((v, i) => b.update(T0 + (2000 + i) * STEP, v));
    // The snapshot keeps six significant digits, so the resumed detector agrees to well within score resolution.
    for (let i = 0; i < sa.length; i++) expect(Math.abs(sa[i]! - sb[i]!)).toBeLessThan(1e-3);
    expect(sb[500]).toBeGreaterThan(0.2);
  });
});

describe('round6', () => {
  it('is Number(x.toPrecision(6)) for values of every magnitude, ties and near-powers of ten included', () => {
    let seed = 5;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const values: number[] = [0, -0, 1, -1, 1e-7, 123456.5, 1.234565, 0.1234565, -2.500005, 999999.5, 9999995, 0.9999995, 1e22, 1e23, 5e-324, 1.7976931348623157e308];
    for (let i = 0; i < 200_000; i++) {
      const mag = Math.pow(10, Math.floor(rand() * 40) - 20);
      const v = (rand() - 0.3) * mag;
      values.push(v);
      // a decimal tie at the seventh digit, and the doubles either side of it
      const tie = (Math.floor(rand() * 900_000) + 100_000 + 0.5) * Math.pow(10, Math.floor(rand() * 20) - 12);
      values.push(tie, tie * (1 + Number.EPSILON), tie * (1 - Number.EPSILON));
      // just below and above a power of ten
      const p = Math.pow(10, Math.floor(rand() * 30) - 15);
      values.push(p * (1 - Number.EPSILON), p, p * (1 + Number.EPSILON), p * (1 - 4e-7));
    }
    let differ = 0;
    for (const v of values) if (!Object.is(round6(v), v === 0 ? 0 : Number(v.toPrecision(6)))) differ++;
    expect(differ).toBe(0);
    expect(round6(Number.NaN)).toBe(0);
    expect(round6(Infinity)).toBe(0);
  });
});
