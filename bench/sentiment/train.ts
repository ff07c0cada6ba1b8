// Trains the shipped sentiment weights (models/sentiment/model.json) on the rated development sets,
// and reports them honestly: in-sample, k-fold by item (Amazon by review), and across datasets.
// Two stages: the linear layer (lexicon weights, per-stem, word-form and word-pair corrections), then the
// calibrator, fitted to the linear layer's out-of-fold raw sums (inner k-fold) so it learns how far those
// sums can be trusted on unseen text rather than on text the corrections were fitted to; the shipped
// linear layer is the mean of the inner-fold layers (--bag 0: one layer trained on all the data instead).
// Run: npx tsc -p tsconfig.json && node dist/bench/sentiment/train.js [--l2 x] [--folds k]
process.env.DOTENV_CONFIG_QUIET ??= 'true';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { sentimentConfig } from '../../src/engines/sentiment/config.js';
import { SentimentAnalyzer } from '../../src/engines/sentiment/analyzer.js';
import { defaultSentimentModel, type SentimentModel } from '../../src/engines/sentiment/sentiment-model.js';
import { naturalLexicons, lexiconTables } from '../../src/engines/sentiment/natural-lexicons.js';
import { BENCH_DIR, BENCH_SETS, readRated, pearson, macroF1, type RatedText } from './bench-data.js';
import { DEFAULT_TRAIN, DEFAULT_NGRAMS, toSamples, train, trainNgrams, predict, calibrationRow, type Sample, type TrainOptions, type NgramOptions } from './learned-layer.js';
import { DEFAULT_BOOST, trainCalibrator, type BoostOptions } from './boosted-trees.js';
import { DEFAULT_NETWORK, trainNetwork, type NetworkOptions } from './network.js';
import { calibrate } from '../../src/engines/sentiment/calibrator.js';

const args = process.argv.slice(2);
const flag = (name: string, def: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const FOLDS = flag('--folds', 5);
const opts: TrainOptions = { ...DEFAULT_TRAIN, l2: flag('--l2', DEFAULT_TRAIN.l2), l2Unlisted: flag('--l2-unlisted', DEFAULT_TRAIN.l2Unlisted), minCount: flag('--min-count', DEFAULT_TRAIN.minCount), iterations: flag('--iterations', DEFAULT_TRAIN.iterations), wordL2: flag('--word-l2', DEFAULT_TRAIN.wordL2), pairL2: flag('--pair-l2', DEFAULT_TRAIN.pairL2), pairMinCount: flag('--pair-min-count', DEFAULT_TRAIN.pairMinCount), afinnLevels: flag('--afinn-levels', DEFAULT_TRAIN.afinnLevels) };
const write = !args.includes('--no-write');
const boost: BoostOptions = { ...DEFAULT_BOOST, trees: flag('--trees', DEFAULT_BOOST.trees), maxDepth: flag('--depth', DEFAULT_BOOST.maxDepth), minLeaf: flag('--min-leaf', DEFAULT_BOOST.minLeaf), learningRate: flag('--boost-rate', DEFAULT_BOOST.learningRate) };
const INNER_FOLDS = flag('--inner-folds', 5);
const net: NetworkOptions = { ...DEFAULT_NETWORK, hidden: flag('--net-hidden', DEFAULT_NETWORK.hidden), l2: flag('--net-l2', DEFAULT_NETWORK.l2), iterations: flag('--net-iterations', DEFAULT_NETWORK.iterations), share: flag('--net-share', DEFAULT_NETWORK.share) };
const ngramOpts: NgramOptions = { ...DEFAULT_NGRAMS, l2: flag('--ngram-l2', DEFAULT_NGRAMS.l2), minCount: flag('--ngram-min-count', DEFAULT_NGRAMS.minCount), bigramMinCount: flag('--bigram-min-count', DEFAULT_NGRAMS.bigramMinCount), iterations: flag('--ngram-iterations', DEFAULT_NGRAMS.iterations), residual: flag('--ngram-residual', DEFAULT_NGRAMS.residual ? 1 : 0) > 0 };

/** the linear layer, with the n-gram estimate beside it unless --ngram-l2 0 */
function trainStage(samples: readonly Sample[]): SentimentModel {
  const linear = train(samples, cfg, init, opts);
  if (ngramOpts.l2 <= 0) return linear;
  const targets = ngramOpts.residual ? samples.map((s) => s.target - predict(linear, cfg, s.msg)) : samples.map((s) => s.target);
  return { ...linear, ngrams: trainNgrams(samples, ngramOpts, targets) };
}
const BAG = flag('--bag', 1) > 0;

// --set key=value overrides a rule parameter, for exploring the defaults (the shipped model uses none)
const overrides: Record<string, number | boolean> = {};
args.forEach((a, i) => {
  if (a === '--set') {
    const [k, v] = args[i + 1]!.split('=');
    overrides[k!] = v === 'true' || v === 'false' ? v === 'true' : Number(v);
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
function foldOf(item: RatedText, k: number, salt = ''): number {
  const key = item.group + salt;
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
  return h % k;
}

interface Labelled {
  item: RatedText;
  sample: Sample;
}

let lastRows: Float64Array[] = [];
const rowDump: Array<{ fold: number; train: number[][]; trainY: number[]; test: number[][]; testY: number[]; testSet: number[]; testPred: number[] }> = [];

/** Both stages on `data`: the calibrator sees only raw sums of models that did not train on the message. */
function fitModel(data: readonly Labelled[]): SentimentModel {
  const rows = new Array<Float64Array>(data.length);
  const inners: SentimentModel[] = [];
  for (let g = 0; g < INNER_FOLDS; g++) {
    const inner = trainStage(data.filter((d) => foldOf(d.item, INNER_FOLDS, '#inner') !== g).map((d) => d.sample));
    inners.push(inner);
    data.forEach((d, i) => {
      if (foldOf(d.item, INNER_FOLDS, '#inner') === g) rows[i] = calibrationRow(inner, cfg, d.sample.msg);
    });
  }
  const targets = data.map((d) => d.sample.target);
  // with the network alone (share 1) no trees are grown
  const calibrator = trainCalibrator(rows, targets, net.share >= 1 ? { ...boost, trees: 0 } : boost);
  if (net.share > 0) calibrator.network = trainNetwork(rows, targets, net);
  lastRows = rows;
  // the stretch that labels the training messages best (their raw sums are out of fold, so this is not the trees' in-sample fit alone)
  const ratings = data.map((d) => d.item.rating);
  const fitted = rows.map((r) => calibrate(calibrator, r));
  let bestF1 = -1;
  let bestCentre = 0;
  for (const k of FIXED_STRETCH > 0 ? [FIXED_STRETCH] : STRETCHES)
    for (const centre of FIXED_STRETCH > 0 ? [0] : CENTRES) {
      const f1 = macroF1(ratings, fitted.map((p) => Math.max(-1, Math.min(1, k * (p - centre)))));
      if (f1 > bestF1) {
        bestF1 = f1;
        calibrator.stretch = k;
        bestCentre = centre;
      }
    }
  // the centre moves the line's intercept: the compound is stretch * (estimate - centre)
  calibrator.offset -= bestCentre;
  if (calibrator.network !== undefined) calibrator.network.outBias -= bestCentre;
  // bagged: the mean of the inner models, each of which fed the calibrator its rows, so the calibrator
  // is applied to sums of the kind it was fitted on (models that saw 80% of the data); else one model on all
  const linear = BAG ? averageModels(inners) : trainStage(data.map((d) => d.sample));
  return { ...linear, calibrator };
}

/** The parameter-wise mean of linear layers: its raw sum is the mean of theirs (up to the emphasis term's sign). */
function averageModels(models: readonly SentimentModel[]): SentimentModel {
  const round = (x: number): number => Math.round(x * 1e5) / 1e5;
  const k = models.length;
  const mean = (pick: (m: SentimentModel) => Record<string, number> | undefined): Record<string, number> => meanOf(models.map(pick));
  const meanOf = (recs: ReadonlyArray<Record<string, number> | undefined>): Record<string, number> => {
    const sum = new Map<string, number>();
    for (const r of recs) for (const [key, v] of Object.entries(r ?? {})) sum.set(key, (sum.get(key) ?? 0) + v);
    const out: Record<string, number> = {};
    for (const [key, v] of [...sum].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) if (round(v / k) !== 0) out[key] = round(v / k);
    return out;
  };
  const weights = { ...models[0]!.weights };
  for (const key of Object.keys(weights) as Array<keyof typeof weights>) weights[key] = round(models.reduce((a, m) => a + m.weights[key], 0) / k);
  const levels = models[0]!.afinnLevels;
  const grams = models.every((m) => m.ngrams !== undefined) ? models.map((m) => m.ngrams!) : null;
  const ngrams = grams === null ? {} : { ngrams: { bias: round(grams.reduce((a, g) => a + g.bias, 0) / k), words: meanOf(grams.map((g) => g.words)), negated: meanOf(grams.map((g) => g.negated)), bigrams: meanOf(grams.map((g) => g.bigrams)) } };
  return {
    format: 'vigil-sentiment/1',
    weights,
    residual: mean((m) => m.residual),
    negatedResidual: mean((m) => m.negatedResidual),
    wordResidual: mean((m) => m.wordResidual),
    pairResidual: mean((m) => m.pairResidual),
    ...ngrams,
    ...(levels ? { afinnLevels: levels.map((_, i) => round(models.reduce((a, m) => a + m.afinnLevels![i]!, 0) / k)) } : {}),
    meta: {},
  };
}

/** candidate stretches: at least 0.75, so the compound keeps most of its [-1, 1] range for the frustration thresholds */
const STRETCHES = [0.75, 1, 1.25, 1.5, 2, 2.5, 3];
/** candidate estimates (of rating / 4) that the compound's zero is put at: the calibrator estimates the raters' mean,
 * and where their "neutral" class sits around it is what the +/-0.05 labels have to match (--centres 0 fixes it at 0) */
const CENTRES = flag('--centres', 1) > 0 ? [0, 0.01, 0.02, 0.03, 0.04] : [0];
/** --fixed-stretch k: no choice, that stretch and centre 0 (to study the calibrator's estimates, with --dump) */
const FIXED_STRETCH = flag('--fixed-stretch', 0);

const withoutCalibrator = (m: SentimentModel): SentimentModel => ({ ...m, calibrator: undefined });

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
const labelled = (s: (typeof sets)[number]): Labelled[] => s.items.map((item, i) => ({ item, sample: s.samples[i]! }));
const oof = sets.map((s) => new Array<number>(s.items.length).fill(0));
const oofLinear = sets.map((s) => new Array<number>(s.items.length).fill(0));
for (let f = 0; f < FOLDS; f++) {
  const trainPart = sets.flatMap((s) => labelled(s).filter((d) => foldOf(d.item, FOLDS) !== f));
  const model = fitModel(trainPart);
  const dumpRow = { fold: f, train: lastRows.map((r) => [...r]), trainY: trainPart.map((d) => d.sample.target), test: [] as number[][], testY: [] as number[], testSet: [] as number[], testPred: [] as number[] };
  rowDump.push(dumpRow);
  const linear = withoutCalibrator(model);
  sets.forEach((s, si) => s.items.forEach((it, i) => {
    if (foldOf(it, FOLDS) !== f) return;
    oof[si]![i] = predict(model, cfg, s.samples[i]!.msg);
    dumpRow.test.push([...calibrationRow(model, cfg, s.samples[i]!.msg)]);
    dumpRow.testY.push(s.samples[i]!.target);
    dumpRow.testSet.push(si);
    dumpRow.testPred.push(oof[si]![i]!);
    oofLinear[si]![i] = predict(linear, cfg, s.samples[i]!.msg);
  }));
}
const worst = flag('--worst', 0);
if (worst > 0) {
  sets.forEach((s, si) => {
    const order = s.items.map((_, i) => i).sort((a, b) => Math.abs(oof[si]![b]! - s.items[b]!.rating / 4) - Math.abs(oof[si]![a]! - s.items[a]!.rating / 4));
    for (const i of order.slice(0, worst)) console.log(`${s.name} truth=${(s.items[i]!.rating / 4).toFixed(2)} pred=${oof[si]![i]!.toFixed(2)} ${s.items[i]!.text.slice(0, 140)}`);
  });
}
const rowsAt = args.indexOf('--dump-rows');
if (rowsAt >= 0) writeFileSync(args[rowsAt + 1]!, JSON.stringify(rowDump));
const dumpAt = args.indexOf('--dump');
if (dumpAt >= 0) writeFileSync(args[dumpAt + 1]!, JSON.stringify(sets.map((s, si) => ({ name: s.name, ratings: s.items.map((i) => i.rating), oof: oof[si] }))));
if (args.includes('--confusion'))
  sets.forEach((s, si) => {
    // rows: the raters' class (beyond +/-0.5 of 4), columns: the label (beyond +/-0.05); negative, neutral, positive
    const m = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    s.items.forEach((it, i) => {
      const p = oof[si]![i]!;
      m[it.rating > 0.5 ? 2 : it.rating < -0.5 ? 0 : 1]![p >= 0.05 ? 2 : p <= -0.05 ? 0 : 1]!++;
    });
    console.log(`${s.name} confusion (rows truth neg/neu/pos, columns label): ${m.map((r) => r.join(' ')).join(' | ')}`);
  });
sets.forEach((s, si) => add(`${FOLDS}-fold CV by item, linear layer only`, s.name, s.items.map((i) => i.rating), oofLinear[si]!));
sets.forEach((s, si) => add(`${FOLDS}-fold CV by item (out of fold)`, s.name, s.items.map((i) => i.rating), oof[si]!));

// across datasets: train on one, test on the other
for (const [a, b] of [[0, 1], [1, 0]] as const) {
  const model = fitModel(labelled(sets[a]!));
  add(`train ${sets[a]!.name} -> test other`, sets[b]!.name, sets[b]!.items.map((i) => i.rating), score(model, sets[b]!.samples));
}

// the shipped model: all development data; its in-sample figures for comparison only
const final = fitModel(sets.flatMap(labelled));
for (const s of sets) add('shipped model, in-sample (optimistic)', s.name, s.items.map((i) => i.rating), score(final, s.samples));

for (const [what, rows] of Object.entries(report)) {
  console.log(what);
  for (const row of rows) console.log(`  ${row.name.padEnd(16)} r=${row.r.toFixed(4)}  macroF1=${row.f1.toFixed(4)}`);
}

if (write) {
  final.meta = {
    trainedOn: sets.map((s) => `${s.name}.tsv (${s.items.length})`),
    trainer: 'bench/sentiment/train.ts (linear layer: full-batch Adam, squared error of the compound; calibrator: boosted trees on inner out-of-fold raw sums)',
    options: opts,
    ngramOptions: ngramOpts,
    calibratorOptions: boost,
    networkOptions: net,
    baggedLinearLayer: BAG,
    calibratorTrees: final.calibrator?.trees.length ?? 0,
    stretch: final.calibrator?.stretch,
    residualStems: Object.keys(final.residual).length,
    negatedStems: Object.keys(final.negatedResidual).length,
    outOfSample: report,
  };
  final.lexicon = lexiconTables(naturalLexicons());
  // --out another path: a candidate model to measure (throughput.js --model) before it replaces the shipped one
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args[outAt + 1]! : 'models/sentiment/model.json';
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(final) + '\n');
  console.log(`wrote ${out} (${Object.keys(final.residual).length} stem corrections)`);
}
