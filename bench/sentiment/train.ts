// Trains the shipped sentiment weights (models/sentiment/model.json) on the rated development sets,
// and reports them honestly: in-sample, k-fold by item (Amazon by review), and across datasets.
// Run: npx tsc -p tsconfig.json && node dist/bench/sentiment/train.js [--l2 x] [--folds k]
process.env.DOTENV_CONFIG_QUIET ??= 'true';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sentimentConfig } from '../../src/engines/sentiment/config.js';
import { SentimentAnalyzer } from '../../src/engines/sentiment/analyzer.js';
import { defaultSentimentModel, type SentimentModel } from '../../src/engines/sentiment/sentiment-model.js';
import { naturalLexicons, lexiconTables } from '../../src/engines/sentiment/natural-lexicons.js';
import { BENCH_DIR, BENCH_SETS, readRated, pearson, macroF1, type RatedText } from './bench-data.js';
import { DEFAULT_TRAIN, toSamples, train, predict, type Sample, type TrainOptions } from './learned-layer.js';

const args = process.argv.slice(2);
const flag = (name: string, def: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const FOLDS = flag('--folds', 5);
const opts: TrainOptions = { ...DEFAULT_TRAIN, l2: flag('--l2', DEFAULT_TRAIN.l2), l2Unlisted: flag('--l2-unlisted', DEFAULT_TRAIN.l2Unlisted), minCount: flag('--min-count', DEFAULT_TRAIN.minCount), iterations: flag('--iterations', DEFAULT_TRAIN.iterations) };
const write = !args.includes('--no-write');

// --set key=value overrides a rule parameter, for exploring the defaults (the shipped model uses none)
const overrides: Record<string, number> = {};
args.forEach((a, i) => {
  if (a === '--set') {
    const [k, v] = args[i + 1]!.split('=');
    overrides[k!] = Number(v);
  }
});
const cfg = sentimentConfig.parse(overrides);
const init = defaultSentimentModel(cfg);
// features are extracted with the default model: the rules never depend on the weights
const analyzer = new SentimentAnalyzer(cfg, init);
const sets = BENCH_SETS.map((name) => {
  const items = readRated(join(BENCH_DIR, `${name}.tsv`));
  return { name, items, samples: toSamples(analyzer, items) };
});

/** fold of an item: a stable hash of its group, so one review's sentences never straddle folds */
function foldOf(item: RatedText, k: number): number {
  let h = 2166136261;
  for (let i = 0; i < item.group.length; i++) h = Math.imul(h ^ item.group.charCodeAt(i), 16777619) >>> 0;
  return h % k;
}

function score(model: SentimentModel, samples: readonly Sample[]): number[] {
  return samples.map((s) => predict(model, cfg, s.msg));
}

type Row = { name: string; r: number; f1: number };
const report: Record<string, Row[]> = {};
const add = (what: string, name: string, ratings: number[], preds: number[]): void => {
  (report[what] ??= []).push({ name, r: pearson(ratings, preds), f1: macroF1(ratings, preds) });
};

// lexicon-only defaults (no learning at all)
for (const s of sets) add('lexicon defaults (no training)', s.name, s.items.map((i) => i.rating), score(init, s.samples));

// k-fold by item over both sets pooled, as the shipped model is trained
const oof = sets.map((s) => new Array<number>(s.items.length).fill(0));
for (let f = 0; f < FOLDS; f++) {
  const trainSamples: Sample[] = [];
  sets.forEach((s) => s.items.forEach((it, i) => { if (foldOf(it, FOLDS) !== f) trainSamples.push(s.samples[i]!); }));
  const model = train(trainSamples, cfg, init, opts);
  sets.forEach((s, si) => s.items.forEach((it, i) => { if (foldOf(it, FOLDS) === f) oof[si]![i] = predict(model, cfg, s.samples[i]!.msg); }));
}
const worst = flag('--worst', 0);
if (worst > 0) {
  sets.forEach((s, si) => {
    const order = s.items.map((_, i) => i).sort((a, b) => Math.abs(oof[si]![b]! - s.items[b]!.rating / 4) - Math.abs(oof[si]![a]! - s.items[a]!.rating / 4));
    for (const i of order.slice(0, worst)) console.log(`${s.name} truth=${(s.items[i]!.rating / 4).toFixed(2)} pred=${oof[si]![i]!.toFixed(2)} ${s.items[i]!.text.slice(0, 140)}`);
  });
}
sets.forEach((s, si) => add(`${FOLDS}-fold CV by item (out of fold)`, s.name, s.items.map((i) => i.rating), oof[si]!));

// across datasets: train on one, test on the other
for (const [a, b] of [[0, 1], [1, 0]] as const) {
  const model = train(sets[a]!.samples, cfg, init, opts);
  add(`train ${sets[a]!.name} -> test other`, sets[b]!.name, sets[b]!.items.map((i) => i.rating), score(model, sets[b]!.samples));
}

// the shipped model: all development data; its in-sample figures for comparison only
const final = train(sets.flatMap((s) => s.samples), cfg, init, opts);
for (const s of sets) add('shipped model, in-sample (optimistic)', s.name, s.items.map((i) => i.rating), score(final, s.samples));

for (const [what, rows] of Object.entries(report)) {
  console.log(what);
  for (const row of rows) console.log(`  ${row.name.padEnd(16)} r=${row.r.toFixed(3)}  macroF1=${row.f1.toFixed(3)}`);
}

if (write) {
  final.meta = {
    trainedOn: sets.map((s) => `${s.name}.tsv (${s.items.length})`),
    trainer: 'bench/sentiment/train.ts (full-batch Adam, squared error of the compound)',
    options: opts,
    residualStems: Object.keys(final.residual).length,
    negatedStems: Object.keys(final.negatedResidual).length,
    outOfSample: report,
  };
  final.lexicon = lexiconTables(naturalLexicons());
  mkdirSync('models/sentiment', { recursive: true });
  writeFileSync('models/sentiment/model.json', JSON.stringify(final) + '\n');
  console.log(`wrote models/sentiment/model.json (${Object.keys(final.residual).length} stem corrections)`);
}
