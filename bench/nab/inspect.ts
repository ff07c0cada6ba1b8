// NAB diagnosis aid: at the corpus-optimal standard threshold, lists each file's scored detections
// (row, score, window or false positive, credit) and its missed windows, to see where points are lost.
// Usage: node dist/bench/nab/inspect.js [--data DIR] ['{"key":value}'] [file-substring]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectConfig } from '../../src/engines/detect/config.js';
import { SeriesDetector } from '../../src/engines/detect/series-detector.js';
import { parseTimestamp } from '../../src/cli/detect.js';
import { optimizeThreshold, probationaryLength, sweepPoints, type CostMatrix, type ScoredSeries } from './scorer.js';

function main(): void {
  const argv = process.argv.slice(2);
  let data = new URL('../../../../shared/bench-data/nab', import.meta.url).pathname;
  let set = '{}';
  let only = '';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--data') data = argv[++i]!;
    else if (argv[i]!.startsWith('{')) set = argv[i]!;
    else only = argv[i]!;
  }
  const files = readFileSync(join(data, 'files.txt'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  const windows = JSON.parse(readFileSync(join(data, 'combined_windows.json'), 'utf8')) as Record<string, Array<[string, string]>>;
  const profiles = JSON.parse(readFileSync(join(data, 'profiles.json'), 'utf8')) as Record<string, { CostMatrix: CostMatrix }>;
  const cost = profiles.standard!.CostMatrix;
  const cfg = detectConfig.parse(JSON.parse(set));
  const series: ScoredSeries[] = files.map((name) => {
    const lines = readFileSync(join(data, 'data', name), 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '');
    const t = lines.map((l) => parseTimestamp(l.split(',')[0]!));
    const v = lines.map((l) => Number(l.split(',')[1]));
    const w = (windows[name] ?? []).map(([a, b]) => [parseTimestamp(a.replace(/\.\d+$/, '')), parseTimestamp(b.replace(/\.\d+$/, ''))] as [number, number]);
    const d = new SeriesDetector(cfg);
    return { name, timestamps: t, scores: t.map((x, i) => d.update(x, v[i]!)), windows: w };
  });
  const { threshold } = optimizeThreshold(series, cost);
  console.log(`standard threshold ${threshold.toFixed(6)}`);
  for (const s of series) {
    if (only && !s.name.includes(only)) continue;
    const n = s.timestamps.length;
    const prob = probationaryLength(n);
    const pts = sweepPoints(s, cost);
    const wins = s.windows.map(([a, b]) => [s.timestamps.indexOf(a), s.timestamps.indexOf(b)]);
    const hits: string[] = [];
    let total = 0;
    const best = new Map<number, number>();
    pts.forEach((p, k) => {
      const row = k + prob;
      if (p.window >= 0 && !best.has(p.window)) best.set(p.window, -cost.fnWeight);
      if (p.score < threshold) return;
      if (p.window < 0) total += p.credit;
      else if (p.credit > best.get(p.window)!) best.set(p.window, p.credit);
      hits.push(`${row}:${p.score.toFixed(3)}${p.window >= 0 ? `W${p.window}` : ''}(${p.credit.toFixed(2)})`);
    });
    for (const v of best.values()) total += v;
    console.log(`${s.name} n=${n} prob=${prob} windows=${wins.map(([a, b]) => `${a}-${b}`).join(',')} total=${total.toFixed(3)}`);
    console.log(`   ${hits.join(' ')}`);
  }
}

main();
