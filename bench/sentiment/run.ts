// The sentiment benchmark: Pearson r, macro-F1 and messages/s on the rated sets for Vigil (through
// its CLI), natural's plain AFINN analyzer and vaderSentiment (python3), plus 200-character throughput.
// Run: npx tsc -p tsconfig.json && node dist/bench/sentiment/run.js [--throughput-n 200000]
process.env.DOTENV_CONFIG_QUIET ??= 'true';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { sentimentConfig } from '../../src/engines/sentiment/config.js';
import { createSentimentAnalyzer, loadSentimentModel } from '../../src/engines/sentiment/model-file.js';
import { loadavg } from 'node:os';
import { BENCH_DIR, BENCH_SETS, readRated, pearson, macroF1 } from './bench-data.js';
import { longMessages, TEXT_CHARS } from './throughput.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const vaderScript = join(root, 'bench', 'sentiment', 'vader_score.py');
const args = process.argv.slice(2);
const argN = (name: string, def: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const THROUGHPUT_N = argN('--throughput-n', 200_000);
const VADER_THROUGHPUT_N = argN('--vader-throughput-n', 20_000);

interface Run {
  scores: number[];
  /** wall seconds including process start-up */
  wall: number;
  /** seconds spent scoring only, when known */
  scoring?: number;
}

function oneLine(t: string): string {
  return t.replace(/[\r\n]+/g, ' ');
}

function runVigilCli(texts: readonly string[]): Run {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'sentiment', '--jsonl'], { input: texts.map(oneLine).join('\n') + '\n', maxBuffer: 1 << 30, encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`vigil sentiment failed: ${r.stderr}`);
  const scores = r.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { score: number }).score);
  if (scores.length !== texts.length) throw new Error(`vigil sentiment: ${scores.length} lines out for ${texts.length} in`);
  return { scores, wall };
}

function runVader(texts: readonly string[]): Run | undefined {
  const t0 = performance.now();
  const r = spawnSync('python3', [vaderScript], { input: texts.map(oneLine).join('\n') + '\n', maxBuffer: 1 << 30, encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    process.stderr.write(`vaderSentiment unavailable (pip install vaderSentiment): ${r.stderr.split('\n').slice(-2).join(' ')}\n`);
    return undefined;
  }
  const scores = r.stdout.split('\n').filter(Boolean).map(Number);
  const m = /scoring_seconds ([\d.]+)/.exec(r.stderr);
  return { scores, wall, scoring: m ? Number(m[1]) : undefined };
}

interface NaturalAfinn {
  score(text: string): number;
}

function naturalAfinn(): NaturalAfinn {
  const require = createRequire(import.meta.url);
  const natural = require('natural') as {
    SentimentAnalyzer: new (lang: string, stemmer: unknown, type: string) => { getSentiment(words: string[]): number };
    PorterStemmer: unknown;
    WordTokenizer: new () => { tokenize(t: string): string[] };
  };
  const analyzer = new natural.SentimentAnalyzer('English', natural.PorterStemmer, 'afinn');
  const tokenizer = new natural.WordTokenizer();
  return {
    score: (text) => {
      const words = tokenizer.tokenize(text);
      return words.length === 0 ? 0 : analyzer.getSentiment(words);
    },
  };
}

function runInProcess(score: (t: string) => number, texts: readonly string[]): Run {
  const t0 = performance.now();
  const scores = texts.map(score);
  const s = (performance.now() - t0) / 1000;
  return { scores, wall: s, scoring: s };
}

const fmtRate = (n: number, s: number | undefined): string => (s === undefined || s <= 0 ? '-' : Math.round(n / s).toLocaleString('en-US'));

const afinn = naturalAfinn();
const vigil = createSentimentAnalyzer(sentimentConfig.parse({}));
const rows: string[] = [];
rows.push('| set | system | Pearson r | macro-F1 | msgs/s (wall, incl. start-up) | msgs/s (scoring only) |');
rows.push('|---|---|---|---|---|---|');
for (const name of BENCH_SETS) {
  const items = readRated(join(BENCH_DIR, `${name}.tsv`));
  const texts = items.map((i) => i.text);
  const truth = items.map((i) => i.rating);
  const systems: Array<[string, Run | undefined]> = [
    ['Vigil (vigil sentiment CLI)', { ...runVigilCli(texts), scoring: runInProcess((t) => vigil.analyze(t).score, texts).scoring }],
    ['natural AFINN (in-process)', runInProcess((t) => afinn.score(t), texts)],
    ['vaderSentiment (python3)', runVader(texts)],
  ];
  for (const [system, run] of systems) {
    if (!run) continue;
    rows.push(`| ${name} (${items.length}) | ${system} | ${pearson(truth, run.scores).toFixed(3)} | ${macroF1(truth, run.scores).toFixed(3)} | ${fmtRate(texts.length, system.startsWith('natural') ? undefined : run.wall)} | ${fmtRate(texts.length, run.scoring)} |`);
  }
}
console.log(rows.join('\n'));
console.log('(Vigil scoring-only: the same analyzer in-process, cold word cache. Vigil\'s weights were trained on these sets: the figures above are in-sample.)');
const meta = loadSentimentModel()?.meta as { outOfSample?: Record<string, Array<{ name: string; r: number; f1: number }>> } | undefined;
if (meta?.outOfSample) {
  console.log('\nVigil out of sample (from models/sentiment/model.json, written by bench/sentiment/train.ts):');
  for (const [what, rs] of Object.entries(meta.outOfSample)) for (const r of rs) console.log(`  ${what.padEnd(40)} ${r.name.padEnd(16)} r=${r.r.toFixed(3)} macroF1=${r.f1.toFixed(3)}`);
}

// throughput on 200-character messages built from the tweets, deterministic
const long = longMessages(THROUGHPUT_N);
console.log(`\nthroughput, ${TEXT_CHARS}-character messages (${long.length.toLocaleString('en-US')} messages):`);
console.log('  Vigil analyzer in-process, warm (own process, bench/sentiment/throughput.ts):');
const tp = spawnSync(process.execPath, [join(root, 'dist', 'bench', 'sentiment', 'throughput.js'), String(THROUGHPUT_N)], { encoding: 'utf8' });
process.stdout.write(tp.stdout);
const cliRun = runVigilCli(long);
const afRun = runInProcess((t) => afinn.score(t), long);
const vaderRun = runVader(long.slice(0, VADER_THROUGHPUT_N));
console.log(`  Vigil CLI (stdin -> stdout, JSONL, incl. start-up): ${fmtRate(long.length, cliRun.wall)} msgs/s`);
console.log(`  natural AFINN in-process:               ${fmtRate(long.length, afRun.scoring)} msgs/s`);
if (vaderRun) console.log(`  vaderSentiment (${VADER_THROUGHPUT_N.toLocaleString('en-US')} messages): ${fmtRate(VADER_THROUGHPUT_N, vaderRun.scoring)} msgs/s scoring only, ${fmtRate(VADER_THROUGHPUT_N, vaderRun.wall)} msgs/s wall`);
console.log(`  (load average: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on this 2-core machine, which other work shares; wall rates suffer)`);
