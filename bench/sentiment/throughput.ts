// Hot-path throughput of the sentiment analyzer on 200-character messages, in a process of its own
// (run by run.ts) so the comparison libraries loaded there do not weigh on the measurement.
// Run: node dist/bench/sentiment/throughput.js [messages] [--model path]
process.env.DOTENV_CONFIG_QUIET ??= 'true';
import { join } from 'node:path';
import { sentimentConfig } from '../../src/engines/sentiment/config.js';
import { createSentimentAnalyzer } from '../../src/engines/sentiment/model-file.js';
import { BENCH_DIR, readRated } from './bench-data.js';

export const TEXT_CHARS = 200;

/** Deterministic 200-character messages made of consecutive tweets. */
export function longMessages(n: number): string[] {
  const pool = readRated(join(BENCH_DIR, 'tweets.tsv')).map((i) => i.text.replace(/[\r\n]+/g, ' '));
  const out: string[] = [];
  for (let i = 0, k = 0; i < n; i++) {
    let t = '';
    while (t.length < TEXT_CHARS) t += (t ? ' ' : '') + pool[k++ % pool.length];
    out.push(t.slice(0, TEXT_CHARS));
  }
  return out;
}

if (process.argv[1]?.endsWith('throughput.js')) {
  const n = Number(process.argv[2] ?? 200_000);
  const texts = longMessages(n);
  // --model path: a candidate model instead of the shipped one
  const modelAt = process.argv.indexOf('--model');
  const analyzer = createSentimentAnalyzer(sentimentConfig.parse(modelAt >= 0 ? { modelPath: process.argv[modelAt + 1] } : {}));
  for (let i = 0; i < Math.min(20_000, n); i++) analyzer.analyze(texts[i]!); // warm the JIT and the word cache
  const REPEATS = 3;
  for (let rep = 1; rep <= REPEATS; rep++) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let checksum = 0;
    for (const t of texts) checksum += analyzer.analyze(t).score;
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    console.log(`  run ${rep}/${REPEATS}: ${Math.round(n / wall).toLocaleString('en-US')} msgs/s wall, ${Math.round(n / cpuS).toLocaleString('en-US')} msgs/s per CPU-second (checksum ${checksum.toFixed(2)})`);
  }
}
