// NAB tuning aid: scores detector configurations in process on the whole development half and on
// its two alternating sub-halves (A: even files, B: odd files), so a setting chosen on A is checked on B.
// Usage: node dist/bench/nab/tune.js [--data DIR] '{"key":value}' ['{"key":value}' ...]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectConfig } from '../../src/engines/detect/config.js';
import { SeriesDetector } from '../../src/engines/detect/series-detector.js';
import { parseTimestamp } from '../../src/cli/detect.js';
import { scoreProfile, type CostMatrix, type ScoredSeries } from './scorer.js';

function main(): void {
  const argv = process.argv.slice(2);
  let data = new URL('../../../../shared/bench-data/nab', import.meta.url).pathname;
  const sets: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--data') data = argv[++i]!;
    else sets.push(argv[i]!);
  }
  if (sets.length === 0) sets.push('{}');
  const files = readFileSync(join(data, 'files.txt'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  const windows = JSON.parse(readFileSync(join(data, 'combined_windows.json'), 'utf8')) as Record<string, Array<[string, string]>>;
  const profiles = JSON.parse(readFileSync(join(data, 'profiles.json'), 'utf8')) as Record<string, { CostMatrix: CostMatrix }>;
  const inputs = files.map((name) => {
    const lines = readFileSync(join(data, 'data', name), 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '');
    const t = lines.map((l) => parseTimestamp(l.split(',')[0]!));
    const v = lines.map((l) => Number(l.split(',')[1]));
    const w = (windows[name] ?? []).map(([a, b]) => [parseTimestamp(a.replace(/\.\d+$/, '')), parseTimestamp(b.replace(/\.\d+$/, ''))] as [number, number]);
    return { name, t, v, w };
  });
  const keys = [['std', 'standard'], ['lowFP', 'reward_low_FP_rate'], ['lowFN', 'reward_low_FN_rate']] as const;
  for (const set of sets) {
    const cfg = detectConfig.parse(JSON.parse(set));
    const series: ScoredSeries[] = inputs.map(({ name, t, v, w }) => {
      const d = new SeriesDetector(cfg);
      return { name, timestamps: t, scores: t.map((x, i) => d.update(x, v[i]!)), windows: w };
    });
    const parts = { all: series, A: series.filter((_, i) => i % 2 === 0), B: series.filter((_, i) => i % 2 === 1) };
    const cells: string[] = [];
    for (const [label, ss] of Object.entries(parts)) {
      cells.push(`${label} ` + keys.map(([k, p]) => `${k} ${scoreProfile(ss, profiles[p]!.CostMatrix).normalized.toFixed(2)}`).join(' '));
    }
    console.log(`${set.padEnd(40)} | ${cells.join(' | ')}`);
  }
}

main();
